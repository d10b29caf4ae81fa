// Renewal timing and failure backoff as users see them in status.renewalDate and status.backoff; they follow
// gardener so that switching controllers does not change when certificates renew or how often failures retry.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_RENEWAL_WINDOW_MS,
  FAILURE_BACKOFF_MAX_MS,
  failureBackoff,
  isRenewalOverdue,
  renewalDueAt,
  renewalRequested,
  renewBeforeProblem,
  VALIDATION_RECHECK_MS,
} from '../../actors/certificate/renewal.js';

const H = 3_600_000;
const D = 24 * H;
const nb = Date.parse('2025-01-01T00:00:00Z');
const na = nb + 90 * D;

test('a 90-day certificate is due 30 days (720h) before expiry by default', () => {
  assert.equal(DEFAULT_RENEWAL_WINDOW_MS, 720 * H);
  assert.equal(renewalDueAt(nb, na, undefined), na - 30 * D);
});

test('spec.renewBefore replaces the window; --renewal-window changes the default', () => {
  assert.equal(renewalDueAt(nb, na, 10 * D), na - 10 * D);
  assert.equal(renewalDueAt(nb, na, undefined, 7 * D), na - 7 * D);
});

test('a certificate living shorter than the window renews at 2/3 of its lifetime, not immediately', () => {
  const shortAfter = nb + 7 * D;
  assert.equal(renewalDueAt(nb, shortAfter, undefined), nb + Math.floor((7 * D * 2) / 3));
});

test('renewBefore bounds: at least 5 minutes, at most lifetime minus 5 minutes', () => {
  assert.match(renewBeforeProblem(60_000, nb, na) ?? '', /at least 5m/);
  assert.match(
    renewBeforeProblem(90 * D, nb, na) ?? '',
    /must not exceed the certificate's lifetime minus 5m \(129595m/,
  );
  assert.equal(renewBeforeProblem(30 * D, nb, na), undefined);
});

test('ensureRenewedAfter forces renewal of a certificate requested before that time, once', () => {
  const requestedAt = nb + H;
  const now = nb + 10 * D;
  assert.equal(
    renewalRequested(now, { notBeforeMs: nb, ensureRenewedAfterMs: nb + 2 * D, requestedAtMs: requestedAt }),
    true,
  );
  assert.equal(renewalRequested(now, { notBeforeMs: nb, ensureRenewedAfterMs: nb, requestedAtMs: requestedAt }), false);
});

test('a future ensureRenewedAfter counts as now, so it cannot force renewal after renewal', () => {
  const now = nb + 10 * D;
  assert.equal(
    renewalRequested(now, { ensureRenewedAfterMs: now + 100 * D, requestedAtMs: now + 1, notBeforeMs: now }),
    false,
  );
  assert.equal(
    renewalRequested(now, { ensureRenewedAfterMs: now + 100 * D, requestedAtMs: now - 1, notBeforeMs: now }),
    true,
  );
});

test("without requestedAt, notBefore plus the CA's one-hour back-dating (and 30 s) stands in", () => {
  const now = nb + 10 * D;
  assert.equal(renewalRequested(now, { ensureRenewedAfterMs: nb + H + 30_000, notBeforeMs: nb }), false);
  assert.equal(renewalRequested(now, { ensureRenewedAfterMs: nb + H + 30_001, notBeforeMs: nb }), true);
});

test('failure backoff: 120 s, then 120 s more per failure, capped at 8 h; spec problems recheck after 24 h', () => {
  assert.deepEqual([0, 1, 2, 3].map(failureBackoff), [0, 120_000, 240_000, 360_000]);
  assert.equal(failureBackoff(1000), FAILURE_BACKOFF_MAX_MS);
  assert.equal(FAILURE_BACKOFF_MAX_MS, 8 * H);
  // Gardener adds 120 s to the last interval of the same generation: the same sequence.
  let interval = 0;
  for (let n = 1; n <= 300; n++) {
    interval = Math.min(interval + 120_000, 8 * H);
    assert.equal(failureBackoff(n), interval, `failure ${n}`);
  }
  assert.equal(VALIDATION_RECHECK_MS, 24 * H);
});

test('renewal is overdue within 25 days of expiry (metrics)', () => {
  assert.equal(isRenewalOverdue(na - 26 * D, na), false);
  assert.equal(isRenewalOverdue(na - 24 * D, na), true);
});
