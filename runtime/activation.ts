import type { KV } from 'nats';
import type { Logger } from 'pino';
import {
  type ActorRef,
  type AnyActorDefinition,
  type ChildFailed,
  DeferredReply,
  type Message,
  type Reply,
  type ReplyErrorCode,
} from './actor-types.js';
import { decode, encode } from './codec.js';
import { getLive, isCasConflict, isKeyExists } from './kv.js';
import { Mailbox } from './mailbox.js';
import { defaultSupervision, recordFailure, restartDelayMs, type SupervisionStrategy } from './restart-policy.js';
import { TurnContext } from './turn-context.js';

export interface CommandHandle {
  id: string;
  ack(): void;
  /** Redeliver later (after `delayMs`), to whoever owns the shard then. */
  nak(delayMs?: number): void;
  /** How often this consumer has delivered it (1 the first time), and how often it may (then it is given up). */
  deliveries: number;
  maxDeliveries: number;
  /** Gives it up for good: it is removed from the stream and kept as a dead letter with the reason. */
  term(reason: string): void;
}

/** Refusals no redelivery can change: the command ends at once. */
const PERMANENT_REFUSALS: readonly ReplyErrorCode[] = ['unknown-kind', 'bad-request', 'invalid-message', 'too-large'];

/** One message waiting in a mailbox, with how to answer it. */
export interface Delivery {
  msg: Message;
  reply?: (r: Reply) => void;
  command?: CommandHandle;
  /** Called once the message is queued (deliver: the sender is answered then). */
  onEnqueued?: () => void;
}

/** How long the result of an actor's async work is retried towards the actor's new owner. */
const FORWARD_TIMEOUT_MS = 30_000;
/** Logged when an activation loses turns it could not write: the next owner runs them again from the last state. */
const ACTIVATION_FENCED = 'activation fenced: unwritten turns are redone by the next owner';

/** What is persisted per actor: schema version, fencing epoch, state, recent command ids, Failed mark. */
interface StateRecord {
  v: number;
  e: number;
  s: unknown;
  d?: readonly string[];
  f?: { error: string; at: number; restarts: number };
}

export type ActivationStatus = 'activating' | 'active' | 'restarting' | 'failed' | 'stopped';

/** Services an activation needs from its actor system; keeps this file free of routing and NATS details. */
export interface ActivationHost {
  readonly stateKv: KV;
  readonly log: Logger;
  now(): number;
  leaseValid(shard: number): boolean;
  stateKey(kind: string, id: string): string;
  tell(kind: string, id: string, msg: Message): void;
  ask<R>(kind: string, id: string, msg: Message, timeoutMs?: number): Promise<R>;
  deliver(kind: string, id: string, msg: Message, timeoutMs?: number): Promise<void>;
  /** Waits for a turn permit of the kind (maxConcurrentTurns), older activations first; returns the release. */
  turnPermit(def: AnyActorDefinition, priority: number): Promise<() => void> | (() => void);
  setReminder(shard: number, ref: ActorRef, name: string, dueAt: number, msg: Message): Promise<void>;
  cancelReminder(shard: number, ref: ActorRef, name: string): Promise<void>;
  onStopped(a: Activation, reason: string): void;
  /** Wall-clock persistence failures feed the pod's fail-stop guard. */
  kvWriteFailed(err: unknown): void;
  kvWriteOk(): void;
  /** A turn completed (successfully or not): counted for metrics. */
  turnDone(): void;
}

const DEDUPE_KEEP = 64;
/** The release of a turn that takes no permit (ActorDefinition.boundedTurn). */
const NO_PERMIT = (): void => {};
let activationCount = 0;
/** At most this many turns in a row share one state write (group commit). */
const GROUP_COMMIT_MAX = 64;

/** Thrown inside a turn when this activation learns it is no longer the rightful one. */
class Fenced extends Error {}
/** A group's write failed and every turn of it is answered (not-owner when fenced, else handler-error). */
class GroupFailed extends Error {
  constructor(
    message: string,
    readonly fenced: boolean,
    /** NATS briefly unavailable (a node restarting): not the actor's fault, see failed(). */
    readonly transient = false,
  ) {
    super(message);
  }
}

