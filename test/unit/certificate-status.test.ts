import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildStatus,
  certificateSummary,
  statusChanged,
  statusNames,
  statusPatch,
} from '../../actors/certificate/certificate-status.js';

const cert = { notBeforeMs: Date.parse('2026-01-01T00:00:00Z'), notAfterMs: Date.parse('2026-04-01T00:00:00Z') };
const names = { commonName: 'a.example.com', dnsNames: ['b.example.com'] };

test('Ready status as gardener writes it: dates, the spec names, issuerRef, a Ready condition with reason and no message', () => {
  const s = buildStatus({
    state: 'Ready',
    message: 'ok',
    generation: 3,
    now: 1000,
    names,
    certificate: cert,
    issuer: { cluster: 'default', namespace: 'ns', name: 'iss' },
    renewalAtMs: Date.parse('2026-03-02T00:00:00Z'),
  });
  assert.equal(s.state, 'Ready');
  assert.equal(s.observedGeneration, 3);
  assert.equal(s.expirationDate, '2026-04-01T00:00:00Z');
  assert.equal(s.issuanceDate, '2026-01-01T00:00:00Z');
  assert.equal(s.renewalDate, '2026-03-02T00:00:00Z');
  assert.equal(s.commonName, 'a.example.com');
  assert.deepEqual(s.dnsNames, ['b.example.com'], 'the commonName is not repeated in dnsNames');
  assert.deepEqual(s.issuerRef, { cluster: 'default', name: 'iss', namespace: 'ns' });
  assert.deepEqual(
    s.conditions?.map((c) => [c.type, c.status, c.reason, c.message]),
    [['Ready', 'True', 'Ready', '']],
  );
});

test('status names are the spec values as written, or the CSR names', () => {
  assert.deepEqual(statusNames({ commonName: 'A.example.com', dnsNames: ['A.example.com', 'b'] }, undefined), {
    commonName: 'A.example.com',
    dnsNames: ['A.example.com', 'b'],
  });
  assert.deepEqual(statusNames({ commonName: 'x' }, undefined), { commonName: 'x', dnsNames: undefined });
  const csr = {
    pem: '',
    derBase64: '',
    commonName: 'c',
    dnsNames: ['c', 'd'],
    publicKey: { algorithm: 'RSA', size: 2048 },
  } as const;
  assert.deepEqual(statusNames({ csr: 'x' }, { ...csr, dnsNames: [...csr.dnsNames] }), {
    commonName: 'c',
    dnsNames: ['c', 'd'],
  });
});

test('the Ready condition keeps its transition time while it does not flip; its reason is the state', () => {
  const at = (t: string) => Date.parse(t);
  const first = buildStatus({ state: 'Error', message: 'one', generation: 1, now: at('2026-01-01T00:00:00Z'), names });
  const second = buildStatus({
    state: 'Error',
    message: 'two',
    generation: 1,
    now: at('2026-01-02T00:00:00Z'),
    names,
    previous: first,
  });
  assert.equal(second.conditions![0]!.lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.deepEqual([second.conditions![0]!.reason, second.conditions![0]!.message], ['Error', 'two']);
  const ready = buildStatus({
    state: 'Ready',
    message: 'ok',
    generation: 1,
    now: at('2026-01-03T00:00:00Z'),
    names,
    previous: second,
  });
  assert.equal(ready.conditions![0]!.lastTransitionTime, '2026-01-03T00:00:00Z');
});

test('a merge patch clears what the new status drops; an unchanged status needs no patch; backoff is a Go duration', () => {
  const backoff = { retryAtMs: 120_000, intervalMs: 120_000 };
  const failed = buildStatus({ state: 'Error', message: 'x', generation: 1, now: 0, names, backoff });
  assert.equal(failed.backoff?.recheckInterval, '2m0s');
  const ok = buildStatus({ state: 'Ready', message: 'ok', generation: 1, now: 0, names, certificate: cert });
  assert.equal(statusPatch(ok, failed).backoff, null);
  assert.ok(!statusChanged(ok, ok));
  assert.ok(statusChanged(ok, failed));
});

test("the Ready message is gardener's: serial with colons, Go time format", () => {
  const info = { serialNumber: '1a:2b', notBeforeMs: cert.notBeforeMs, notAfterMs: cert.notAfterMs };
  assert.equal(
    certificateSummary(info),
    'certificate (SN 1a:2b) valid from 2026-01-01 00:00:00 +0000 UTC to 2026-04-01 00:00:00 +0000 UTC',
  );
});
