import type { NatsConnection, Subscription } from 'nats';
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

export interface PodView {
  pod: string;
  draining: boolean;
  shards: Array<{ shard: number; epoch: number; valid: boolean }>;
  actors: ActorView[];
  reminders: number;
  stats: Record<string, number>;
}

export type AdminRequest =
  | { op: 'members' }
  | { op: 'shards' }
  | { op: 'actors'; kind?: string }
  | { op: 'actor'; kind: string; id: string }
  | { op: 'pod' };

export type AdminReply = { ok: true; result: unknown } | { ok: false; error: string };

export interface AdminSource {
  localView(): PodView;
  members(): Array<MemberRecord & { alive: boolean; lastSeenMsAgo: number }>;
  shardOwners(): Map<number, string | null>;
  inspect(kind: string, id: string): Promise<unknown>;
}

/**
 * The admin subject. `<system>.admin` is answered by any one pod (queue group), which gathers every live pod's view
 * from its own `<system>.admin.pod.<pod>` subject, so the answer covers the whole cluster and names pods that did
 * not answer. Request and reply are msgpack: {op: ...} -> {ok, result | error}.
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
    this.subs.push(this.nc.subscribe(this.names.adminSubject(), { queue: 'admin', callback: (_e, m) => void this.handle(m.data).then((r) => m.respond(encode(r))) }));
    this.subs.push(this.nc.subscribe(this.names.podAdminSubject(this.pod), { callback: (_e, m) => m.respond(encode({ ok: true, result: this.source.localView() } satisfies AdminReply)) }));
    await this.nc.flush();
  }

  async stop(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
  }

  private async handle(data: Uint8Array): Promise<AdminReply> {
    let req: AdminRequest;
    try {
      req = decode<AdminRequest>(data);
      if (!req || typeof req !== 'object' || typeof req.op !== 'string') throw new Error('request must be a map with an op');
    } catch (err) {
      return { ok: false, error: `bad admin request: ${(err as Error).message}; expected {op: members|shards|actors|actor|pod}` };
    }
    try {
      switch (req.op) {
        case 'members':
          return { ok: true, result: this.source.members() };
        case 'pod':
          return { ok: true, result: this.source.localView() };
        case 'shards': {
          const { pods, missing } = await this.gather();
          const held = pods.flatMap((p) => p.shards.map((s) => ({ ...s, pod: p.pod })));
          const owners = [...this.source.shardOwners()].map(([shard, owner]) => ({ shard, owner }));
          return { ok: true, result: { held, owners, missing } };
        }
        case 'actors': {
          const { pods, missing } = await this.gather();
          const actors = pods.flatMap((p) => p.actors).filter((a) => !req.kind || a.kind === req.kind);
          return { ok: true, result: { pods: pods.map(({ actors: _a, ...rest }) => ({ ...rest, actors: _a.length })), actors, missing } };
        }
        case 'actor':
          if (typeof req.kind !== 'string' || typeof req.id !== 'string') return { ok: false, error: 'op actor needs kind and id' };
          return { ok: true, result: await this.source.inspect(req.kind, req.id) };
        default:
          return { ok: false, error: `unknown admin op "${(req as { op: string }).op}"` };
      }
    } catch (err) {
      this.log.warn({ op: req.op, err: (err as Error).message }, 'admin request failed');
      return { ok: false, error: (err as Error).message };
    }
  }

  /** Every live member's view; pods that do not answer in time are listed as missing, never silently dropped. */
  private async gather(): Promise<{ pods: PodView[]; missing: string[] }> {
    const members = this.source.members().filter((m) => m.alive);
    const missing: string[] = [];
    const pods: PodView[] = [];
    await Promise.all(members.map(async (m) => {
      if (m.pod === this.pod) return pods.push(this.source.localView());
      try {
        const r = decode<AdminReply>((await this.nc.request(this.names.podAdminSubject(m.pod), encode({ op: 'pod' }), { timeout: 2000 })).data);
        if (r.ok) pods.push(r.result as PodView);
        else missing.push(m.pod);
      } catch {
        missing.push(m.pod);
      }
    }));
    pods.sort((a, b) => a.pod.localeCompare(b.pod));
    return { pods, missing };
  }
}
