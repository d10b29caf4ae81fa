// One controller's part of the side-by-side benchmark: start it, give it an Issuer, apply N Certificates at once and
// watch them until each is Ready, then measure what it cost (time, memory, CPU, ACME orders, API writes).
import { cpus } from 'node:os';
import { certificatePath } from '../../../actors/certificate/certificate-kube.js';
import type { Certificate } from '../../../actors/certificate/certificate-spec.js';
import { type Issuer, issuerPath } from '../../../actors/issuer/issuer-types.js';
import { KubeApiError } from '../../../actors/kube/kube-api-error.js';
import { KubeClient } from '../../../actors/kube/kube-client.js';
import { ListWatch } from '../../../actors/kube/list-watch.js';
import { RUNTIME_USER } from '../../env/kube-apiserver.js';
import type { StackInfo } from '../../env/stack.js';
import { countWrites } from '../audit-writes.js';
import type { Contender } from './contenders.js';
import { logOffset, ordersSince } from './pebble-orders.js';
import {
  cpuByProcess,
  cpuSeconds,
  cpuSpentByCommand,
  ForeignCpu,
  machineBusySeconds,
  memory,
  RssSampler,
  settle,
  sleep,
} from './proc-stats.js';
import { percentile, spearman } from './stats.js';

export type KeyType = 'rsa2048' | 'ecdsa256';

/**
 * The Issuer's spec.requestsPerDayQuota for N Certificates at once. Both controllers default to 10000 a day with a
 * burst of a quarter of it (2500), and spend a token per attempt: above 1250 certificates at once (retries
 * included) the default makes the rest wait for hours, so the Issuer raises it as the controllers' own message
 * tells a user to. At or below 1250 the Issuer keeps the default (no field).
 */
export function issuerQuota(certs: number): number | undefined {
  return certs > 1250 ? certs * 8 : undefined;
}

/** The namespace of the default cluster where both controllers look for Issuers by default (the seed's default). */
export const ISSUER_NAMESPACE = 'default';

export interface RunSpec {
  info: StackInfo;
  pebbleLog: string;
  start: () => Promise<Contender>;
  certs: number;
  key: KeyType;
  /** The Certificates' namespace (fresh per controller). */
  namespace: string;
  /** The Issuer's name in ISSUER_NAMESPACE (fresh per controller). */
  issuer: string;
  /** Parent of the certificates' names (distinct per controller, so no order is ever reused). */
  domain: string;
  createConcurrency: number;
  /** No certificate became Ready for this long: stop waiting, the rest are failures. */
  stallSeconds: number;
  /** Save the controller's logs here. */
  logsDir?: string;
  /**
   * Memory mode: after the idle figure, wait this long more and measure again. A Certificate is idle for days between
   * renewals; ours passivates its actor after a minute without messages, which the first figure (taken seconds after
   * the last Ready) does not show.
   */
  longIdleMs?: number;
  log: (line: string) => void;
}

export interface RunResult {
  commandLines: readonly string[][];
  /** From starting the controller to its Issuer being Ready, and then until it (and NATS for ours) was quiet. */
  startSeconds: number;
  startSettleSeconds: number;
  allReadySeconds: number;
  certsPerSecond: number;
  p50Seconds: number;
  p95Seconds: number;
  /** Seconds to create all N Certificates (the API server's pace). */
  createSeconds: number;
  /** RSS summed over the controller's processes, MB: started with a Ready Issuer and nothing else; peak; idle after. */
  baselineRss: number[];
  peakRss: number[];
  idleRss: number[];
  idleSettled: boolean;
  /** RSS after the long idle wait (memory mode), else undefined. */
  longIdleRss?: number[];
  acmeOrders: number;
  failures: number;
  /** Certificates that were in state Error at some point (retried or not). */
  errorsSeen: number;
  rankCorrelation: number;
  /** CPU seconds of the controller's processes from the first create to the last Ready. */
  cpuSeconds: number;
  /** CPU seconds other work on the machine (outside this benchmark's processes) used during the same window. */
  foreignCpuSeconds: number;
  /** Share of both cores busy (all processes) from the first create to the last Ready. */
  machineBusyShare: number;
  /** CPU seconds in the same window by command name (the controller's processes and every server of the stack). */
  cpuByCommand: Record<string, number>;
  apiWrites: number;
  apiWritesByResource: Record<string, number>;
}

