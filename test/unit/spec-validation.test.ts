// A Certificate spec is checked once, with every problem reported together: a user who learns one problem per
// 24 h recheck would need days to get a certificate. The normalised request must match gardener's defaults, or
// certificates would silently get other keys than they get from gardener.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CertificateSpec } from '../../actors/certificate/certificate-spec.js';
import { type NormalizedRequest, validateCertificateSpec } from '../../actors/certificate/spec-validation.js';
import { makeCsrPem, toSpecCsr } from './fixtures/x509-fixtures.js';

const ns = { namespace: 'team-a' };

async function ok(spec: CertificateSpec): Promise<NormalizedRequest> {
  const r = await validateCertificateSpec(spec, ns);
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'));
  return r.request;
}

async function problems(spec: CertificateSpec, options = ns): Promise<string[]> {
  const r = await validateCertificateSpec(spec, options);
  assert.equal(r.ok, false, 'expected problems');
  return r.ok ? [] : r.problems;
}

test('the seed example becomes a request with gardener defaults (RSA 2048, PKCS1) and a generated secret name', async () => {
  const r = await ok({
    commonName: 'cert1.mydomain.com',
    dnsNames: ['cert1-foo.mydomain.com', 'cert1-bar.mydomain.com'],
    issuerRef: { name: 'issuer-staging' },
  });
  assert.equal(r.commonName, 'cert1.mydomain.com');
  assert.deepEqual(r.dnsNames, ['cert1.mydomain.com', 'cert1-foo.mydomain.com', 'cert1-bar.mydomain.com']);
  assert.deepEqual(r.privateKey, { algorithm: 'RSA', size: 2048, encoding: 'PKCS1' });
  assert.deepEqual(r.issuerRef, { name: 'issuer-staging' });
  assert.equal(r.secretRef, undefined);
  assert.equal(r.isCA, false);
  assert.equal(r.followCNAME, false);
  assert.equal(r.renew, false);
  assert.deepEqual(r.secretLabels, {});
});

test('key defaults: ECDSA alone means P-256; a size alone is read against RSA; deployment defaults are honoured', async () => {
  assert.deepEqual((await ok({ commonName: 'a.example.com', privateKey: { algorithm: 'ECDSA' } })).privateKey, {
    algorithm: 'ECDSA',
    size: 256,
    encoding: 'PKCS1',
  });
  assert.deepEqual(
    (await ok({ commonName: 'a.example.com', privateKey: { size: 4096, encoding: 'PKCS8' } })).privateKey,
    { algorithm: 'RSA', size: 4096, encoding: 'PKCS8' },
  );
  const r = await validateCertificateSpec(
    { commonName: 'a.example.com' },
    { ...ns, privateKeyDefaults: { algorithm: 'ECDSA', rsaSize: 3072, ecdsaSize: 384 } },
  );
  assert.ok(r.ok);
  assert.deepEqual(r.request.privateKey, { algorithm: 'ECDSA', size: 384, encoding: 'PKCS1' });
});

test("key sizes outside gardener's lists are refused, naming the allowed ones", async () => {
  assert.match(
    (await problems({ commonName: 'a.example.com', privateKey: { algorithm: 'RSA', size: 1024 } })).join(),
    /size 1024 is not allowed for RSA: use 2048, 3072, 4096/,
  );
  assert.match(
    (await problems({ commonName: 'a.example.com', privateKey: { algorithm: 'ECDSA', size: 2048 } })).join(),
    /size 2048 is not allowed for ECDSA: use 256, 384/,
  );
  assert.match(
    (await problems({ commonName: 'a.example.com', privateKey: { size: 256 } })).join(),
    /for RSA \(spec\.privateKey\.algorithm defaults to RSA\)/,
  );
});

test('commonName repeated in dnsNames is merged; a name repeated inside dnsNames is refused (as gardener does)', async () => {
  assert.deepEqual((await ok({ commonName: 'a.example.com', dnsNames: ['b.example.com', 'A.example.com'] })).dnsNames, [
    'a.example.com',
    'b.example.com',
  ]);
  assert.match(
    (await problems({ dnsNames: ['b.example.com', 'B.example.com'] })).join(),
    /spec\.dnsNames lists "b\.example\.com" more than once/,
  );
  assert.match(
    (await problems({ commonName: 'a.example.com', dnsNames: ['a.example.com', 'a.example.com'] })).join(),
    /"a\.example\.com" more than once/,
  );
});

