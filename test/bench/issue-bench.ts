// `npm run bench:issue -- --certs N --pods P [--key ecdsa256|rsa2048]`: certificates issued end to end by P runtime
// pods on the local stack (four API servers, 3-node NATS, pebble, challtestsrv, the dns stand-in), against plain
// acme-client on the same pebble and DNS in the same run (the ceiling). Prints one JSON line. Certificates and the raw
// run use ECDSA P-256 keys by default, so key generation does not dominate either side; `--key rsa2048` is the seed's
// default key (the Certificates then carry no spec.privateKey, as a user's would). The additional wait is 0.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as acme from 'acme-client';
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
import { rawAcmeIssuance } from './raw-acme.js';

const { values } = parseArgs({
  options: {
    certs: { type: 'string', default: '100' },
    pods: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '32' },
    single: { type: 'string', default: '10' },
    key: { type: 'string', default: 'ecdsa256' },
  },
});
const CERTS = Number(values.certs);
const PODS = Number(values.pods);
const CONCURRENCY = Number(values.concurrency);
const SINGLE = Number(values.single);
if (values.key !== 'ecdsa256' && values.key !== 'rsa2048') {
  process.stderr.write(`bench:issue: --key ${values.key}: use ecdsa256 or rsa2048\n`);
  process.exit(2);
}
const KEY: 'ecdsa256' | 'rsa2048' = values.key;
const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;

