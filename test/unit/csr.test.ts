// A user-supplied CSR must be refused before ordering when the CA would refuse it at finalize time (after the DNS
// challenges and a quota token were spent), and the message must say what to change in the CSR.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCsr } from '../../actors/certificate/csr.js';
import { breakSignature, keyPem, makeCsrPem, toSpecCsr } from './fixtures/x509-fixtures.js';

async function problems(value: string): Promise<string[]> {
  const r = await parseCsr(value);
  assert.equal(r.ok, false);
  return r.ok ? [] : r.problems;
}

test('base64 of a PEM CSR (the CRD form) yields CN, DNS SANs and key algorithm', async () => {
  const pem = await makeCsrPem({
    cn: 'A.example.com',
    sans: [
      { type: 'dns', value: 'a.example.com' },
      { type: 'dns', value: '*.B.example.com' },
    ],
  });
  const r = await parseCsr(toSpecCsr(pem));
  assert.ok(r.ok, r.ok ? '' : r.problems.join('; '));
  assert.equal(r.csr.commonName, 'a.example.com');
  assert.deepEqual(r.csr.dnsNames, ['a.example.com', '*.b.example.com']);
  assert.deepEqual(r.csr.publicKey, { algorithm: 'ECDSA', size: 256 });
  assert.match(r.csr.pem, /^-----BEGIN CERTIFICATE REQUEST-----\n/);
});

test('raw PEM is accepted too, and the canonical DER does not depend on the form', async () => {
  const pem = await makeCsrPem({ sans: [{ type: 'dns', value: 'a.example.com' }] });
  const a = await parseCsr(pem);
  const b = await parseCsr(toSpecCsr(pem.replace(/\n/g, '\r\n')));
  assert.ok(a.ok && b.ok);
  assert.equal(a.csr.derBase64, b.csr.derBase64);
  assert.equal(a.csr.commonName, undefined);
});

test('RSA and P-384 keys report their size', async () => {
  const rsa = await parseCsr(await makeCsrPem({ cn: 'a.example.com', key: 'rsa2048' }));
  assert.ok(rsa.ok);
  assert.deepEqual(rsa.csr.publicKey, { algorithm: 'RSA', size: 2048 });
  const p384 = await parseCsr(await makeCsrPem({ cn: 'a.example.com', key: 'p384' }));
  assert.ok(p384.ok);
  assert.deepEqual(p384.csr.publicKey, { algorithm: 'ECDSA', size: 384 });
});

test('a CSR whose signature was tampered with is refused', async () => {
  const pem = await makeCsrPem({ cn: 'a.example.com', sans: [{ type: 'dns', value: 'a.example.com' }] });
  for (const kind of ['p256', 'rsa2048'] as const) {
    const broken = breakSignature(kind === 'p256' ? pem : await makeCsrPem({ cn: 'a.example.com', key: kind }));
    const p = await problems(toSpecCsr(broken));
    assert.match(p.join(), /signature does not verify/, kind);
  }
});

test('not base64, not PEM, not a CSR, garbage DER: each says what was found and what is expected', async () => {
  assert.match((await problems('')).join(), /spec\.csr is empty/);
  assert.match((await problems('this is not base64!')).join(), /neither base64 nor PEM/);
  assert.match((await problems(Buffer.from('hello world').toString('base64'))).join(), /not PEM/);
  assert.match(
    (await problems(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]).toString('base64'))).join(),
    /base64 of DER/,
  );
  const key = await keyPem('p256');
  assert.match(
    (await problems(toSpecCsr(key))).join(),
    /"PRIVATE KEY" block, not a "CERTIFICATE REQUEST".*Never put a private key/,
  );
  const junk = '-----BEGIN CERTIFICATE REQUEST-----\nMAMCAQA=\n-----END CERTIFICATE REQUEST-----\n';
  assert.match((await problems(junk)).join(), /not a valid PKCS#10 certificate request/);
});

test('a CSR without any name is refused', async () => {
  assert.match((await problems(await makeCsrPem({}))).join(), /names no domain/);
});

test('IP, email and URI SANs are refused together, with the reason (DNS-01 proves DNS names only)', async () => {
  const pem = await makeCsrPem({
    cn: 'a.example.com',
    sans: [
      { type: 'dns', value: 'a.example.com' },
      { type: 'ip', value: '10.0.0.1' },
      { type: 'email', value: 'x@example.com' },
      { type: 'url', value: 'https://example.com/' },
    ],
  });
  const p = await problems(toSpecCsr(pem));
  assert.equal(p.length, 1);
  assert.match(p[0] ?? '', /ip "10\.0\.0\.1", email "x@example\.com", uri "https:\/\/example\.com\/"/);
  assert.match(p[0] ?? '', /DNS-01/);
});

test('invalid names inside the CSR are named by position', async () => {
  const pem = await makeCsrPem({
    cn: 'not a name',
    sans: [
      { type: 'dns', value: 'ok.example.com' },
      { type: 'dns', value: 'a.*.example.com' },
    ],
  });
  const p = await problems(pem);
  assert.ok(
    p.some((m) => /^spec\.csr subject CN "not a name"/.test(m)),
    p.join('\n'),
  );
  assert.ok(
    p.some((m) => /^spec\.csr DNS SAN #2 "a\.\*\.example\.com"/.test(m)),
    p.join('\n'),
  );
});

test('keys a public CA refuses are refused early', async () => {
  assert.match(
    (await problems(await makeCsrPem({ cn: 'a.example.com', key: 'rsa1024' }))).join(),
    /RSA key of 1024 bits: use at least 2048/,
  );
  assert.match(
    (await problems(await makeCsrPem({ cn: 'a.example.com', key: 'p521' }))).join(),
    /curve secp521r1: use P-256 or P-384/,
  );
});

test('a key type public CAs do not sign for (Ed25519) is refused with the supported choices', async () => {
  assert.match(
    (await problems(await makeCsrPem({ cn: 'a.example.com', key: 'ed25519' }))).join(),
    /ed25519 key: use an RSA \(2048\+ bits\) or ECDSA/,
  );
});