test('dnsNames without commonName keep their order', async () => {
  const r = await ok({ dnsNames: ['b.example.com', '*.a.example.com'] });
  assert.equal(r.commonName, undefined);
  assert.deepEqual(r.dnsNames, ['b.example.com', '*.a.example.com']);
});

test('all problems are returned together, each naming its field', async () => {
  const p = await problems({
    commonName: `${'a'.repeat(60)}.example.com`,
    dnsNames: ['ok.example.com', 'bad..example.com', 'ok.example.com'],
    privateKey: { algorithm: 'ECDSA', size: 4096 },
    renewBefore: '30d',
    duration: 'soon',
    ipAddresses: ['10.0.0.1'],
    emailAddresses: ['x@example.com'],
    uris: ['spiffe://x'],
    isCA: true,
    ensureRenewedAfter: 'yesterday',
    secretRef: { name: 'a' },
    secretName: 'b',
    secretLabels: { 'cert.gardener.cloud/hash': 'x', 'bad key!': 'v' },
  });
  const expected = [
    /^spec\.commonName has 72 characters but X\.509 allows at most 64/,
    /^spec\.dnsNames\[1\] "bad\.\.example\.com" is not a valid DNS name: it contains an empty label/,
    /^spec\.dnsNames lists "ok\.example\.com" more than once/,
    /^spec\.privateKey\.size 4096 is not allowed for ECDSA/,
    /^spec\.renewBefore "30d" is invalid \(unknown unit "d"\)/,
    /^spec\.duration "soon" is invalid/,
    /^spec\.isCA cannot be set for an ACME issuer/,
    /^spec\.ensureRenewedAfter "yesterday" is not an RFC 3339 time/,
    /^spec\.secretName "b" conflicts with spec\.secretRef\.name "a"/,
    /^spec\.secretLabels must not set "cert\.gardener\.cloud\/hash"/,
    /^spec\.secretLabels: label key "bad key!"/,
  ];
  for (const re of expected)
    assert.ok(
      p.some((m) => re.test(m)),
      `${re} not in:\n${p.join('\n')}`,
    );
  assert.equal(p.length, expected.length, p.join('\n'));
});

test('no domain at all, and domains combined with a CSR, are refused (gardener: "cannot specify both")', async () => {
  assert.match(
    (await problems({})).join(),
    /no domain requested: set spec\.commonName and\/or spec\.dnsNames, or spec\.csr/,
  );
  assert.match((await problems({ dnsNames: [] })).join(), /no domain requested/);
  const csr = toSpecCsr(await makeCsrPem({ cn: 'a.example.com' }));
  assert.match(
    (await problems({ commonName: 'a.example.com', csr })).join(),
    /spec\.csr cannot be combined with spec\.commonName or spec\.dnsNames/,
  );
});

test('a CSR request takes its names from the CSR and generates no key', async () => {
  const csr = toSpecCsr(
    await makeCsrPem({
      cn: 'a.example.com',
      sans: [
        { type: 'dns', value: 'a.example.com' },
        { type: 'dns', value: 'b.example.com' },
      ],
    }),
  );
  const r = await ok({ csr, privateKey: { algorithm: 'ECDSA' } });
  assert.equal(r.commonName, 'a.example.com');
  assert.deepEqual(r.dnsNames, ['a.example.com', 'b.example.com']);
  assert.equal(r.privateKey, undefined);
  assert.deepEqual(r.csr?.publicKey, { algorithm: 'ECDSA', size: 256 });
});

test('CSR problems and duplicate SANs in the CSR are reported', async () => {
  const dup = toSpecCsr(
    await makeCsrPem({
      sans: [
        { type: 'dns', value: 'a.example.com' },
        { type: 'dns', value: 'a.example.com' },
      ],
    }),
  );
  assert.match((await problems({ csr: dup })).join(), /spec\.csr lists "a\.example\.com" more than once/);
  assert.match((await problems({ csr: 'bm90IGEgY3Ny' })).join(), /spec\.csr decodes from base64 but is not PEM/);
});

