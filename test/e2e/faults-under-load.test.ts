import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { certificatePath } from '../../actors/certificate/certificate-kube.js';
import type { QuotaReply } from '../../actors/issuer/issuer-messages.js';
import { ISSUER_KIND, issuerActorId } from '../../actors/kinds.js';
import { startKubeApiServer } from '../env/kube-apiserver.js';
import { type Stack, startStack } from '../env/stack.js';
import type { ControllerPod } from '../support/controller-pod.js';
import { TestDeployment } from '../support/deployment.js';
import { eventually } from '../support/test-env.js';

// Faults while 300 certificates are issued by three pods, on a stack of this file's own (one API server for issuers,
// certificates and secrets, one for DNS, a three-node NATS cluster), as a user runs it: a pod SIGKILLed every 10 s,
// one NATS node restarted, the API server restarted. After each: every certificate Ready, one ACME order per
// certificate plus at most one for each whose pod died between finalize and download (its key died with it), every
// order paid for with a quota token, no DNSEntry left. The times to all Ready are reported next to a run without
// faults (test diagnostics). CERTMGMT_FAULT_CERTS sets the number (default 300).
const N = Number(process.env.CERTMGMT_FAULT_CERTS ?? 300);
const QUOTA = 8 * N; // a burst of 2N tokens: the checks below see how many were taken, none may be missing
let stack: Stack;
/** The API server the test restarts: its replacement, stopped at the end. */
let restartedApi: { stop(): Promise<void> } | undefined;

before(async () => {
  stack = await startStack({ natsNodes: 3, apiServers: 2, log: (l) => console.error(`[faults] ${l}`) });
});
after(async () => {
  await restartedApi?.stop();
  await stack?.stop();
});

interface Outcome {
  seconds: number;
  orders: number;
  restartedOrders: number;
  /** Log lines of the recovery paths, for the report: how often each was needed. */
  recoveries: Record<string, number>;
}

const RECOVERY_LOGS = {
  routedAgain: 'routed again: no status for their generation',
  routeFailed: 'could not route an event',
  forwardFailed: 'a queued message could not be passed on',
};

async function issueUnder(
  name: string,
  fault: (d: TestDeployment, readyCount: () => number) => Promise<void>,
): Promise<Outcome> {
  const d = new TestDeployment({
    pods: 3,
    stack: stack.info,
    args: ['--default-private-key-algorithm', 'ECDSA', '--issuer.default.pool.size', '10'],
  });
  await d.start();
  try {
    const tIssuer = Date.now();
    await d.issuer('load', {}, { requestsPerDayQuota: QUOTA });
    await d.waitIssuer('load');
    const t0 = Date.now();
    for (let i = 0; i < N; i++) {
      await d.kube.source.create(certificatePath(d.ns), {
        apiVersion: 'cert.gardener.cloud/v1alpha1',
        kind: 'Certificate',
        metadata: { name: `c${i}`, namespace: d.ns, annotations: d.classAnnotations() },
        spec: { commonName: `c${i}.${name}.example.com`, issuerRef: { name: 'load' }, secretName: `c${i}` },
      });
    }
    let ready = 0;
    const faultDone = fault(d, () => ready).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${ready} Ready; ${await stallReport(d)}`);
    });
    faultDone.catch(() => {}); // awaited below; a stall shows first in the wait for all Ready
    await eventually(
      async () => {
        const list = await d.kube.source.get<{ items: Array<{ status?: { state?: string } }> }>(certificatePath(d.ns));
        ready = list.items.filter((c) => c.status?.state === 'Ready').length;
        return ready === N;
      },
      `all ${N} certificates Ready (${name})`,
      900_000,
      1000,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${ready} Ready; ${await stallReport(d)}`);
    });
    const seconds = (Date.now() - t0) / 1000;
    await faultDone;
    const lines = d.pods.flatMap((p) => p.lines);
    const orders = lines.filter(isOrderCreated).length;
    const restarted = lines.filter(isKeyLossRestart).length;
    const redone = redoneOrders(d.pods);
    // One order per certificate, more only where a pod's death took a finalized order's key, or where the state
    // write after an order was opened was lost (fenced or failed) and the next activation opened it again.
    assert.ok(
      orders >= N && orders <= N + restarted + redone,
      `${orders} orders for ${N} certificates, ${restarted} restarted, ${redone} redone; ${extraOrders(lines)}`,
    );
    // Every order took its token but a redone one (the same attempt, the same grant): what is left is the burst minus
    // those orders (plus a trickle of refill). The issuer's shard may still be moving off a pod killed just before
    // the last Ready (lease 5 s), hence the long deadline.
    const quota = await d.client.query<QuotaReply>(
      ISSUER_KIND,
      issuerActorId({ namespace: d.ns, name: 'load' }),
      { type: 'Quota' },
      60_000,
    );
    const burst = QUOTA / 4;
    const refill = (QUOTA / 86_400) * ((Date.now() - tIssuer) / 1000);
    assert.ok(
      quota.tokens <= burst - (orders - redone) + refill + 0.01 && quota.tokens >= 0,
      `tokens ${quota.tokens} after ${orders} orders, ${redone} redone (burst ${burst}, refilled at most ${refill.toFixed(2)})`,
    );
    await eventually(async () => (await entriesLeft(d)).length === 0, 'no DNSEntry left', 120_000).catch(
      async (err: Error) => {
        throw new Error(`${err.message}: ${await leftoverReport(d)}`);
      },
    );
    const recoveries = Object.fromEntries(
      Object.entries(RECOVERY_LOGS).map(([k, msg]) => [k, lines.filter((l) => l.msg === msg).length]),
    );
    return { seconds, orders, restartedOrders: restarted, recoveries };
  } finally {
    await d.stop();
  }
}

