// requestsPerDayQuota protects the CA account from being rate-limited or banned; the bucket state survives
// failover, so the numbers must be exact and the waiting message must tell the user how to get more.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  effectiveQuota,
  newQuotaBucket,
  type QuotaBucketState,
  quotaBurst,
  quotaExceededMessage,
  takeToken,
} from '../../actors/issuer/quota-bucket.js';

const t0 = Date.parse('2025-01-01T00:00:00Z');

function drain(
  state: QuotaBucketState,
  quota: number,
  now: number,
): { state: QuotaBucketState; granted: number; retryAt: number } {
  let granted = 0;
  for (;;) {
    const r = takeToken(state, quota, now);
    state = r.state;
    if (!r.granted) return { state, granted, retryAt: r.retryAt };
    granted++;
  }
}

test('burst is max(floor(quota/4), 1), as gardener sets it', () => {
  assert.equal(quotaBurst(10_000), 2500);
  assert.equal(quotaBurst(7), 1);
  assert.equal(quotaBurst(1), 1);
  assert.equal(quotaBurst(9), 2);
});

test('a new bucket grants the burst at once, then one token per 86400/quota seconds', () => {
  const quota = 96; // burst 24, one token every 15 minutes
  const first = drain(newQuotaBucket(quota, t0), quota, t0);
  assert.equal(first.granted, 24);
  assert.equal(first.retryAt, t0 + 15 * 60_000);
  assert.equal(takeToken(first.state, quota, first.retryAt - 1).granted, false);
  const next = takeToken(first.state, quota, first.retryAt);
  assert.equal(next.granted, true);
});

test('the state is plain data: a JSON round-trip (persist, fail over) changes nothing', () => {
  const quota = 8;
  const a = drain(newQuotaBucket(quota, t0), quota, t0);
  const restored = JSON.parse(JSON.stringify(a.state)) as QuotaBucketState;
  const r = takeToken(restored, quota, t0 + 1000);
  assert.equal(r.granted, false);
  assert.equal(r.granted ? 0 : r.retryAt, a.retryAt);
});

test('over a day, no more than burst + quota requests are granted', () => {
  const quota = 40;
  let state = newQuotaBucket(quota, t0);
  let granted = 0;
  for (let m = 0; m <= 24 * 60; m++) {
    const r = drain(state, quota, t0 + m * 60_000);
    state = r.state;
    granted += r.granted;
  }
  assert.equal(granted, quotaBurst(quota) + quota);
});

test('lowering the quota caps saved tokens at the new burst at once; raising it does not grant a sudden burst', () => {
  const full = newQuotaBucket(10_000, t0);
  assert.equal(drain(full, 8, t0).granted, 2);
  const empty = drain(newQuotaBucket(8, t0), 8, t0).state;
  const raised = takeToken(empty, 10_000, t0 + 1000);
  assert.equal(raised.granted, false);
  assert.ok(!raised.granted && raised.retryAt <= t0 + 9_000, 'refills at the new, faster rate');
});

test('a clock that went backwards does not drain or refill the bucket', () => {
  const quota = 8;
  const s = drain(newQuotaBucket(quota, t0), quota, t0).state;
  const r = takeToken(s, quota, t0 - 3_600_000);
  assert.equal(r.granted, false);
  assert.equal(r.state.updatedAt, t0);
});

test('the quota in force: spec value, else the default flag (gardener default 10000)', () => {
  assert.equal(effectiveQuota(undefined), 10_000);
  assert.equal(effectiveQuota(undefined, 50), 50);
  assert.equal(effectiveQuota(20, 50), 20);
});

test('the waiting message names the retry time and how to raise the quota', () => {
  const m = quotaExceededMessage('issuer-staging', 8, Date.parse('2025-01-01T03:00:00Z'));
  assert.match(m, /issuer "issuer-staging"/);
  assert.match(m, /8 certificate requests per day/);
  assert.match(m, /retrying at 2025-01-01T03:00:00\.000Z/);
  assert.match(m, /raise `spec\.requestsPerDayQuota` on the issuer/);
  assert.match(m, /--default-requests-per-day-quota/);
});
