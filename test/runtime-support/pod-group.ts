import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { rendezvousOwner } from '../../runtime/hashing.js';
import { ActorClient } from '../../runtime/index.js';
import { TEST_NATS_USERS } from '../env/nats-users.js';
import { eventually } from '../support/test-env.js';
import { PodProcess } from './pod-harness.js';

/** Several runtime pods of one fresh actor system (its own name, so tests sharing a NATS cluster do not collide). */
export class PodGroup {
  readonly system = `rt${randomBytes(4).toString('hex')}`;
  readonly pods: PodProcess[] = [];
  nc!: NatsConnection;
  client!: ActorClient;

  constructor(
    readonly natsUrls: string[],
    readonly env: Record<string, string> = {},
    readonly execArgv: string[] = [],
  ) {}

  async start(count: number): Promise<this> {
    this.nc = await connect({
      servers: this.natsUrls,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      ...TEST_NATS_USERS.runtime,
    });
    for (let i = 0; i < count; i++) this.pods.push(this.spawn());
    await Promise.all(this.pods.map((p) => p.ready()));
    this.client = await ActorClient.connect(this.nc, this.system);
    await this.waitBalanced();
    return this;
  }

  /**
   * Placement has converged: every shard is held by the pod rendezvous hashing assigns it among the live pods. Right
   * after start-up the first pod may hold everything until the others' heartbeats arrive and it hands over.
   */
  async waitBalanced(timeoutMs = 30_000): Promise<Map<number, string>> {
    return eventually(
      async () => {
        const live = this.pods
          .filter((p) => p.child.exitCode === null && p.child.signalCode === null)
          .map((p) => p.name);
        const owners = await this.waitAllShardsOwned(timeoutMs, live);
        for (const [shard, pod] of owners) if (rendezvousOwner(shard, live) !== pod) return false;
        return owners;
      },
      'placement to converge on the live pods',
      timeoutMs,
      100,
    );
  }

  spawn(name = `${this.system}-p${this.pods.length + 1}`, env: Record<string, string> = {}): PodProcess {
    return new PodProcess(
      name,
      {
        NATS_URLS: this.natsUrls.join(','),
        NATS_USER: TEST_NATS_USERS.runtime.user,
        NATS_PASSWORD: TEST_NATS_USERS.runtime.pass,
        ACTOR_SYSTEM: this.system,
        LOG_LEVEL: 'info',
        ...this.env,
        ...env,
      },
      this.execArgv,
    );
  }

  async add(env: Record<string, string> = {}): Promise<PodProcess> {
    const p = this.spawn(undefined, env);
    this.pods.push(p);
    await p.ready();
    await this.waitBalanced();
    return p;
  }

  /** Every shard held (with a valid lease) by exactly one live pod, as the admin subject reports it. */
  async waitAllShardsOwned(timeoutMs = 30_000, alivePods?: string[], intervalMs = 100): Promise<Map<number, string>> {
    return eventually(
      async () => {
        const r = await this.client.admin<{
          held: Array<{ shard: number; pod: string; valid: boolean }>;
          missing: string[];
        }>({ op: 'shards' });
        const owners = new Map<number, string>();
        for (const h of r.held) {
          if (!h.valid) return false;
          if (owners.has(h.shard)) return false;
          if (alivePods && !alivePods.includes(h.pod)) return false;
          owners.set(h.shard, h.pod);
        }
        return owners.size === this.client.shardCount && r.missing.length === 0 ? owners : false;
      },
      'every shard to be owned exactly once',
      timeoutMs,
      intervalMs,
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.pods.map((p) => p.stop()));
    await this.nc?.close();
  }
}
