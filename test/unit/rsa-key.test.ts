import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPublicKey, generatePrimeSync, privateDecrypt, publicEncrypt } from 'node:crypto';
import { test } from 'node:test';
import { generateRsaKey, rsaKeyFromPrimes } from '../../actors/x509/rsa-key.js';

test('RSA keys from two primes: the asked size, e = 65537, consistent (OpenSSL checks them), never the same twice', async () => {
  const moduli = new Set<string>();
  for (const bits of [2048, 2048, 2048, 3072]) {
    const key = await generateRsaKey(bits);
    const details = key.asymmetricKeyDetails!;
    assert.equal(details.modulusLength, bits);
    assert.equal(details.publicExponent, 65537n);
    const pem = key.export({ format: 'pem', type: 'pkcs1' }).toString();
    // OpenSSL's own consistency check of every component (p, q prime, d, dp, dq, qi).
    assert.match(execFileSync('openssl', ['rsa', '-check', '-noout'], { input: pem }).toString(), /RSA key ok/);
    const secret = Buffer.from('only the private key reads this');
    assert.deepEqual(privateDecrypt(key, publicEncrypt(createPublicKey(key), secret)), secret);
    const n = key.export({ format: 'jwk' }).n!;
    assert.ok(!moduli.has(n), 'a modulus repeated');
    moduli.add(n);
  }
});

test('a pair of primes that fails FIPS 186-4 checks gives no key', () => {
  const p = generatePrimeSync(1024, { bigint: true });
  assert.equal(rsaKeyFromPrimes(p, p, 2048), undefined, 'p = q');
  const small = generatePrimeSync(512, { bigint: true });
  assert.equal(rsaKeyFromPrimes(p, small, 2048), undefined, 'the modulus is not 2048 bits');
  const q = generatePrimeSync(1024, { bigint: true });
  assert.ok(rsaKeyFromPrimes(p, q, 2048), 'two independent primes make a key');
});
