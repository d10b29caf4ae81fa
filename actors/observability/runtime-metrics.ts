// The actor runtime's own figures as Prometheus gauges, read from the ActorSystem at scrape time.
import { Gauge, type Registry } from 'prom-client';
import type { RuntimeMetrics } from '../../runtime/index.js';
import { rsaKeyPoolStats } from '../x509/key-generation-slots.js';

export function registerRuntimeMetrics(registry: Registry, takeSnapshot: () => RuntimeMetrics): void {
  // One pass over the pod's actors per scrape, shared by the gauges below (each collects on its own).
  let last: { at: number; m: RuntimeMetrics } | undefined;
  const snapshot = () => {
    if (!last || Date.now() - last.at > 1000) last = { at: Date.now(), m: takeSnapshot() };
    return last.m;
  };
  new Gauge({
    name: 'certmgmt_runtime_actors',
    help: 'Actor activations on this pod by kind and status',
    labelNames: ['kind', 'status'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [kind, k] of Object.entries(snapshot().kinds))
        for (const [status, n] of Object.entries(k.byStatus)) this.set({ kind, status }, n);
    },
  });
  new Gauge({
    name: 'certmgmt_runtime_mailbox_depth',
    help: 'Messages waiting in the mailboxes of this pod, by actor kind',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [kind, k] of Object.entries(snapshot().kinds)) this.set({ kind }, k.mailbox);
    },
  });
  new Gauge({
    name: 'certmgmt_runtime_actor_restarts',
    help: 'Restarts (after a failed turn) of the actors active on this pod, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [kind, k] of Object.entries(snapshot().kinds)) this.set({ kind }, k.restarts);
    },
  });
  new Gauge({
    name: 'certmgmt_runtime_shards_owned',
    help: 'Shards whose lease this pod holds',
    registers: [registry],
    collect() {
      this.set(snapshot().shardsOwned);
    },
  });
  new Gauge({
    name: 'certmgmt_runtime_messages',
    help: 'Messages since the pod started: delivered, processed, refused busy, malformed, commands given up (dead letters)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      const c = snapshot().counters;
      for (const outcome of ['delivered', 'processed', 'busy', 'badRequests', 'activations', 'deadLetters'])
        this.set({ outcome }, c[outcome] ?? 0);
    },
  });
  new Gauge({
    name: 'certmgmt_rsa_key_pool',
    help: 'RSA keys made ahead while idle: held now, the pool size, made and handed out since the pod started',
    labelNames: ['figure'] as const,
    registers: [registry],
    collect() {
      for (const [figure, n] of Object.entries(rsaKeyPoolStats())) this.set({ figure }, n);
    },
  });
}
