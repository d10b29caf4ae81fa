// The rules that depend on the issuer's type, as gardener v0.27.0 applies them: an ACME issuer certifies DNS names
// and ignores IP, email and URI SANs; a CA issuer takes any names, defaults to 180 days; a self-signed issuer makes CAs
// only, defaults to 90 days and needs a commonName.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CertificateSpec } from '../../actors/certificate/certificate-spec.js';
import { type IssuerKind, validateCertificateSpec } from '../../actors/certificate/spec-validation.js';
import { makeCsrPem, toSpecCsr } from './fixtures/x509-fixtures.js';

const HOUR = 3_600_000;
const options = (issuerKind: IssuerKind) => ({ namespace: 'ns', issuerKind, renewalWindowMs: 720 * HOUR });

async function validate(spec: CertificateSpec, kind: IssuerKind) {
  return validateCertificateSpec(spec, options(kind));
}

test('ACME: IP, email and URI SANs are ignored, not refused (gardener ignores them); names must be DNS names', async () => {
  const r = await validate(
    { commonName: 'a.example.com', ipAddresses: ['10.0.0.1'], emailAddresses: ['x@y.z'], uris: ['spiffe://a/b'] },
    'acme',
  );
  assert.ok(r.ok);
  assert.deepEqual(r.request.extraSans, { ipAddresses: [], uris: [], emailAddresses: [] });
  const bad = await validate({ commonName: 'My Root CA' }, 'acme');
  assert.ok(!bad.ok && /is not a valid DNS name/.test(bad.problems.join()));
});

test('CA: any commonName, SANs parsed with gardener messages, 180 days by default, isCA allowed', async () => {
  const r = await validate(
    {
      commonName: 'My Intermediate CA',
      isCA: true,
      dnsNames: ['a.example.com'],
      ipAddresses: ['10.0.0.1', '2001:db8::1'],
      emailAddresses: ['ops@example.com'],
      uris: ['spiffe://example.com/foo'],
    },
    'ca',
  );
  assert.ok(r.ok, r.ok ? '' : r.problems.join());
  assert.equal(r.request.durationMs, 180 * 24 * HOUR);
  assert.equal(r.request.commonName, 'My Intermediate CA');
  assert.deepEqual(r.request.specDnsNames, ['a.example.com']);
  assert.deepEqual(r.request.extraSans, {
    ipAddresses: ['10.0.0.1', '2001:db8::1'],
    uris: ['spiffe://example.com/foo'],
    emailAddresses: ['ops@example.com'],
  });
  const bad = await validate(
    { commonName: 'x', ipAddresses: ['10.0.0.300'], uris: ['no-scheme/path'], emailAddresses: ['not an email'] },
    'ca',
  );
  assert.ok(!bad.ok);
  assert.deepEqual(
    bad.problems.map((p) => p.replace(/, error: .*/, ', error: …')),
    [
      "invalid IP address in 'spec.IPAddresses': invalid IP address: 10.0.0.300",
      "invalid URI in 'spec.URIs': invalid URI: no-scheme/path, scheme is missing",
      "invalid email address in 'spec.emailAddresses': invalid email address: not an email, error: …",
    ],
  );
});

test('CA and self-signed: duration at least twice the renewal window, in Go notation', async () => {
  for (const kind of ['ca', 'selfSigned'] as const) {
    const r = await validate({ commonName: 'c', isCA: true, duration: '1000h' }, kind);
    assert.ok(!r.ok);
    assert.match(r.problems.join(), /^certificate duration must be at least 1440h0m0s/);
  }
  const ok = await validate({ commonName: 'c', isCA: true, duration: '1440h' }, 'ca');
  assert.ok(ok.ok && ok.request.durationMs === 1440 * HOUR);
});

test('self-signed: isCA must be true, commonName required, 90 days by default', async () => {
  const noCa = await validate({ commonName: 'root' }, 'selfSigned');
  assert.ok(!noCa.ok && noCa.problems.includes("self signed certificates must set 'spec.isCA: true'"));
  const noCn = await validate({ dnsNames: ['a.example.com'], isCA: true }, 'selfSigned');
  assert.ok(!noCn.ok && /spec\.commonName must be set for a self-signed certificate/.test(noCn.problems.join()));
  const r = await validate({ commonName: 'Root CA', isCA: true }, 'selfSigned');
  assert.ok(r.ok);
  assert.equal(r.request.durationMs, 90 * 24 * HOUR);
});

test("self-signed with spec.csr: a new key of the CSR's type (a CSR's key cannot sign for us)", async () => {
  const csr = await makeCsrPem({ cn: 'a.example.com', key: 'p384' });
  const r = await validate({ csr: toSpecCsr(csr), isCA: true, privateKey: { encoding: 'PKCS8' } }, 'selfSigned');
  assert.ok(r.ok, r.ok ? '' : r.problems.join());
  assert.deepEqual(r.request.privateKey, { algorithm: 'ECDSA', size: 384, encoding: 'PKCS8' });
});

test("'any' (choosing the issuer): only what every type shares is checked", async () => {
  const r = await validate({ commonName: 'My Root CA', isCA: true, duration: '1h', ipAddresses: ['x'] }, 'any');
  assert.ok(r.ok, r.ok ? '' : r.problems.join());
});
