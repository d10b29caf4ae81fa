/** How an actor is restarted after its handler throws (one-for-one). */
export interface SupervisionStrategy {
  /** More restarts than this within `windowMs` and the actor is stopped and marked Failed. */
  maxRestarts: number;
  windowMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** 0..1: the fraction of each delay that is random, so a crowd of failing actors does not retry in lockstep. */
  jitter: number;
}

export const defaultSupervision: SupervisionStrategy = {
  maxRestarts: 5,
  windowMs: 60_000,
  minBackoffMs: 100,
  maxBackoffMs: 30_000,
  jitter: 0.2,
};

/** Delay before the n-th restart (n >= 1): exponential from minBackoffMs, capped, with jitter. */
export function restartDelayMs(
  strategy: SupervisionStrategy,
  restartNumber: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(strategy.maxBackoffMs, strategy.minBackoffMs * 2 ** Math.max(0, restartNumber - 1));
  return Math.round(base * (1 - strategy.jitter + strategy.jitter * 2 * random()));
}

/** Restart times within the window after a new failure at `now`; Failed when they exceed maxRestarts. */
export function recordFailure(
  strategy: SupervisionStrategy,
  failures: readonly number[],
  now: number,
): { failures: number[]; failed: boolean } {
  const recent = failures.filter((t) => now - t < strategy.windowMs).concat(now);
  return { failures: recent, failed: recent.length > strategy.maxRestarts };
}
