// The shape of one step of the order table (order-steps.ts) and what a step may answer. A step never schedules,
// persists or calls anything itself: it returns a StepResult and the runner (order-runner.ts) carries it out, so
// every transition of an order is visible in the table.
import type { EffectiveConfig } from '../../config/effective-config.js';
import type { IssuerRequest } from '../../issuer/issuer-messages.js';
import type { CertCtx, CertificateMsg, OrderPhase, OrderWork } from '../certificate-actor-types.js';
import type { CertEnv } from '../certificate-env.js';
import type { NormalizedRequest } from '../spec-validation.js';
import type { OrderMemory, PhaseData } from './order-memory.js';

export type StepResult =
  /** Persist the move to `to` (with `patch`), then run it in a later turn, after `afterMs`. */
  | { kind: 'go'; to: OrderPhase; patch?: Partial<OrderWork>; afterMs?: number }
  /**
   * Move to `to` and run it in this same turn: for moves a resumed activation re-discovers by re-reading the order,
   * which therefore need no state write of their own.
   */
  | { kind: 'continue'; to: OrderPhase; patch?: Partial<OrderWork> }
  /** Stay; run this step again after `afterMs`. */
  | { kind: 'poll'; afterMs: number }
  /** Ask the issuer actor (outside the turn); the step's onReply continues with its answer. */
  | { kind: 'call'; request: IssuerRequest; timeoutMs?: number }
  /** Nothing to schedule: a message (IssuerReady, EntryChanged, a reminder) brings the order on. */
  | { kind: 'park' }
  /** The step failed in a way that may pass: repeat it with backoff a few times, then fail the order. */
  | { kind: 'retry'; message: string; transient: boolean }
  /**
   * The order failed: Error status, challenge entries removed, grant released, recheck after the backoff (`spec`:
   * only an edit can fix it, rechecked after 24 h).
   */
  | { kind: 'fail'; message: string; spec?: boolean }
  /** The order cannot continue without a key this activation does not have: open a new one. */
  | { kind: 'restart'; why: string }
  /** The certificate is stored and reported: the order is over. */
  | { kind: 'finished' };

/** What a step sees: the order, the validated spec and its own memory. */
export interface StepScope<P extends OrderPhase> {
  ctx: CertCtx;
  env: CertEnv;
  config: EffectiveConfig;
  work: OrderWork;
  request: NormalizedRequest;
  order: OrderMemory;
  data: PhaseData[P];
}

export type IssuerReplyMsg = Extract<CertificateMsg, { type: 'IssuerReply' }>;

/** How a phase behaves when an activation takes over an order another one was running. */
export type ResumeRule =
  /** Run the phase as persisted (it asks again; the answer is idempotent). */
  | 'repeat'
  /** Re-read the order from the CA first, then continue at the later of this phase and where the CA says it is. */
  | 'reread';

export interface OrderStep<P extends OrderPhase> {
  /** What the step does, for readers and for `docs/ARCHITECTURE.md`. */
  does: string;
  /** The answer it waits for. */
  awaits: string;
  /** The phases it may move to (besides failing or retrying). */
  next: readonly OrderPhase[];
  resume: ResumeRule;
  /**
   * Where the phase stands in the order's life, for resuming: a re-read order moves the work forward to the CA's
   * stage, never back (0 before an order exists, 1 challenges, 2 validation, 3 issuance, 4 done).
   */
  stage: 0 | 1 | 2 | 3 | 4;
  /** The step's transient data when the phase is entered. */
  initial(): PhaseData[P];
  /** Runs the step: does its I/O or sends its call. */
  start(s: StepScope<P>): Promise<StepResult> | StepResult;
  /** The issuer answered the call `start` sent. */
  onReply?(s: StepScope<P>, reply: IssuerReplyMsg): Promise<StepResult> | StepResult;
}

export type OrderSteps = { readonly [P in OrderPhase]: OrderStep<P> };

export const go = (to: OrderPhase, patch?: Partial<OrderWork>, afterMs?: number): StepResult => ({
  kind: 'go',
  to,
  patch,
  afterMs,
});
export const continueWith = (to: OrderPhase, patch?: Partial<OrderWork>): StepResult => ({
  kind: 'continue',
  to,
  patch,
});
export const poll = (afterMs: number): StepResult => ({ kind: 'poll', afterMs });
export const call = (request: IssuerRequest, timeoutMs?: number): StepResult => ({ kind: 'call', request, timeoutMs });
export const retry = (message: string, transient: boolean): StepResult => ({ kind: 'retry', message, transient });
export const fail = (message: string): StepResult => ({ kind: 'fail', message });
