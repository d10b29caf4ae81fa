// `npm run bench:dns-persist -- --certs N [--pods P]`: N certificates issued, then renewed, through dns-01 (a
// DNSEntry written and deleted per order) and through dns-persist-01 (one persistent record per domain, written by
// the first order only), by the same pods on the same stack in the same run. Per challenge type and phase: time to
// all Ready, p50 of create (or renew) to Ready, ACME orders, and API writes per certificate (all clusters, and the
// dns cluster alone) counted in the API servers' audit logs. ECDSA P-256 keys and no additional wait, as bench:issue.
// `--first dnsPersist01` runs that type first. Prints one JSON line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { certificatePath } from '../../actors/certificate/certificate-kube.js';
import type { Certificate } from '../../actors/certificate/certificate-spec.js';
import { type Issuer, issuerPath } from '../../actors/issuer/issuer-types.js';
import { KubeClient } from '../../actors/kube/kube-client.js';
import { ListWatch } from '../../actors/kube/list-watch.js';
import { RUNTIME_USER } from '../env/kube-apiserver.js';
import { startStack } from '../env/stack.js';
import { ControllerPod } from '../support/controller-pod.js';
import { eventually } from '../support/test-env.js';
import { countWrites } from './audit-writes.js';
import { benchControllerArgs, createBenchNamespace } from './bench-pods.js';

const { values } = parseArgs({
  options: {
    certs: { type: 'string', default: '200' },
    pods: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '32' },
    /** Which type runs first: the later one meets more objects and actors (a bias worth measuring both ways). */
    first: { type: 'string', default: 'dns01' },
  },
});
const CERTS = Number(values.certs);
const PODS = Number(values.pods);
const CONCURRENCY = Number(values.concurrency);
const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? Number.NaN;

const MODES = { dns01: 'dns-01', dnsPersist01: 'dns-persist-01' } as const;
type Mode = keyof typeof MODES;
interface PhaseResult {
  seconds: number;
  certsPerSecond: number;
  p50Seconds: number;
  acmeOrders: number;
  apiWritesPerCert: number;
  dnsClusterWritesPerCert: number;
}

const stack = await startStack({ natsNodes: 3, log: (l) => log(l) });
const info = stack.info;
const ns = 'bench';
const source = KubeClient.fromFile(info.clusters.source.kubeconfig);
const def = KubeClient.fromFile(info.clusters.default.kubeconfig);
const auditLogs = Object.values(info.clusters).map((c) => c.auditLog);
const pods: ControllerPod[] = [];

/** The Ready message (it names the serial) of each certificate as the watch saw it last, and when. */
const ready = new Map<string, { message: string; at: number }>();