export async function runController(spec: RunSpec): Promise<RunResult> {
  const { info, log } = spec;
  const source = KubeClient.fromFile(info.clusters.source.kubeconfig);
  const def = KubeClient.fromFile(info.clusters.default.kubeconfig);
  const dns = KubeClient.fromFile(info.clusters.dns.kubeconfig);
  // Certificates in their namespace of the source cluster; gardener writes challenge entries into the same namespace
  // of the dns cluster when --dns-namespace is empty, so it must exist there too.
  for (const k of new Set([source, dns])) await ensureNamespace(k, spec.namespace);
  const tStart = performance.now();
  const contender = await spec.start();
  const pids = contender.pids;
  const rss = new RssSampler(pids);
  let watch: ListWatch<Certificate> | undefined;
  try {
    const alive = () => {
      const why = contender.exited();
      if (why) throw new Error(why);
    };
    const t0Issuer = performance.now();
    await def.create(issuerPath(ISSUER_NAMESPACE), {
      apiVersion: 'cert.gardener.cloud/v1alpha1',
      kind: 'Issuer',
      metadata: { name: spec.issuer, namespace: ISSUER_NAMESPACE },
      spec: {
        acme: {
          server: info.acme.directoryUrl,
          email: `${spec.issuer}@example.com`,
          autoRegistration: true,
          privateKeySecretRef: { name: `${spec.issuer}-account`, namespace: ISSUER_NAMESPACE },
        },
        ...(issuerQuota(spec.certs) ? { requestsPerDayQuota: issuerQuota(spec.certs) } : {}),
      },
    });
    for (;;) {
      alive();
      const issuer = await def.get<Issuer>(issuerPath(ISSUER_NAMESPACE, spec.issuer));
      if (issuer.status?.state === 'Ready') break;
      if (performance.now() - t0Issuer > 120_000)
        throw new Error(`${contender.name}: issuer not Ready after 120 s: ${JSON.stringify(issuer.status)}`);
      await sleep(100);
    }
    const startSeconds = (performance.now() - tStart) / 1000;
    log(`${contender.name}: issuer Ready after ${((performance.now() - t0Issuer) / 1000).toFixed(1)} s`);
    const startSettle = await settle([...pids, ...contender.supportPids], { minMs: 3000, maxMs: 60_000 });
    if (!startSettle.quiet) log(`${contender.name}: not quiet after ${(startSettle.ms / 1000).toFixed(0)} s; going on`);
    const baselineRss = pids.map((p) => memory(p)?.rss ?? Number.NaN);
    log(`${contender.name}: baseline rss ${mbText(baselineRss)} (a Ready Issuer, no Certificates)`);

    const readyAt = new Map<string, number>();
    const readySeq = new Map<string, number>();
    const lastState = new Map<string, string>();
    const errorsSeen = new Set<string>();
    let lastProgress = performance.now();
    let nextTenth = 1;
    let t0 = 0;
    watch = new ListWatch<Certificate>({
      client: source,
      path: certificatePath(spec.namespace),
      onEvent: (ev) => {
        const c = ev.object;
        const name = c.metadata.name;
        const state = c.status?.state ?? '';
        lastState.set(name, state);
        if (state === 'Error') errorsSeen.add(name);
        // Ready at the current generation (gardener bumps it once itself by writing spec.secretRef).
        const observed = c.status?.observedGeneration ?? c.metadata.generation ?? 0;
        if (state !== 'Ready' || observed < (c.metadata.generation ?? 0) || readyAt.has(name)) return;
        readyAt.set(name, performance.now());
        readySeq.set(name, readySeq.size);
        lastProgress = performance.now();
        while (readyAt.size >= (nextTenth * spec.certs) / 10 && nextTenth <= 10) {
          const rssNow = pids.reduce((s, p) => s + (rss.latest.get(p) ?? 0), 0);
          log(
            `${contender.name}: ${readyAt.size}/${spec.certs} Ready (${nextTenth * 10} %) after ` +
              `${((performance.now() - t0) / 1000).toFixed(1)} s, rss ${(rssNow / 2 ** 20).toFixed(0)} MB`,
          );
          nextTenth++;
        }
      },
      onError: (err) => log(`${contender.name}: certificate watch: ${err.message}`),
    }).start();
    await watch.synced();

    const ordersFrom = logOffset(spec.pebbleLog);
    const wallStart = Date.now();
    const cpuStart = pids.reduce((s, p) => s + cpuSeconds(p), 0);
    const foreign = new ForeignCpu().start();
    const machineStart = machineBusySeconds();
    const processesStart = cpuByProcess();
    const createdAt = new Map<string, number>();
    const createdRv = new Map<string, number>();
    const names = Array.from({ length: spec.certs }, (_, i) => `c-${i}`);
    log(`${contender.name}: creating ${spec.certs} Certificates (${spec.key})`);
    t0 = performance.now();
    lastProgress = t0;
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(spec.createConcurrency, spec.certs) }, async () => {
        while (next < names.length) {
          const name = names[next++]!;
          const sent = performance.now();
          const created = await source.create<Certificate>(certificatePath(spec.namespace), {
            apiVersion: 'cert.gardener.cloud/v1alpha1',
            kind: 'Certificate',
            metadata: { name, namespace: spec.namespace },
            spec: {
              commonName: `${name}.${spec.domain}`,
              issuerRef: { name: spec.issuer },
              secretName: `${name}-tls`,
              ...(spec.key === 'ecdsa256' ? { privateKey: { algorithm: 'ECDSA', size: 256 } } : {}),
            },
          });
          createdAt.set(name, sent);
          // resourceVersion is the shared etcd's revision: a strict order of the creations.
          createdRv.set(name, Number(created.metadata.resourceVersion));
        }
      }),
    );
    const createSeconds = (performance.now() - t0) / 1000;
    log(`${contender.name}: created ${spec.certs} in ${createSeconds.toFixed(1)} s`);
    lastProgress = Math.max(lastProgress, performance.now());
    while (readyAt.size < spec.certs) {
      alive();
      if (performance.now() - lastProgress > spec.stallSeconds * 1000) {
        log(`${contender.name}: no certificate became Ready for ${spec.stallSeconds} s; ${readyAt.size} Ready`);
        break;
      }
      await sleep(100);
    }
    const cpu = pids.reduce((s, p) => s + cpuSeconds(p), 0) - cpuStart;
    const cpuByCommand = cpuSpentByCommand(processesStart, cpuByProcess());
    const foreignCpuSeconds = foreign.seconds();
    // How busy both cores were (everything: this controller, the API servers, etcd, NATS, pebble, DNS) until the
    // last Ready: near 1 means the run was bound by the machine's CPU, not by waiting.
    const machineBusyShare =
      (machineBusySeconds() - machineStart) / (((performance.now() - t0) / 1000) * cpus().length);
    const ready = names.filter((n) => readyAt.has(n));
    const last = Math.max(t0, ...ready.map((n) => readyAt.get(n)!));
    const latencies = ready.map((n) => (readyAt.get(n)! - createdAt.get(n)!) / 1000);
    const allReadySeconds = (last - t0) / 1000;

    const quiet = await settle(pids, { minMs: 5000, maxMs: 60_000 });
    const idleRss = pids.map((p) => memory(p)?.rss ?? Number.NaN);
    log(
      `${contender.name}: idle rss ${mbText(idleRss)} after ${(quiet.ms / 1000).toFixed(0)} s` +
        `${quiet.quiet ? '' : ' (not quiet)'}; peak ${mbText(pids.map((p) => rss.peakOf(p)))}`,
    );
    let longIdleRss: number[] | undefined;
    if (spec.longIdleMs) {
      await sleep(spec.longIdleMs);
      await settle(pids, { minMs: 2000, maxMs: 30_000 });
      longIdleRss = pids.map((p) => memory(p)?.rss ?? Number.NaN);
      log(`${contender.name}: rss ${mbText(longIdleRss)} after ${spec.longIdleMs / 1000} s more idle`);
    }
    const acmeOrders = ordersSince(spec.pebbleLog, ordersFrom);
    const writes = countWrites(
      [...new Set(Object.values(info.clusters).map((c) => c.auditLog))],
      RUNTIME_USER,
      wallStart,
    );
    log(`${contender.name}: API writes by resource: ${JSON.stringify(writes.byResource)}`);
    return {
      commandLines: contender.commandLines,
      startSeconds,
      startSettleSeconds: startSettle.ms / 1000,
      allReadySeconds,
      certsPerSecond: ready.length / allReadySeconds,
      p50Seconds: percentile(latencies, 0.5),
      p95Seconds: percentile(latencies, 0.95),
      createSeconds,
      baselineRss,
      peakRss: pids.map((p) => rss.peakOf(p)),
      idleRss,
      idleSettled: quiet.quiet,
      longIdleRss,
      acmeOrders,
      failures: names.filter((n) => !readyAt.has(n) || lastState.get(n) === 'Error').length,
      errorsSeen: errorsSeen.size,
      rankCorrelation: spearman(
        ready.map((n) => createdRv.get(n)!),
        ready.map((n) => readySeq.get(n)!),
      ),
      cpuSeconds: cpu,
      foreignCpuSeconds,
      machineBusyShare: Math.round(machineBusyShare * 100) / 100,
      cpuByCommand,
      apiWrites: writes.total,
      apiWritesByResource: writes.byResource,
    };
  } finally {
    rss.stop();
    await watch?.stop();
    if (spec.logsDir) contender.saveLogs(spec.logsDir);
    await contender.stop();
    source.close();
    def.close();
    dns.close();
  }
}

const mbText = (bytes: readonly number[]) => bytes.map((b) => `${(b / 2 ** 20).toFixed(1)} MB`).join(' + ');

async function ensureNamespace(k: KubeClient, name: string): Promise<void> {
  try {
    await k.create('/api/v1/namespaces', { metadata: { name } });
  } catch (err) {
    if (!(err instanceof KubeApiError && err.statusCode === 409)) throw err;
  }
}