/** Answers a turn that succeeded: its result (or, for replyLater, the work's outcome) and its command's ack. */
function settle(d: Delivery, result: unknown): void {
  if (result instanceof DeferredReply) {
    const reply = d.reply;
    result.work.then(
      (v) => reply?.({ ok: true, v }),
      (err: Error) => reply?.({ ok: false, code: 'handler-error', error: err?.message ?? String(err) }),
    );
  } else d.reply?.({ ok: true, v: result });
  d.command?.ack();
}

/**
 * One live actor: its mailbox, its state, one turn at a time. State is loaded and fenced with the lease epoch on
 * activation, written with compare-and-set after each turn that changed it (once for a group of turns in a row when
 * messages are waiting), and a turn's reply goes out only after that write: an acknowledged change is a persisted
 * change.
 */
export class Activation {
  status: ActivationStatus = 'activating';
  /** Activations on this pod are numbered as they are made: the order the turn limiter serves them in. */
  readonly seq = ++activationCount;
  restarts = 0;
  lastError: string | undefined;
  lastActive: number;
  private state: unknown;
  private nextState: unknown;
  private dirty = false;
  private revision = 0;
  /** Turns whose replies wait for the group's write (see turn). */
  private group: Array<{ d: Delivery; result: unknown }> = [];
  private groupChanged = false;
  // Shared empty arrays until first use: thousands of idle actors should not each carry their own.
  private dedupe: readonly string[] = NONE;
  private failures: readonly number[] = NONE;
  private readonly mailbox: Mailbox<Delivery>;
  private running = false;
  private currentTurn: Promise<void> | undefined;
  private timers: Map<string, NodeJS.Timeout> | undefined;
  /** Fire-and-forget turns whose state write failed: run again after the restart (see flushGroup). */
  private redo: Delivery[] = NONE as never;
  private passivateRequested = false;
  private logger: Logger | undefined;
  /** Lazily created: most actors own nothing in memory. */
  volatileStore: Record<string, unknown> | undefined;

  constructor(
    readonly def: AnyActorDefinition,
    readonly id: string,
    readonly shard: number,
    readonly epoch: number,
    readonly host: ActivationHost,
    mailboxCapacity: number,
  ) {
    this.mailbox = new Mailbox(mailboxCapacity);
    this.lastActive = host.now();
  }

  get kind(): string {
    return this.def.kind;
  }
  get log(): Logger {
    this.logger ??= this.host.log.child({ actor: this.def.kind, id: this.id, epoch: this.epoch });
    return this.logger;
  }
  get mailboxDepth(): number {
    return this.mailbox.size;
  }
  get hasTimers(): boolean {
    return (this.timers?.size ?? 0) > 0;
  }
  get busy(): boolean {
    return this.running || this.mailbox.size > 0;
  }
  currentState(): unknown {
    return this.state;
  }

  /** Queues a delivery; false means the mailbox is full (the caller answers "busy"). */
  enqueue(d: Delivery): boolean {
    if (this.status === 'stopped') {
      answer(d, 'not-owner', 'actor activation stopped; retry');
      return true;
    }
    if (this.status === 'failed' && d.msg.type !== '$Reset') {
      answer(
        d,
        'failed',
        `actor ${this.kind}/${this.id} is Failed after ${this.restarts} restarts: ${this.lastError}`,
        10_000,
      );
      return true;
    }
    if (!this.mailbox.offer(d)) return false;
    this.lastActive = this.host.now();
    if (!this.running) this.currentTurn = this.run().finally(() => (this.currentTurn = undefined));
    return true;
  }

