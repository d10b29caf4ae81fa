import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'nats';
import { httpCall } from './http-probe.js';
import { ManagedProcess } from './managed-process.js';
import { NATS_PASSWORD_ENV, TEST_NATS_USERS } from './nats-users.js';
import { repoRoot } from './paths.js';
import { assertPortFree } from './ports.js';

export interface NatsNode {
  name: string;
  url: string;
  monitorUrl: string;
  process: ManagedProcess;
  /** Starts the node again after stop()/kill with the same identity and storage (fault tests). */
  restart(): Promise<void>;
}

export interface NatsCluster {
  nodes: NatsNode[];
  /** All client URLs, for a client that may fail over between nodes. */
  urls: string[];
  stop(): Promise<void>;
}

export interface NatsPorts {
  client: number;
  cluster: number;
  http: number;
}

/** The repo's nats.conf, optionally without its cluster block (one-node mode). */
function configText(clustered: boolean): string {
  const text = readFileSync(join(repoRoot(), 'nats.conf'), 'utf8');
  return clustered ? text : text.replace(/# cluster-begin[\s\S]*# cluster-end\n?/, '');
}

/**
 * Starts 1 or 3 nats-server nodes from the repo's nats.conf and waits until JetStream answers (a meta leader exists
 * in the 3-node case), so tests can create streams and KV buckets at once.
 */
export async function startNatsCluster(binary: string, dir: string, ports: NatsPorts[]): Promise<NatsCluster> {
  const clustered = ports.length > 1;
  mkdirSync(dir, { recursive: true });
  const confPath = join(dir, 'nats.conf');
  writeFileSync(confPath, configText(clustered));
  const routes = ports.map((p) => `nats://127.0.0.1:${p.cluster}`);
  for (const p of ports) {
    await assertPortFree(p.client, 'nats-server clients');
    if (clustered) await assertPortFree(p.cluster, 'nats-server routes');
    await assertPortFree(p.http, 'nats-server monitoring');
  }
  const nodes: NatsNode[] = ports.map((p, i) => {
    const name = `nats-${i}`;
    const env = {
      NATS_SERVER_NAME: name,
      NATS_LISTEN: `127.0.0.1:${p.client}`,
      NATS_HTTP: `127.0.0.1:${p.http}`,
      NATS_STORE_DIR: join(dir, name, 'jetstream'),
      NATS_CLUSTER_LISTEN: `127.0.0.1:${p.cluster}`,
      NATS_ROUTE_1: routes[0],
      NATS_ROUTE_2: routes[1] ?? routes[0],
      NATS_ROUTE_3: routes[2] ?? routes[0],
      ...NATS_PASSWORD_ENV,
    };
    mkdirSync(join(dir, name), { recursive: true });
    const spawnNode = () =>
      new ManagedProcess({
        name: `nats-server(${name})`,
        command: binary,
        args: ['-c', confPath],
        env,
        logFile: join(dir, name, 'nats.log'),
      });
    const node: NatsNode = {
      name,
      url: `nats://127.0.0.1:${p.client}`,
      monitorUrl: `http://127.0.0.1:${p.http}`,
      process: spawnNode(),
      async restart() {
        if (node.process.running) await node.process.stop();
        node.process = spawnNode();
        await waitHealthy(node);
      },
    };
    return node;
  });
  await Promise.all(nodes.map(waitHealthy));
  await waitJetStream(nodes);
  return {
    nodes,
    urls: nodes.map((n) => n.url),
    async stop() {
      await Promise.all(nodes.map((n) => n.process.stop()));
    },
  };
}

async function waitHealthy(node: NatsNode): Promise<void> {
  await node.process.waitUntil(
    async () => {
      const res = await httpCall(`${node.monitorUrl}/healthz?js-enabled-only=true`, { timeoutMs: 1000 });
      return res.status === 200;
    },
    '/healthz answers',
    30_000,
    'look at the log below; a taken port or an unreadable nats.conf are the usual causes',
  );
}

/** JetStream is usable once an account info request succeeds (in a cluster: after the meta leader election). */
async function waitJetStream(nodes: NatsNode[]): Promise<void> {
  const nc = await connect({ servers: nodes.map((n) => n.url), maxReconnectAttempts: -1, ...TEST_NATS_USERS.runtime });
  try {
    await nodes[0].process.waitUntil(
      async () => {
        const jsm = await nc.jetstreamManager({ timeout: 2000 });
        await jsm.getAccountInfo();
        return true;
      },
      'JetStream has a meta leader',
      60_000,
      'look at the logs of all nats-server nodes; routes must reach each other',
    );
  } finally {
    await nc.close();
  }
}
