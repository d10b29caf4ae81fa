import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cascadeOwners,
  certificateSecretData,
  generatedSecretName,
  isOwnedBy,
  judgeSecret,
  secretToWrite,
  type TlsSecret,
} from '../../actors/certificate/certificate-secret.js';
import { keyPem, makeSelfSignedPem, type TestKeyKind } from './fixtures/x509-fixtures.js';

async function selfSignedFixture(names: string[], kind: TestKeyKind = 'p256') {
  const now = Date.now();
  const certPem = await makeSelfSignedPem({
    cn: names[0]!,
    dnsNames: names,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3600_000),
    key: kind,
  });
  return { certPem, keyPem: await keyPem(kind) };
}

test('a new Secret is written as gardener writes it: type tls, chain, key and CA part, hash and certificate=true labels, requestedAt', async () => {
  const f = await selfSignedFixture(['a.example.com']);
  const s = secretToWrite(undefined, {
    namespace: 'ns',
    name: 'tls',
    hash: 'h1',
    data: certificateSecretData(f.certPem + f.certPem, f.keyPem),
    requestedAtMs: 5000,
    extraLabels: { team: 'x' },
  });
  assert.equal(s.type, 'kubernetes.io/tls');
  assert.deepEqual(s.metadata.labels, {
    team: 'x',
    'cert.gardener.cloud/hash': 'h1',
    'cert.gardener.cloud/certificate': 'true',
  });
  assert.deepEqual(s.metadata.annotations, { 'cert.gardener.cloud/requestedAt': '1970-01-01T00:00:05.000Z' });
  assert.equal(s.metadata.ownerReferences, undefined);
  assert.equal(Buffer.from(s.data!['ca.crt']!, 'base64').toString().trim(), f.certPem.trim());
  const v = judgeSecret(s, 'h1');
  assert.ok(v.usable);
  assert.equal(v.requestedAtMs, 5000);
  assert.deepEqual(v.info.dnsNames, ['a.example.com']);
});

test('a Secret already at the name is taken over whatever its type: type, labels, annotations and owners stay, data is replaced', () => {
  const existing: TlsSecret = {
    type: 'Opaque',
    metadata: {
      name: 'tls',
      namespace: 'ns',
      labels: { keep: 'me' },
      annotations: { mine: 'too', 'cert.gardener.cloud/revoked': 'true' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'u' }],
    },
    data: { other: 'eA==' },
  };
  const s = secretToWrite(existing, {
    namespace: 'ns',
    name: 'tls',
    hash: 'h',
    data: { 'tls.crt': 'Yw==' },
    extraLabels: {},
  });
  assert.equal(s.type, 'Opaque');
  assert.deepEqual(s.metadata.labels, {
    keep: 'me',
    'cert.gardener.cloud/hash': 'h',
    'cert.gardener.cloud/certificate': 'true',
  });
  assert.deepEqual(s.metadata.annotations, { mine: 'too' }, 'a revoked mark goes with the old certificate');
  assert.deepEqual(s.metadata.ownerReferences, existing.metadata.ownerReferences);
  assert.deepEqual(s.data, { 'tls.crt': 'Yw==' });
});

test('--cascade-delete owners: the Certificate, plus its own owners when it asks to forward them', () => {
  const cert = {
    metadata: {
      name: 'c',
      uid: 'u1',
      annotations: { 'cert.gardener.cloud/forward-owner-refs': 'true' },
      ownerReferences: [{ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'i', uid: 'u2' }],
    },
  };
  const owners = cascadeOwners(cert);
  assert.deepEqual(
    owners.map((o) => [o.kind, o.uid]),
    [
      ['Certificate', 'u1'],
      ['Ingress', 'u2'],
    ],
  );
  assert.equal(owners[0]!.apiVersion, 'cert.gardener.cloud/v1alpha1');
  assert.equal(cascadeOwners({ metadata: { ...cert.metadata, annotations: {} } }).length, 1);
  const s = secretToWrite(undefined, {
    namespace: 'ns',
    name: 't',
    hash: 'h',
    data: {},
    extraLabels: {},
    ownerReferences: owners,
  });
  assert.ok(isOwnedBy(s, 'u1'));
  assert.ok(!isOwnedBy(s, 'other'));
  assert.ok(!isOwnedBy(s, undefined));
});

test('a secret of another request, revoked, without key, or with a foreign key is not usable', async () => {
  const f = await selfSignedFixture(['a.example.com']);
  const g = await selfSignedFixture(['b.example.com'], 'p384');
  const write = (key: string) =>
    secretToWrite(undefined, {
      namespace: 'ns',
      name: 't',
      hash: 'h1',
      data: certificateSecretData(f.certPem, key),
      extraLabels: {},
    });
  const s = write(g.keyPem);
  assert.deepEqual(judgeSecret(s, 'h2'), { usable: false, reason: 'issued for another request' });
  assert.deepEqual(judgeSecret(s, 'h1'), { usable: false, reason: 'tls.key does not belong to tls.crt' });
  const revoked = write(f.keyPem);
  revoked.metadata.annotations = { 'cert.gardener.cloud/revoked': 'true' };
  assert.deepEqual(judgeSecret(revoked, 'h1'), { usable: false, reason: 'revoked' });
  const noKey = write('');
  assert.equal(judgeSecret(noKey, 'h1').usable, false);
  assert.equal(judgeSecret(noKey, 'h1', false).usable, true, 'a CSR certificate has no key here');
  assert.deepEqual(judgeSecret(undefined, 'h1'), { usable: false, reason: 'no secret' });
});

test('generated names are stable per uid', () => {
  assert.equal(generatedSecretName('cert', 'uid-1'), generatedSecretName('cert', 'uid-1'));
  assert.notEqual(generatedSecretName('cert', 'uid-1'), generatedSecretName('cert', 'uid-2'));
  assert.match(generatedSecretName('cert', 'uid-1'), /^cert-[0-9a-f]{8}$/);
});