test("secret resolution: secretRef (namespace defaults to the certificate's), else secretName, else generated", async () => {
  assert.deepEqual((await ok({ commonName: 'a.example.com', secretRef: { name: 's1' } })).secretRef, {
    name: 's1',
    namespace: 'team-a',
  });
  assert.deepEqual(
    (await ok({ commonName: 'a.example.com', secretRef: { name: 's1', namespace: 'other' }, secretName: 's1' }))
      .secretRef,
    { name: 's1', namespace: 'other' },
  );
  assert.deepEqual((await ok({ commonName: 'a.example.com', secretName: 's2' })).secretRef, {
    name: 's2',
    namespace: 'team-a',
  });
  assert.match(
    (await problems({ commonName: 'a.example.com', secretRef: {} })).join(),
    /spec\.secretRef\.name is empty/,
  );
  // Names the API server would refuse are refused before any order is spent.
  assert.match(
    (await problems({ commonName: 'a.example.com', secretName: 'Foo_Bar' })).join(),
    /spec\.secretName "Foo_Bar" is not a valid Secret name: use lower-case letters/,
  );
  assert.match(
    (await problems({ commonName: 'a.example.com', secretRef: { name: 'ok', namespace: 'Bad.NS' } })).join(),
    /spec\.secretRef\.namespace "Bad\.NS" is not a valid namespace/,
  );
});

test('durations, renewal requests, labels and flags are carried over', async () => {
  const r = await ok({
    commonName: 'a.example.com',
    renewBefore: '240h',
    renew: true,
    ensureRenewedAfter: '2025-01-31T12:00:00Z',
    followCNAME: true,
    preferredChain: 'ISRG Root X1',
    secretLabels: { team: 'a', 'example.com/tier': '' },
  });
  assert.equal(r.renewBeforeMs, 240 * 3_600_000);
  assert.equal(r.renew, true);
  assert.equal(r.ensureRenewedAfterMs, Date.parse('2025-01-31T12:00:00Z'));
  assert.equal(r.followCNAME, true);
  assert.equal(r.preferredChain, 'ISRG Root X1');
  assert.deepEqual(r.secretLabels, { team: 'a', 'example.com/tier': '' });
});

test("renewBefore shorter than 5 minutes is refused (gardener's lower bound)", async () => {
  assert.match(
    (await problems({ commonName: 'a.example.com', renewBefore: '1m' })).join(),
    /spec\.renewBefore "1m" is too short: it must be at least 5m/,
  );
});

test('duration: refused for ACME; for a CA issuer it must be at least twice the renewal window', async () => {
  assert.match(
    (await problems({ commonName: 'a.example.com', duration: '2160h' })).join(),
    /spec\.duration cannot be set for an ACME issuer/,
  );
  const window = 720 * 3_600_000;
  assert.match(
    (
      await problems({ commonName: 'a.example.com', duration: '1000h' }, {
        ...ns,
        issuerKind: 'ca',
        renewalWindowMs: window,
      } as typeof ns)
    ).join(),
    /^certificate duration must be at least 1440h0m0s \(twice the renewal window/,
  );
  const r = await validateCertificateSpec(
    { commonName: 'a.example.com', duration: '2160h', isCA: false },
    { ...ns, issuerKind: 'ca', renewalWindowMs: window },
  );
  assert.ok(r.ok);
  assert.equal(r.request.durationMs, 2160 * 3_600_000);
});

test('an empty issuerRef name is refused; isCA false is harmless', async () => {
  assert.match(
    (await problems({ commonName: 'a.example.com', issuerRef: { name: '' } })).join(),
    /spec\.issuerRef\.name is empty/,
  );
  assert.equal((await ok({ commonName: 'a.example.com', isCA: false })).isCA, false);
});

test('more than 99 dnsNames are refused', async () => {
  const names = Array.from({ length: 100 }, (_, i) => `n${i}.example.com`);
  assert.match((await problems({ dnsNames: names })).join(), /spec\.dnsNames has 100 entries: at most 99/);
});
