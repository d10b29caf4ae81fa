// The volatile part of a running order: what belongs to the whole order (the private key, the issuer call in
// flight) and what belongs to the current step only (its typed scratch data, reset when the phase changes).
import type { WrittenSecret } from '../backup-secret-kube.js';
import type { OrderPhase } from '../certificate-actor-types.js';

/** Each phase's own transient data. A phase not listed here keeps none. */
export interface PhaseData {
  grant: { /** Refusals while busy or not ready, for the fallback poll's backoff. */ waits: number };
  order: Record<string, never>;
  publish: Record<string, never>;
  'await-entries': {
    /** Entries seen Ready at their current generation. */
    ready: Set<string>;
    /** When an entry was last reported busy (its name held by another entry): the timeout counts from here. */
    busyAt?: number;
  };
  propagation: {
    /** When every TXT record was visible: the additional wait counts from here. */ visibleAt?: number;
    pollDelayMs?: number;
  };
  answer: Record<string, never>;
  validate: { pollDelayMs?: number };
  finalize: Record<string, never>;
  download: { pollDelayMs?: number };
  sign: Record<string, never>;
  done: Record<string, never>;
}

/** The current step's memory: its retries and its data. */
export interface StepMemory<P extends OrderPhase = OrderPhase> {
  phase: P;
  /** Transient failures of this step so far (retried with backoff, then the order fails). */
  retries: number;
  data: PhaseData[P];
}

export interface OrderMemory {
  /**
   * The order's private key, from finalize to the Secret. Never persisted: an activation that lost it (pod death
   * between finalize and download) must start a new order.
   */
  key?: { orderUrl: string; pem: string };
  /**
   * The key being generated since the order was opened, so it is ready when the challenges are (RSA takes long
   * enough to matter). Never persisted, like the key.
   */
  pendingKey?: { orderUrl: string; pem: Promise<string> };
  /**
   * The stored Secret as written, from download until `done` makes its backup copy. Never persisted (it holds the
   * private key): an activation resuming at `done` makes none, and says so.
   */
  backup?: { write: WrittenSecret; issuerName: string };
  /** The issuer call in flight: only its reply continues the order; other replies and Advance meanwhile are stale. */
  inflight?: { token: number; purpose: 'step' | 'reread'; sentAt: number };
  /**
   * This activation found the order in the persisted state (it resumed another's work): it must re-read the order
   * from the CA before its first step, because the previous activation may have done more than it recorded.
   */
  reread: boolean;
  /** A challenge entry was deleted while a call was out: the order writes its entries again before its next step. */
  entriesLost?: boolean;
  /** When a step last ran: the resume reminder kicks an order that has not moved for a while. */
  lastStepAt?: number;
  step?: StepMemory;
}