  /** Stops accepting work; answers queued asks with "not-owner" so their senders retry at the new owner. */
  async stop(reason: string, opts: { waitForTurn: boolean } = { waitForTurn: true }): Promise<void> {
    if (this.status === 'stopped') return;
    this.status = 'stopped';
    for (const t of this.timers?.values() ?? []) clearTimeout(t);
    this.timers = undefined;
    // Turns waiting to be redone count as queued: a confirmed delivery among them is passed on to the new owner.
    for (const d of this.takeQueued()) answer(d, 'not-owner', `actor moved (${reason}); retry`, 0);
    // Leave the registry at once: a new message creates a fresh activation, which fences this one out if needed.
    this.host.onStopped(this, reason);
    // A turn that waits on something slow (an ask to an actor of the same shard, which answers not-owner until
    // this very handover ends) must not hold the handover: after a short wait the shard is released anyway. The late
    // turn's state write is then refused by the lease check or fenced by the new owner's activation.
    if (opts.waitForTurn)
      await Promise.race([this.currentTurn, new Promise((r) => setTimeout(r, HANDOVER_TURN_WAIT_MS).unref())]);
    await this.releaseVolatile(reason);
  }

  /** The kind's onDeactivate, then the in-memory store is dropped: on every stop, and before a restart. */
  private async releaseVolatile(reason: string): Promise<void> {
    if (this.def.onDeactivate) {
      try {
        await this.def.onDeactivate(new TurnContext(this));
      } catch (err) {
        this.log.warn({ err: (err as Error).message, reason }, 'onDeactivate failed');
      }
    }
    this.volatileStore = undefined;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      if (this.status === 'activating') await this.activate();
      for (;;) {
        await this.processMailbox();
        // The loop can end with a group still unwritten (a stop between its turns): written and answered now. A
        // failed write restarts the actor like a failed turn, and its redone turns run in the next round.
        const written = await this.flushGroup().then(
          () => true,
          (err: Error) => this.lastGroupFailed(err),
        );
        if (written || this.status !== 'active' || this.mailbox.size === 0) break;
      }
    } catch (err) {
      if (err instanceof Fenced) {
        // What its last turns did outside (an ACME order opened, say) may be done again by the next owner.
        this.log.warn({ reason: err.message }, ACTIVATION_FENCED);
        await this.stop(err.message, { waitForTurn: false });
      } else {
        // Activation itself failed (KV unreachable, a migration that throws): nobody waits in vain; the next
        // message tries to activate again.
        this.restarts++;
        this.lastError = `activation failed: ${(err as Error).message}`;
        this.log.error({ err: (err as Error).message }, 'activation failed');
        for (const d of this.takeQueued()) answer(d, 'handler-error', this.lastError);
      }
    } finally {
      this.running = false;
    }
  }

  /** Everything waiting here, turns to be redone first, taken out to be answered. */
  private takeQueued(): Delivery[] {
    const queued = [...this.redo, ...this.mailbox.drain()];
    this.redo = NONE as never;
    return queued;
  }

  /** Turns, one message at a time, while the actor is active and messages wait. */
  private async processMailbox(): Promise<void> {
    let d: Delivery | undefined;
    while ((this.status === 'active' || this.status === 'failed') && this.mailbox.size > 0) {
      if (this.status === 'failed') {
        d = this.mailbox.poll()!;
        if (d.msg.type === '$Reset') await this.reset(d);
        else answer(d, 'failed', `actor ${this.kind}/${this.id} is Failed: ${this.lastError}`, 10_000);
        continue;
      }
      // The kind's turn permit first (maxConcurrentTurns), then the message: a stop while waiting leaves the
      // message in the mailbox, where stop() answers it "not-owner".
      const next = this.mailbox.peek()!;
      const bounded = this.def.boundedTurn?.(next.msg as never) ?? true;
      const permit = bounded ? this.host.turnPermit(this.def, this.seq) : NO_PERMIT;
      const release = typeof permit === 'function' ? permit : await permit;
      try {
        if (this.status !== 'active') break;
        d = this.mailbox.poll();
        if (!d) break;
        await this.turn(d);
      } finally {
        release();
      }
      if (this.passivateRequested && this.mailbox.size === 0) {
        void this.stop('passivated', { waitForTurn: false });
        break;
      }
    }
  }

  /** The write of the last turns failed: fenced, the activation ends; otherwise the actor restarts. */
  private async lastGroupFailed(err: Error): Promise<boolean> {
    if (err instanceof GroupFailed && err.fenced) throw new Fenced(err.message);
    this.log.warn({ err: err.message }, 'state write of the last turns failed; they were answered with the error');
    if (this.status === 'stopped') {
      // Stopped meanwhile: its confirmed deliveries go on to the new owner (see stop).
      for (const d of this.takeQueued()) answer(d, 'not-owner', 'actor moved; retry', 0);
    } else await this.failed(undefined, err);
    return false;
  }

  private get persistent(): boolean {
    return this.def.persistent !== false;
  }

  private stateKey(): string {
    return this.host.stateKey(this.kind, this.id);
  }

  /**
   * Loads the persisted state and writes our epoch into it, so a stale activation's later write fails its CAS.
   * JetStream may be briefly unavailable (a stream electing its leader after a restart): that is retried for a while
   * rather than failing the messages that are waiting.
   */
  private async activate(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.activateOnce();
      } catch (err) {
        if (err instanceof Fenced || attempt >= ACTIVATION_ATTEMPTS || !isTransientNatsError(err)) throw err;
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
  }

  private async activateOnce(): Promise<void> {
    let record: StateRecord | undefined;
    if (this.persistent) {
      for (let attempt = 0; ; attempt++) {
        if (!this.host.leaseValid(this.shard)) throw new Fenced('lease not valid at activation');
        const entry = await getLive(this.host.stateKv, this.stateKey());
        record = entry ? decode<StateRecord>(entry.value) : undefined;
        if (record && record.e > this.epoch) throw new Fenced(`a newer activation (epoch ${record.e}) exists`);
        // Older schemas are converted here, so the fencing write also stores the state in the current schema.
        const fenced: StateRecord = record
          ? { ...record, v: this.schemaVersion, e: this.epoch, s: this.migrate(record) }
          : { v: this.schemaVersion, e: this.epoch, s: this.def.initialState(this.id), d: [] };
        try {
          this.revision = entry
            ? await this.host.stateKv.update(this.stateKey(), encode(fenced), entry.revision)
            : await this.host.stateKv.create(this.stateKey(), encode(fenced));
          this.host.kvWriteOk();
          record = fenced;
          break;
        } catch (err) {
          if (!isKeyExists(err)) {
            this.host.kvWriteFailed(err);
            throw err;
          }
          if (attempt >= 5) throw new Fenced('could not fence actor state (persistent write conflicts)');
        }
      }
    }
    this.state = record ? record.s : this.def.initialState(this.id);
    this.dedupe = record?.d ?? [];
    if (record?.f) {
      this.status = 'failed';
      this.lastError = record.f.error;
      this.restarts = record.f.restarts;
      return;
    }
    this.status = 'active';
    if (this.def.onActivate)
      await this.turn({ msg: { type: '$Activated' } }, () => this.def.onActivate!(new TurnContext(this)));
  }

  private get schemaVersion(): number {
    return this.def.schemaVersion ?? 1;
  }

  private migrate(record: StateRecord): unknown {
    if (record.v === this.schemaVersion) return record.s;
    if (!this.def.migrate)
      throw new Error(
        `state of ${this.kind}/${this.id} has schema ${record.v}, expected ${this.schemaVersion}, and the kind has no migrate()`,
      );
    return this.def.migrate(record.s, record.v);
  }

  /**
   * One message. `body` replaces the handler for the runtime's own turns (onActivate).
   *
   * Group commit: when more messages are waiting, a turn's state change is kept in memory and written once for up to
   * GROUP_COMMIT_MAX turns in a row (a burst of grants to one issuer would otherwise wait for a KV write each). The
   * replies of the group, and of any turn behind it, still go out only after that write, so an acknowledged change
   * remains a persisted change; a write that fails answers the whole group as a single turn's would.
   */
  private async turn(d: Delivery, body?: () => unknown): Promise<void> {
    if (!this.host.leaseValid(this.shard)) {
      this.refuseGroup('shard lease no longer valid; retry');
      answer(d, 'not-owner', 'shard lease no longer valid; retry', 0);
      throw new Fenced('shard lease no longer valid');
    }
    if (d.command && this.dedupe.includes(d.command.id)) {
      this.settleAfterGroup(d, undefined);
      return;
    }
    this.lastActive = this.host.now();
    this.dirty = false;
    this.nextState = this.state;
    try {
      let result: unknown;
      try {
        // Synchronous handlers skip an await: a microtask per message adds up at a hundred thousand messages a second.
        const out = body ? body() : this.def.handle(new TurnContext(this), d.msg);
        result = isThenable(out) ? await out : out;
      } catch (err) {
        // The turns before this one keep their changes: written (and answered) before this one fails.
        try {
          await this.flushGroup();
        } catch (g) {
          if (g instanceof GroupFailed && g.fenced) throw new Fenced(g.message);
        }
        throw err;
      }
      const dedupe = d.command ? [...this.dedupe, d.command.id].slice(-DEDUPE_KEEP) : this.dedupe;
      const changed = this.persistent && (this.dirty || d.command !== undefined);
      this.state = this.nextState;
      this.dedupe = dedupe;
      if (!changed && this.group.length === 0) {
        settle(d, result);
        return;
      }
      this.groupChanged ||= changed;
      this.group.push({ d, result });
      if (this.mailbox.size > 0 && this.group.length < GROUP_COMMIT_MAX && this.status === 'active') return;
      await this.flushGroup();
    } catch (err) {
      if (err instanceof GroupFailed) {
        // Every turn of the group, this one included, is answered already.
        if (err.fenced) throw new Fenced(err.message);
        await this.failed(undefined, err);
        return;
      }
      if (err instanceof Fenced) {
        answer(d, 'not-owner', err.message, 0);
        throw err;
      }
      await this.failed(d, err as Error);
    } finally {
      this.lastActive = this.host.now();
      this.host.turnDone();
    }
  }

  /** Writes the group's state (when it changed) and then answers its turns in order. */
  private async flushGroup(): Promise<void> {
    if (this.group.length === 0) return;
    const group = this.group;
    this.group = [];
    const changed = this.groupChanged;
    this.groupChanged = false;
    try {
      if (changed) {
        if (!this.host.leaseValid(this.shard)) throw new Fenced('shard lease expired during the turn');
        await this.write({ v: this.schemaVersion, e: this.epoch, s: this.state, d: this.dedupe });
      }
    } catch (err) {
      const fenced = err instanceof Fenced;
      const why = (err as Error).message;
      for (const g of group) answer(g.d, fenced ? 'not-owner' : 'handler-error', why, fenced ? 0 : 1000);
      // Nobody retries a message that had no one to answer (a confirmed delivery, a timer, a piped result): with its
      // effect unwritten it would be lost, and the work it drives left waiting (seen after a NATS restart). It runs
      // again after the restart, from the persisted state. A fenced group's are redone by the next owner.
      if (!fenced) this.redo = [...this.redo, ...group.map((g) => g.d).filter(unanswerable)];
      throw new GroupFailed(why, fenced, !fenced && isTransientNatsError(err));
    }
    for (const g of group) settle(g.d, g.result);
  }

  /** A turn with nothing to write behind a group that has: answered after the group's write. */
  private settleAfterGroup(d: Delivery, result: unknown): void {
    if (this.group.length > 0) this.group.push({ d, result });
    else settle(d, result);
  }

  /** The group can no longer be written (the lease is gone): its senders retry at the new owner. */
  private refuseGroup(why: string): void {
    if (this.groupChanged) this.log.warn({ reason: why, turns: this.group.length }, ACTIVATION_FENCED);
    for (const g of this.group) answer(g.d, 'not-owner', why, 0);
    this.group = [];
    this.groupChanged = false;
  }

  private async write(record: StateRecord): Promise<void> {
    try {
      this.revision = await this.host.stateKv.update(this.stateKey(), encode(record), this.revision);
      this.host.kvWriteOk();
    } catch (err) {
      if (isCasConflict(err)) throw new Fenced('state write rejected: a newer activation exists');
      this.host.kvWriteFailed(err);
      throw err;
    }
  }

  /**
   * One-for-one restart with backoff; crash-looping past the strategy's limit marks the actor Failed. d: the turn to
   * answer (undefined when it is answered already).
   */
  private async failed(d: Delivery | undefined, err: Error): Promise<void> {
    this.restarts++;
    this.lastError = err.message;
    const { failures, failed: crashLooping } = recordFailure(strategyOf(this.def), this.failures, this.host.now());
    this.failures = failures;
    // A state write NATS could not take for a moment (a node restarting, a stream electing its leader) backs off like
    // any failure but never marks the actor Failed: a Failed certificate would wait a minute for its watcher to reset
    // it, for a fault that was over in seconds. Writes failing for good stop the pod (fail-stop, 30 s) instead.
    const failed = crashLooping && !(err instanceof GroupFailed && err.transient);
    if (d) answer(d, 'handler-error', err.message, restartDelayMs(strategyOf(this.def), failures.length));
    if (failed) {
      this.log.error({ err: err.message, restarts: this.restarts }, 'actor crash-looping: stopped and marked Failed');
      await this.markFailed();
      return;
    }
    this.log.warn({ err: err.message, restarts: this.restarts }, 'actor turn failed; restarting');
    this.status = 'restarting';
    await new Promise((r) => setTimeout(r, restartDelayMs(strategyOf(this.def), failures.length)));
    if ((this.status as ActivationStatus) === 'stopped') return;
    // A restart starts from the last persisted state, not from whatever the failed turn left in memory.
    if (this.persistent) {
      const entry = await getLive(this.host.stateKv, this.stateKey()).catch(() => undefined);
      if (entry) {
        const record = decode<StateRecord>(entry.value);
        if (record.e > this.epoch) throw new Fenced(`a newer activation (epoch ${record.e}) exists`);
        this.state = this.migrate(record);
        this.revision = entry.revision;
      }
    }
    // A restart is a new incarnation: the failed one's timers, calls in flight and other memory belong to a state
    // that may never have been written (a certificate kept waiting for the reply to a call its restored state never
    // made). They are released, and the kind's onActivate runs as on any activation, re-arming what the state needs.
    for (const t of this.timers?.values() ?? []) clearTimeout(t);
    this.timers = undefined;
    await this.releaseVolatile('restart');
    if ((this.status as ActivationStatus) === 'stopped') return;
    this.status = 'active';
    this.mailbox.requeueFront(this.redo);
    this.redo = NONE as never;
    if (this.def.onActivate)
      await this.turn({ msg: { type: '$Activated' } }, () => this.def.onActivate!(new TurnContext(this)));
  }

  private async markFailed(): Promise<void> {
    this.status = 'failed';
    if (this.persistent) {
      await this.write({
        v: this.schemaVersion,
        e: this.epoch,
        s: this.state,
        d: this.dedupe,
        f: { error: this.lastError ?? '', at: this.host.now(), restarts: this.restarts },
      }).catch((err) => this.log.warn({ err: (err as Error).message }, 'could not persist Failed mark'));
    }
    for (const d of this.takeQueued()) answer(d, 'failed', `actor is Failed: ${this.lastError}`, 10_000);
    const parent = this.def.parentOf?.(this.id);
    if (parent) {
      const msg: ChildFailed = {
        type: '$ChildFailed',
        child: { kind: this.kind, id: this.id },
        error: this.lastError ?? '',
        restarts: this.restarts,
      };
      this.host.tell(parent.kind, parent.id, msg);
    }
  }

  /** Clears the Failed mark (sent by the parent through resetChild). */
  private async reset(d: Delivery): Promise<void> {
    this.failures = NONE;
    this.status = 'active';
    if (this.persistent) await this.write({ v: this.schemaVersion, e: this.epoch, s: this.state, d: this.dedupe });
    this.log.info('Failed mark cleared; actor runs again');
    d.reply?.({ ok: true, v: undefined });
    d.command?.ack();
  }

  // --- what the context calls ---
  getState(): unknown {
    return this.nextState;
  }
  setState(next: unknown): void {
    this.nextState = next;
    this.dirty = true;
  }
  setTimer(name: string, delayMs: number, msg: Message): void {
    this.cancelTimer(name);
    this.timers ??= new Map();
    this.timers.set(
      name,
      setTimeout(
        () => {
          this.timers?.delete(name);
          if (this.status === 'stopped') this.host.tell(this.kind, this.id, msg);
          else if (!this.enqueue({ msg })) this.log.warn({ timer: name }, 'mailbox full: timer message dropped');
        },
        Math.max(0, delayMs),
      ),
    );
  }
  cancelTimer(name: string): void {
    const t = this.timers?.get(name);
    if (t) clearTimeout(t);
    this.timers?.delete(name);
  }
  pipeToSelf<T>(
    work: Promise<T>,
    toMessage: (o: { ok: true; value: T } | { ok: false; error: Error }) => Message,
  ): void {
    work
      .then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error: error instanceof Error ? error : new Error(String(error)) }),
      )
      .then((outcome) => {
        const msg = toMessage(outcome);
        // After a stop or a move the result still reaches the actor, wherever it lives now: a confirmed delivery,
        // since a plain tell published while the shard has no owner yet is dropped, and an issuer whose set-up result
        // was lost in a handover would never become Ready (nothing else sets it up again).
        if (this.status === 'stopped' || !this.enqueue({ msg }))
          this.host
            .deliver(this.kind, this.id, msg, FORWARD_TIMEOUT_MS)
            .catch((err: Error) =>
              this.log.warn({ type: msg.type, err: err.message }, 'the result of async work could not be delivered'),
            );
      });
  }
  requestPassivation(): void {
    this.passivateRequested = true;
  }
}

