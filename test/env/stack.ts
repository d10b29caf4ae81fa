import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installCrds, loadCrds } from '../../actors/kube/install-crds.js';
import { KubeClient } from '../../actors/kube/kube-client.js';
import { DnsCompanion } from './dns-companion.js';
import {
  type DnsLane,
  REAL_LANE_ZONES,
  type RealDnsCompanion,
  realDnsCrdsDir,
  startRealDnsCompanion,
} from './dns-real.js';
import { DnsRecordCompanion } from './dnsrecord-companion.js';
import { type EtcdServer, startEtcd } from './etcd.js';
import { dnsRecordCrdDir } from './gardener-crds.js';
import { type KubeApiServer, startKubeApiServer } from './kube-apiserver.js';
import { type NatsCluster, startNatsCluster } from './nats-cluster.js';
import { TEST_NATS_USERS } from './nats-users.js';
import { repoRoot } from './paths.js';
import {
  type AcmeServer,
  type ChallengeDnsServer,
  type PebbleOptions,
  startChallengeDns,
  startPebble,
} from './pebble.js';
import { PortAllocator } from './ports.js';
import { type PowerDnsServer, startPowerDns } from './powerdns.js';
import { ensureDnsControllerManager, ensureServerBinaries, type ServerBinaries } from './server-binaries.js';
import { generateServingCert } from './tls.js';
import { TxtRecords } from './txt-records.js';

export const CLUSTER_ROLES = ['default', 'source', 'dns', 'target'] as const;
export type ClusterRole = (typeof CLUSTER_ROLES)[number];

export interface StackOptions {
  /** 3 for the distributed tests, 1 for fast ones. */
  natsNodes?: 1 | 3;
  /** Start a second pebble that requires external account binding. */
  eabPebble?: boolean;
  /** Start a third pebble issuing certificates that live this many seconds (renewal tests). */
  shortLivedPebbleSeconds?: number;
  /** More pebbles for particular tests, by name (StackInfo.acmeExtra). */
  extraPebbles?: Record<string, Pick<PebbleOptions, 'profiles' | 'env'>>;
  /**
   * Who publishes the challenge DNSEntries of the dns cluster. 'standin' (default): dns-companion.ts into
   * pebble-challtestsrv. 'real': gardener's dns-controller-manager (powerdns provider) into a local PowerDNS that is
   * authoritative for REAL_LANE_ZONES, with external-dns-management's own CRDs in the dns cluster.
   */
  dnsLane?: DnsLane;
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
  nats: { urls: string[]; monitorUrls: string[]; users: typeof TEST_NATS_USERS };
  /** A kubectl of the API servers' version (built like them), for the README's commands. */
  kubectl: string;
  /** managementUrl: pebble's management interface (HTTPS with the listener CA), e.g. cert-status-by-serial. */
  acme: { directoryUrl: string; rootCaPath: string; listenerCaPath: string; managementUrl: string };
  acmeEab?: { directoryUrl: string; rootCaPath: string; keys: Record<string, string> };
  acmeShortLived?: { directoryUrl: string; rootCaPath: string; validitySeconds: number };
  acmeExtra?: Record<string, { directoryUrl: string; rootCaPath: string; managementUrl: string }>;
  dns: {
    lane: DnsLane;
    /** host:port of the DNS server pebble validates against and the precheck should query. */
    server: string;
    /** challtestsrv's management API (standin lane); empty in the real lane, where nothing but DNSEntries writes DNS. */
    managementUrl: string;
    /** The real lane's PowerDNS: its HTTP API (for inspection) and the zones it is authoritative for. */
    powerDns?: { apiUrl: string; apiKey: string; zones: string[] };
    /** The real lane's dns-controller-manager log. */
    controllerLog?: string;
  };
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
  /** The standin lane's DNS server and companions (DNSEntries; DNSRecords as a provider extension would). */
  challengeDns?: ChallengeDnsServer;
  dnsCompanion?: DnsCompanion;
  dnsRecordCompanion?: DnsRecordCompanion;
  /** The real lane's DNS server and gardener's dns-controller-manager. */
  powerDns?: PowerDnsServer;
  realDnsCompanion?: RealDnsCompanion;
  stop(): Promise<void>;
}

