// spec.requestsPerDayQuota as gardener enforces it (pkg/controller/issuer/core/quotas.go): a token bucket refilled
// at quota/86400 tokens per second holding at most max(floor(quota/4), 1) tokens, starting full (client-go's
// NewTokenBucketRateLimiter). Gardener keeps the bucket in memory, so a restart refills it; here the state is plain
// data that the issuer actor persists, so neither a crash nor a failover hands out a fresh day's burst.

export const SECONDS_PER_DAY = 86_400;
/** --default-requests-per-day-quota default. */
export const DEFAULT_REQUESTS_PER_DAY_QUOTA = 10_000;

export interface QuotaBucketState {
  /** Fractional tokens: refill is continuous. */
  tokens: number;
  /** Epoch ms of the last refill. */
  updatedAt: number;
}

export type TakeTokenResult =
  | { granted: true; state: QuotaBucketState }
  | { granted: false; state: QuotaBucketState /** Epoch ms when one token will be available. */; retryAt: number };

export function quotaBurst(quota: number): number {
  return Math.max(Math.floor(quota / 4), 1);
}

const MS_PER_DAY = SECONDS_PER_DAY * 1000;
// Float rounding must not turn "exactly one token at retryAt" into 0.9999999 and a second, pointless wait.
const EPSILON = 1e-9;

/** The quota in force: the issuer's spec.requestsPerDayQuota, else the deployment default. */
export function effectiveQuota(specQuota: number | undefined, defaultQuota = DEFAULT_REQUESTS_PER_DAY_QUOTA): number {
  return specQuota !== undefined && specQuota >= 1 ? Math.floor(specQuota) : defaultQuota;
}

export function newQuotaBucket(quota: number, now: number): QuotaBucketState {
  return { tokens: quotaBurst(quota), updatedAt: now };
}

/**
 * The bucket as of `now` under the current quota. Capping at the current burst is what rescales after a spec edit:
 * lowering the quota takes effect at once, raising it speeds up the refill without granting a sudden burst.
 * A clock that went backwards (failover to a pod with a slower clock) refills nothing rather than draining.
 */
export function refill(state: QuotaBucketState, quota: number, now: number): QuotaBucketState {
  const elapsed = Math.max(0, now - state.updatedAt);
  const tokens = Math.min(quotaBurst(quota), state.tokens + (elapsed * quota) / MS_PER_DAY);
  return { tokens, updatedAt: Math.max(now, state.updatedAt) };
}

export function takeToken(state: QuotaBucketState, quota: number, now: number): TakeTokenResult {
  const current = refill(state, quota, now);
  if (current.tokens >= 1 - EPSILON)
    return { granted: true, state: { ...current, tokens: Math.max(0, current.tokens - 1) } };
  const waitMs = Math.ceil(((1 - current.tokens) * MS_PER_DAY) / quota - EPSILON);
  return { granted: false, state: current, retryAt: current.updatedAt + waitMs };
}

export function quotaExceededMessage(issuerName: string, quota: number, retryAt: number): string {
  return (
    `request quota of issuer "${issuerName}" is exhausted (${quota} certificate requests per day, at most ` +
    `${quotaBurst(quota)} at once); retrying at ${new Date(retryAt).toISOString()}. To allow more, raise ` +
    '`spec.requestsPerDayQuota` on the issuer (or --default-requests-per-day-quota for issuers that do not set it).'
  );
}
