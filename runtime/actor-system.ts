import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { JetStreamClient, JetStreamManager, JsMsg, KV, Msg, NatsConnection, Subscription } from 'nats';
import type { Logger } from 'pino';
import { Activation, type ActivationHost, answer, type CommandHandle, type Delivery } from './activation.js';
import { ActorClient } from './actor-client.js';
import {
  ActorError,
  type ActorRef,
  type AnyActorDefinition,
  type Envelope,
  type Message,
  type OutgoingMessage,
  type Reply,
} from './actor-types.js';
import { type ActorFilter, type ActorView, AdminService, clampLimit, type DeadLetter, type PodView } from './admin.js';

/** Dead letters a pod keeps for the admin subject (the log and the counter have all of them). */
const DEAD_LETTERS_KEPT = 100;
/** How long a confirmed tell left in a stopped actor's mailbox is retried at the shard's new owner. */
const FORWARD_TIMEOUT_MS = 30_000;

import { type Clock, systemClock } from './clock.js';
import { CodecError, decode, encode } from './codec.js';
import { ensureCommandStream, ShardCommandConsumer } from './command-consumer.js';
import { FailStop } from './fail-stop.js';
import { desiredShards, shardOf } from './hashing.js';
import { getLive, openBucket } from './kv.js';
import { createLogger } from './logger.js';
import { Membership } from './membership.js';
import { Names, validKind } from './names.js';
import { Reminders } from './reminders.js';
import { retrying } from './retry.js';
import { type HeldLease, type LeaseSettings, ShardLeases } from './shard-leases.js';
import { envelopeProblem, storedShardCount } from './system-checks.js';
import { TurnLimiter } from './turn-limiter.js';

export interface RuntimeMetrics {
  pod: string;
  shardsOwned: number;
  draining: boolean;
  stopped: boolean;
  kinds: Record<string, { byStatus: Record<string, number>; mailbox: number; restarts: number }>;
  counters: Record<string, number>;
}

export interface ActorSystemOptions {
  nc: NatsConnection;
  kinds: AnyActorDefinition[];
  /** Separates several systems on one NATS (subjects and bucket names start with it). */
  system?: string;
  pod?: string;
  /** Fixed for the life of a system; stored once, and a pod configured differently refuses to start. */
  shards?: number;
  /** JetStream replicas for buckets and the command stream (3 in a 3-node cluster). */
  replicas?: number;
  lease?: Partial<LeaseSettings>;
  heartbeatMs?: number;
  memberDeadAfterMs?: number;
  mailboxCapacity?: number;
  idleTimeoutMs?: number;
  /**
   * A command refused this often (the actor Failed, busy) is given up as a dead letter instead of being redelivered
   * for ever; refusals no retry can change (unknown kind, invalid message) give it up at once. Default 10.
   */
  maxCommandDeliveries?: number;
  failStopAfterMs?: number;
  /** Called when the pod must stop (sustained KV failure); the default logs and exits the process. */
  onFatal?: (reason: string) => void;
  clock?: Clock;
  log?: Logger;
}

interface Region {
  shard: number;
  lease: HeldLease;
  sub: Subscription;
  querySub: Subscription;
  commands: ShardCommandConsumer;
  activations: Map<string, Activation>;
}

const DEFAULTS = {
  system: 'certmgmt',
  shards: 32,
  replicas: 3,
  heartbeatMs: 1000,
  memberDeadAfterMs: 4000,
  mailboxCapacity: 1000,
  idleTimeoutMs: 600_000,
  maxCommandDeliveries: 10,
  failStopAfterMs: 30_000,
};
export const DEFAULT_LEASE: LeaseSettings = { ttlMs: 5000, renewEveryMs: 1500, safetyMarginMs: 500 };

function actorKey(kind: string, id: string): string {
  return `${kind}/${id}`;
}

/**
 * A pod's part of the actor system: it holds the leases of the shards rendezvous hashing gives it, runs the actors of
 * those shards, and routes tell/ask/command to whichever pod owns the target's shard.
 */