/**
 * Why issuance stalls, for the failure message (CI shows nothing else): the states and messages of the certificates
 * not Ready, and what the pods warned about, most frequent first; every pod line goes to a file in the temp dir.
 */
async function stallReport(d: TestDeployment): Promise<string> {
  const top = (values: string[], n: number) => {
    const m = new Map<string, number>();
    for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
    return [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([v, c]) => `${c}x ${v}`)
      .join(' | ');
  };
  const list = await d.kube.source
    .get<{ items: Array<{ status?: { state?: string; message?: string } }> }>(certificatePath(d.ns))
    .catch(() => ({ items: [] }));
  const waiting = list.items.filter((c) => c.status?.state !== 'Ready');
  const states = top(
    waiting.map((c) => `${c.status?.state ?? 'none'}: ${(c.status?.message ?? '').slice(0, 120)}`),
    5,
  );
  const { lines, file } = savePodLines(d);
  const warned = top(
    lines.filter((l) => Number(l.level) >= 40).map((l) => `${l.msg}${l.err ? `: ${String(l.err).slice(0, 100)}` : ''}`),
    8,
  );
  const alive = d.pods.filter((p) => p.child.exitCode === null && p.child.signalCode === null).length;
  return `not Ready: ${states}; pods alive ${alive}/${d.pods.length}; warnings: ${warned}; pod logs in ${file}`;
}

interface EntryLeft {
  metadata: {
    name: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    finalizers?: string[];
    annotations?: Record<string, string>;
  };
}

async function entriesLeft(d: TestDeployment): Promise<EntryLeft[]> {
  const path = `/apis/dns.gardener.cloud/v1alpha1/namespaces/${d.ns}/dnsentries`;
  return (await d.kube.dns.get<{ items: EntryLeft[] }>(path)).items;
}

/** For a DNSEntry left behind: the entries, and what the pods logged about their certificates (a file). */
async function leftoverReport(d: TestDeployment): Promise<string> {
  const left = await entriesLeft(d).catch(() => []);
  const owners = new Set(left.map((e) => e.metadata.annotations?.['cert.gardener.cloud/certificate']));
  const { lines, file } = savePodLines(d);
  const stories = [...owners].map((id) => {
    const story = lines
      .filter((l) => l.id === id || String(l.certificate ?? '') === id)
      .map((l) => `${l.pod} ${l.msg}${l.err ? ` (${String(l.err).slice(0, 80)})` : ''} epoch ${l.epoch}`)
      .slice(-15);
    return `${id}: ${story.join(' | ')}`;
  });
  const entries = left.map((e) => {
    const m = e.metadata;
    return `${m.name} created ${m.creationTimestamp} deleting ${m.deletionTimestamp ?? '-'} finalizers ${m.finalizers?.join(',') ?? '-'}`;
  });
  return `${entries.join('; ')}; ${stories.join('; ')}; pod logs in ${file}`;
}

type LogLine = Record<string, unknown>;

/** Every pod's log lines, each with its pod's name, also written to a file in the temp dir (CI keeps nothing else). */
function savePodLines(d: TestDeployment): { lines: LogLine[]; file: string } {
  const lines: LogLine[] = d.pods.flatMap((p) => p.lines.map((l) => ({ pod: p.name, ...l })));
  const file = join(tmpdir(), `faults-${d.ns}-pods.log`);
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'));
  return { lines, file };
}
const isOrderCreated = (l: LogLine) => l.msg === 'order created';
/** An order started again because the pod that finalized it died with its key. */
const isKeyLossRestart = (l: LogLine) => l.msg === 'starting a new order' && String(l.why).includes('private key');

/** Per actor id (the runtime's log field), how many of the lines match. */
function countById(lines: LogLine[], matches: (l: LogLine) => boolean): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) if (matches(l)) m.set(String(l.id), (m.get(String(l.id)) ?? 0) + 1);
  return m;
}

