// Renewal timing, status fields and the "is this secret complete" check all read the stored certificate; keys and
// CSRs we generate must be in exactly the encoding the spec asks for, since apps load tls.key by its PEM header.

import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { test } from 'node:test';
import { parseCsr } from '../../actors/certificate/csr.js';
import {
  createCsrPem,
  generatePrivateKey,
  privateKeyMatchesCertificate,
  readCertificateChain,
  serialNumberToString,
  splitPemCertificates,
} from '../../actors/x509/certificate-info.js';
import { keyPem, makeSelfSignedPem } from './fixtures/x509-fixtures.js';

const notBefore = new Date('2025-01-01T00:00:00Z');
const notAfter = new Date('2025-04-01T00:00:00Z');

test('the leaf of a chain gives validity, names, serial and issuer; the chain length counts all blocks', async () => {
  const leaf = await makeSelfSignedPem({
    cn: 'a.example.com',
    dnsNames: ['a.example.com', 'b.example.com'],
    notBefore,
    notAfter,
    serialNumber: '00a1b2c3',
  });
  const other = await makeSelfSignedPem({ cn: 'ca.example.com', notBefore, notAfter, key: 'p384' });
  const info = readCertificateChain(`${leaf}\n${other}`);
  assert.equal(info.notBeforeMs, notBefore.getTime());
  assert.equal(info.notAfterMs, notAfter.getTime());
  assert.equal(info.commonName, 'a.example.com');
  assert.deepEqual(info.dnsNames, ['a.example.com', 'b.example.com']);
  assert.equal(info.serialNumber, 'a1:b2:c3');
  assert.match(info.issuer, /CN=a\.example\.com/);
  assert.equal(info.chainLength, 2);
  assert.equal(splitPemCertificates(`${leaf}${other}`).length, 2);
});

test('data without a certificate is refused with a readable reason', () => {
  assert.throws(() => readCertificateChain('garbage'), /no "-----BEGIN CERTIFICATE-----" block/);
});

test('serial numbers print like gardener: no leading zeros, colon-separated pairs from the left', () => {
  assert.equal(serialNumberToString('0003A1B2'), '3a:1b:2');
  assert.equal(serialNumberToString('00'), '0');
  assert.equal(serialNumberToString('ff'), 'ff');
});

test('a key matches only its own certificate; unreadable input is "no match", not an exception', async () => {
  const cert = await makeSelfSignedPem({ cn: 'a.example.com', notBefore, notAfter, key: 'p256' });
  assert.equal(privateKeyMatchesCertificate(await keyPem('p256'), cert), true);
  assert.equal(privateKeyMatchesCertificate(await keyPem('p384'), cert), false);
  assert.equal(privateKeyMatchesCertificate('not a key', cert), false);
  assert.equal(privateKeyMatchesCertificate(await keyPem('p256'), 'not a cert'), false);
});

test('generated keys use the PEM header the encoding promises', async () => {
  const cases = [
    [{ algorithm: 'RSA', size: 2048, encoding: 'PKCS1' }, 'RSA PRIVATE KEY', 2048],
    [{ algorithm: 'RSA', size: 3072, encoding: 'PKCS8' }, 'PRIVATE KEY', 3072],
    [{ algorithm: 'ECDSA', size: 256, encoding: 'PKCS1' }, 'EC PRIVATE KEY', 'prime256v1'],
    [{ algorithm: 'ECDSA', size: 384, encoding: 'PKCS8' }, 'PRIVATE KEY', 'secp384r1'],
  ] as const;
  for (const [request, header, detail] of cases) {
    const pem = await generatePrivateKey(request);
    assert.match(pem, new RegExp(`^-----BEGIN ${header}-----\\n`), JSON.stringify(request));
    const details = createPrivateKey(pem).asymmetricKeyDetails;
    assert.equal(typeof detail === 'number' ? details?.modulusLength : details?.namedCurve, detail);
  }
  await assert.rejects(
    generatePrivateKey({ algorithm: 'RSA', size: 1024, encoding: 'PKCS1' }),
    /use 2048, 3072 or 4096/,
  );
  await assert.rejects(generatePrivateKey({ algorithm: 'ECDSA', size: 521, encoding: 'PKCS1' }), /use 256 or 384/);
});

test('a CSR made from any generated key verifies and carries all names, the first as CN', async () => {
  for (const request of [
    { algorithm: 'RSA', size: 2048, encoding: 'PKCS1' },
    { algorithm: 'ECDSA', size: 256, encoding: 'PKCS1' },
    { algorithm: 'ECDSA', size: 384, encoding: 'PKCS8' },
  ] as const) {
    const key = await generatePrivateKey(request);
    const r = await parseCsr(await createCsrPem(['a.example.com', '*.a.example.com'], key));
    assert.ok(r.ok, r.ok ? '' : r.problems.join());
    assert.equal(r.csr.commonName, 'a.example.com');
    assert.deepEqual(r.csr.dnsNames, ['a.example.com', '*.a.example.com']);
    assert.deepEqual(r.csr.publicKey, { algorithm: request.algorithm, size: request.size });
  }
});

test('a first name longer than 64 characters is left out of the subject but kept as SAN', async () => {
  const long = `${'a'.repeat(60)}.example.com`;
  const r = await parseCsr(await createCsrPem([long], await keyPem('p256')));
  assert.ok(r.ok, r.ok ? '' : r.problems.join());
  assert.equal(r.csr.commonName, undefined);
  assert.deepEqual(r.csr.dnsNames, [long]);
});
