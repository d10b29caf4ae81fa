// Figures of the side-by-side benchmark: percentiles and the rank correlation of two orders.

/** The p-quantile (0..1) by the nearest-rank rule bench:issue uses; NaN for no values. */
export function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/**
 * Spearman's rank correlation of two orderings of the same items: `a[i]` and `b[i]` are item i's keys in each order
 * (distinct keys, e.g. the creation's resourceVersion and the position in which it became Ready). 1 means the same
 * order, -1 the reverse, about 0 unrelated; NaN for fewer than two items.
 */
export function spearman(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  if (n < 2 || b.length !== n) return Number.NaN;
  const ra = ranks(a);
  const rb = ranks(b);
  let d2 = 0;
  for (let i = 0; i < n; i++) d2 += (ra[i]! - rb[i]!) ** 2;
  return 1 - (6 * d2) / (n * (n * n - 1));
}

function ranks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
  const r = new Array<number>(xs.length);
  order.forEach(([, i], rank) => {
    r[i] = rank;
  });
  return r;
}

export const round = (x: number, digits = 3): number =>
  Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x;

export const mb = (bytes: number): number => round(bytes / 2 ** 20, 1);