/** What the runtime logs when an activation's turns were not written: the next activation does them again. */
const LOST_WRITES = [
  'activation fenced: unwritten turns are redone by the next owner',
  'state write of the last turns failed; they were answered with the error',
  'activation failed',
  // A turn that failed (its state write refused while a NATS node restarts) is redone from the persisted state.
  'actor turn failed; restarting',
  'actor crash-looping: stopped and marked Failed',
];

/**
 * Orders opened again because the state write that recorded the first was lost: per certificate, its orders beyond
 * the first and its key-loss restarts, at most one for each lost write the runtime logged for it, or for each pod
 * SIGKILLed right after it logged the order (before the write).
 */
function redoneOrders(pods: ControllerPod[]): number {
  const lines = pods.flatMap((p) => p.lines);
  const created = countById(lines, isOrderCreated);
  const restarts = countById(lines, isKeyLossRestart);
  const lost = countById(lines, (l) => LOST_WRITES.includes(String(l.msg)));
  for (const p of pods.filter((p) => p.child.signalCode === 'SIGKILL')) {
    const last = new Map<string, string>();
    for (const l of p.lines) if (l.id !== undefined) last.set(String(l.id), l.msg);
    for (const [id, msg] of last) if (msg === 'order created') lost.set(id, (lost.get(id) ?? 0) + 1);
  }
  let redone = 0;
  for (const [id, n] of created) redone += Math.min(lost.get(id) ?? 0, Math.max(0, n - 1 - (restarts.get(id) ?? 0)));
  return redone;
}

/** For a failed order count: what the pods logged about each certificate that created more than one order. */
function extraOrders(lines: LogLine[]): string {
  const twice = [...countById(lines, isOrderCreated)].filter(([, n]) => n > 1).map(([id]) => id);
  return twice
    .map((id) => {
      const story = lines
        .filter((l) => l.id === id && (Number(l.level) >= 40 || l.msg === 'order created'))
        .map((l) => `${l.msg}${l.why ? ` (${l.why})` : ''}${l.reason ? ` (${l.reason})` : ''} epoch ${l.epoch}`);
      return `${id}: ${story.join(' | ')}`;
    })
    .join('; ');
}

const report = new Map<string, Outcome>();
const line = (name: string, o: Outcome) =>
  `${name}: ${N} Ready in ${o.seconds.toFixed(1)} s, ${o.orders} orders (${o.restartedOrders} re-ordered after a lost key); recovery log lines ${JSON.stringify(o.recoveries)}`;

test('without faults (the baseline)', async (t) => {
  const o = await issueUnder('calm', async () => {});
  report.set('calm', o);
  t.diagnostic(line('no faults', o));
});

test('a pod SIGKILLed every 10 s (and started again, as its Deployment would)', async (t) => {
  let kills = 0;
  const o = await issueUnder('kill', async (d, readyCount) => {
    while (readyCount() < N) {
      await new Promise((r) => setTimeout(r, 10_000)); // the fault's own rhythm, not a wait for a condition
      if (readyCount() >= N) break;
      const live = d.pods.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
      const victim: ControllerPod | undefined = live[kills % live.length];
      if (!victim) break;
      victim.child.kill('SIGKILL');
      await victim.exited();
      kills++;
      await d.startPod();
    }
  });
  report.set('kill', o);
  t.diagnostic(`${line('SIGKILL every 10 s', o)}, ${kills} pods killed`);
});

test('one NATS node restarted in the middle', async (t) => {
  const o = await issueUnder('nats', async (_d, readyCount) => {
    await eventually(() => readyCount() >= N / 3, 'a third Ready', 600_000, 200);
    await stack.nats.nodes[1]!.restart();
  });
  report.set('nats', o);
  t.diagnostic(line('NATS node restarted', o));
});

test('the API server of issuers, certificates and secrets restarted in the middle', async (t) => {
  const o = await issueUnder('api', async (_d, readyCount) => {
    await eventually(() => readyCount() >= N / 3, 'a third Ready', 600_000, 200);
    const api = stack.apiServers.default;
    const port = Number(new URL(api.url).port);
    await api.process.stop();
    const again = await startKubeApiServer(
      stack.binaries.kubeApiserver,
      'default',
      join(stack.info.dir, 'kube', 'default'),
      stack.etcd.url,
      port,
    );
    restartedApi = { stop: () => again.process.stop() };
  });
  report.set('api', o);
  t.diagnostic(line('API server restarted', o));
  t.diagnostic(
    `summary: ${[...report].map(([k, v]) => `${k} ${v.seconds.toFixed(1)} s`).join(', ')} (${N} certificates, 3 pods)`,
  );
});
