// A CA issuer's Secret is checked in gardener's order, first failure named; what it signs carries gardener's
// template (subject fields from the CA, SANs, key usages, key identifiers) and verifies up to the CA.
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { checkCaSecret } from '../../actors/issuer/ca-secret.js';
import { signWithCa } from '../../actors/issuer/ca-signing.js';
import { generatePrivateKey } from '../../actors/x509/certificate-info.js';
import { signCertificate } from '../../actors/x509/sign-certificate.js';
import { x509 } from '../../actors/x509/x509.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const DAY = 86_400_000;

async function makeCa(options: { isCA?: boolean; notAfterMs?: number; ec?: boolean } = {}) {
  const keyPem = await generatePrivateKey(
    options.ec
      ? { algorithm: 'ECDSA', size: 256, encoding: 'PKCS1' }
      : { algorithm: 'RSA', size: 2048, encoding: 'PKCS1' },
  );
  const now = Date.now();
  const certPem = await signCertificate(
    {
      subject: { country: ['DE'], organization: ['Gardener'], commonName: 'Test CA' },
      dnsNames: [],
      emailAddresses: ['ca@example.com'],
      ipAddresses: [],
      uris: [],
      isCA: options.isCA ?? true,
      notBeforeMs: now - DAY,
      notAfterMs: options.notAfterMs ?? now + 365 * DAY,
      extKeyUsages: ['serverAuth'],
    },
    createPublicKey(keyPem).export({ format: 'pem', type: 'spki' }) as string,
    { keyPem },
  );
  return { keyPem, certPem };
}

const secretOf = (certPem: string, keyPem: string, type = 'kubernetes.io/tls') => ({
  type,
  data: { 'tls.crt': b64(certPem), 'tls.key': b64(keyPem) },
});

