import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adoptSecret,
  buildTlsSecret,
  generatedSecretName,
  isOwnedBy,
  judgeSecret,
} from '../../actors/certificate/certificate-secret.js';
import { keyPem, makeSelfSignedPem, type TestKeyKind } from './fixtures/x509-fixtures.js';

async function selfSignedFixture(
  names: string[],
  kind: TestKeyKind = 'p256',
): Promise<{ certPem: string; keyPem: string }> {
  const now = Date.now();
  return {
    certPem: await makeSelfSignedPem({
      cn: names[0]!,
      dnsNames: names,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 3600_000),
      key: kind,
    }),
    keyPem: await keyPem(kind),
  };
}

const owner = { cluster: 'source', namespace: 'ns', name: 'cert' };

test('the TLS secret holds chain, key and CA part, with hash label and owner annotations; it is judged usable', async () => {
  const f = await selfSignedFixture(['a.example.com']);
  const s = buildTlsSecret({
    namespace: 'ns',
    name: 'tls',
    owner,
    issuer: 'ns/iss',
    hash: 'h1',
    chainPem: f.certPem + f.certPem,
    keyPem: f.keyPem,
    requestedAtMs: 5000,
    extraLabels: { team: 'x' },
  });
  assert.equal(s.type, 'kubernetes.io/tls');
  assert.equal(s.metadata.labels?.['cert.gardener.cloud/hash'], 'h1');
  assert.equal(s.metadata.labels?.team, 'x');
  assert.equal(s.metadata.annotations?.['cert.gardener.cloud/requestedAt'], '1970-01-01T00:00:05.000Z');
  assert.equal(Buffer.from(s.data!['ca.crt']!, 'base64').toString().trim(), f.certPem.trim());
  const v = judgeSecret(s, 'h1');
  assert.ok(v.usable);
  assert.equal(v.requestedAtMs, 5000);
  assert.deepEqual(v.info.dnsNames, ['a.example.com']);
  assert.ok(isOwnedBy(s, owner));
  assert.ok(!isOwnedBy(s, { ...owner, name: 'other' }));
});

test('a secret of another request, without key, or with a foreign key is not usable', async () => {
  const f = await selfSignedFixture(['a.example.com']);
  const g = await selfSignedFixture(['b.example.com'], 'p384');
  const s = buildTlsSecret({
    namespace: 'ns',
    name: 'tls',
    owner,
    issuer: 'ns/iss',
    hash: 'h1',
    chainPem: f.certPem,
    keyPem: g.keyPem,
    requestedAtMs: 0,
    extraLabels: {},
  });
  assert.deepEqual(judgeSecret(s, 'h2'), { usable: false, reason: 'issued for another request' });
  assert.deepEqual(judgeSecret(s, 'h1'), { usable: false, reason: 'tls.key does not belong to tls.crt' });
  const noKey = buildTlsSecret({
    namespace: 'ns',
    name: 'tls',
    owner,
    issuer: 'ns/iss',
    hash: 'h1',
    chainPem: f.certPem,
    keyPem: '',
    requestedAtMs: 0,
    extraLabels: {},
  });
  assert.equal(judgeSecret(noKey, 'h1').usable, false);
  assert.equal(judgeSecret(noKey, 'h1', false).usable, true, 'a CSR certificate has no key here');
  assert.deepEqual(judgeSecret(undefined, 'h1'), { usable: false, reason: 'no secret' });
});

test('adopting copies data and hash under the new owner; generated names are stable per uid', async () => {
  const f = await selfSignedFixture(['a.example.com']);
  const s = buildTlsSecret({
    namespace: 'ns',
    name: 'old',
    owner,
    issuer: 'ns/iss',
    hash: 'h1',
    chainPem: f.certPem,
    keyPem: f.keyPem,
    requestedAtMs: 7000,
    extraLabels: {},
  });
  const adopted = adoptSecret(s, {
    namespace: 'ns',
    name: 'new',
    owner: { ...owner, name: 'other' },
    issuer: 'ns/iss',
    extraLabels: {},
  });
  assert.deepEqual(adopted.data, s.data);
  assert.equal(adopted.metadata.name, 'new');
  assert.equal(adopted.metadata.labels?.['cert.gardener.cloud/hash'], 'h1');
  assert.ok(isOwnedBy(adopted, { ...owner, name: 'other' }));
  assert.equal(generatedSecretName('cert', 'uid-1'), generatedSecretName('cert', 'uid-1'));
  assert.notEqual(generatedSecretName('cert', 'uid-1'), generatedSecretName('cert', 'uid-2'));
  assert.match(generatedSecretName('cert', 'uid-1'), /^cert-[0-9a-f]{8}$/);
});
