// When to renew and how long to wait after a failure, following gardener's certificate reconciler
// (pkg/controller/issuer/certificate/reconciler.go: needsRenewal, checkScheduledRenewal, validateRenewBefore,
// prepareUpdateStatus; certificate/utils.go: WasRequestedBefore). All times are epoch milliseconds.

const HOUR = 3_600_000;

/** --renewal-window default (gardener: 30*24h, printed "720h0m0s"). */
export const DEFAULT_RENEWAL_WINDOW_MS = 720 * HOUR;
/** --renewal-overdue-window default: certificates this close to expiry count as overdue in the metrics. */
export const DEFAULT_RENEWAL_OVERDUE_WINDOW_MS = 600 * HOUR;
/** Recheck after a problem only a spec edit can fix (gardener's "stop" backoff); an edit reconciles at once anyway. */
export const VALIDATION_RECHECK_MS = 24 * HOUR;
export const FAILURE_BACKOFF_STEP_MS = 120_000;
export const FAILURE_BACKOFF_MAX_MS = 8 * HOUR;
/** Let's Encrypt back-dates notBefore by one hour; gardener adds 30 s for clock drift. */
const BACKDATING_ALLOWANCE_MS = HOUR + 30_000;
const RENEW_BEFORE_MARGIN_MS = 5 * 60_000;

/**
 * The moment a certificate becomes due: notAfter minus spec.renewBefore, or minus the renewal window.
 * Gardener stops there, so a certificate living shorter than the window (a test CA, a short-lived profile) is due
 * the moment it is issued and is re-ordered on every reconcile. We renew such a certificate at 2/3 of its lifetime
 * instead, the point cert-manager also uses by default. A valid renewBefore is shorter than the lifetime and is used
 * as given; one that is not (reported by renewBeforeProblem) falls back to 2/3 as well rather than looping.
 */
export function renewalDueAt(
  notBeforeMs: number,
  notAfterMs: number,
  renewBeforeMs: number | undefined,
  renewalWindowMs = DEFAULT_RENEWAL_WINDOW_MS,
): number {
  const window = renewBeforeMs ?? renewalWindowMs;
  const lifetime = notAfterMs - notBeforeMs;
  if (lifetime > 0 && window >= lifetime) return notBeforeMs + Math.floor((lifetime * 2) / 3);
  return notAfterMs - window;
}

interface RenewalInput {
  notBeforeMs: number;
  /** spec.ensureRenewedAfter */
  ensureRenewedAfterMs?: number;
  /** The secret's cert.gardener.cloud/requestedAt annotation, if present. */
  requestedAtMs?: number;
}

/**
 * spec.ensureRenewedAfter (also set by spec.renew: true) asks for a certificate requested after that time. A time
 * in the future counts as "now", as gardener rewrites it, so a far-future value cannot force endless renewals.
 * When the secret lacks requestedAt, it is estimated as notBefore plus the CA's back-dating (gardener's fallback).
 */
export function renewalRequested(
  nowMs: number,
  input: Pick<RenewalInput, 'ensureRenewedAfterMs' | 'requestedAtMs' | 'notBeforeMs'>,
): boolean {
  if (input.ensureRenewedAfterMs === undefined) return false;
  const after = Math.min(input.ensureRenewedAfterMs, nowMs);
  const requestedAt = input.requestedAtMs ?? input.notBeforeMs + BACKDATING_ALLOWANCE_MS;
  return after > requestedAt;
}

/** Gardener's bounds for spec.renewBefore, which need the issued certificate: 5 minutes up to lifetime minus 5 minutes. */
export function renewBeforeProblem(renewBeforeMs: number, notBeforeMs: number, notAfterMs: number): string | undefined {
  const upper = notAfterMs - RENEW_BEFORE_MARGIN_MS - notBeforeMs;
  if (renewBeforeMs < RENEW_BEFORE_MARGIN_MS) return 'spec.renewBefore must be at least 5m';
  if (renewBeforeMs > upper) {
    return `spec.renewBefore must not exceed the certificate's lifetime minus 5m (${Math.floor(upper / 60_000)}m for the current certificate): shorten spec.renewBefore`;
  }
  return undefined;
}

export function isRenewalOverdue(
  nowMs: number,
  notAfterMs: number,
  overdueWindowMs = DEFAULT_RENEWAL_OVERDUE_WINDOW_MS,
): boolean {
  return notAfterMs < nowMs + overdueWindowMs;
}

/**
 * Wait after the n-th consecutive failure (n >= 1) of the same generation: 120 s, 240 s, 360 s, ... capped at 8 h.
 * Gardener stores the last interval in status.backoff and adds 120 s to it; both agree.
 */
export function failureBackoff(failures: number): number {
  if (failures < 1) return 0;
  return Math.min(FAILURE_BACKOFF_STEP_MS * failures, FAILURE_BACKOFF_MAX_MS);
}