test('every bad CA secret is named with gardener message first, in gardener order', async () => {
  const ca = await makeCa();
  const other = await makeCa();
  const notCa = await makeCa({ isCA: false });
  const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const now = Date.now();
  const cases: Array<[string, Parameters<typeof checkCaSecret>[0], RegExp]> = [
    ['wrong type', secretOf(ca.certPem, ca.keyPem, 'Opaque'), /^secret is not of type kubernetes\.io\/tls/],
    ['no tls.crt', { type: 'kubernetes.io/tls', data: { 'tls.key': b64(ca.keyPem) } }, /`tls\.crt` data not found/],
    ['no certificate', secretOf('hello', ca.keyPem), /no certificate found in PEM data for tls\.crt/],
    [
      'garbage certificate',
      secretOf('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', ca.keyPem),
      /parsing certificate failed/,
    ],
    ['no tls.key', { type: 'kubernetes.io/tls', data: { 'tls.crt': b64(ca.certPem) } }, /`tls\.key` data not found/],
    ['no key block', secretOf(ca.certPem, 'not a key'), /decoding pem block for private key failed/],
    [
      'garbage key',
      secretOf(ca.certPem, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
      /decoding private key failed/,
    ],
    ['ed25519 key', secretOf(ca.certPem, ed), /^check private key failed: unknown private key type: ed25519/],
    ['key of another CA', secretOf(ca.certPem, other.keyPem), /^private key does not match certificate/],
    ['not a CA', secretOf(notCa.certPem, notCa.keyPem), /^certificate is not a CA/],
  ];
  for (const [name, secret, pattern] of cases) {
    const r = checkCaSecret(secret, now);
    assert.ok(!r.ok, name);
    assert.match(r.ok ? '' : r.message, pattern, name);
  }
  const expired = checkCaSecret(secretOf(ca.certPem, ca.keyPem), now + 400 * DAY);
  assert.ok(!expired.ok && /^certificate is expired/.test(expired.message));
});

test('status.ca is gardener JSON: validity, subject lists (null when empty), the serial in upper-case hex', async () => {
  const ca = await makeCa();
  const r = checkCaSecret(secretOf(ca.certPem, ca.keyPem), Date.now());
  assert.ok(r.ok);
  const info = r.material.statusCa;
  const cert = new x509.X509Certificate(ca.certPem);
  assert.equal(info.NotAfter, cert.notAfter.toISOString().replace('.000Z', 'Z'));
  assert.deepEqual(info.Subject.Country, ['DE']);
  assert.deepEqual(info.Subject.Organization, ['Gardener']);
  assert.equal(info.Subject.Locality, null);
  assert.equal(info.Subject.CommonName, 'Test CA');
  assert.equal(info.Subject.SerialNumber, cert.serialNumber.replace(/^0+/, '').toUpperCase());
});

test('a signed leaf verifies up to the CA and carries gardener template', async () => {
  for (const ec of [false, true]) {
    const ca = await makeCa({ ec });
    const r = checkCaSecret(secretOf(ca.certPem, ca.keyPem), Date.now());
    assert.ok(r.ok);
    const leafKey = await generatePrivateKey({ algorithm: 'RSA', size: 2048, encoding: 'PKCS1' });
    const signed = await signWithCa(
      r.material,
      {
        publicKeyPem: createPublicKey(leafKey).export({ format: 'pem', type: 'spki' }) as string,
        commonName: 'a.example.com',
        dnsNames: ['a.example.com', 'b.example.com'],
        emailAddresses: ['me@example.com'],
        ipAddresses: ['10.0.0.1'],
        uris: ['spiffe://example.com/a'],
        isCA: false,
        durationMs: 30 * DAY,
      },
      Date.now(),
    );
    assert.ok(signed.ok, signed.ok ? '' : signed.error);
    const leaf = new X509Certificate(signed.certificatePem);
    assert.ok(
      leaf.checkIssued(new X509Certificate(ca.certPem)) && leaf.verify(new X509Certificate(ca.certPem).publicKey),
    );
    assert.ok(leaf.checkPrivateKey(createPrivateKey(leafKey)));
    const p = new x509.X509Certificate(signed.certificatePem);
    assert.equal(p.subject, 'C=DE, O=Gardener, CN=a.example.com');
    const san = p.getExtension(x509.SubjectAlternativeNameExtension)!;
    assert.deepEqual(
      san.names.items.map((n) => `${n.type}:${n.value}`),
      [
        'dns:a.example.com',
        'dns:b.example.com',
        'email:ca@example.com', // the CA's own email SANs first, as gardener
        'email:me@example.com',
        'ip:10.0.0.1',
        'url:spiffe://example.com/a',
      ],
    );
    const bc = p.getExtension(x509.BasicConstraintsExtension)!;
    assert.equal(bc.ca, false);
    assert.equal(bc.critical, true);
    const ku = p.getExtension(x509.KeyUsagesExtension)!;
    assert.equal(ku.usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
    assert.deepEqual(
      [...p.getExtension(x509.ExtendedKeyUsageExtension)!.usages],
      [x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth],
    );
    assert.equal(p.getExtension(x509.SubjectKeyIdentifierExtension), null);
    assert.equal(
      p.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId,
      new x509.X509Certificate(ca.certPem).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    );
    assert.equal(signed.caPem.trim(), new x509.X509Certificate(ca.certPem).toString('pem').trim());
  }
});

test('a certificate may not outlive its CA', async () => {
  const ca = await makeCa({ notAfterMs: Date.now() + 100 * DAY });
  const r = checkCaSecret(secretOf(ca.certPem, ca.keyPem), Date.now());
  assert.ok(r.ok);
  const signed = await signWithCa(
    r.material,
    {
      publicKeyPem: r.material.certPem,
      dnsNames: ['a.example.com'],
      emailAddresses: [],
      ipAddresses: [],
      uris: [],
      isCA: false,
      durationMs: 180 * DAY,
    },
    Date.now(),
  );
  assert.ok(!signed.ok && signed.invalid);
  assert.match(
    signed.ok ? '' : signed.error,
    /^certificate lifetime \(.* \+0000 UTC\) is longer than the lifetime of the CA certificate/,
  );
});
