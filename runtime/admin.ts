import type { Msg, NatsConnection, Subscription } from 'nats';
import type { Logger } from 'pino';
import { decode, encode } from './codec.js';
import type { MemberRecord } from './membership.js';
import type { Names } from './names.js';

export interface ActorView {
  kind: string;
  id: string;
  shard: number;
  status: string;
  mailbox: number;
  restarts: number;
  lastError?: string;
  pod: string;
}

export interface ActorFilter {
  kind?: string;
  status?: string;
  /** Actors per answer (default 500, at most 2000): replies must stay under NATS's payload limit. */
  limit?: number;
  offset?: number;
}

/** A durable command given up for good, and why (unknown kind, invalid, or still refused after its redeliveries). */
export interface DeadLetter {
  pod: string;
  at: string;
  shard: number;
  reason: string;
  kind?: string;
  id?: string;
  type?: string;
  commandId?: string;
  /** For a command that could not even be decoded. */
  subject?: string;
}

export interface PodView {
  pod: string;
  draining: boolean;
  shards: Array<{ shard: number; epoch: number; valid: boolean }>;
  /** All actors of this pod matching the filter (the list below may be cut to `limit`). */
  actorCount: number;
  /** Counts by kind and status, over all actors of the pod. */
  byKind: Record<string, Record<string, number>>;
  actors: ActorView[];
  reminders: number;
  stats: Record<string, number>;
  deadLetters: DeadLetter[];
  /** Messages waiting in all mailboxes of the pod, and restarts of its active actors. */
  mailboxTotal: number;
  restartsTotal: number;
}

export type AdminRequest =
  | { op: 'info' }
  | { op: 'members' }
  | { op: 'shards' }
  | ({ op: 'actors' } & ActorFilter)
  | { op: 'actor'; kind: string; id: string }
  | ({ op: 'pod' } & ActorFilter)
  | { op: 'dead-letters' };

export type AdminReply = { ok: true; result: unknown } | { ok: false; error: string };

export interface ActorsAnswer {
  pods: Array<Omit<PodView, 'actors'>>;
  total: number;
  offset: number;
  actors: ActorView[];
  truncated: boolean;
  /** Live members that did not answer in time: the answer is incomplete for them. */
  missing: string[];
}

export interface AdminSource {
  localView(filter: ActorFilter): PodView;
  members(): Array<MemberRecord & { alive: boolean; lastSeenMsAgo: number }>;
  /** The system's fixed facts: what a client needs to address actors. */
  info(): { system: string; shards: number };
  shardOwners(): Map<number, string | null>;
  inspect(kind: string, id: string): Promise<unknown>;
}

const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 2000;

export function clampLimit(limit: number | undefined): number {
  return Math.max(0, Math.min(MAX_LIMIT, Number.isFinite(limit) ? Number(limit) : DEFAULT_LIMIT));
}

/**
 * The admin subject. `<system>.admin` is answered by any one pod (queue group), which gathers every live pod's view
 * from its own `<system>.admin.pod.<pod>` subject, so the answer covers the whole cluster and names pods that did
 * not answer. Request and reply are msgpack: {op, ...} -> {ok: true, result} | {ok: false, error}.
 */
export class AdminService {
  private subs: Subscription[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly names: Names,
    private readonly pod: string,
    private readonly source: AdminSource,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.subs.push(
      this.nc.subscribe(this.names.adminSubject(), {
        queue: 'admin',
        callback: (_e, m) => void this.handle(m.data).then((r) => this.respond(m, r)),
      }),
    );
    this.subs.push(
      this.nc.subscribe(this.names.podAdminSubject(this.pod), {
        callback: (_e, m) => {
          let filter: ActorFilter = {};
          try {
            filter = m.data.length ? (decode<ActorFilter>(m.data) ?? {}) : {};
          } catch {
            // A malformed filter is answered with the unfiltered view.
          }
          this.respond(m, { ok: true, result: this.source.localView(filter) });
        },
      }),
    );
    await this.nc.flush();
  }

  async stop(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
  }

