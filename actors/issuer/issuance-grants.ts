// Which certificates an issuer lets order right now. A grant is one certificate's permission to run one ACME order:
// it costs one quota token and holds the challenge domains of the order, so two certificates never publish the same
// `_acme-challenge` name at once (the real dns-controller-manager refuses a second entry for a name that another entry
// owns, and two TXT sets on one name would make one of the validations fail). Pure data, persisted by the issuer
// actor with its quota bucket, so a failover neither refills the quota nor forgets a lock.
import { newQuotaBucket, type QuotaBucketState, quotaExceededMessage, takeToken } from './quota-bucket.js';

export interface Grant {
  /** Request hash of the order: a repeated ask for the same request and attempt is the same grant (no second token). */
  hash: string;
  /** The certificate's attempt (GrantRequest.attempt); absent: 0. */
  attempt?: number;
  /** Challenge domains (wildcards folded onto their base), lower-case. */
  domains: string[];
  /** When it was granted; a grant not released within the lock TTL is considered abandoned. */
  at: number;
}

export interface GrantBook {
  bucket?: QuotaBucketState;
  grants: Record<string, Grant>;
}

export type GrantDecision =
  | { granted: true; book: GrantBook; charged: boolean }
  | { granted: false; book: GrantBook; reason: 'quota'; retryAt: number; message: string }
  | { granted: false; book: GrantBook; reason: 'busy'; holder: string; message: string };

export interface GrantRequest {
  certificate: string;
  hash: string;
  /** The certificate's order attempt for this request (0 when absent); a new attempt is charged again. */
  attempt?: number;
  domains: string[];
  issuerName: string;
  quota: number;
  now: number;
  /** Grants older than this no longer lock their domains (a certificate that vanished without releasing). */
  lockTtlMs: number;
}

export function decideGrant(book: GrantBook, req: GrantRequest): GrantDecision {
  const existing = book.grants[req.certificate];
  const attempt = req.attempt ?? 0;
  if (existing && existing.hash === req.hash && (existing.attempt ?? 0) === attempt)
    return { granted: true, book, charged: false };
  const wanted = new Set(req.domains);
  for (const [holder, g] of Object.entries(book.grants)) {
    if (holder === req.certificate || req.now - g.at > req.lockTtlMs) continue;
    const shared = g.domains.find((d) => wanted.has(d));
    if (shared !== undefined) {
      return {
        granted: false,
        book,
        reason: 'busy',
        holder,
        message: `waiting for certificate ${holder}, which is validating the domain ${shared} with the same issuer; one DNS challenge per domain runs at a time`,
      };
    }
  }
  const taken = takeToken(book.bucket ?? newQuotaBucket(req.quota, req.now), req.quota, req.now);
  if (!taken.granted) {
    return {
      granted: false,
      book: { ...book, bucket: taken.state },
      reason: 'quota',
      retryAt: taken.retryAt,
      message: quotaExceededMessage(req.issuerName, req.quota, taken.retryAt),
    };
  }
  const grant: Grant = { hash: req.hash, domains: [...wanted], at: req.now, ...(attempt ? { attempt } : {}) };
  const grants = { ...book.grants, [req.certificate]: grant };
  return { granted: true, book: { bucket: taken.state, grants }, charged: true };
}

export function releaseGrant(book: GrantBook, certificate: string): GrantBook {
  if (!(certificate in book.grants)) return book;
  const grants = { ...book.grants };
  delete grants[certificate];
  return { ...book, grants };
}

/** Drops grants past the lock TTL so the persisted book stays small. */
export function pruneGrants(book: GrantBook, now: number, lockTtlMs: number): GrantBook {
  const stale = Object.entries(book.grants).filter(([, g]) => now - g.at > lockTtlMs);
  if (stale.length === 0) return book;
  const grants = { ...book.grants };
  for (const [id] of stale) delete grants[id];
  return { ...book, grants };
}
