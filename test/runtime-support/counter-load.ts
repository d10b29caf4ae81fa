import { type ActorClient, ActorError } from '../../runtime/index.js';
import type { CounterState } from './test-actors.js';

export interface Ack {
  id: string;
  n: number;
  pod: string;
  epoch: number;
}

/**
 * Keeps `concurrency` increments in flight over a set of counters and records every acknowledged one. Asks that time
 * out are "maybe applied": the check allows them but never counts them as acknowledged.
 */
export class CounterLoad {
  readonly acks: Ack[] = [];
  readonly maybe = new Map<string, number>();
  readonly errors = new Map<string, number>();
  private running = true;
  private readonly workers: Promise<void>[] = [];

  constructor(
    private readonly client: ActorClient,
    readonly ids: string[],
    concurrency = 8,
  ) {
    for (let w = 0; w < concurrency; w++) this.workers.push(this.work(w));
  }

  private async work(w: number): Promise<void> {
    let i = w;
    while (this.running) {
      const id = this.ids[i++ % this.ids.length];
      try {
        // A short deadline: an ask sent to a pod that was just killed can only time out (and counts as "maybe").
        const r = await this.client.ask<{ n: number; pod: string; epoch: number }>(
          'counter',
          id,
          { type: 'Inc' },
          5_000,
        );
        this.acks.push({ id, ...r });
      } catch (err) {
        const code = err instanceof ActorError ? err.code : 'other';
        if (code === 'timeout' || code === 'other') this.maybe.set(id, (this.maybe.get(id) ?? 0) + 1);
        this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }
}

/**
 * The invariants, from each counter's own log of who applied which increment:
 * - I3: every acknowledged increment is in the final log, applied by the pod and epoch that acknowledged it;
 * - no increment is applied twice and none is lost: the log is exactly 1..n;
 * - I1: activations never interleave: once a newer epoch applied an increment, no older epoch applies another.
 */
export async function checkCounters(client: ActorClient, load: CounterLoad): Promise<string[]> {
  const problems: string[] = [];
  for (const id of load.ids) {
    const s = await client.ask<CounterState>('counter', id, { type: 'Get' }, 20_000);
    const ns = s.log.map((e) => e[0]);
    for (let i = 0; i < ns.length; i++)
      if (ns[i] !== i + 1) {
        problems.push(`${id}: log position ${i} holds n=${ns[i]}`);
        break;
      }
    if (s.n !== ns.length) problems.push(`${id}: n=${s.n} but log has ${ns.length}`);
    const byN = new Map(s.log.map((e) => [e[0], e]));
    const acked = load.acks.filter((a) => a.id === id);
    for (const a of acked) {
      const e = byN.get(a.n);
      if (!e) problems.push(`${id}: acknowledged n=${a.n} (pod ${a.pod}, epoch ${a.epoch}) is lost`);
      else if (e[1] !== a.pod || e[2] !== a.epoch)
        problems.push(`${id}: n=${a.n} acknowledged by ${a.pod}/${a.epoch} but recorded as ${e[1]}/${e[2]}`);
    }
    const maybe = load.maybe.get(id) ?? 0;
    if (s.n < acked.length || s.n > acked.length + maybe)
      problems.push(`${id}: n=${s.n}, acknowledged ${acked.length}, maybe ${maybe}`);
    let maxEpoch = 0;
    for (const [n, pod, epoch] of s.log) {
      if (epoch < maxEpoch)
        problems.push(`${id}: n=${n} applied by ${pod} under epoch ${epoch} after epoch ${maxEpoch} had acted`);
      maxEpoch = Math.max(maxEpoch, epoch);
    }
  }
  return problems;
}
