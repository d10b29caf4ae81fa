// `npm run bench:compare -- --certs N [--pods P] [--key rsa2048|ecdsa256] [--variant defaults|tuned]`: gardener's own
// cert-controller-manager v0.27.0 and ours, one after the other on the same local stack in the same run (one API
// server for default = source = target, one for dns; 3-node NATS; pebble; challtestsrv; the dns stand-in), and plain
// acme-client with the same key type and DNS-01 path as the ceiling. Prints one JSON line; progress goes to stderr.
//
// `npm run bench:memory` (`--memory`): bytes per idle Certificate, (RSS after all Ready and settled - RSS with no
// certificates) / N, at N = 1000 (RSA-2048) and 5000 (ECDSA P-256, to keep the run short), each on a fresh stack.
import { mkdirSync, readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as acme from 'acme-client';
import { ensureGardenerController, GARDENER_VERSION } from '../env/gardener-controller.js';
import { type Stack, startStack } from '../env/stack.js';
import { type Contender, startGardener, startOurs, TUNED_FLAGS, type Variant } from './compare/contenders.js';
import { removeLeftovers } from './compare/leftovers.js';
import { ForeignCpu, waitForQuietMachine } from './compare/proc-stats.js';
import { issuerQuota, type KeyType, type RunResult, runController } from './compare/run.js';
import { mb, round } from './compare/stats.js';
import { rawAcmeIssuance } from './raw-acme.js';

const { values } = parseArgs({
  options: {
    certs: { type: 'string', default: '20' },
    pods: { type: 'string', default: '1' },
    key: { type: 'string', default: 'rsa2048' },
    variant: { type: 'string' },
    only: { type: 'string' },
    'no-raw': { type: 'boolean', default: false },
    'raw-concurrency': { type: 'string', default: '32' },
    'create-concurrency': { type: 'string', default: '32' },
    'stall-seconds': { type: 'string', default: '300' },
    'nats-nodes': { type: 'string', default: '3' },
    logs: { type: 'string' },
    'quiet-wait': { type: 'string', default: '0' },
    'quiet-cores': { type: 'string', default: '0.25' },
    'ours-log-level': { type: 'string' },
    memory: { type: 'boolean', default: false },
    sizes: { type: 'string', default: '1000:rsa2048,5000:ecdsa256' },
  },
});

const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
const fail = (message: string): never => {
  process.stderr.write(`bench:compare: ${message}\n`);
  process.exit(2);
};
const positive = (flag: string): number => {
  const n = Number(values[flag as keyof typeof values]);
  return Number.isInteger(n) && n > 0 ? n : fail(`--${flag} wants a positive integer`);
};
const keyType = (k: string): KeyType =>
  k === 'rsa2048' || k === 'ecdsa256' ? k : fail(`--key ${k}: use rsa2048 or ecdsa256`);
// Memory mode measures idle certificates, not speed: it runs the tuned flags unless told otherwise, to stay short.
const variant = (values.variant ?? (values.memory ? 'tuned' : 'defaults')) as Variant;
if (variant !== 'defaults' && variant !== 'tuned') fail(`--variant ${variant}: use defaults or tuned`);
const only = values.only;
if (only !== undefined && only !== 'gardener' && only !== 'ours') fail(`--only ${only}: use gardener or ours`);
const runGardener = only !== 'ours';
const runOurs = only !== 'gardener';
const PODS = positive('pods');
const natsNodes = Number(values['nats-nodes']);
if (natsNodes !== 1 && natsNodes !== 3) fail('--nats-nodes: 1 or 3');
if (values.logs) mkdirSync(values.logs, { recursive: true });
const gardenerBinary = runGardener ? await ensureGardenerController(log) : '';
const runId = Math.random().toString(36).slice(2, 7);

interface Round {
  certs: number;
  key: KeyType;
  gardener?: RunResult;
  ours?: RunResult;
  natsIdleRss?: number;
  raw?: Awaited<ReturnType<typeof rawAcmeIssuance>> & { foreignCpuSeconds: number };
  /** A phase that failed, by name: the others still report. */
  errors: { raw?: string; gardener?: string; ours?: string };
}

/** One stack: the raw ceiling, gardener (then its leftovers removed), ours; each as asked. */
async function oneRound(
  certs: number,
  key: KeyType,
  which: { raw: boolean; gardener: boolean; ours: boolean },
): Promise<Round> {
  const stack: Stack = await startStack({ apiServers: 2, natsNodes: natsNodes as 1 | 3, log });
  const info = stack.info;
  const common = {
    info,
    pebbleLog: stack.acme.process.logFile,
    certs,
    key,
    createConcurrency: positive('create-concurrency'),
    stallSeconds: positive('stall-seconds'),
    // One directory per round, so a memory run's sizes keep their own logs.
    logsDir: values.logs ? join(values.logs, `${certs}-${key}`) : undefined,
    ...(values.memory ? { longIdleMs: LONG_IDLE_MS } : {}),
    log,
  };
  if (common.logsDir) mkdirSync(common.logsDir, { recursive: true });
  const result: Round = { certs, key, errors: {} };
  const failed = (phase: keyof Round['errors'], err: unknown) => {
    result.errors[phase] = (err as Error).message.split('\n')[0];
    log(`${phase} failed: ${(err as Error).message}`);
  };
  // --quiet-wait S: before each measured phase, wait up to S seconds until other work on the machine uses less than
  // --quiet-cores of CPU.
  const quietWaitMs = Number(values['quiet-wait']) * 1000;
  const quiet = async () => {
    if (quietWaitMs > 0) await waitForQuietMachine(quietWaitMs, log, Number(values['quiet-cores']));
  };
  try {
    if (which.raw) {
      // This process talks to pebble too: trust its listener like the controllers do.
      acme.axios.defaults.httpsAgent = new Agent({ ca: readFileSync(info.acme.listenerCaPath), keepAlive: true });
      const concurrency = positive('raw-concurrency');
      await quiet();
      log(`raw acme-client: ${certs} certificates (${key}), ${concurrency} at a time`);
      const foreign = new ForeignCpu().start();
      try {
        const raw = await rawAcmeIssuance({
          directoryUrl: info.acme.directoryUrl,
          dnsManagementUrl: info.dns.managementUrl,
          certs,
          concurrency,
          domain: `raw-${runId}.bench.example`,
          key,
        });
        result.raw = { ...raw, foreignCpuSeconds: foreign.seconds() };
        log(`raw: ${result.raw.seconds.toFixed(1)} s, ${result.raw.certsPerSecond.toFixed(1)} certs/s`);
      } catch (err) {
        failed('raw', err);
      }
    }
    if (which.gardener) {
      await quiet();
      log(`gardener cert-controller-manager v${GARDENER_VERSION} (${variant})`);
      try {
        result.gardener = await runController({
          ...common,
          start: async (): Promise<Contender> => startGardener(gardenerBinary, info, variant),
          namespace: 'bench-gardener',
          issuer: 'gardener',
          domain: `g-${runId}.bench.example`,
        });
      } catch (err) {
        failed('gardener', err);
      }
      if (which.ours) await removeLeftovers(info, 'bench-gardener', 'gardener').catch((err) => failed('gardener', err));
    }
    if (which.ours) {
      await quiet();
      log(`ours, ${PODS} pod(s) (${variant})`);
      try {
        result.ours = await runController({
          ...common,
          start: () =>
            startOurs(
              info,
              stack.nats.nodes.map((n) => n.process.pid!),
              PODS,
              variant,
              values['ours-log-level'],
            ),
          namespace: 'bench-ours',
          issuer: 'ours',
          domain: `o-${runId}.bench.example`,
        });
        result.natsIdleRss = stack.nats.nodes.reduce((s, n) => s + (memoryOf(n.process.pid) ?? 0), 0);
      } catch (err) {
        failed('ours', err);
      }
    }
    return result;
  } finally {
    await stack.stop();
  }
}

function memoryOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : undefined;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? null : round(a / b, 2);

function figures(r: RunResult, certs: number) {
  return {
    allReadySeconds: round(r.allReadySeconds, 2),
    certsPerSecond: round(r.certsPerSecond, 2),
    p50Seconds: round(r.p50Seconds),
    p95Seconds: round(r.p95Seconds),
    peakRssMB: mb(sum(r.peakRss)),
    idleRssMB: mb(sum(r.idleRss)),
    acmeOrders: r.acmeOrders,
    failures: r.failures,
    rankCorrelation: round(r.rankCorrelation),
    errorsSeen: r.errorsSeen,
    cpuSeconds: round(r.cpuSeconds, 1),
    foreignCpuSeconds: round(r.foreignCpuSeconds, 1),
    machineBusyShare: r.machineBusyShare,
    cpuByCommand: r.cpuByCommand,
    startSeconds: round(r.startSeconds, 1),
    apiWritesPerCert: round(r.apiWrites / certs, 2),
    createSeconds: round(r.createSeconds, 2),
  };
}

function perPod(r: RunResult) {
  return {
    pods: r.peakRss.length,
    peakRssMBPerPod: r.peakRss.map(mb),
    idleRssMBPerPod: r.idleRss.map(mb),
  };
}

/** Memory mode's second figure: past ours' one-minute passivation of idle certificate actors, for both controllers. */
const LONG_IDLE_MS = 90_000;

function bytesPerIdleCert(r: RunResult, certs: number) {
  // Only when all N are Ready: otherwise the figure would divide by certificates that are not there.
  const perCert = (rss: number[]) => (r.failures === 0 ? Math.round((sum(rss) - sum(r.baselineRss)) / certs) : null);
  return {
    bytesPerIdleCert: perCert(r.idleRss),
    baselineRssMB: mb(sum(r.baselineRss)),
    idleRssMB: mb(sum(r.idleRss)),
    idleSettled: r.idleSettled,
    ...(r.longIdleRss
      ? {
          bytesPerLongIdleCert: perCert(r.longIdleRss),
          longIdleRssMB: mb(sum(r.longIdleRss)),
          longIdleSeconds: LONG_IDLE_MS / 1000,
        }
      : {}),
    allReadySeconds: round(r.allReadySeconds, 2),
    failures: r.failures,
  };
}

function printCommandLines(round: Round): void {
  for (const [name, r] of [
    ['gardener', round.gardener],
    ['ours', round.ours],
  ] as const) {
    for (const argv of r?.commandLines ?? []) log(`${name} command line: ${argv.join(' ')}`);
  }
}

// The load average at the start: other work on the shared machine shows here and in each run's foreignCpuSeconds.
const machine = { cores: cpus().length, loadAvg1AtStart: round(loadavg()[0] ?? 0, 2), natsNodes, apiServers: 2 };

if (values.memory) {
  const sizes = values.sizes.split(',').map((s) => {
    const [n, k] = s.split(':');
    const certs = Number(n);
    if (!Number.isInteger(certs) || certs <= 0) fail(`--sizes ${values.sizes}: use N:key,N:key (e.g. 1000:rsa2048)`);
    return { certs, key: keyType(k ?? 'rsa2048') };
  });
  const out = [];
  for (const { certs, key } of sizes) {
    log(`memory: ${certs} certificates (${key})`);
    // A fresh stack for each controller: one's leftovers (a busy pebble after thousands of orders) never touch the
    // other's figure, and memory needs no same-stack comparison.
    const none = { raw: false, gardener: false, ours: false };
    const g = runGardener ? await oneRound(certs, key, { ...none, gardener: true }) : undefined;
    const o = runOurs ? await oneRound(certs, key, { ...none, ours: true }) : undefined;
    for (const r of [g, o]) if (r) printCommandLines(r);
    const entry = {
      certs,
      key,
      ...(issuerQuota(certs) ? { requestsPerDayQuota: issuerQuota(certs) } : {}),
      ...(g ? { gardener: g.gardener ? bytesPerIdleCert(g.gardener, certs) : { error: g.errors.gardener } } : {}),
      ...(o
        ? {
            ours: o.ours
              ? { ...bytesPerIdleCert(o.ours, certs), pods: PODS, natsIdleRssMB: mb(o.natsIdleRss ?? 0) }
              : { error: o.errors.ours },
          }
        : {}),
    };
    log(`memory result: ${JSON.stringify(entry)}`);
    out.push(entry);
  }
  console.log(
    JSON.stringify({
      mode: 'memory',
      variant,
      ...(variant === 'tuned' ? { tunedFlags: TUNED_FLAGS.join(' ') } : {}),
      sizes: out,
      note: 'bytesPerIdleCert = (RSS after all Ready and settled - RSS with a Ready Issuer and no certificates) / N; bytesPerLongIdleCert the same after longIdleSeconds more; ECDSA P-256 keys where key is ecdsa256 (5000 by default, to keep the run short)',
      ...machine,
    }),
  );
} else {
  const certs = positive('certs');
  const key = keyType(values.key);
  const r = await oneRound(certs, key, { raw: !values['no-raw'], gardener: runGardener, ours: runOurs });
  printCommandLines(r);
  const g = r.gardener;
  const o = r.ours;
  const rawSeconds = r.raw?.seconds;
  console.log(
    JSON.stringify({
      certs,
      key,
      variant,
      ...(variant === 'tuned' ? { tunedFlags: TUNED_FLAGS.join(' ') } : {}),
      gardenerVersion: `v${GARDENER_VERSION}`,
      ...(issuerQuota(certs) ? { requestsPerDayQuota: issuerQuota(certs) } : {}),
      ...(values['ours-log-level'] ? { oursLogLevel: values['ours-log-level'] } : {}),
      ...(g ? { gardener: figures(g, certs) } : r.errors.gardener ? { gardener: { error: r.errors.gardener } } : {}),
      ...(o
        ? { ours: { ...figures(o, certs), ...perPod(o), natsIdleRssMB: mb(r.natsIdleRss ?? 0) } }
        : r.errors.ours
          ? { ours: { error: r.errors.ours } }
          : {}),
      ...(g && o
        ? {
            ratios: {
              allReady: ratio(o.allReadySeconds, g.allReadySeconds),
              p50: ratio(o.p50Seconds, g.p50Seconds),
              p95: ratio(o.p95Seconds, g.p95Seconds),
              peakRss: ratio(sum(o.peakRss), sum(g.peakRss)),
              idleRss: ratio(sum(o.idleRss), sum(g.idleRss)),
              cpu: ratio(o.cpuSeconds, g.cpuSeconds),
            },
          }
        : {}),
      ...(r.errors.raw ? { raw: { error: r.errors.raw } } : {}),
      ...(r.raw
        ? {
            raw: {
              seconds: round(r.raw.seconds, 2),
              certsPerSecond: round(r.raw.certsPerSecond, 2),
              p50Seconds: round(r.raw.p50Seconds),
              retries: r.raw.retries,
              concurrency: positive('raw-concurrency'),
              foreignCpuSeconds: round(r.raw.foreignCpuSeconds, 1),
            },
            // Throughput as a share of the ceiling: raw time / time to all Ready.
            ...(o ? { oursToRaw: ratio(rawSeconds, o.allReadySeconds) } : {}),
            ...(g ? { gardenerToRaw: ratio(rawSeconds, g.allReadySeconds) } : {}),
          }
        : {}),
      ...machine,
    }),
  );
}
