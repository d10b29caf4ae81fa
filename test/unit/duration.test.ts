// Durations come from flags and spec fields written for gardener (Go syntax), and status.backoff.recheckInterval is
// read by users next to gardener's docs: both directions must match Go's time package.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, formatDurationNs, parseDuration, parseDurationNs } from '../../actors/certificate/duration.js';

function ms(text: string): number {
  const r = parseDuration(text);
  assert.ok(r.ok, `${text}: ${r.ok ? '' : r.problem}`);
  return r.ms;
}

test('Go duration strings used by gardener flags and specs parse to milliseconds', () => {
  assert.equal(ms('720h'), 720 * 3_600_000);
  assert.equal(ms('1h30m'), 5_400_000);
  assert.equal(ms('10s'), 10_000);
  assert.equal(ms('500ms'), 500);
  assert.equal(ms('2h45m30.5s'), ((2 * 60 + 45) * 60 + 30.5) * 1000);
  assert.equal(ms('1.5h'), 5_400_000);
  assert.equal(ms('.5s'), 500);
  assert.equal(ms('0'), 0);
  assert.equal(ms('+5m'), 300_000);
  assert.equal(ms('1500us'), 1.5);
  assert.equal(ms('1µs'), 0.001);
  assert.equal(ms('100ns'), 0.0001);
});

test('fractions are exact in nanoseconds', () => {
  const r = parseDurationNs('30.5s');
  assert.ok(r.ok);
  assert.equal(r.ns, 30_500_000_000n);
});

test('malformed durations are refused with a message naming the field and the allowed form', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty/],
    ['10', /missing unit after "10"/],
    ['-1h', /negative/],
    ['1d', /unknown unit "d"/],
    ['h', /no number before "h"/],
    ['1h 30m', /unknown unit "h "/],
    ['abc', /no number before "abc"/],
    ['99999999999h', /too large/],
  ];
  for (const [text, why] of cases) {
    const r = parseDuration(text, 'spec.renewBefore');
    assert.equal(r.ok, false, text);
    if (!r.ok) {
      assert.match(r.problem, why, text);
      assert.match(r.problem, /^spec\.renewBefore ".*" is invalid/, text);
      assert.match(r.problem, /"720h"/, text);
    }
  }
});

test('formatting matches Go time.Duration.String()', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [120_000, '2m0s'],
    [3_600_000, '1h0m0s'],
    [720 * 3_600_000, '720h0m0s'],
    [61_000, '1m1s'],
    [1_000, '1s'],
    [1_500, '1.5s'],
    [500, '500ms'],
    [1.5, '1.5ms'],
    [0.0015, '1.5µs'],
    [8 * 3_600_000, '8h0m0s'],
    [((2 * 60 + 45) * 60 + 30.5) * 1000, '2h45m30.5s'],
    [-120_000, '-2m0s'],
  ];
  for (const [value, text] of cases) assert.equal(formatDuration(value), text, String(value));
  assert.equal(formatDurationNs(100n), '100ns');
});

test('format and parse round-trip', () => {
  for (const text of ['2m0s', '1h0m0s', '720h0m0s', '2h45m30.5s', '500ms', '1.5µs']) {
    assert.equal(formatDuration(ms(text)), text);
  }
});
