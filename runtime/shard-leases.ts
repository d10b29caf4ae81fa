import type { KV, KvEntry } from 'nats';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import { decode, encode } from './codec.js';
import type { FailStop } from './fail-stop.js';
import { isCasConflict, isKeyExists } from './kv.js';
import { SupervisedKvWatch } from './kv-watch.js';
import type { Names } from './names.js';

interface LeaseRecord {
  /** null once released by a graceful handover: the successor may take it at once. */
  owner: string | null;
}

interface ObservedLease {
  owner: string | null;
  revision: number;
  /** Local monotonic time this revision was first seen. */
  seenAt: number;
}

export interface HeldLease {
  shard: number;
  /** The KV revision of our last successful write: the fencing epoch of everything done under this lease. */
  revision: number;
  /** The revision we acquired with; stays fixed while renewals bump `revision`. */
  epoch: number;
  /** Monotonic deadline after which we must not act: renewal send time + TTL - safety margin. */
  validUntil: number;
}

export interface LeaseSettings {
  ttlMs: number;
  renewEveryMs: number;
  /** Subtracted from TTL for our own deadline: covers event-loop lag between checks. */
  safetyMarginMs: number;
}

/**
 * One lease per shard in KV, taken and renewed with compare-and-set. The revision returned by each write is the
 * fencing token. A holder stops acting at `validUntil`, which is before any other pod may take the lease: others take a
 * lease only after its revision has stayed unchanged for a full TTL on their own clock, counted from when they saw
 * it, which is after the holder sent it.
 */
export class ShardLeases {
  private readonly observed = new Map<number, ObservedLease>();
  private readonly held = new Map<number, HeldLease>();
  private readonly renewing = new Set<number>();
  private renewTimer: NodeJS.Timeout | undefined;
  private watch: SupervisedKvWatch | undefined;

  constructor(
    private readonly kv: KV,
    private readonly names: Names,
    private readonly pod: string,
    private readonly clock: Clock,
    readonly settings: LeaseSettings,
    private readonly failStop: FailStop,
    private readonly log: Logger,
    private readonly onLost: (shard: number, reason: string) => void,
    private readonly onObservedChange: () => void,
  ) {}

  async start(): Promise<void> {
    let initialized!: () => void;
    const ready = new Promise<void>((r) => (initialized = r));
    this.watch = new SupervisedKvWatch(
      this.kv,
      'shard.>',
      (e) => this.observe(e),
      this.log,
      () => initialized(),
    );
    await ready;
    this.renewTimer = setInterval(() => void this.renewAll(), this.settings.renewEveryMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.renewTimer);
    await this.watch?.stop();
  }

  /** True while this pod may act for the shard. Checked before every turn and every persisted write. */
  isValid(shard: number): boolean {
    const h = this.held.get(shard);
    return h !== undefined && this.clock.monotonic() < h.validUntil;
  }

  /** Who holds each shard as far as this pod has seen (admin view). */
  observedOwners(): Map<number, string | null> {
    return new Map([...this.observed].map(([s, o]) => [s, o.owner]));
  }

  /**
   * Tries to take the shard's lease: free (absent or released) leases at once, others only when their holder has
   * not renewed for a whole TTL. Returns the held lease, or undefined when someone else holds it.
   */
  async tryAcquire(shard: number): Promise<HeldLease | undefined> {
    if (this.held.has(shard)) return this.held.get(shard);
    const key = this.names.leaseKey(shard);
    const o = this.observed.get(shard);
    const sentAt = this.clock.monotonic();
    const value = encode({ owner: this.pod } satisfies LeaseRecord);
    try {
      let revision: number;
      if (!o) {
        revision = await this.kv.create(key, value);
      } else if (o.owner === null || sentAt - o.seenAt >= this.settings.ttlMs) {
        // A lease held under our own name is not taken early: a replacement pod may reuse the name of one that is
        // only cut off, not dead, and that one may act until its deadline.
        revision = await this.kv.update(key, value, o.revision);
        if (o.owner && o.owner !== this.pod)
          this.log.warn({ shard, previous: o.owner, epoch: revision }, 'took over an expired shard lease');
      } else {
        return undefined;
      }
      this.failStop.ok();
      const lease: HeldLease = {
        shard,
        revision,
        epoch: revision,
        validUntil: sentAt + this.settings.ttlMs - this.settings.safetyMarginMs,
      };
      this.held.set(shard, lease);
      this.observed.set(shard, { owner: this.pod, revision, seenAt: this.clock.monotonic() });
      return lease;
    } catch (err) {
      if (isCasConflict(err) || isKeyExists(err)) {
        await this.refresh(shard);
        return undefined;
      }
      this.failStop.failed(err);
      throw err;
    }
  }

