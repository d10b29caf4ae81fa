// bench:compare reports how closely Ready order follows creation order as Spearman's rank correlation (goal >= 0.8):
// the figure must mean what the README says it means.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentile, spearman } from '../bench/compare/stats.js';

test('Spearman rank correlation: 1 for the same order, -1 for the reverse, ranks rather than values', () => {
  assert.equal(spearman([1, 2, 3, 4, 5], [10, 20, 30, 40, 50]), 1);
  assert.equal(spearman([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]), -1);
  // Only the order matters: resourceVersions with gaps against Ready positions.
  assert.equal(spearman([100, 2000, 30_000], [0, 1, 2]), 1);
  // One swap of neighbours among 5: 1 - 6 * 2 / (5 * 24) = 0.9.
  assert.equal(spearman([1, 2, 3, 4, 5], [0, 2, 1, 3, 4]), 0.9);
  assert.ok(Number.isNaN(spearman([1], [1])));
});

test('percentiles by nearest rank, as bench:issue computes them', () => {
  const xs = [5, 1, 4, 2, 3, 6, 8, 7, 10, 9];
  assert.equal(percentile(xs, 0.5), 6);
  assert.equal(percentile(xs, 0.95), 10);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});
