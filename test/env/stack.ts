import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installCrds, loadCrds } from '../../actors/kube/install-crds.js';
import { KubeClient } from '../../actors/kube/kube-client.js';
import { DnsCompanion } from './dns-companion.js';
import { type EtcdServer, startEtcd } from './etcd.js';
import { type KubeApiServer, startKubeApiServer } from './kube-apiserver.js';
import { type NatsCluster, startNatsCluster } from './nats-cluster.js';
import { repoRoot } from './paths.js';
import { type AcmeServer, type ChallengeDnsServer, startChallengeDns, startPebble } from './pebble.js';
import { PortAllocator } from './ports.js';
import { ensureServerBinaries, type ServerBinaries } from './server-binaries.js';
import { generateServingCert } from './tls.js';

export const CLUSTER_ROLES = ['default', 'source', 'dns', 'target'] as const;
export type ClusterRole = (typeof CLUSTER_ROLES)[number];

export interface StackOptions {
  /** 3 for the distributed tests, 1 for fast ones. */
  natsNodes?: 1 | 3;
  /** Start a second pebble that requires external account binding. */
  eabPebble?: boolean;
  /** Start a third pebble issuing certificates that live this many seconds (renewal tests). */
  shortLivedPebbleSeconds?: number;
  /**
   * 4 (default): one kube-apiserver per cluster role. 2: one serving default, source and target (a user's single
   * cluster) and one for dns, as the side-by-side benchmark runs both controllers.
   */
  apiServers?: 2 | 4;
  /** Where servers keep data and logs; a fresh temp dir by default. */
  dir?: string;
  log?: (line: string) => void;
}

/** What a test or a runtime pod needs to reach the stack; `npm run env:up` prints exactly this. */
export interface StackInfo {
  dir: string;
  clusters: Record<ClusterRole, { server: string; kubeconfig: string; runtimeKubeconfig: string; auditLog: string }>;
  nats: { urls: string[]; monitorUrls: string[] };
  acme: { directoryUrl: string; rootCaPath: string; listenerCaPath: string };
  acmeEab?: { directoryUrl: string; rootCaPath: string; keys: Record<string, string> };
  acmeShortLived?: { directoryUrl: string; rootCaPath: string; validitySeconds: number };
  dns: { server: string; managementUrl: string };
  /** The etcd all API servers share (each under its own prefix); tests may start extra API servers on it. */
  etcd: { url: string };
}

export interface Stack {
  info: StackInfo;
  binaries: ServerBinaries;
  etcd: EtcdServer;
  apiServers: Record<ClusterRole, KubeApiServer>;
  nats: NatsCluster;
  acme: AcmeServer;
  acmeEab?: AcmeServer;
  acmeShortLived?: AcmeServer;
  challengeDns: ChallengeDnsServer;
  dnsCompanion: DnsCompanion;
  stop(): Promise<void>;
}