try {
  await createBenchNamespace(info, ns);
  const args = benchControllerArgs(info, ns);
  for (let i = 0; i < PODS; i++) pods.push(new ControllerPod(`bench-${i}`, info, args));
  await Promise.all(pods.map((p) => p.ready()));
  for (const [issuer, type] of Object.entries(MODES)) {
    await def.create(issuerPath(ns), {
      apiVersion: 'cert.gardener.cloud/v1alpha1',
      kind: 'Issuer',
      metadata: { name: issuer.toLowerCase(), namespace: ns },
      spec: {
        acme: {
          server: info.acme.directoryUrl,
          email: 'bench@example.com',
          autoRegistration: true,
          privateKeySecretRef: { name: `${issuer.toLowerCase()}-account`, namespace: ns },
          ...(type === 'dns-01' ? {} : { dnsChallenge: { type } }),
        },
      },
    });
    await eventually(
      async () => (await def.get<Issuer>(issuerPath(ns, issuer.toLowerCase()))).status?.state === 'Ready',
      `issuer ${issuer} to be Ready`,
      60_000,
      50,
    );
  }
  const watch = new ListWatch<Certificate>({
    client: source,
    path: certificatePath(ns),
    onEvent: (ev) => {
      const c = ev.object;
      const current = c.status?.observedGeneration === c.metadata.generation;
      if (c.status?.state === 'Ready' && current && ready.get(c.metadata.name)?.message !== c.status.message)
        ready.set(c.metadata.name, { message: c.status.message ?? '', at: performance.now() });
    },
  }).start();
  await watch.synced();

  const names = (mode: Mode, prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${mode.toLowerCase()}-${prefix}-${i}`);
  const create = (mode: Mode, name: string) =>
    source.create(certificatePath(ns), {
      apiVersion: 'cert.gardener.cloud/v1alpha1',
      kind: 'Certificate',
      metadata: { name, namespace: ns },
      spec: {
        commonName: `${name}.bench.example`,
        issuerRef: { name: mode.toLowerCase() },
        secretName: `${name}-tls`,
        privateKey: { algorithm: 'ECDSA', size: 256 },
      },
    });
  const renew = (name: string) => source.mergePatch(certificatePath(ns, name), { spec: { renew: true } });

  /** Runs `start` on every name, CONCURRENCY at a time, and waits until each is Ready with a new certificate. */
  async function phase(what: string, list: string[], start: (name: string) => Promise<unknown>): Promise<PhaseResult> {
    const before = new Map(list.map((n) => [n, ready.get(n)?.message]));
    const startedAt = new Map<string, number>();
    const orders0 = orders();
    const wall0 = Date.now();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, list.length) }, async () => {
        while (next < list.length) {
          const name = list[next++]!;
          startedAt.set(name, performance.now());
          await start(name);
        }
      }),
    );
    const done = (n: string) => ready.has(n) && ready.get(n)!.message !== before.get(n);
    await eventually(
      () => list.every(done),
      `${what}: all ${list.length} Ready (${list.filter(done).length} so far)`,
      900_000,
      50,
    );
    const seconds = (Math.max(...list.map((n) => ready.get(n)!.at)) - t0) / 1000;
    const latencies = list.map((n) => (ready.get(n)!.at - startedAt.get(n)!) / 1000);
    // Clean-up writes (entry deletions) come right after Ready; the audit log is flushed every second.
    let writes = countWrites(auditLogs, RUNTIME_USER, wall0);
    await eventually(
      async () => {
        await new Promise((r) => setTimeout(r, 1500));
        const again = countWrites(auditLogs, RUNTIME_USER, wall0);
        const stable = again.total === writes.total;
        writes = again;
        return stable;
      },
      'the audit logs to settle',
      60_000,
      0,
    );
    const dnsWrites = countWrites([info.clusters.dns.auditLog], RUNTIME_USER, wall0).total;
    log(`${what}: ${seconds.toFixed(2)} s; writes ${JSON.stringify(writes.byResource)}`);
    return {
      seconds: round(seconds, 2),
      certsPerSecond: round(list.length / seconds, 2),
      p50Seconds: round(pct(latencies, 0.5)),
      acmeOrders: orders() - orders0,
      apiWritesPerCert: round(writes.total / list.length, 2),
      dnsClusterWritesPerCert: round(dnsWrites / list.length, 2),
    };
  }

  // Warm-up, so neither type pays for the first turns of the pods.
  for (const mode of Object.keys(MODES) as Mode[])
    await phase(`warm-up ${mode}`, names(mode, 'w', 10), (n) => create(mode, n));
  const result = {} as Record<Mode, { issue: PhaseResult; renew: PhaseResult }>;
  const order = (Object.keys(MODES) as Mode[]).sort((a, b) => Number(b === values.first) - Number(a === values.first));
  for (const mode of order) {
    const list = names(mode, 'c', CERTS);
    const issue = await phase(`${mode} issue`, list, (n) => create(mode, n));
    result[mode] = { issue, renew: await phase(`${mode} renew`, list, renew) };
  }
  await watch.stop();
  const ratio = (f: (m: Mode) => number) => round(f('dnsPersist01') / f('dns01'), 2);
  console.log(
    JSON.stringify({
      certs: CERTS,
      pods: PODS,
      first: order[0],
      ...result,
      persistToDns01: {
        issueSeconds: ratio((m) => result[m].issue.seconds),
        renewSeconds: ratio((m) => result[m].renew.seconds),
        issueWrites: ratio((m) => result[m].issue.apiWritesPerCert),
        renewWrites: ratio((m) => result[m].renew.apiWritesPerCert),
      },
    }),
  );
} finally {
  await Promise.all(pods.map((p) => p.stop()));
  // BENCH_POD_LOGS=dir keeps the pods' log lines for a closer look.
  if (process.env.BENCH_POD_LOGS)
    for (const p of pods)
      writeFileSync(
        join(process.env.BENCH_POD_LOGS, `${p.name}.log`),
        `${p.lines.map((l) => JSON.stringify(l)).join('\n')}\n`,
      );
  source.close();
  def.close();
  await stack.stop();
}

function orders(): number {
  return pods.reduce((n, p) => n + p.lines.filter((l) => l.msg === 'order created').length, 0);
}