/**
 * Starts the whole local control plane on loopback: one etcd, a kube-apiserver per cluster role (own etcd prefix, CRDs
 * installed; or two, see `apiServers`), a NATS JetStream cluster from nats.conf, pebble, and the dns lane: challtestsrv
 * with the dns companion stand-in, or (dnsLane 'real') PowerDNS with gardener's dns-controller-manager.
 * Every server is killed with its parent process; stop() also removes the data directory.
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const log = opts.log ?? (() => {});
  const lane: DnsLane = opts.dnsLane ?? 'standin';
  const binaries = await ensureServerBinaries(log);
  const dnsControllerManager = lane === 'real' ? await ensureDnsControllerManager(log) : undefined;
  const realCrdsDir = lane === 'real' ? await realDnsCrdsDir(log) : undefined;
  // --use-dnsrecords: the dns cluster of a Gardener seed has gardener's DNSRecord CRD.
  const recordCrds = loadCrds(await dnsRecordCrdDir(log));
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'certmgmt-env-'));
  const ports = new PortAllocator();
  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => {});
  };
  try {
    const t0 = Date.now();
    const pebbleTls = await generateServingCert('pebble');
    let challengeDns: ChallengeDnsServer | undefined;
    let powerDns: PowerDnsServer | undefined;
    if (lane === 'real') {
      powerDns = await startPowerDns(join(dir, 'powerdns'), await ports.next(), await ports.next(), REAL_LANE_ZONES);
      started.push(powerDns.process);
    } else {
      challengeDns = await startChallengeDns(
        binaries.challtestsrv,
        join(dir, 'challtestsrv'),
        await ports.next(),
        await ports.next(),
      );
      started.push(challengeDns.process);
    }
    const dnsServer = (powerDns?.dnsAddress ?? challengeDns?.dnsAddress)!;
    // Register each server as soon as it is up, so a failure of its siblings still stops it.
    const track = <T>(p: Promise<T>, stoppable: (x: T) => { stop(): Promise<void> }): Promise<T> =>
      p.then((x) => {
        started.push(stoppable(x));
        return x;
      });
    const extra = await Promise.all(
      Object.entries(opts.extraPebbles ?? {}).map(async ([name, o]) => {
        const options = {
          port: await ports.next(),
          managementPort: await ports.next(),
          dnsServer,
          tls: pebbleTls,
          ...o,
        };
        const server = await track(
          startPebble(binaries.pebble, join(dir, `pebble-${name}`), options),
          (x) => x.process,
        );
        return [name, server] as const;
      }),
    );
    const [acme, acmeEab, acmeShortLived, nats, etcd] = await Promise.all([
      track(
        startPebble(binaries.pebble, join(dir, 'pebble'), {
          port: await ports.next(),
          managementPort: await ports.next(),
          dnsServer,
          tls: pebbleTls,
        }),
        (x) => x.process,
      ),
      opts.eabPebble
        ? track(
            startPebble(binaries.pebble, join(dir, 'pebble-eab'), {
              port: await ports.next(),
              managementPort: await ports.next(),
              dnsServer,
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
              dnsServer,
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
    // The real lane's dns cluster gets external-dns-management's dns.gardener.cloud CRDs instead of our DNSEntry copy.
    const dnsCrds = [
      ...(realCrdsDir
        ? [...crds.filter((c) => !c.metadata.name.endsWith('.dns.gardener.cloud')), ...loadCrds(realCrdsDir)]
        : crds),
      ...recordCrds,
    ];
    await Promise.all(
      servers.map(async (s) => {
        const client = KubeClient.fromFile(s.kubeconfig);
        try {
          await installCrds(client, s.role === 'dns' ? dnsCrds : crds);
        } finally {
          client.close();
        }
      }),
    );
    log(`CRDs established after ${Date.now() - t0} ms`);
    let dnsCompanion: DnsCompanion | undefined;
    let dnsRecordCompanion: DnsRecordCompanion | undefined;
    let realDnsCompanion: RealDnsCompanion | undefined;
    if (powerDns) {
      realDnsCompanion = await startRealDnsCompanion({
        binary: dnsControllerManager!,
        dir: join(dir, 'dns-controller-manager'),
        dnsKubeconfig: apiServers.dns.kubeconfig,
        powerDns,
        httpPort: await ports.next(),
      });
      started.push(realDnsCompanion);
      log(`dns-controller-manager's DNSProvider Ready after ${Date.now() - t0} ms`);
    } else {
      const dnsClient = KubeClient.fromFile(apiServers.dns.kubeconfig);
      const records = new TxtRecords(challengeDns!);
      const companion = new DnsCompanion(dnsClient, records);
      const recordCompanion = new DnsRecordCompanion(dnsClient, records);
      await Promise.all([companion.start(), recordCompanion.start()]);
      dnsCompanion = companion;
      dnsRecordCompanion = recordCompanion;
      started.push({
        stop: async () => {
          await Promise.all([companion.stop(), recordCompanion.stop()]);
          dnsClient.close();
        },
      });
    }
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
      nats: { urls: nats.urls, monitorUrls: nats.nodes.map((n) => n.monitorUrl), users: TEST_NATS_USERS },
      kubectl: binaries.kubectl,
      acme: {
        directoryUrl: acme.directoryUrl,
        rootCaPath: acme.rootCaPath,
        listenerCaPath: acme.listenerCaPath,
        managementUrl: acme.managementUrl,
      },
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
      ...(extra.length > 0
        ? {
            acmeExtra: Object.fromEntries(
              extra.map(([name, a]) => [
                name,
                { directoryUrl: a.directoryUrl, rootCaPath: a.rootCaPath, managementUrl: a.managementUrl },
              ]),
            ),
          }
        : {}),
      dns: {
        lane,
        server: dnsServer,
        managementUrl: challengeDns?.managementUrl ?? '',
        ...(powerDns
          ? {
              powerDns: { apiUrl: powerDns.apiUrl, apiKey: powerDns.apiKey, zones: powerDns.zones },
              controllerLog: realDnsCompanion?.process.logFile,
            }
          : {}),
      },
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
      dnsRecordCompanion,
      powerDns,
      realDnsCompanion,
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
