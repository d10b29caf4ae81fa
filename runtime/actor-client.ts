import type { JetStreamClient, KV, NatsConnection } from 'nats';
import { ActorError, type Envelope, type OutgoingMessage, type Reply } from './actor-types.js';
import type { AdminReply, AdminRequest } from './admin.js';
import { decode, encode } from './codec.js';
import { shardOf } from './hashing.js';
import { getLive } from './kv.js';
import { Names } from './names.js';

/**
 * Talks to actors from outside the cluster (certctl, tests, other services) and is what pods use for remote targets.
 * It hosts nothing: it only knows the shard count and the subjects.
 */
export class ActorClient {
  readonly names: Names;
  private readonly js: JetStreamClient;
  /** Subjects per shard, built once: tell is the hot path. */
  private readonly subjects: string[];
  private readonly querySubjects: string[];

  constructor(
    readonly nc: NatsConnection,
    system: string,
    readonly shardCount: number,
  ) {
    this.names = new Names(system);
    this.js = nc.jetstream();
    this.subjects = Array.from({ length: shardCount }, (_, s) => this.names.shardSubject(s));
    this.querySubjects = Array.from({ length: shardCount }, (_, s) => this.names.querySubject(s));
  }

  /**
   * A client that learns the shard count from the admin subject instead of the config bucket: for callers allowed
   * only the admin and query subjects (observers), which may not read JetStream.
   */
  static async connectViaAdmin(nc: NatsConnection, system: string, timeoutMs = 10_000): Promise<ActorClient> {
    const probe = new ActorClient(nc, system, 1);
    const info = await probe.admin<{ shards: number }>({ op: 'info' }, timeoutMs);
    return new ActorClient(nc, system, info.shards);
  }

  /** A read-only request (a type the kind declares in `queries`), on the query subject; retried like ask. */
  query<R = unknown>(kind: string, id: string, msg: OutgoingMessage, timeoutMs = 5000): Promise<R> {
    return this.askVia<R>(kind, id, msg, timeoutMs, undefined, false, this.querySubjects[this.shardOf(kind, id)]);
  }

  /** A client for an existing system, reading its shard count from the config bucket. */
  static async connect(nc: NatsConnection, system: string): Promise<ActorClient> {
    const names = new Names(system);
    let config: KV;
    try {
      config = await nc.jetstream().views.kv(names.bucket('config'), { bindOnly: true });
    } catch (err) {
      throw new Error(
        `actor system "${system}" not found on this NATS (no ${names.bucket('config')} bucket): ${(err as Error).message}`,
      );
    }
    const e = await getLive(config, 'shards');
    if (!e) throw new Error(`actor system "${system}" has no shard count yet; is any pod running?`);
    return new ActorClient(nc, system, decode<{ shards: number }>(e.value).shards);
  }

  shardOf(kind: string, id: string): number {
    return shardOf(kind, id, this.shardCount);
  }

  tell(kind: string, id: string, msg: OutgoingMessage): void {
    this.nc.publish(this.subjects[this.shardOf(kind, id)], encode({ k: kind, i: id, m: msg } satisfies Envelope));
  }

  /** Request/reply; retries while the shard has no owner or is moving, until the deadline. */
  ask<R = unknown>(kind: string, id: string, msg: OutgoingMessage, timeoutMs = 5000): Promise<R> {
    return this.askVia<R>(kind, id, msg, timeoutMs);
  }

  /** Resolves once the message is in the actor's mailbox; retries while the shard has no owner or is moving. */
  async deliver(kind: string, id: string, msg: OutgoingMessage, timeoutMs = 5000): Promise<void> {
    await this.askVia(kind, id, msg, timeoutMs, undefined, true);
  }

  /**
   * The ask loop, shared with pods: `local` may answer without NATS (when the caller owns the shard); otherwise the
   * request goes to the shard's subject. Only `not-owner` (never delivered) is retried, so no ask is applied twice.
   * `enqueueOnly` asks for the answer at enqueue time (deliver).
   */
  async askVia<R>(
    kind: string,
    id: string,
    msg: OutgoingMessage,
    timeoutMs: number,
    local?: () => Promise<Reply> | undefined,
    enqueueOnly = false,
    subjectOverride?: string,
  ): Promise<R> {
    const subject = subjectOverride ?? this.subjects[this.shardOf(kind, id)]!;
    const data = encode({ k: kind, i: id, m: msg, ...(enqueueOnly ? { q: 1 as const } : {}) } satisfies Envelope);
    const deadline = performance.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const remaining = deadline - performance.now();
      // nats.js refuses a timeout under 1 ms (INVALID_OPTION), so a sliver of time left is a timeout too.
      if (remaining < 1)
        throw new ActorError('timeout', `ask ${kind}/${id} (${msg.type}) timed out after ${timeoutMs} ms`);
      const reply = await (local?.() ??
        this.request(subject, data, remaining, `${kind}/${id} (${msg.type})`, timeoutMs));
      if (reply.ok) return reply.v as R;
      if (reply.code !== 'not-owner') throw new ActorError(reply.code, reply.error);
      await new Promise((r) =>
        setTimeout(r, Math.min(25 * 2 ** attempt, 250, Math.max(0, deadline - performance.now()))),
      );
    }
  }

  /** One request; "no responders" becomes a not-owner reply so callers retry it like a moving shard. */
  async request(subject: string, data: Uint8Array, timeoutMs: number, what: string, totalMs: number): Promise<Reply> {
    try {
      const m = await this.nc.request(subject, data, { timeout: timeoutMs });
      return decode<Reply>(m.data);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === '503') return { ok: false, code: 'not-owner', error: 'no pod owns the shard yet' };
      if (code === 'TIMEOUT') throw new ActorError('timeout', `ask ${what} timed out after ${totalMs} ms`);
      throw err;
    }
  }

  /** A durable command (JetStream, deduplicated by msgId, acknowledged after the actor persisted its effect). */
  async command(kind: string, id: string, msg: OutgoingMessage, msgId: string): Promise<{ duplicate: boolean }> {
    const ack = await this.js.publish(
      this.names.commandSubject(this.shardOf(kind, id), kind, id),
      encode({ k: kind, i: id, m: msg, c: msgId } satisfies Envelope),
      { msgID: msgId },
    );
    return { duplicate: ack.duplicate };
  }

  /**
   * The admin subject: the answer covers every pod of the cluster. Any pod may answer (queue group), including one
   * that is frozen or cut off and not yet noticed by the server, so each try gets a short deadline and the request
   * goes out again (admin requests only read, so repeating them is harmless).
   */
  async admin<T = unknown>(req: AdminRequest, timeoutMs = 10_000): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const remaining = deadline - performance.now();
      try {
        const m = await this.nc.request(this.names.adminSubject(), encode(req), {
          timeout: Math.max(1, Math.min(ADMIN_TRY_MS, remaining)),
        });
        const r = decode<AdminReply>(m.data);
        if (!r.ok) throw new AdminRefused(r.error);
        return r.result as T;
      } catch (err) {
        if (err instanceof AdminRefused || deadline - performance.now() <= 0) throw err;
        const code = (err as { code?: string }).code;
        if (code !== 'TIMEOUT' && code !== '503') throw err;
        if (code === '503') await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}

/** Per-try deadline of admin requests; a healthy pod answers in milliseconds. */
const ADMIN_TRY_MS = 3000;

/** The cluster answered and said no: retrying would not help. */
class AdminRefused extends Error {}