  /** Graceful handover: mark the lease free so the successor does not wait out the TTL. */
  async release(shard: number): Promise<void> {
    const h = this.held.get(shard);
    if (!h) return;
    this.held.delete(shard);
    try {
      const revision = await this.kv.update(
        this.names.leaseKey(shard),
        encode({ owner: null } satisfies LeaseRecord),
        h.revision,
      );
      this.observed.set(shard, { owner: null, revision, seenAt: this.clock.monotonic() });
    } catch (err) {
      // Someone took it already, or KV is down: either way the TTL protects the successor.
      this.log.warn({ shard, err: (err as Error).message }, 'lease release failed');
    }
  }

  /** Drops a lease we can no longer trust (renewal failed or deadline passed) and tells the owner of the actors. */
  private lose(shard: number, reason: string): void {
    if (!this.held.delete(shard)) return;
    this.log.warn({ shard, reason }, 'shard lease lost');
    this.onLost(shard, reason);
  }

  private async renewAll(): Promise<void> {
    const now = this.clock.monotonic();
    await Promise.all(
      [...this.held.values()].map(async (h) => {
        if (now >= h.validUntil) return this.lose(h.shard, 'lease deadline passed before renewal');
        // One renewal per lease at a time: a second one sent while a slow first is in flight would carry the old
        // revision, lose its compare-and-set to our own first renewal, and drop a healthy lease.
        if (this.renewing.has(h.shard)) return;
        this.renewing.add(h.shard);
        const sentAt = this.clock.monotonic();
        try {
          const revision = await this.kv.update(
            this.names.leaseKey(h.shard),
            encode({ owner: this.pod } satisfies LeaseRecord),
            h.revision,
          );
          this.failStop.ok();
          const current = this.held.get(h.shard);
          if (current === h) {
            h.revision = revision;
            h.validUntil = sentAt + this.settings.ttlMs - this.settings.safetyMarginMs;
          }
        } catch (err) {
          if (isCasConflict(err)) return this.lose(h.shard, 'lease was taken over (revision moved on)');
          this.failStop.failed(err);
          if (this.clock.monotonic() >= h.validUntil) this.lose(h.shard, `renewal failed: ${(err as Error).message}`);
        } finally {
          this.renewing.delete(h.shard);
        }
      }),
    );
    // Deadlines can also pass between renewals when renewals hang (a partition without a closed socket).
    this.expireOverdue();
  }

  /** Called before acting as well: a stalled event loop may wake up long after the deadline. */
  expireOverdue(): void {
    const now = this.clock.monotonic();
    for (const h of [...this.held.values()]) if (now >= h.validUntil) this.lose(h.shard, 'lease deadline passed');
  }

  private async refresh(shard: number): Promise<void> {
    const e = await this.kv.get(this.names.leaseKey(shard)).catch(() => null);
    if (e) this.observe(e);
  }

  private observe(e: KvEntry): void {
    const shard = Number(e.key.slice('shard.'.length));
    if (!Number.isInteger(shard)) return;
    const prev = this.observed.get(shard);
    if (prev && prev.revision >= e.revision) return;
    let owner: string | null = null;
    if (e.operation === 'PUT') {
      try {
        owner = decode<LeaseRecord>(e.value).owner;
      } catch {
        owner = null;
      }
    }
    this.observed.set(shard, { owner, revision: e.revision, seenAt: this.clock.monotonic() });
    const mine = this.held.get(shard);
    if (mine && e.revision > mine.revision && owner !== this.pod)
      this.lose(shard, `lease now held by ${owner ?? 'nobody'}`);
    this.onObservedChange();
  }
}
