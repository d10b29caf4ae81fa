import type { KV } from 'nats';
import type { Logger } from 'pino';
import type { ActorRef, Message, Reply, ReplyErrorCode } from './actor-types.js';
import type { Clock } from './clock.js';
import { decode, encode } from './codec.js';
import type { Names } from './names.js';

interface ReminderRecord {
  k: string;
  i: string;
  n: string;
  due: number;
  m: Message;
}

// setTimeout overflows past ~24.8 days; longer reminders re-arm at this horizon.
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Refusals that say "not now" rather than "handled": the reminder stays and fires again shortly. */
const NOT_HANDLED: readonly ReplyErrorCode[] = ['busy', 'not-owner', 'stopped'];
const REFIRE_MS = 1000;
/**
 * A turn that threw (say its state write was refused while a NATS node restarted): the actor is restarted, and the
 * reminder fires again after this, so the work it drives is not left waiting for a message that never comes (seen:
 * two certificates Pending for 15 minutes after a NATS restart). An actor whose turns keep throwing is marked Failed
 * by its supervision, and a `failed` answer ends the reminder.
 */
const AFTER_ERROR_REFIRE_MS = 5000;

/**
 * Durable reminders: stored in KV under their shard, armed in memory by the shard's owner. A new owner loads the
 * shard's reminders and fires overdue ones at once. A reminder is deleted only once its actor's turn has answered
 * (its state change persisted), so a pod dying in between, even with the message already in the mailbox, leaves it
 * for the next owner (at least once; handlers are idempotent).
 */
export class Reminders {
  private readonly timers = new Map<string, { shard: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly kv: KV,
    private readonly names: Names,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Hands the message to the local activation (false: not this pod's); `done` gets the turn's answer. */
    private readonly deliver: (ref: ActorRef, msg: Message, done: (r: Reply) => void) => boolean,
  ) {}

  async loadShard(shard: number): Promise<number> {
    let n = 0;
    const keys = await this.kv.keys(`${shard}.>`);
    for await (const key of keys) {
      const e = await this.kv.get(key);
      if (e?.operation !== 'PUT') continue;
      try {
        this.arm(key, shard, decode<ReminderRecord>(e.value), e.revision);
        n++;
      } catch (err) {
        this.log.warn({ key, err: (err as Error).message }, 'dropping undecodable reminder');
      }
    }
    return n;
  }

  unloadShard(shard: number): void {
    for (const [key, t] of this.timers) {
      if (t.shard === shard) {
        clearTimeout(t.timer);
        this.timers.delete(key);
      }
    }
  }

  async set(shard: number, ref: ActorRef, name: string, dueAt: number, msg: Message): Promise<void> {
    const key = this.names.reminderKey(shard, ref.kind, ref.id, name);
    const record: ReminderRecord = { k: ref.kind, i: ref.id, n: name, due: dueAt, m: msg };
    const revision = await this.kv.put(key, encode(record));
    this.arm(key, shard, record, revision);
  }

  async cancel(shard: number, ref: ActorRef, name: string): Promise<void> {
    const key = this.names.reminderKey(shard, ref.kind, ref.id, name);
    const t = this.timers.get(key);
    if (t) clearTimeout(t.timer);
    this.timers.delete(key);
    await this.kv.delete(key);
  }

  /** Reminders armed on this pod (admin). */
  get armed(): number {
    return this.timers.size;
  }

  private arm(key: string, shard: number, record: ReminderRecord, revision: number): void {
    const prev = this.timers.get(key);
    if (prev) clearTimeout(prev.timer);
    const delay = Math.max(0, record.due - this.clock.now());
    const timer = setTimeout(
      () => {
        if (delay > MAX_TIMER_MS) return this.arm(key, shard, record, revision);
        this.fire(key, shard, record, revision);
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    this.timers.set(key, { shard, timer });
  }

  private fire(key: string, shard: number, record: ReminderRecord, revision: number): void {
    this.timers.delete(key);
    const handed = this.deliver({ kind: record.k, id: record.i }, record.m, (r) => {
      if (!r.ok && (NOT_HANDLED.includes(r.code) || r.code === 'handler-error')) {
        const after = r.code === 'handler-error' ? AFTER_ERROR_REFIRE_MS : REFIRE_MS;
        // Armed again only while nothing else is: the actor may have set this reminder anew meanwhile.
        if (!this.timers.has(key)) this.arm(key, shard, { ...record, due: this.clock.now() + after }, revision);
        return;
      }
      // Only delete the version we fired: the actor may have set the reminder again in the meantime.
      void this.kv.delete(key, { previousSeq: revision }).catch(() => {});
    });
    if (!handed) this.log.warn({ key }, 'reminder could not be delivered here (shard moved?); the new owner fires it');
  }
}