export class ActorSystem implements ActivationHost {
  readonly pod: string;
  readonly names: Names;
  readonly shardCount: number;
  readonly log: Logger;
  readonly stateKv: KV;
  readonly client: ActorClient;
  private readonly kinds = new Map<string, AnyActorDefinition>();
  private readonly regions = new Map<number, Region>();
  private readonly opening = new Set<number>();
  private readonly clock: Clock;
  private membership!: Membership;
  private leases!: ShardLeases;
  private reminders!: Reminders;
  private admin!: AdminService;
  private readonly failStop: FailStop;
  private reconciling = false;
  private reconcileAgain = false;
  private tick: NodeJS.Timeout | undefined;
  private sweep: NodeJS.Timeout | undefined;
  private draining = false;
  private stopped = false;
  /** Counters for the admin view and metrics. */
  readonly stats = {
    delivered: 0,
    processed: 0,
    busy: 0,
    badRequests: 0,
    activations: 0,
    deadLetters: 0,
    forwarded: 0,
  };
  /** The last commands this pod gave up on (admin op dead-letters), newest last. */
  private readonly deadLetters: DeadLetter[] = [];
  /** Confirmed tells being passed on to a shard's new owner (see forwardQueued); shutdown waits for them. */
  private readonly forwarding = new Set<Promise<void>>();

  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    private readonly opts: Required<Pick<ActorSystemOptions, 'mailboxCapacity' | 'idleTimeoutMs'>> & ActorSystemOptions,
    buckets: { config: KV; members: KV; leases: KV; state: KV; reminders: KV },
    private readonly leaseSettings: LeaseSettings,
  ) {
    this.pod = opts.pod ?? `${hostname()}-${randomBytes(3).toString('hex')}`;
    this.names = new Names(opts.system ?? DEFAULTS.system);
    this.shardCount = opts.shards ?? DEFAULTS.shards;
    this.client = new ActorClient(nc, this.names.system, this.shardCount);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? createLogger(this.pod);
    this.stateKv = buckets.state;
    for (const def of opts.kinds) {
      if (!validKind(def.kind)) throw new Error(`invalid actor kind "${def.kind}": lower-case letters, digits and -`);
      this.kinds.set(def.kind, def);
    }
    this.failStop = new FailStop(
      opts.failStopAfterMs ?? DEFAULTS.failStopAfterMs,
      () => this.clock.monotonic(),
      (reason) => this.fatal(reason),
    );
    this.membership = new Membership(
      buckets.members,
      this.names,
      this.pod,
      this.clock,
      {
        heartbeatMs: opts.heartbeatMs ?? DEFAULTS.heartbeatMs,
        deadAfterMs: opts.memberDeadAfterMs ?? DEFAULTS.memberDeadAfterMs,
      },
      this.failStop,
      this.log,
      () => this.scheduleReconcile(),
    );
    this.leases = new ShardLeases(
      buckets.leases,
      this.names,
      this.pod,
      this.clock,
      leaseSettings,
      this.failStop,
      this.log,
      (shard, reason) => this.closeRegion(shard, reason, false),
      () => this.scheduleReconcile(),
    );
    this.reminders = new Reminders(buckets.reminders, this.names, this.clock, this.log, (ref, msg, done) =>
      this.deliverLocal(ref.kind, ref.id, { msg, reply: done }),
    );
    this.admin = new AdminService(
      nc,
      this.names,
      this.pod,
      {
        localView: (filter) => this.localView(filter),
        members: () => this.membership.all(),
        info: () => ({ system: this.names.system, shards: this.shardCount }),
        shardOwners: () => this.leases.observedOwners(),
        inspect: (kind, id) => this.ask(kind, id, { type: '$Inspect' }, 5000),
      },
      this.log,
    );
  }

  static async start(opts: ActorSystemOptions): Promise<ActorSystem> {
    const names = new Names(opts.system ?? DEFAULTS.system);
    const replicas = opts.replicas ?? DEFAULTS.replicas;
    const js = opts.nc.jetstream();
    const jsm = await retrying('connecting to JetStream', () => opts.nc.jetstreamManager());
    const open = (purpose: Parameters<Names['bucket']>[0], allowDirect = true) =>
      retrying(`opening KV bucket ${names.bucket(purpose)}`, () =>
        openBucket(js, names.bucket(purpose), { replicas, allowDirect }),
      );
    // Lease reads must not come from a lagging follower; the other buckets tolerate it (CAS is the truth).
    const [config, members, leases, state, reminders] = await Promise.all([
      open('config'),
      open('members'),
      open('leases', false),
      open('state'),
      open('reminders'),
    ]);
    const shards = opts.shards ?? DEFAULTS.shards;
    const stored = await retrying('reading the shard count', () => storedShardCount(config, shards));
    if (stored !== shards) {
      throw new Error(
        `this actor system was created with ${stored} shards but this pod is configured with ${shards}; shard counts cannot change (configure ${stored})`,
      );
    }
    await retrying('creating the command stream', () => ensureCommandStream(jsm, names, replicas));
    const lease = { ...DEFAULT_LEASE, ...opts.lease };
    const system = new ActorSystem(
      opts.nc,
      js,
      jsm,
      { mailboxCapacity: DEFAULTS.mailboxCapacity, idleTimeoutMs: DEFAULTS.idleTimeoutMs, ...opts },
      { config, members, leases, state, reminders },
      lease,
    );
    await system.run();
    return system;
  }

  private async run(): Promise<void> {
    await this.leases.start();
    await this.membership.start();
    await this.admin.start();
    this.tick = setInterval(() => this.scheduleReconcile(), 250);
    const idle = this.opts.idleTimeoutMs;
    this.sweep = setInterval(() => this.passivateIdle(), Math.max(50, Math.min(idle / 4, 30_000)));
    this.scheduleReconcile();
    this.log.info(
      { shards: this.shardCount, kinds: [...this.kinds.keys()], leaseTtlMs: this.leaseSettings.ttlMs },
      'actor system started',
    );
  }

  // ---------------------------------------------------------------- public API

  /** Fire-and-forget, at most once. Use ask or command when delivery must be confirmed. */
  tell(kind: string, id: string, msg: OutgoingMessage): void {
    const shard = shardOf(kind, id, this.shardCount);
    if (this.regions.has(shard) && this.leases.isValid(shard) && this.deliverLocal(kind, id, { msg }, shard)) return;
    try {
      this.client.tell(kind, id, msg);
    } catch (err) {
      this.log.warn({ kind, id, err: (err as Error).message }, 'tell failed');
    }
  }

  /**
   * Request/reply with the actor, wherever it lives. Retries while the shard has no owner or is moving, until the
   * deadline; a reply is sent only after the turn's state change is persisted.
   */
  ask<R = unknown>(kind: string, id: string, msg: OutgoingMessage, timeoutMs = 5000): Promise<R> {
    const shard = shardOf(kind, id, this.shardCount);
    // Actors of shards this pod holds are asked directly, without a round trip through NATS.
    const local = () =>
      this.regions.has(shard) && this.leases.isValid(shard)
        ? new Promise<Reply>((resolve) => {
            if (!this.deliverLocal(kind, id, { msg, reply: resolve }, shard))
              resolve({ ok: false, code: 'not-owner', error: 'not owner' });
          })
        : undefined;
    return this.client.askVia<R>(kind, id, msg, timeoutMs, local);
  }

  /** Confirmed tell: resolves once the message is in the actor's mailbox (see ActorContext.deliver). */
  async deliver(kind: string, id: string, msg: OutgoingMessage, timeoutMs = 5000): Promise<void> {
    const shard = shardOf(kind, id, this.shardCount);
    const local = () =>
      this.regions.has(shard) && this.leases.isValid(shard)
        ? new Promise<Reply>((resolve) => {
            const d = enqueueOnlyDelivery(msg, resolve, () => this.forwardQueued(kind, id, msg));
            if (!this.deliverLocal(kind, id, d, shard)) resolve({ ok: false, code: 'not-owner', error: 'not owner' });
          })
        : undefined;
    await this.client.askVia(kind, id, msg, timeoutMs, local, true);
  }

  /**
   * A durable command: stored in JetStream, delivered to the actor's owner, acknowledged only after the actor's turn
   * (and its dedupe record) is persisted. The same msgId sent twice takes effect once.
   */
  async command(kind: string, id: string, msg: OutgoingMessage, msgId: string): Promise<{ duplicate: boolean }> {
    if (!this.kinds.has(kind)) throw new ActorError('unknown-kind', `unknown actor kind "${kind}"`);
    return this.client.command(kind, id, msg, msgId);
  }

  /** Graceful handover: drain, persist, release every lease so successors take over at once. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.draining = true;
    clearInterval(this.tick);
    clearInterval(this.sweep);
    await this.membership.setDraining();
    await Promise.all([...this.regions.keys()].map((s) => this.handOff(s)));
    // Messages that were confirmed here but not yet handled are on their way to the new owners.
    await Promise.race([
      Promise.allSettled([...this.forwarding]),
      new Promise((r) => setTimeout(r, FORWARD_TIMEOUT_MS).unref()),
    ]);
    await this.stopServices();
  }

  /**
   * A confirmed tell (deliver) that was queued here when its actor stopped for a handover or passivation: its sender
   * was told it arrived, so it is passed on to wherever the actor lives now instead of being dropped. Retried while
   * the shard has no owner, as deliver does.
   */
  private forwardQueued(kind: string, id: string, msg: Message): void {
    if (this.stopped) return;
    const p = this.client
      .askVia(kind, id, msg, FORWARD_TIMEOUT_MS, undefined, true)
      .then(() => {
        this.stats.forwarded++;
      })
      .catch((err: Error) => {
        this.log.warn({ kind, id, type: msg.type, err: err.message }, 'a queued message could not be passed on');
      })
      .finally(() => this.forwarding.delete(p));
    this.forwarding.add(p);
  }

  private async stopServices(): Promise<void> {
    this.stopped = true;
    await this.admin.stop();
    await this.membership.leave();
    await this.leases.stop();
  }

  /** This pod's shards and actors (admin, metrics); the actor list is filtered, ordered and cut to the limit. */
  localView(filter: ActorFilter = {}): PodView {
    const limit = clampLimit(filter.limit);
    const byKind: Record<string, Record<string, number>> = {};
    const matching: Activation[] = [];
    let count = 0;
    let mailboxTotal = 0;
    let restartsTotal = 0;
    for (const r of this.regions.values()) {
      for (const a of r.activations.values()) {
        mailboxTotal += a.mailboxDepth;
        restartsTotal += a.restarts;
        byKind[a.kind] ??= {};
        const counts = byKind[a.kind]!;
        counts[a.status] = (counts[a.status] ?? 0) + 1;
        if ((!filter.kind || a.kind === filter.kind) && (!filter.status || a.status === filter.status)) {
          count++;
          if (limit > 0) matching.push(a);
        }
      }
    }
    // Sorting is only needed for the page; counts-only views (limit 0) stay cheap with many actors.
    if (limit > 0)
      matching.sort((x, y) => (x.kind < y.kind ? -1 : x.kind > y.kind ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    return {
      pod: this.pod,
      draining: this.draining,
      shards: [...this.regions.values()].map((r) => ({
        shard: r.shard,
        epoch: r.lease.epoch,
        valid: this.leases.isValid(r.shard),
      })),
      actorCount: count,
      byKind,
      actors: matching.slice(0, limit).map((a) => ({
        kind: a.kind,
        id: a.id,
        shard: a.shard,
        status: a.status,
        mailbox: a.mailboxDepth,
        restarts: a.restarts,
        lastError: a.lastError,
        pod: this.pod,
      })),
      reminders: this.reminders.armed,
      stats: { ...this.stats },
      deadLetters: [...this.deadLetters],
      mailboxTotal,
      restartsTotal,
    };
  }

  private readonly limiters = new Map<string, TurnLimiter>();
  private static readonly NO_LIMIT = () => {};

  turnPermit(def: AnyActorDefinition, priority: number): Promise<() => void> | (() => void) {
    const limit = def.maxConcurrentTurns;
    if (!limit || limit < 1) return ActorSystem.NO_LIMIT;
    let limiter = this.limiters.get(def.kind);
    if (!limiter) {
      limiter = new TurnLimiter(limit);
      this.limiters.set(def.kind, limiter);
    }
    return limiter.acquire(priority);
  }

  /** Started and neither draining nor stopped (a readiness probe; cheap, unlike metricsSnapshot). */
  get serving(): boolean {
    return !this.draining && !this.stopped;
  }

  /** Figures for a metrics endpoint: actors, mailbox depth and restarts per kind, shards held, counters. */
  metricsSnapshot(): RuntimeMetrics {
    const kinds: RuntimeMetrics['kinds'] = {};
    for (const r of this.regions.values()) {
      for (const a of r.activations.values()) {
        kinds[a.kind] ??= { byStatus: {}, mailbox: 0, restarts: 0 };
        const k = kinds[a.kind]!;
        k.byStatus[a.status] = (k.byStatus[a.status] ?? 0) + 1;
        k.mailbox += a.mailboxDepth;
        k.restarts += a.restarts;
      }
    }
    return {
      pod: this.pod,
      shardsOwned: this.regions.size,
      draining: this.draining,
      stopped: this.stopped,
      kinds,
      counters: { ...this.stats },
    };
  }

  // ---------------------------------------------------------------- ActivationHost

  now(): number {
    return this.clock.now();
  }
  leaseValid(shard: number): boolean {
    return !this.stopped && this.leases.isValid(shard);
  }
  stateKey(kind: string, id: string): string {
    return this.names.stateKey(kind, id);
  }
  setReminder(shard: number, ref: ActorRef, name: string, dueAt: number, msg: Message): Promise<void> {
    return this.reminders.set(shard, ref, name, dueAt, msg);
  }
  cancelReminder(shard: number, ref: ActorRef, name: string): Promise<void> {
    return this.reminders.cancel(shard, ref, name);
  }
  onStopped(a: Activation): void {
    const r = this.regions.get(a.shard);
    const key = actorKey(a.kind, a.id);
    if (r?.activations.get(key) === a) r.activations.delete(key);
  }
  kvWriteFailed(err: unknown): void {
    this.failStop.failed(err);
  }
  kvWriteOk(): void {
    this.failStop.ok();
  }
  turnDone(): void {
    this.stats.processed++;
  }

  // ---------------------------------------------------------------- delivery

  /**
   * Hands a message to the local activation (creating it if needed). Returns false only when this pod cannot take it
   * (not the owner); every other refusal is answered on the delivery itself.
   */
  private deliverLocal(kind: string, id: string, d: Delivery, shard = shardOf(kind, id, this.shardCount)): boolean {
    const region = this.regions.get(shard);
    if (!region || !this.leaseValid(shard)) return false;
    const def = this.kinds.get(kind);
    if (!def) {
      answer(d, 'unknown-kind', `unknown actor kind "${kind}"`);
      return true;
    }
    if (d.msg.type === '$Inspect') {
      void this.inspect(region, kind, id).then(
        (v) => d.reply?.({ ok: true, v }),
        (err: Error) => answer(d, 'handler-error', err.message),
      );
      return true;
    }
    if (!d.msg.type.startsWith('$')) {
      const problem = def.validate?.(d.msg);
      if (problem) {
        answer(d, 'invalid-message', `${kind} refused ${d.msg.type}: ${problem}`);
        return true;
      }
    }
    const key = actorKey(kind, id);
    let a = region.activations.get(key);
    if (!a) {
      a = new Activation(def, id, shard, region.lease.epoch, this, def.mailboxCapacity ?? this.opts.mailboxCapacity);
      region.activations.set(key, a);
      this.stats.activations++;
    }
    if (!a.enqueue(d)) {
      this.stats.busy++;
      const capacity = def.mailboxCapacity ?? this.opts.mailboxCapacity;
      answer(d, 'busy', `mailbox of ${kind}/${id} is full (${capacity}); retry later`);
    } else {
      this.stats.delivered++;
      d.onEnqueued?.();
    }
    return true;
  }

  private async inspect(
    region: Region,
    kind: string,
    id: string,
  ): Promise<ActorView & { state: unknown; epoch: number }> {
    const a = region.activations.get(actorKey(kind, id));
    if (a) {
      return {
        kind,
        id,
        shard: region.shard,
        status: a.status,
        mailbox: a.mailboxDepth,
        restarts: a.restarts,
        lastError: a.lastError,
        pod: this.pod,
        epoch: a.epoch,
        state: a.currentState(),
      };
    }
    const e = await getLive(this.stateKv, this.names.stateKey(kind, id));
    const rec = e ? decode<{ s: unknown; e: number; f?: { error: string; restarts: number } }>(e.value) : undefined;
    return {
      kind,
      id,
      shard: region.shard,
      status: rec?.f ? 'failed' : rec ? 'passive' : 'absent',
      mailbox: 0,
      restarts: rec?.f?.restarts ?? 0,
      lastError: rec?.f?.error,
      pod: this.pod,
      epoch: rec?.e ?? 0,
      state: rec?.s,
    };
  }

  /** Messages arriving on a shard subject (from other pods or any NATS client). */
  private onShardMessage(shard: number, m: Msg, queryOnly = false): void {
    const reply = (r: Reply) => {
      if (!m.reply) return;
      try {
        m.respond(encode(r));
      } catch (err) {
        m.respond(encode({ ok: false, code: 'too-large', error: (err as Error).message } satisfies Reply));
      }
    };
    let env: Envelope;
    try {
      env = decode<Envelope>(m.data);
      const problem = envelopeProblem(env);
      if (problem) throw new CodecError(problem, 'undecodable');
    } catch (err) {
      this.stats.badRequests++;
      this.log.warn({ shard, err: (err as Error).message, bytes: m.data.length }, 'refused a malformed message');
      reply({
        ok: false,
        code: err instanceof CodecError && err.code === 'too-large' ? 'too-large' : 'bad-request',
        error: (err as Error).message,
      });
      return;
    }
    if (queryOnly && !this.kinds.get(env.k)?.queries?.includes(env.m.type)) {
      reply({
        ok: false,
        code: 'not-a-query',
        error: `${env.m.type} is not a read-only query of kind "${env.k}"; send it on the shard subject (needs command permission)`,
      });
      return;
    }
    if (shardOf(env.k, env.i, this.shardCount) !== shard) {
      reply({ ok: false, code: 'bad-request', error: `${env.k}/${env.i} does not belong to shard ${shard}` });
      return;
    }
    const delivery =
      env.q && m.reply
        ? enqueueOnlyDelivery(env.m, reply, () => this.forwardQueued(env.k, env.i, env.m))
        : { msg: env.m, reply: m.reply ? reply : undefined };
    if (!this.deliverLocal(env.k, env.i, delivery, shard)) {
      reply({ ok: false, code: 'not-owner', error: `pod ${this.pod} does not own shard ${shard}` });
    }
  }

  /** A command that will never take effect: logged, counted and kept for the admin subject. */
  private recordDeadLetter(letter: Omit<DeadLetter, 'at' | 'pod'>): void {
    this.stats.deadLetters++;
    this.deadLetters.push({ ...letter, at: new Date(this.now()).toISOString(), pod: this.pod });
    if (this.deadLetters.length > DEAD_LETTERS_KEPT) this.deadLetters.shift();
    this.log.warn(letter, 'command given up (dead letter)');
  }

  private onCommand(shard: number, m: JsMsg): void {
    let env: Envelope;
    try {
      env = decode<Envelope>(m.data);
      const problem = envelopeProblem(env) ?? (env.c ? undefined : 'command without id');
      if (problem) throw new Error(problem);
    } catch (err) {
      this.stats.badRequests++;
      this.log.warn({ shard, subject: m.subject, err: (err as Error).message }, 'dropping malformed command');
      this.recordDeadLetter({ shard, subject: m.subject, reason: `bad-request: ${(err as Error).message}` });
      m.term();
      return;
    }
    const handle: CommandHandle = {
      id: env.c!,
      ack: () => m.ack(),
      nak: (delayMs?: number) => m.nak(delayMs),
      deliveries: m.info.redeliveryCount,
      maxDeliveries: this.opts.maxCommandDeliveries ?? DEFAULTS.maxCommandDeliveries,
      term: (reason: string) => {
        this.recordDeadLetter({ kind: env.k, id: env.i, type: env.m.type, commandId: env.c!, shard, reason });
        m.term();
      },
    };
    if (!this.deliverLocal(env.k, env.i, { msg: env.m, command: handle })) m.nak(200);
  }

  // ---------------------------------------------------------------- placement

  private scheduleReconcile(): void {
    if (this.stopped || this.draining) return;
    if (this.reconciling) {
      this.reconcileAgain = true;
      return;
    }
    this.reconciling = true;
    void this.reconcile()
      .catch((err) => this.log.warn({ err: (err as Error).message }, 'placement round failed'))
      .finally(() => {
        this.reconciling = false;
        if (this.reconcileAgain) {
          this.reconcileAgain = false;
          this.scheduleReconcile();
        }
      });
  }

  /** Takes the shards rendezvous hashing gives this pod and hands over the ones it no longer should hold. */
  private async reconcile(): Promise<void> {
    this.leases.expireOverdue();
    const desired = desiredShards(this.pod, this.membership.live(), this.shardCount);
    const work: Promise<unknown>[] = [];
    for (const shard of this.regions.keys()) if (!desired.has(shard)) work.push(this.handOff(shard));
    for (const shard of desired) {
      if (this.regions.has(shard) || this.opening.has(shard)) continue;
      work.push(this.acquire(shard));
    }
    await Promise.all(work);
  }

  private async acquire(shard: number): Promise<void> {
    this.opening.add(shard);
    try {
      const lease = await this.leases.tryAcquire(shard);
      if (!lease || this.stopped || this.draining) {
        if (lease) await this.leases.release(shard);
        return;
      }
      const sub = this.nc.subscribe(this.names.shardSubject(shard), {
        callback: (err, m) => {
          if (!err) this.onShardMessage(shard, m);
        },
      });
      const querySub = this.nc.subscribe(this.names.querySubject(shard), {
        callback: (err, m) => {
          if (!err) this.onShardMessage(shard, m, true);
        },
      });
      const commands = new ShardCommandConsumer(this.js, this.jsm, this.names, shard, this.log, (m) =>
        this.onCommand(shard, m),
      );
      const region: Region = { shard, lease, sub, querySub, commands, activations: new Map() };
      this.regions.set(shard, region);
      // Not awaited: the consumer retries its own start, and a slow JetStream API must not hold up this placement
      // round (handing shards to new pods waits for it).
      void commands.start();
      await this.reminders
        .loadShard(shard)
        .catch((err) => this.log.warn({ shard, err: (err as Error).message }, 'loading reminders failed'));
      this.log.info({ shard, epoch: lease.epoch }, 'shard acquired');
    } finally {
      this.opening.delete(shard);
    }
  }

  /** Graceful: stop taking messages, let running turns finish (their state is persisted), release the lease. */
  private async handOff(shard: number): Promise<void> {
    await this.closeRegion(shard, 'handover', true);
    await this.leases.release(shard);
    this.log.info({ shard }, 'shard handed over');
  }

  private async closeRegion(shard: number, reason: string, graceful: boolean): Promise<void> {
    const region = this.regions.get(shard);
    if (!region) return;
    this.regions.delete(shard);
    this.reminders.unloadShard(shard);
    await Promise.all([
      // Drain, not unsubscribe: messages already on their way to us are still answered ("not-owner", so senders
      // retry at the new owner) instead of being dropped and left to time out.
      region.sub.drain().catch(() => region.sub.unsubscribe()),
      region.querySub.drain().catch(() => region.querySub.unsubscribe()),
      region.commands.stop(),
      ...[...region.activations.values()].map((a) => a.stop(reason, { waitForTurn: graceful })),
    ]);
    if (!graceful) this.log.warn({ shard, reason, actors: region.activations.size }, 'shard closed');
  }

  private passivateIdle(): void {
    const now = this.clock.now();
    for (const r of this.regions.values()) {
      for (const a of r.activations.values()) {
        const idle = a.def.idleTimeoutMs ?? this.opts.idleTimeoutMs;
        if (a.status !== 'failed' && !a.busy && !a.hasTimers && now - a.lastActive > idle) void a.stop('idle');
      }
    }
  }

  private fatal(reason: string): void {
    this.log.fatal({ reason }, 'fail-stop');
    if (this.opts.onFatal) this.opts.onFatal(reason);
    else process.exit(70);
  }
}

/**
 * A delivery answered when queued; the turn's own reply is dropped. A not-owner answer after queueing means the actor
 * stopped (handover, passivation) with the message still in its mailbox: `forward` passes it on to the new owner.
 */
function enqueueOnlyDelivery(msg: Message, reply: (r: Reply) => void, forward: () => void): Delivery {
  let answered = false;
  const once = (r: Reply) => {
    if (answered) {
      if (!r.ok && r.code === 'not-owner') forward();
      return;
    }
    answered = true;
    reply(r);
  };
  return { msg, reply: once, onEnqueued: () => once({ ok: true, v: undefined }) };
}
