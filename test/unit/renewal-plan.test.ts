// The renewal time: the spec's rule, or earlier inside the CA's suggested window (RFC 9773), never later; a
// percentage of the lifetime with a jitter that is the same on every pod.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseInWindow, nextAriCheck, renewalPlan, ruleTime } from '../../actors/certificate/renewal-plan.js';

const H = 3_600_000;
const D = 24 * H;
const nb = Date.parse('2026-01-01T00:00:00Z');
const na = nb + 90 * D;
const rule = { notBeforeMs: nb, notAfterMs: na, renewalWindowMs: 30 * D, jitterSeed: 'h/01' };

test('without renewal information: the renewal window, or renewBefore', () => {
  assert.deepEqual(renewalPlan(rule, undefined), { atMs: na - 30 * D, source: 'renewal-window' });
  assert.deepEqual(renewalPlan({ ...rule, renewBeforeMs: 10 * D }, undefined), {
    atMs: na - 10 * D,
    source: 'renewBefore',
  });
});

test('renewBeforePercentage: that share of the lifetime before expiry, up to a tenth of it earlier, per certificate', () => {
  const six = { ...rule, notAfterMs: nb + 6 * D, renewBeforePercentage: 50 };
  const times = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((seed) => ruleTime({ ...six, jitterSeed: seed }).atMs);
  for (const t of times) assert.ok(t <= nb + 3 * D && t >= nb + 3 * D - 0.3 * D, String(t - nb));
  assert.ok(new Set(times).size > 4, 'a fleet does not renew at one instant');
  assert.equal(ruleTime({ ...six, jitterSeed: 'a' }).atMs, ruleTime({ ...six, jitterSeed: 'a' }).atMs);
  assert.equal(ruleTime(six).source, 'renewBeforePercentage');
});

test("the CA's window is followed when it is earlier than the rule, never when later", () => {
  const window = { startMs: na - 31 * D, endMs: na - 29 * D };
  const early = { serialNumber: '01', window, chosenMs: na - 30.5 * D, nextCheckMs: 0 };
  assert.deepEqual(renewalPlan(rule, early), { atMs: na - 30.5 * D, source: 'ari' });
  const late = { ...early, chosenMs: na - 29.5 * D };
  assert.deepEqual(renewalPlan(rule, late), { atMs: na - 30 * D, source: 'renewal-window' });
});

test('choosing in a window: kept while inside, uniform over what is left, the next minute when it is over', () => {
  const now = nb + 10 * D;
  const w = { startMs: now - D, endMs: now + D };
  assert.equal(
    chooseInWindow(w, now - 2 * H, now, () => 0.9),
    now - 2 * H,
  );
  assert.equal(
    chooseInWindow(w, undefined, now, () => 0.5),
    now + D / 2,
  );
  const past = { startMs: now - 2 * D, endMs: now - D };
  const t = chooseInWindow(past, undefined, now, () => 0.5);
  assert.ok(t >= now && t <= now + 60_000);
});

test('the next check follows Retry-After, at least a minute, at most the configured maximum', () => {
  assert.equal(nextAriCheck(0, 6 * H, 24 * H), 6 * H);
  assert.equal(nextAriCheck(0, 2 * D, 24 * H), 24 * H);
  assert.equal(nextAriCheck(0, 1000, 24 * H), 60_000);
  assert.equal(nextAriCheck(0, undefined, 24 * H), 6 * H);
  assert.equal(nextAriCheck(0, 6 * H, 3000), 3000, 'a maximum below a minute (tests) wins');
});
