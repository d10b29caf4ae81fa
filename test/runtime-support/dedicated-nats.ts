import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsCluster, startNatsCluster } from '../env/nats-cluster.js';
import { PortAllocator } from '../env/ports.js';
import { ensureNatsServer } from '../env/server-binaries.js';

/** A 3-node NATS cluster of its own, for tests that restart NATS nodes (the shared one must stay up). */
export async function startDedicatedNats(nodes: 1 | 3 = 3): Promise<NatsCluster & { dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'certmgmt-nats-'));
  const ports = new PortAllocator();
  const cluster = await startNatsCluster(
    await ensureNatsServer(),
    dir,
    await Promise.all(
      Array.from({ length: nodes }, async () => ({
        client: await ports.next(),
        cluster: await ports.next(),
        http: await ports.next(),
      })),
    ),
  );
  return {
    ...cluster,
    async dispose() {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