  /** Never lets a reply problem (too large, connection closing) escape into the process. */
  private respond(m: Msg, reply: AdminReply): void {
    try {
      m.respond(encode(reply));
    } catch (err) {
      try {
        m.respond(
          encode({
            ok: false,
            error: `admin reply failed: ${(err as Error).message}; narrow the request (kind, status, limit)`,
          } satisfies AdminReply),
        );
      } catch {
        this.log.warn({ err: (err as Error).message }, 'admin reply failed');
      }
    }
  }

  private async handle(data: Uint8Array): Promise<AdminReply> {
    let req: AdminRequest;
    try {
      req = decode<AdminRequest>(data);
      if (!req || typeof req !== 'object' || typeof req.op !== 'string')
        throw new Error('request must be a map with an op');
    } catch (err) {
      return {
        ok: false,
        error: `bad admin request: ${(err as Error).message}; expected {op: info|members|shards|actors|actor|pod|dead-letters}`,
      };
    }
    try {
      switch (req.op) {
        case 'info':
          return { ok: true, result: this.source.info() };
        case 'members':
          return { ok: true, result: this.source.members() };
        case 'pod':
          return { ok: true, result: this.source.localView(req) };
        case 'shards': {
          const { pods, missing } = await this.gather({ limit: 0 });
          const held = pods.flatMap((p) => p.shards.map((s) => ({ ...s, pod: p.pod })));
          const owners = [...this.source.shardOwners()].map(([shard, owner]) => ({ shard, owner }));
          return { ok: true, result: { held, owners, missing } };
        }
        case 'actors':
          return { ok: true, result: await this.actors(req) };
        case 'dead-letters': {
          const { pods, missing } = await this.gather({ limit: 0 });
          const letters = pods.flatMap((p) => p.deadLetters ?? []).sort((a, b) => a.at.localeCompare(b.at));
          return { ok: true, result: { deadLetters: letters, missing } };
        }
        case 'actor':
          if (typeof req.kind !== 'string' || typeof req.id !== 'string')
            return { ok: false, error: 'op actor needs kind and id' };
          return { ok: true, result: await this.source.inspect(req.kind, req.id) };
        default:
          return { ok: false, error: `unknown admin op "${(req as { op: string }).op}"` };
      }
    } catch (err) {
      this.log.warn({ op: req.op, err: (err as Error).message }, 'admin request failed');
      return { ok: false, error: (err as Error).message };
    }
  }

  /** One page of the cluster's actors, ordered by kind and id, with totals over all of them. */
  private async actors(filter: ActorFilter): Promise<ActorsAnswer> {
    const limit = clampLimit(filter.limit);
    const offset = Math.max(0, filter.offset ?? 0);
    // Each pod returns its first offset+limit matches in order; the page is cut from their merge.
    const { pods, missing } = await this.gather({
      kind: filter.kind,
      status: filter.status,
      limit: Math.min(offset + limit, 20_000),
    });
    const all = pods.flatMap((p) => p.actors).sort((a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id));
    const total = pods.reduce((n, p) => n + p.actorCount, 0);
    const actors = all.slice(offset, offset + limit);
    return {
      pods: pods.map(({ actors: _omit, ...rest }) => rest),
      total,
      offset,
      actors,
      truncated: offset + actors.length < total,
      missing,
    };
  }

  /** Every live member's view; pods that do not answer in time are listed as missing, never silently dropped. */
  private async gather(filter: ActorFilter): Promise<{ pods: PodView[]; missing: string[] }> {
    const members = this.source.members().filter((m) => m.alive);
    const missing: string[] = [];
    const pods: PodView[] = [];
    await Promise.all(
      members.map(async (m) => {
        if (m.pod === this.pod) return pods.push(this.source.localView(filter));
        try {
          const r = decode<AdminReply>(
            (await this.nc.request(this.names.podAdminSubject(m.pod), encode(filter), { timeout: 2000 })).data,
          );
          if (r.ok) pods.push(r.result as PodView);
          else missing.push(m.pod);
        } catch {
          missing.push(m.pod);
        }
      }),
    );
    pods.sort((a, b) => a.pod.localeCompare(b.pod));
    return { pods, missing };
  }
}
