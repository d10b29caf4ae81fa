import type { KV, KvEntry } from 'nats';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import { decode, encode } from './codec.js';
import type { FailStop } from './fail-stop.js';
import { SupervisedKvWatch } from './kv-watch.js';
import type { Names } from './names.js';

export interface MemberRecord {
  pod: string;
  startedAt: number;
  draining: boolean;
  /** Heartbeat counter: every put changes the revision, which is what liveness is judged by. */
  beat: number;
}

interface Observed {
  record: MemberRecord;
  revision: number;
  /** Local monotonic time the current revision was first seen: peers' clocks are never compared. */
  seenAt: number;
}

/**
 * Pods announce themselves with a heartbeat key in KV. A peer whose record has not changed for `deadAfterMs` on our
 * own clock is considered gone (client-go's leader election judges the same way: tolerant of clock offsets).
 */
export class Membership {
  private readonly observed = new Map<string, Observed>();
  private beat = 0;
  private draining = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private watch: SupervisedKvWatch | undefined;
  private lastLive = '';
  private readonly startedAt: number;

  constructor(
    private readonly kv: KV,
    private readonly names: Names,
    readonly pod: string,
    private readonly clock: Clock,
    private readonly opts: { heartbeatMs: number; deadAfterMs: number },
    private readonly failStop: FailStop,
    private readonly log: Logger,
    private readonly onChange: () => void,
  ) {
    this.startedAt = clock.now();
  }

  async start(): Promise<void> {
    await this.heartbeat();
    let initialized!: () => void;
    const ready = new Promise<void>((r) => (initialized = r));
    this.watch = new SupervisedKvWatch(
      this.kv,
      'member.>',
      (e) => this.observe(e),
      this.log,
      () => initialized(),
    );
    await ready;
    this.heartbeatTimer = setInterval(
      () => void this.heartbeat().then(() => this.checkLiveness()),
      this.opts.heartbeatMs,
    );
  }

  /** Live, non-draining members (always including this pod unless it drains), sorted. */
  live(): string[] {
    const now = this.clock.monotonic();
    const out: string[] = [];
    for (const [pod, o] of this.observed) {
      if (o.record.draining) continue;
      if (pod === this.pod || now - o.seenAt < this.opts.deadAfterMs) out.push(pod);
    }
    if (!this.draining && !out.includes(this.pod)) out.push(this.pod);
    return out.sort();
  }

  /** Every member we know of, for the admin view. */
  all(): Array<MemberRecord & { alive: boolean; lastSeenMsAgo: number }> {
    const now = this.clock.monotonic();
    return [...this.observed.values()].map((o) => ({
      ...o.record,
      alive: o.record.pod === this.pod || now - o.seenAt < this.opts.deadAfterMs,
      lastSeenMsAgo: Math.round(now - o.seenAt),
    }));
  }

  async setDraining(): Promise<void> {
    this.draining = true;
    await this.heartbeat();
  }

  async leave(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    await this.watch?.stop();
    await this.kv.delete(this.names.memberKey(this.pod)).catch(() => {});
  }

  private async heartbeat(): Promise<void> {
    const rec: MemberRecord = { pod: this.pod, startedAt: this.startedAt, draining: this.draining, beat: ++this.beat };
    try {
      await this.kv.put(this.names.memberKey(this.pod), encode(rec));
      this.failStop.ok();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'membership heartbeat failed');
      this.failStop.failed(err);
    }
  }

  private observe(e: KvEntry): void {
    if (e.operation !== 'PUT') {
      for (const pod of this.observed.keys()) if (this.names.memberKey(pod) === e.key) this.observed.delete(pod);
      this.checkLiveness(true);
      return;
    }
    try {
      const record = decode<MemberRecord>(e.value);
      const pod = record.pod;
      const prev = this.observed.get(pod);
      if (!prev || prev.revision !== e.revision)
        this.observed.set(pod, { record, revision: e.revision, seenAt: this.clock.monotonic() });
      this.checkLiveness(!prev || prev.record.draining !== record.draining);
    } catch (err) {
      this.log.warn({ key: e.key, err: (err as Error).message }, 'ignoring undecodable member record');
    }
  }

  private checkLiveness(force = false): void {
    const live = this.live().join(',');
    if (force || live !== this.lastLive) {
      if (live !== this.lastLive) this.log.info({ live: this.live() }, 'membership changed');
      this.lastLive = live;
      this.onChange();
    }
  }
}
