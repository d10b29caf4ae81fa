// The controller reads issued certificates and writes CSRs with its own small DER code (actors/x509/der-*.ts) for
// speed; @peculiar/x509 is the oracle here, over the shapes CAs actually issue.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { test } from 'node:test';
import { createCsrPem, readCertificateChain } from '../../actors/x509/certificate-info.js';
import { decodeObjectIdentifier } from '../../actors/x509/der-reader.js';
import { objectIdentifier } from '../../actors/x509/der-writer.js';
import { readLeafFields } from '../../actors/x509/leaf-fields.js';
import { x509 } from '../../actors/x509/x509.js';
import { keyPem, type TestKeyKind, testKeys } from './fixtures/x509-fixtures.js';

interface Shape {
  what: string;
  key: TestKeyKind;
  cn?: string;
  dnsNames: string[];
  serial: string;
  notAfter: string;
  authorityKeyId?: string;
}

const shapes: Shape[] = [
  {
    what: 'an RSA leaf with CN, SANs and an authority key id',
    key: 'rsa2048',
    cn: 'a.example',
    dnsNames: ['a.example', 'b.example'],
    serial: '7fa1b2',
    notAfter: '2027-03-01T12:34:56Z',
    authorityKeyId: '0a0b0c0d',
  },
  {
    what: 'an ECDSA leaf without a CN (long names) and a serial with its top bit set',
    key: 'p256',
    dnsNames: [`${'x'.repeat(70)}.example`, '*.w.example'],
    serial: '00ff0102030405060708',
    notAfter: '2026-12-31T23:59:59Z',
  },
  {
    what: 'a P-384 leaf valid past 2049 (GeneralizedTime)',
    key: 'p384',
    cn: 'long.example',
    dnsNames: ['long.example'],
    serial: '01',
    notAfter: '2055-06-01T00:00:00Z',
    authorityKeyId: 'ffee',
  },
];

async function issue(shape: Shape): Promise<string> {
  const keys = await testKeys(shape.key);
  const extensions: x509.Extension[] = [
    new x509.SubjectAlternativeNameExtension(shape.dnsNames.map((value) => ({ type: 'dns' as const, value }))),
  ];
  if (shape.authorityKeyId) extensions.push(new x509.AuthorityKeyIdentifierExtension(shape.authorityKeyId));
  // What CA and self-signed issuers put in (sign-certificate.ts): values that are not all structures.
  extensions.push(
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  );
  const signingAlgorithm =
    shape.key === 'rsa2048'
      ? { name: 'RSASSA-PKCS1-v1_5' }
      : { name: 'ECDSA', hash: shape.key === 'p384' ? 'SHA-384' : 'SHA-256' };
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: shape.serial,
    name: shape.cn ? `CN=${shape.cn}, O=Test CA` : 'O=Test CA',
    notBefore: new Date('2025-01-02T03:04:05Z'),
    notAfter: new Date(shape.notAfter),
    keys,
    signingAlgorithm,
    extensions,
  });
  return cert.toString('pem');
}

for (const shape of shapes) {
  test(`${shape.what} reads as @peculiar/x509 reads it`, async () => {
    const pem = await issue(shape);
    const oracle = new x509.X509Certificate(pem);
    const fields = readLeafFields(Buffer.from(oracle.rawData));
    assert.equal(fields.notBeforeMs, oracle.notBefore.getTime());
    assert.equal(fields.notAfterMs, oracle.notAfter.getTime());
    assert.equal(fields.serialHex, oracle.serialNumber.toLowerCase());
    assert.equal(fields.commonName, oracle.subjectName.getField('CN')[0]);
    assert.deepEqual(fields.dnsNames, shape.dnsNames);
    assert.equal(fields.authorityKeyIdHex, oracle.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId);
    assert.equal(fields.issuer, oracle.issuer);
    const info = readCertificateChain(pem);
    assert.equal(info.notAfterMs, new Date(shape.notAfter).getTime());
    assert.equal(info.certId !== undefined, shape.authorityKeyId !== undefined);
    assert.match(info.issuer, /O=Test CA/);
  });
}

test('a broken certificate is refused with a reason, not read as garbage', () => {
  const pem = '-----BEGIN CERTIFICATE-----\nMIIBCgKCAQEA\n-----END CERTIFICATE-----\n';
  assert.throws(() => readCertificateChain(pem), /DER: truncated content/);
  assert.throws(
    () => readCertificateChain('-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----'),
    /not base64/,
  );
  assert.throws(() => readLeafFields(Buffer.from([0x30, 0x05, 0x02, 0x01])), /DER: truncated content/);
});

test('object identifiers read back as they were written', () => {
  for (const dotted of ['2.5.4.3', '1.2.840.113549.1.9.14', '0.9.2342.19200300.100.1.25', '2.999.1'])
    assert.equal(decodeObjectIdentifier(objectIdentifier(dotted).subarray(2)), dotted);
});

for (const kind of ['rsa2048', 'p256', 'p384'] as const) {
  test(`a ${kind} CSR verifies, names every SAN and the first name as CN, and OpenSSL accepts it`, async () => {
    const names = ['first.example', '*.second.example', 'third.example'];
    const pem = await createCsrPem(names, await keyPem(kind));
    const csr = new x509.Pkcs10CertificateRequest(pem);
    assert.equal(await csr.verify(), true);
    assert.deepEqual(csr.subjectName.getField('CN'), ['first.example']);
    const ext = csr.extensions.find((e) => e.type === '2.5.29.17');
    assert.ok(ext, 'the CSR asks for a SAN extension');
    const san = new x509.SubjectAlternativeNameExtension(ext.rawData);
    assert.deepEqual(
      san.names.items.map((n) => [n.type, n.value]),
      names.map((n) => ['dns', n]),
    );
    // The public key in the CSR is the key's own.
    const spki = createPublicKey(createPrivateKey(await keyPem(kind))).export({ format: 'der', type: 'spki' });
    assert.ok(Buffer.from(csr.publicKey.rawData).equals(spki));
    const text = execFileSync('openssl', ['req', '-noout', '-verify', '-text'], {
      input: pem,
      stdio: ['pipe', 'pipe', 'pipe'],
    }).toString();
    assert.match(text, /DNS:first\.example, DNS:\*\.second\.example, DNS:third\.example/);
  });
}
