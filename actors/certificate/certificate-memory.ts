// What one activation of a certificate actor keeps in memory only, declared once. None of it is persisted: a new
// activation (another pod, after passivation) starts from the persisted state (certificate-actor-types.ts) and
// rebuilds this as it goes. The running order's part is in order/order-memory.ts.
import { randomInt } from 'node:crypto';
import type { CertCtx } from './certificate-actor-types.js';
import type { OrderMemory } from './order/order-memory.js';
import type { IssuerKind, SpecValidation } from './spec-validation.js';

export interface CertificateMemory {
  /** The validated spec of the observed generation per issuer type (validation parses the CSR, so it is cached). */
  request?: { generation: number; byKind: Partial<Record<IssuerKind, SpecValidation>> };
  /** The running order's memory; created with the order, or on the first step of an order resumed from the state. */
  order?: OrderMemory;
  /**
   * Issuer calls are numbered per activation from a random start, never reset: a late reply of an abandoned call,
   * even one made by an earlier activation (before a restart, on another pod), is recognised as not ours.
   */
  callSeq: number;
  /** Challenge entries this activation counts in cert_management_acme_active_dns_challenges. */
  activeChallenges?: { issuer: string; count: number };
  /** This activation has checked once that the stored Secret still exists (see the Observed handler). */
  secretVerified: boolean;
  /** The serial whose renewal information is being asked for (one ask at a time). */
  renewalInfoAsked?: string;
  /** The generation whose ignored IP, email and URI SANs were reported (ACME issuers). */
  ignoredSansNoted?: number;
  /** Consecutive turns that failed transiently (API server or network away), for the retry backoff. */
  transientFailures: number;
}

export function memoryOf(ctx: CertCtx): CertificateMemory {
  const store = ctx.volatile as { certificate?: CertificateMemory };
  store.certificate ??= { callSeq: randomInt(2 ** 40), secretVerified: false, transientFailures: 0 };
  return store.certificate;
}