/**
 * Starts the whole local control plane on loopback: one etcd, a kube-apiserver per cluster role (own etcd prefix, CRDs
 * installed; or two, see `apiServers`), a NATS JetStream cluster from nats.conf, pebble + challtestsrv, and the dns companion stand-in.
 * Every server is killed with its parent process; stop() also removes the data directory.
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const log = opts.log ?? (() => {});
  const binaries = await ensureServerBinaries(log);
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'certmgmt-env-'));
  const ports = new PortAllocator();
  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => {});
  };
  try {
    const t0 = Date.now();
    const pebbleTls = await generateServingCert('pebble');
    const challengeDns = await startChallengeDns(
      binaries.challtestsrv,
      join(dir, 'challtestsrv'),
      await ports.next(),
      await ports.next(),
    );
    started.push(challengeDns.process);
    // Register each server as soon as it is up, so a failure of its siblings still stops it.
    const track = <T>(p: Promise<T>, stoppable: (x: T) => { stop(): Promise<void> }): Promise<T> =>
      p.then((x) => {
        started.push(stoppable(x));
        return x;
      });
    const [acme, acmeEab, acmeShortLived, nats, etcd] = await Promise.all([
      track(
        startPebble(binaries.pebble, join(dir, 'pebble'), {
          port: await ports.next(),
          managementPort: await ports.next(),
          dnsServer: challengeDns.dnsAddress,
          tls: pebbleTls,
        }),
        (x) => x.process,
      ),
      opts.eabPebble
        ? track(
            startPebble(binaries.pebble, join(dir, 'pebble-eab'), {
              port: await ports.next(),
              managementPort: await ports.next(),
              dnsServer: challengeDns.dnsAddress,
              tls: pebbleTls,
              eabKeys: { 'kid-1': randomBytes(32).toString('base64url') },
            }),
            (x) => x.process,
          )
        : Promise.resolve(undefined),
      opts.shortLivedPebbleSeconds
        ? track(
            startPebble(binaries.pebble, join(dir, 'pebble-short'), {
              port: await ports.next(),
              managementPort: await ports.next(),
              dnsServer: challengeDns.dnsAddress,
              tls: pebbleTls,
              validitySeconds: opts.shortLivedPebbleSeconds,
            }),
            (x) => x.process,
          )
        : Promise.resolve(undefined),
      track(
        startNatsCluster(
          binaries.natsServer,
          join(dir, 'nats'),
          await Promise.all(
            Array.from({ length: opts.natsNodes ?? 3 }, async () => ({
              client: await ports.next(),
              cluster: await ports.next(),
              http: await ports.next(),
            })),
          ),
        ),
        (x) => x,
      ),
      track(startEtcd(binaries.etcd, join(dir, 'etcd'), await ports.next(), await ports.next()), (x) => x.process),
    ]);
    log(`etcd, nats, pebble up after ${Date.now() - t0} ms`);
    // With two API servers the first role of each group names the server; the others of its group share it.
    const groups: ClusterRole[][] =
      opts.apiServers === 2 ? [['default', 'source', 'target'], ['dns']] : CLUSTER_ROLES.map((r) => [r]);
    const apiPorts = await Promise.all(groups.map(() => ports.next()));
    const servers = await Promise.all(
      groups.map(([role], i) =>
        track(
          startKubeApiServer(binaries.kubeApiserver, role!, join(dir, 'kube', role!), etcd.url, apiPorts[i]!),
          (x) => x.process,
        ),
      ),
    );
    const apiServers = Object.fromEntries(
      groups.flatMap((roles, i) => roles.map((role) => [role, servers[i]!])),
    ) as Record<ClusterRole, KubeApiServer>;
    log(`kube-apiservers up after ${Date.now() - t0} ms`);
    const crds = loadCrds(join(repoRoot(), 'deploy', 'crds'));
    await Promise.all(
      servers.map(async (s) => {
        const client = KubeClient.fromFile(s.kubeconfig);
        try {
          await installCrds(client, crds);
        } finally {
          client.close();
        }
      }),
    );
    log(`CRDs established after ${Date.now() - t0} ms`);
    const dnsClient = KubeClient.fromFile(apiServers.dns.kubeconfig);
    const dnsCompanion = new DnsCompanion(dnsClient, challengeDns);
    await dnsCompanion.start();
    started.push({
      stop: async () => {
        await dnsCompanion.stop();
        dnsClient.close();
      },
    });
    log(`stack ready after ${Date.now() - t0} ms`);

    const info: StackInfo = {
      dir,
      clusters: Object.fromEntries(
        CLUSTER_ROLES.map((role) => {
          const s = apiServers[role];
          return [
            role,
            { server: s.url, kubeconfig: s.kubeconfig, runtimeKubeconfig: s.runtimeKubeconfig, auditLog: s.auditLog },
          ];
        }),
      ) as StackInfo['clusters'],
      nats: { urls: nats.urls, monitorUrls: nats.nodes.map((n) => n.monitorUrl) },
      acme: { directoryUrl: acme.directoryUrl, rootCaPath: acme.rootCaPath, listenerCaPath: acme.listenerCaPath },
      ...(acmeEab
        ? {
            acmeEab: {
              directoryUrl: acmeEab.directoryUrl,
              rootCaPath: acmeEab.rootCaPath,
              keys: acmeEab.eabKeys ?? {},
            },
          }
        : {}),
      ...(acmeShortLived
        ? {
            acmeShortLived: {
              directoryUrl: acmeShortLived.directoryUrl,
              rootCaPath: acmeShortLived.rootCaPath,
              validitySeconds: opts.shortLivedPebbleSeconds!,
            },
          }
        : {}),
      dns: { server: challengeDns.dnsAddress, managementUrl: challengeDns.managementUrl },
      etcd: { url: etcd.url },
    };
    writeFileSync(join(dir, 'stack.json'), JSON.stringify(info, null, 2));
    let stopped = false;
    return {
      info,
      binaries,
      etcd,
      apiServers,
      nats,
      acme,
      acmeEab,
      acmeShortLived,
      challengeDns,
      dnsCompanion,
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll();
        if (!opts.dir && !process.env.CERTMGMT_KEEP_ENV) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopAll();
    if (!opts.dir && !process.env.CERTMGMT_KEEP_ENV) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
