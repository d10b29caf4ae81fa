import type { Logger } from 'pino';
import type { SupervisionStrategy } from './restart-policy.js';

/** Every message is a discriminated union member. Names starting with "$" are the runtime's own. */
export interface Message {
  type: string;
}

/**
 * What senders may pass: any message, including object literals with fields the sender's type does not spell out
 * (the union disables TypeScript's excess-property check, not the receiver's validate()).
 */
export type OutgoingMessage = Message | (Message & Record<string, unknown>);

export interface ActorRef {
  kind: string;
  id: string;
}

/** What a turn can do. Everything it changes takes effect when the turn ends (state is persisted before replies). */
export interface ActorContext<S, M extends Message> {
  readonly kind: string;
  readonly id: string;
  /** The lease revision this activation runs under: a fencing token for external writes. */
  readonly epoch: number;
  readonly log: Logger;
  readonly state: S;
  /** Replaces the state; persisted with compare-and-set at the end of the turn. */
  setState(next: S): void;
  /** Fire-and-forget to any actor in the cluster (at most once). */
  tell(kind: string, id: string, msg: OutgoingMessage): void;
  /**
   * Like tell, but confirmed: resolves once the message is in the receiver's mailbox (not after its turn), retrying
   * while the shard moves. For routing that must not be lost in a handover without waiting for the receiver's work.
   */
  deliver(kind: string, id: string, msg: OutgoingMessage, timeoutMs?: number): Promise<void>;
  /** Request/reply to any actor in the cluster. Awaiting it inside a turn blocks this mailbox: prefer pipeToSelf. */
  ask<R = unknown>(kind: string, id: string, msg: OutgoingMessage, timeoutMs?: number): Promise<R>;
  /**
   * Ends the turn now and answers the ask when `work` settles (its value, or a handler-error with its message): for
   * an actor that serves slow requests without holding its mailbox. The state change of the turn is persisted first,
   * as always; `work` runs outside the turn and must not touch the actor's state. Return what this gives from handle.
   */
  replyLater<T>(work: Promise<T>): DeferredReply;
  /** Runs async work outside the turn; its outcome comes back as a message to this actor. */
  pipeToSelf<T>(
    work: Promise<T>,
    toMessage: (outcome: { ok: true; value: T } | { ok: false; error: Error }) => M,
  ): void;
  /** A volatile timer (lost on passivation or failover). */
  setTimer(name: string, delayMs: number, msg: M): void;
  cancelTimer(name: string): void;
  /** A durable reminder: survives passivation and pod death; an overdue one fires on the new owner. */
  setReminder(name: string, dueAtEpochMs: number, msg: M): Promise<void>;
  cancelReminder(name: string): Promise<void>;
  /** Clears the Failed mark of a supervised child so its next message activates it again. */
  resetChild(kind: string, id: string): void;
  /** Ends this activation after the turn (its state is already persisted). */
  passivate(): void;
  /**
   * In-memory things this activation owns (a watch, a client): never persisted, gone when it stops. Release them in
   * the kind's onDeactivate.
   */
  readonly volatile: Record<string, unknown>;
  now(): number;
}

export interface ActorDefinition<S, M extends Message> {
  kind: string;
  initialState(id: string): S;
  /** The turn. Its return value is the reply to an ask. Throwing restarts the actor (see supervision). */
  handle(ctx: ActorContext<S, M>, msg: M): unknown | Promise<unknown>;
  /** Refuses malformed messages before they reach `handle`; return a reason to reject. */
  validate?(msg: Message): string | undefined;
  /** Called in the first turn of each activation (after state is loaded), e.g. to re-arm timers. */
  onActivate?(ctx: ActorContext<S, M>): void | Promise<void>;
  /**
   * Called when the activation stops for any reason (passivation, handover, lease loss, shutdown), after its last
   * turn: release what `ctx.volatile` holds. It must not change state (a stopped activation may no longer write).
   */
  onDeactivate?(ctx: ActorContext<S, M>): void | Promise<void>;
  /** The supervising parent of an actor, told `$ChildFailed` when the actor is stopped for crash-looping. */
  parentOf?(id: string): ActorRef | undefined;
  supervision?: Partial<SupervisionStrategy>;
  /** Bump when the persisted state shape changes; `migrate` converts older states. */
  schemaVersion?: number;
  migrate?(state: unknown, fromVersion: number): S;
  /** Passivate after this long without messages (default from the system). */
  idleTimeoutMs?: number;
  /** Set false for actors without persistent state (no KV traffic). */
  persistent?: boolean;
  /**
   * At most this many turns of this kind run at the same time on one pod (a turn waiting on I/O counts). Unset:
   * no limit. Turns must not ask another actor of the same kind, which could wait for a permit held by the asker.
   */
  maxConcurrentTurns?: number;
  /**
   * Which messages' turns take a permit of maxConcurrentTurns (every message's when absent). A kind whose work runs
   * as a pipeline of short turns after one decision (a certificate's order steps after its reconcile) bounds the
   * decisions, as a controller's worker pool does, and leaves the steps to the limits of what they call (the API
   * clients' QPS, the issuer's ACME limit): a permit held by each step would serialise every pipeline behind it.
   */
  boundedTurn?(msg: M): boolean;
  /**
   * Messages one activation may hold waiting (the system's mailboxCapacity when absent). A hub that every other actor
   * asks (an issuer serving thousands of certificates) needs more room than a leaf.
   */
  mailboxCapacity?: number;
  /**
   * Message types that only read (answer from state, change nothing): the only ones accepted on the query subject
   * (`ActorClient.query`), which observers may use without being allowed to send commands.
   */
  queries?: readonly string[];
}

/** Sent by the runtime to a parent when a child crash-looped and was stopped. */
export interface ChildFailed extends Message {
  type: '$ChildFailed';
  child: ActorRef;
  error: string;
  restarts: number;
}

export type ReplyErrorCode =
  | 'busy' // mailbox full
  | 'not-owner' // this pod does not (or no longer) own the shard: retry
  | 'unknown-kind'
  | 'bad-request' // undecodable or malformed envelope
  | 'invalid-message' // the actor's validate() refused it
  | 'too-large'
  | 'failed' // the actor is marked Failed after crash-looping
  | 'handler-error' // the turn threw
  | 'stopped' // the activation stopped (fenced or shut down) before handling
  | 'not-a-query'; // sent on the query subject, but the kind does not declare this type a query

export class ActorError extends Error {
  constructor(
    readonly code: ReplyErrorCode | 'timeout' | 'unreachable',
    message: string,
  ) {
    super(message);
    this.name = 'ActorError';
  }
}

/** The wire envelope of an actor message. */
export interface Envelope {
  k: string; // kind
  i: string; // id
  m: Message;
  /** Durable command id (dedupe). */
  c?: string;
  /** Reply as soon as the message is in the actor's mailbox, not after the turn (`deliver`). */
  q?: 1;
}

export type Reply = { ok: true; v: unknown } | { ok: false; code: ReplyErrorCode; error: string };

/** What ActorContext.replyLater returns: the runtime answers the ask when the work settles. */
export class DeferredReply {
  constructor(readonly work: Promise<unknown>) {}
}

/** Definitions of any state and message type, as the system stores them (methods are bivariant in their parameters). */
export type AnyActorDefinition = ActorDefinition<unknown, Message>;
