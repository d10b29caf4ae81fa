// When a certificate renews, and why: the rule of its spec (renewBefore, renewBeforePercentage, or the renewal
// window, see renewal.ts) and, where the ACME CA offers renewal information (RFC 9773), a time inside the CA's
// suggested window. The CA's time is taken when it is earlier than the rule's, so a certificate never renews later
// than gardener would renew it, and a CA that moves the window into the past (a mass revocation) gets every
// certificate renewed at once, spread over the window. Pure: times in epoch ms, randomness passed in.
import { createHash } from 'node:crypto';
import type { EffectiveConfig } from '../config/effective-config.js';
import type { CertificateInfo } from '../x509/certificate-info.js';
import { renewalDueAt } from './renewal.js';
import type { NormalizedRequest } from './spec-validation.js';

export type RenewalSource = 'ari' | 'renewBefore' | 'renewBeforePercentage' | 'renewal-window';

/** What is known of the CA's renewal information for one certificate (persisted with the issued record). */
export interface AriRecord {
  /** The serial it is about: a new certificate starts over. */
  serialNumber: string;
  /** The CA's suggested window; absent when the CA offers no renewal information. */
  window?: { startMs: number; endMs: number };
  /** The time picked inside the window; kept while the window still contains it (RFC 9773 4.2). */
  chosenMs?: number;
  /** When to ask again (Retry-After, clamped). */
  nextCheckMs: number;
}

export interface RenewalRule {
  notBeforeMs: number;
  notAfterMs: number;
  renewBeforeMs?: number;
  renewBeforePercentage?: number;
  renewalWindowMs: number;
  /** Seeds the jitter of percentage renewals (the certificate's uid and serial): the same on every pod. */
  jitterSeed: string;
}

/** The renewal rule of a request: what renewal-plan.ts needs besides the certificate's validity. */
export type RenewalSettings = Pick<NormalizedRequest, 'renewBeforeMs' | 'renewBeforePercentage'>;

/** The rule for a certificate: its validity and the spec's settings; the jitter seeded by request and serial. */
export function renewalRule(
  config: EffectiveConfig,
  info: Pick<CertificateInfo, 'notBeforeMs' | 'notAfterMs' | 'serialNumber'>,
  hash: string,
  settings: RenewalSettings,
): RenewalRule {
  return {
    notBeforeMs: info.notBeforeMs,
    notAfterMs: info.notAfterMs,
    renewBeforeMs: settings.renewBeforeMs,
    renewBeforePercentage: settings.renewBeforePercentage,
    renewalWindowMs: config.renewalWindowMs,
    jitterSeed: `${hash}/${info.serialNumber}`,
  };
}

/** A fleet issued together should not renew together: up to a tenth of the renew-before span earlier. */
const PERCENTAGE_JITTER = 0.1;
/** A window already over when it is seen: renewals are spread over this much time from now. */
const PAST_WINDOW_SPREAD_MS = 60_000;

export function ruleTime(r: RenewalRule): { atMs: number; source: Exclude<RenewalSource, 'ari'> } {
  if (r.renewBeforePercentage !== undefined) {
    const lifetime = r.notAfterMs - r.notBeforeMs;
    const span = (lifetime * r.renewBeforePercentage) / 100;
    const jitter = unitFraction(r.jitterSeed) * PERCENTAGE_JITTER * span;
    return { atMs: Math.round(r.notAfterMs - span - jitter), source: 'renewBeforePercentage' };
  }
  const atMs = renewalDueAt(r.notBeforeMs, r.notAfterMs, r.renewBeforeMs, r.renewalWindowMs);
  return { atMs, source: r.renewBeforeMs !== undefined ? 'renewBefore' : 'renewal-window' };
}

/**
 * The time to use inside a (new) window: the earlier choice while the window still holds it, else a uniform point
 * of the part of the window not yet over, or a point of the next minute when all of it is over.
 */
export function chooseInWindow(
  window: { startMs: number; endMs: number },
  previousMs: number | undefined,
  nowMs: number,
  random: () => number,
): number {
  if (previousMs !== undefined && previousMs >= window.startMs && previousMs <= window.endMs) return previousMs;
  if (window.endMs <= nowMs) return nowMs + Math.floor(random() * PAST_WINDOW_SPREAD_MS);
  const from = Math.max(window.startMs, nowMs);
  return Math.floor(from + random() * (window.endMs - from));
}

export function renewalPlan(rule: RenewalRule, ari: AriRecord | undefined): { atMs: number; source: RenewalSource } {
  const byRule = ruleTime(rule);
  if (ari?.chosenMs !== undefined && ari.window && ari.chosenMs < byRule.atMs)
    return { atMs: ari.chosenMs, source: 'ari' };
  return byRule;
}

/** Retry-After clamped as RFC 9773 advises: at least a minute, at most `maxMs` (default 6 h when absent). */
export function nextAriCheck(nowMs: number, retryAfterMs: number | undefined, maxMs: number): number {
  const wait = retryAfterMs === undefined || retryAfterMs <= 0 ? 6 * 3_600_000 : retryAfterMs;
  return nowMs + Math.max(Math.min(60_000, maxMs), Math.min(wait, maxMs));
}

function unitFraction(seed: string): number {
  return createHash('sha256').update(seed).digest().readUInt32BE(0) / 2 ** 32;
}
