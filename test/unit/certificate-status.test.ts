import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildStatus, statusChanged, statusPatch } from '../../actors/certificate/certificate-status.js';

const cert = {
  notBeforeMs: Date.parse('2026-01-01T00:00:00Z'),
  notAfterMs: Date.parse('2026-04-01T00:00:00Z'),
  dnsNames: ['a.example.com'],
  commonName: 'a.example.com',
  serialNumber: '1:2',
  issuer: 'x',
  chainLength: 2,
};

test('Ready status carries the dates, names, issuer and a Ready condition', () => {
  const s = buildStatus({
    state: 'Ready',
    message: 'ok',
    generation: 3,
    now: 1000,
    certificate: cert,
    issuer: { namespace: 'ns', name: 'iss' },
    renewalAtMs: Date.parse('2026-03-02T00:00:00Z'),
  });
  assert.equal(s.state, 'Ready');
  assert.equal(s.observedGeneration, 3);
  assert.equal(s.expirationDate, '2026-04-01T00:00:00Z');
  assert.equal(s.issuanceDate, '2026-01-01T00:00:00Z');
  assert.equal(s.renewalDate, '2026-03-02T00:00:00Z');
  assert.deepEqual(s.issuerRef, { cluster: 'default', name: 'iss', namespace: 'ns' });
  assert.deepEqual(
    s.conditions?.map((c) => [c.type, c.status, c.reason]),
    [['Ready', 'True', 'CertificateIssued']],
  );
});

test('the Ready condition keeps its transition time while it does not flip', () => {
  const first = buildStatus({ state: 'Error', message: 'one', generation: 1, now: Date.parse('2026-01-01T00:00:00Z') });
  const second = buildStatus({
    state: 'Error',
    message: 'two',
    generation: 1,
    now: Date.parse('2026-01-02T00:00:00Z'),
    previous: first,
  });
  assert.equal(second.conditions![0]!.lastTransitionTime, '2026-01-01T00:00:00Z');
  const ready = buildStatus({
    state: 'Ready',
    message: 'ok',
    generation: 1,
    now: Date.parse('2026-01-03T00:00:00Z'),
    previous: second,
  });
  assert.equal(ready.conditions![0]!.lastTransitionTime, '2026-01-03T00:00:00Z');
});

test('a merge patch clears what the new status drops; an unchanged status needs no patch', () => {
  const failed = buildStatus({
    state: 'Error',
    message: 'x',
    generation: 1,
    now: 0,
    backoff: { retryAtMs: 120_000, intervalMs: 120_000 },
  });
  assert.equal(failed.backoff?.recheckInterval, '2m0s');
  const ok = buildStatus({ state: 'Ready', message: 'ok', generation: 1, now: 0, certificate: cert });
  assert.equal(statusPatch(ok, failed).backoff, null);
  assert.ok(!statusChanged(ok, ok));
  assert.ok(statusChanged(ok, failed));
});
