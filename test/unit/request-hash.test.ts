// The hash label decides whether an existing secret may be reused instead of ordering again: equal requests must
// hash equally whatever their spelling, and a change that yields a different certificate must change the hash.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type RequestHashInput, requestHash, requestHashOf } from '../../actors/certificate/request-hash.js';
import { validateCertificateSpec } from '../../actors/certificate/spec-validation.js';

const issuer = { cluster: 'default', namespace: 'default', name: 'issuer-staging' };
const baseInput: RequestHashInput = {
  issuer,
  commonName: 'a.example.com',
  dnsNames: ['a.example.com', 'b.example.com'],
  privateKey: { algorithm: 'RSA', size: 2048, encoding: 'PKCS1' },
};

test('the hash is a valid label value (<= 63 chars of [a-z0-9])', () => {
  const h = requestHash(baseInput);
  assert.match(h, /^[a-z0-9]{1,63}$/);
  assert.equal(h.length, 56);
});

test('order and case of names do not matter; the common name does', () => {
  const h = requestHash(baseInput);
  assert.equal(requestHash({ ...baseInput, dnsNames: ['B.example.com', 'a.example.com'] }), h);
  assert.notEqual(requestHash({ ...baseInput, commonName: 'b.example.com' }), h);
});

test('every input that changes the certificate changes the hash', () => {
  const h = requestHash(baseInput);
  const variants: RequestHashInput[] = [
    { ...baseInput, dnsNames: ['a.example.com'] },
    { ...baseInput, issuer: { ...issuer, name: 'issuer-prod' } },
    { ...baseInput, issuer: { ...issuer, namespace: 'other' } },
    { ...baseInput, issuer: { ...issuer, cluster: 'target' } },
    { ...baseInput, privateKey: { algorithm: 'ECDSA', size: 256, encoding: 'PKCS1' } },
    { ...baseInput, privateKey: { algorithm: 'RSA', size: 2048, encoding: 'PKCS8' } },
    { ...baseInput, csrDerBase64: 'MIIB' },
    { ...baseInput, isCA: true },
    { ...baseInput, durationMs: 1 },
    { ...baseInput, preferredChain: 'ISRG Root X1' },
  ];
  const hashes = new Set(variants.map(requestHash));
  assert.equal(hashes.size, variants.length);
  assert.equal(hashes.has(h), false);
});

test("spelling gardener's defaults out explicitly gives the same hash as leaving them implicit", async () => {
  const implicit = await validateCertificateSpec(
    { commonName: 'a.example.com', dnsNames: ['b.example.com'] },
    { namespace: 'ns' },
  );
  const explicit = await validateCertificateSpec(
    {
      commonName: 'A.example.com',
      dnsNames: ['b.example.com', 'a.example.com'],
      privateKey: { algorithm: 'RSA', size: 2048, encoding: 'PKCS1' },
    },
    { namespace: 'ns' },
  );
  assert.ok(implicit.ok && explicit.ok);
  assert.equal(requestHashOf(implicit.request, issuer), requestHashOf(explicit.request, issuer));
});

test('the hash is stable across runs (persisted in labels)', () => {
  assert.equal(requestHash(baseInput), requestHash(structuredClone(baseInput)));
});