const stack = await startStack({ natsNodes: 3, log: (l) => log(l) });
const info = stack.info;
// This process talks to pebble too (the raw run): trust its listener like the pods do through NODE_EXTRA_CA_CERTS.
acme.axios.defaults.httpsAgent = new Agent({ ca: readFileSync(info.acme.listenerCaPath), keepAlive: true });
const ns = 'bench';
const source = KubeClient.fromFile(info.clusters.source.kubeconfig);
const def = KubeClient.fromFile(info.clusters.default.kubeconfig);
const pods: ControllerPod[] = [];
try {
  await createBenchNamespace(info, ns);

  // --- the ceiling ---
  log(`raw acme-client: ${CERTS} certificates, concurrency ${CONCURRENCY}`);
  const raw = await rawAcmeIssuance({
    directoryUrl: info.acme.directoryUrl,
    dnsManagementUrl: info.dns.managementUrl,
    certs: CERTS,
    concurrency: CONCURRENCY,
    domain: 'raw.bench.example',
    key: KEY,
  });
  log(`raw: ${raw.certsPerSecond.toFixed(1)} certs/s, p50 ${raw.p50Seconds.toFixed(3)} s`);

  // --- the controller ---
  const args = benchControllerArgs(info, ns);
  for (let i = 0; i < PODS; i++) pods.push(new ControllerPod(`bench-${i}`, info, args));
  await Promise.all(pods.map((p) => p.ready()));
  await def.create(issuerPath(ns), {
    apiVersion: 'cert.gardener.cloud/v1alpha1',
    kind: 'Issuer',
    metadata: { name: 'bench', namespace: ns },
    spec: {
      acme: {
        server: info.acme.directoryUrl,
        email: 'bench@example.com',
        autoRegistration: true,
        privateKeySecretRef: { name: 'bench-account', namespace: ns },
      },
    },
  });
  await eventually(
    async () => (await def.get<Issuer>(issuerPath(ns, 'bench'))).status?.state === 'Ready',
    'the issuer to be Ready',
    60_000,
    50,
  );

  const readyAt = new Map<string, number>();
  const watch = new ListWatch<Certificate>({
    client: source,
    path: certificatePath(ns),
    onEvent: (ev) => {
      const c = ev.object;
      if (c.status?.state === 'Ready' && !readyAt.has(c.metadata.name)) readyAt.set(c.metadata.name, performance.now());
    },
  }).start();
  await watch.synced();
  const spec = (name: string) => ({
    commonName: `${name}.bench.example`,
    issuerRef: { name: 'bench' },
    secretName: `${name}-tls`,
    ...(KEY === 'ecdsa256' ? { privateKey: { algorithm: 'ECDSA', size: 256 } } : {}),
  });
  const create = (name: string) =>
    source.create(certificatePath(ns), {
      apiVersion: 'cert.gardener.cloud/v1alpha1',
      kind: 'Certificate',
      metadata: { name, namespace: ns },
      spec: spec(name),
    });

  // One certificate at a time: the latency of a single issuance through the whole system.
  const single: number[] = [];
  for (let i = 0; i < SINGLE; i++) {
    const name = `single-${i}`;
    const t = performance.now();
    await create(name);
    await eventually(() => readyAt.has(name), `${name} to be Ready`, 60_000, 5);
    single.push((readyAt.get(name)! - t) / 1000);
  }
  log(`single: p50 ${pct(single, 0.5).toFixed(3)} s`);

  // The bulk: N certificates created as fast as the API server takes them.
  const ordersBefore = orders();
  const cpuBefore = cpuByCommand();
  const wallStart = Date.now();
  const createdAt = new Map<string, number>();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, CERTS) }, async () => {
      while (next < CERTS) {
        const name = `c-${next++}`;
        createdAt.set(name, performance.now());
        await create(name);
      }
    }),
  );
  await eventually(
    () => [...createdAt.keys()].every((n) => readyAt.has(n)),
    `all ${CERTS} certificates to be Ready (${[...createdAt.keys()].filter((n) => readyAt.has(n)).length} so far)`,
    900_000,
    50,
  );
  const seconds = (Math.max(...[...createdAt.keys()].map((n) => readyAt.get(n)!)) - t0) / 1000;
  const latencies = [...createdAt].map(([n, t]) => (readyAt.get(n)! - t) / 1000);
  const rssMB = pods.map((p) => peakRssMB(p.child.pid!));
  if (process.env.BENCH_CPU) {
    const after = cpuByCommand();
    log(
      `cpu seconds during the bulk: ${JSON.stringify(
        Object.fromEntries(
          Object.entries(after)
            .map(([k, v]) => [k, round(v - (cpuBefore[k] ?? 0), 1)])
            .filter(([, v]) => (v as number) > 0.2),
        ),
      )}`,
    );
  }
  // The clean-up writes (entry deletions) come right after Ready, and the audit log is flushed every second.
  let writes = countWrites(
    Object.values(info.clusters).map((c) => c.auditLog),
    RUNTIME_USER,
    wallStart,
  );
  await eventually(
    async () => {
      await new Promise((r) => setTimeout(r, 1500));
      const again = countWrites(
        Object.values(info.clusters).map((c) => c.auditLog),
        RUNTIME_USER,
        wallStart,
      );
      const stable = again.total === writes.total;
      writes = again;
      return stable;
    },
    'the audit logs to settle',
    60_000,
    0,
  );
  await watch.stop();
  const certsPerSecond = CERTS / seconds;
  log(`writes by resource: ${JSON.stringify(writes.byResource)}`);
  console.log(
    JSON.stringify({
      certs: CERTS,
      pods: PODS,
      key: KEY,
      seconds: round(seconds, 2),
      certsPerSecond: round(certsPerSecond, 2),
      readyP50Seconds: round(pct(latencies, 0.5)),
      readyP95Seconds: round(pct(latencies, 0.95)),
      singleCertReadyP50Seconds: round(pct(single, 0.5)),
      rawAcmeCertsPerSecond: round(raw.certsPerSecond, 2),
      rawAcmeSingleP50Seconds: round(raw.p50Seconds),
      ratioToRaw: round(certsPerSecond / raw.certsPerSecond, 2),
      acmeOrders: orders() - ordersBefore,
      apiWritesPerCert: round(writes.total / CERTS, 2),
      rssMBPerPod: round(rssMB.reduce((a, b) => a + b, 0) / rssMB.length, 1),
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

/** CPU seconds used so far by each command name (all processes of this user), for BENCH_CPU=1. */
function cpuByCommand(): Record<string, number> {
  const out: Record<string, number> = {};
  const tick = 100;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const name =
        comm === 'node' ? (cmdline.includes('cert-controller-manager') ? 'pods' : 'bench+dns-standin') : comm;
      out[name] = (out[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / tick;
    } catch {
      // the process ended
    }
  }
  return out;
}

/** Peak resident set size of a process (VmHWM), in MB. */
function peakRssMB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