const NONE: readonly never[] = Object.freeze([]);

/** A delivery whose sender is not told how its turn went: a plain tell, a confirmed delivery (told at enqueue). */
function unanswerable(d: Delivery): boolean {
  return !d.command && (!d.reply || d.onEnqueued !== undefined);
}

/** How long a graceful handover waits for a running turn. */
const HANDOVER_TURN_WAIT_MS = 2_000;

/** About 10 s of retries (backoff 200 ms doubling to 2 s). */
const ACTIVATION_ATTEMPTS = 8;

/** No responders, timeouts, disconnects: conditions that pass when NATS or a stream leader is back. */
function isTransientNatsError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    ['503', 'TIMEOUT', 'DISCONNECT', 'CONNECTION_CLOSED'].includes(String(e?.code)) ||
    /503|timeout|no responders|leader/i.test(e?.message ?? '')
  );
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof (x as PromiseLike<unknown> | undefined)?.then === 'function';
}

const strategies = new WeakMap<AnyActorDefinition, SupervisionStrategy>();
/** One merged strategy per actor kind, not per activation. */
function strategyOf(def: AnyActorDefinition): SupervisionStrategy {
  let s = strategies.get(def);
  if (!s) {
    s = { ...defaultSupervision, ...def.supervision };
    strategies.set(def, s);
  }
  return s;
}

/**
 * Answers a delivery with an error: asks get the code; a command is redelivered later with a growing delay, unless
 * the refusal is permanent or it was delivered its maximum number of times, when it becomes a dead letter.
 */
export function answer(d: Delivery, code: ReplyErrorCode, error: string, nakDelayMs = 1000): void {
  d.reply?.({ ok: false, code, error });
  const c = d.command;
  if (!c) return;
  if (PERMANENT_REFUSALS.includes(code)) c.term(`${code}: ${error}`);
  // A shard moving is no fault of the command: the new owner's consumer delivers it again, without a limit.
  else if (code === 'not-owner' || code === 'stopped') c.nak(nakDelayMs);
  else if (c.deliveries >= c.maxDeliveries) c.term(`${code} after ${c.deliveries} deliveries: ${error}`);
  else c.nak(Math.min(60_000, nakDelayMs * 2 ** (c.deliveries - 1)));
}
