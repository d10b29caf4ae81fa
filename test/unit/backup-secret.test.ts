// Backups of ACME certificate Secrets as gardener v0.27.0 makes them (kube-system, its name, labels and annotations,
// keystores left out), the revoked state a Certificate takes from its Secret, and the revocation request's refusal
// of a bundle that starts with a CA certificate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as acme from 'acme-client';
import { revocationError, revokeCertificate } from '../../actors/acme/acme-revoke.js';
import { backupSecretFor, backupSelector, compactSerial } from '../../actors/certificate/backup-secret.js';
import { revokedCertificateOf } from '../../actors/certificate/certificate-revoked.js';
import { certificateSecretData, type TlsSecret } from '../../actors/certificate/certificate-secret.js';
import { x509 } from '../../actors/x509/x509.js';
import { keyPem, makeSelfSignedPem, testKeys } from './fixtures/x509-fixtures.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('compact serials: lower-case hex, no colons, no leading zeros', () => {
  assert.equal(compactSerial('fa:3f:9a:5e'), 'fa3f9a5e');
  assert.equal(compactSerial('0A:0b'), 'a0b');
  assert.equal(compactSerial('0'), '0');
});

test('a backup: kube-system, cert-backup-<issuer>-<last 8 of the serial>-, gardener labels, requestedAt and revoked copied, keystores left out', () => {
  const backup = backupSecretFor({
    data: { 'tls.crt': 'Y3J0', 'tls.key': 'a2V5', 'ca.crt': '', 'keystore.jks': 'amtz', 'truststore.p12': 'cDEy' },
    annotations: { 'cert.gardener.cloud/requestedAt': '2026-12-01T10:00:00Z', other: 'x' },
    hash: 'h1',
    serialNumber: 'fa:3f:9a:5e:ac:47:ee:d1:91:a6:31:a7:43:6f:8a:7e:93:f7',
    issuerName: 'default-issuer',
  });
  assert.equal(backup.metadata.namespace, 'kube-system');
  assert.equal(backup.metadata.generateName, 'cert-backup-default-issuer-8a7e93f7-');
  assert.equal(backup.type, 'kubernetes.io/tls');
  assert.deepEqual(backup.metadata.labels, {
    'cert.gardener.cloud/hash': 'h1',
    'cert.gardener.cloud/certificate': 'true',
    'cert.gardener.cloud/certificate-serialnumber': 'fa3f9a5eac47eed191a631a7436f8a7e93f7',
    'cert.gardener.cloud/backup': 'true',
  });
  assert.deepEqual(backup.metadata.annotations, { 'cert.gardener.cloud/requestedAt': '2026-12-01T10:00:00Z' });
  assert.deepEqual(Object.keys(backup.data).sort(), ['ca.crt', 'tls.crt', 'tls.key']);
  const revoked = backupSecretFor({
    type: 'Opaque',
    data: {},
    annotations: { 'cert.gardener.cloud/revoked': 'yes' },
    hash: 'h1',
    serialNumber: '1:02',
    issuerName: 'i',
  });
  assert.equal(revoked.type, 'Opaque');
  assert.deepEqual(revoked.metadata.annotations, { 'cert.gardener.cloud/revoked': 'true' });
  assert.equal(revoked.metadata.generateName, 'cert-backup-i-102-');
  assert.equal(
    backupSelector('h1', '01:02'),
    'cert.gardener.cloud/certificate-serialnumber=102,cert.gardener.cloud/hash=h1',
  );
});

async function tlsSecret(annotations: Record<string, string>, hash = 'h1'): Promise<TlsSecret> {
  const now = Date.now();
  const certPem = await makeSelfSignedPem({
    cn: 'r.example.com',
    dnsNames: ['r.example.com'],
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3_600_000),
  });
  return {
    metadata: { name: 'tls', namespace: 'ns', labels: { 'cert.gardener.cloud/hash': hash }, annotations },
    data: certificateSecretData(certPem, await keyPem()),
  };
}

test('a revoked Secret of this request is recognised with its certificate; others are not "revoked"', async () => {
  const revoked = await tlsSecret({
    'cert.gardener.cloud/revoked': 'true',
    'cert.gardener.cloud/requestedAt': '2026-12-01T10:00:00Z',
  });
  const found = revokedCertificateOf(revoked, 'h1', true);
  assert.ok(found);
  assert.equal(found.info.commonName, 'r.example.com');
  assert.equal(found.requestedAtMs, Date.parse('2026-12-01T10:00:00Z'));
  assert.equal(revokedCertificateOf(revoked, 'other-hash', true), undefined);
  assert.equal(revokedCertificateOf(await tlsSecret({}), 'h1', true), undefined);
  assert.equal(revokedCertificateOf(undefined, 'h1', true), undefined);
  const broken = { ...revoked, data: { ...revoked.data, 'tls.crt': b64('garbage') } };
  assert.equal(revokedCertificateOf(broken, 'h1', true), undefined);
});

async function caCertificatePem(): Promise<string> {
  const keys = await testKeys('p256');
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: ['Test CA'] }],
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3_600_000),
    serialNumber: '01',
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return cert.toString('pem');
}

test('revocation sends the first certificate of the bundle, refuses a bundle starting with a CA, and takes "already revoked" as done', async () => {
  const sent: string[] = [];
  let answer: Error | undefined;
  const client = {
    revokeCertificate: async (pem: string) => {
      sent.push(pem);
      if (answer) throw answer;
    },
  } as unknown as acme.Client;
  const leaf = await makeSelfSignedPem({ cn: 'leaf.example.com', notBefore: new Date(0), notAfter: new Date() });
  const ca = await caCertificatePem();
  assert.deepEqual(await revokeCertificate(client, `${leaf}${ca}`), { alreadyRevoked: false });
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.trim(), leaf.trim());

  await assert.rejects(revokeCertificate(client, `${ca}${leaf}`), /certificate bundle starts with a CA certificate/);
  assert.equal(sent.length, 1, 'nothing is sent for a CA-first bundle');
  await revokeCertificate(client, `${ca}${leaf}`).catch((err: Error) =>
    assert.equal(revocationError(err, 'https://ca/dir'), 'certificate bundle starts with a CA certificate'),
  );

  answer = new Error('Certificate has already been revoked.');
  assert.deepEqual(await revokeCertificate(client, leaf), { alreadyRevoked: true });
  answer = new Error('Unable to find specified certificate.');
  const refused = await revokeCertificate(client, leaf).catch((err: Error) => err);
  assert.equal(
    revocationError(refused, 'https://ca/dir'),
    'ACME server https://ca/dir refused the revocation: Unable to find specified certificate.',
  );
});
