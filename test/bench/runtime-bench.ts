// `npm run bench:runtime`: figures of the actor runtime against the raw NATS ceiling, as one JSON line.
// Everything runs here: a dedicated 3-node NATS cluster, 3 runtime pods and a raw peer as child processes.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Packr } from 'msgpackr';
import { type ActorsAnswer, DEFAULT_LEASE } from '../../runtime/index.js';
import { startDedicatedNats } from '../runtime-support/dedicated-nats.js';
import { PodGroup } from '../runtime-support/pod-group.js';
import { eventually } from '../support/test-env.js';

const packr = new Packr({ useRecords: false });
const TELLS = Number(process.env.BENCH_TELLS ?? 200_000);
const IDLE_ACTORS = 10_000;
const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

const nats = await startDedicatedNats(3);
// One actor receiving every tell needs a mailbox as deep as the burst; the default (1000) would refuse most of them.
const group = new PodGroup(
  nats.urls,
  { SHARDS: '32', COUNTER_LOG: '0', LOG_LEVEL: 'warn', MAILBOX_CAPACITY: String(TELLS) },
  ['--expose-gc'],
);
try {
  await group.start(3);
  const { nc, client } = group;

  // --- raw ceiling ---
  const raw = spawn(process.execPath, [fileURLToPath(new URL('./raw-peer.js', import.meta.url))], {
    env: { ...process.env, NATS_URLS: nats.urls[1] },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((r) => createInterface({ input: raw.stdout! }).once('line', () => r()));
  const rawLat: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = performance.now();
    await nc.request('raw.echo', packr.pack({ type: 'Count', i }), { timeout: 5000 });
    rawLat.push(performance.now() - t);
  }
  const rawAskP50Ms = pct(rawLat.slice(200), 0.5);
  const rawTellPerSecond = await timedTells(
    TELLS,
    (i) => nc.publish('raw.sink', packr.pack({ k: 'sink', i: `s${i % 1000}`, m: { type: 'Hit' } })),
    async () => packr.unpack((await nc.request('raw.sink.count', undefined, { timeout: 5000 })).data) as number,
  );
  raw.kill('SIGTERM');
  log(`raw: ask p50 ${rawAskP50Ms.toFixed(3)} ms, ${Math.round(rawTellPerSecond)} tells/s`);

  // --- asks through the runtime: from outside, from inside a pod to the same pod and to another pod ---
  const owners = await group.waitAllShardsOwned();
  const podOf = (kind: string, id: string) => owners.get(client.shardOf(kind, id))!;
  const findId = (kind: string, prefix: string, pod: string, other = false) => {
    for (let i = 0; ; i++) if ((podOf(kind, `${prefix}${i}`) === pod) !== other) return `${prefix}${i}`;
  };
  const processed = async () => {
    const r = await client.admin<ActorsAnswer>({ op: 'actors', limit: 0 });
    return r.pods.reduce((n, p) => n + (p.stats.processed ?? 0), 0);
  };
  // Heap first, in a pod that has done nothing else yet, so earlier phases' garbage does not blur it.
  // --- heap per idle activated actor, measured inside one pod ---
  const heapPod = podOf('probe', 'p0');
  const heapBefore = await client.ask<{ heapUsed: number; gcExposed: boolean }>('probe', 'p0', { type: 'Heap' });
  const idleIds: string[] = [];
  for (let i = 0; idleIds.length < IDLE_ACTORS; i++)
    if (podOf('sink', `idle-${i}`) === heapPod) idleIds.push(`idle-${i}`);
  const sinksOnHeapPod = async () => {
    const r = await client.admin<ActorsAnswer>({ op: 'actors', kind: 'sink', limit: 0 });
    return r.pods.find((p) => p.pod === heapPod)?.byKind.sink?.active ?? 0;
  };
  const sinksBefore = await sinksOnHeapPod();
  for (const id of idleIds) client.tell('sink', id, { type: 'Hit' });
  // Counted in that pod by the admin view: the figure is per actor that really lives there.
  await eventually(
    async () => (await sinksOnHeapPod()) - sinksBefore >= IDLE_ACTORS,
    'idle actors activated in the measured pod',
    120_000,
    200,
  );
  const heapAfter = await client.ask<{ heapUsed: number }>('probe', 'p0', { type: 'Heap' });
  const bytesPerIdleActor = (heapAfter.heapUsed - heapBefore.heapUsed) / IDLE_ACTORS;
  log(`heap per idle actor ${Math.round(bytesPerIdleActor)} B (gc exposed: ${heapBefore.gcExposed})`);

  log('measuring asks');
  const probePod = podOf('probe', 'p0');
  const samePodTarget = findId('sink', 'same', probePod);
  const crossPodTarget = findId('sink', 'cross', probePod, true);
  await client.ask('sink', samePodTarget, { type: 'Count' });
  await client.ask('sink', crossPodTarget, { type: 'Count' });
  await client.ask(
    'probe',
    'p0',
    { type: 'MeasureAsks', target: { kind: 'sink', id: crossPodTarget }, n: 200 },
    60_000,
  ); // warm-up
  const same = await client.ask<{ p50: number; p99: number }>(
    'probe',
    'p0',
    { type: 'MeasureAsks', target: { kind: 'sink', id: samePodTarget }, n: 2000 },
    60_000,
  );
  const cross = await client.ask<{ p50: number; p99: number }>(
    'probe',
    'p0',
    { type: 'MeasureAsks', target: { kind: 'sink', id: crossPodTarget }, n: 2000 },
    60_000,
  );
  const outsideLat: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = performance.now();
    await client.ask('sink', crossPodTarget, { type: 'Count' });
    outsideLat.push(performance.now() - t);
  }
  log(
    `ask p50 same pod ${same.p50.toFixed(3)} ms, cross pod ${cross.p50.toFixed(3)} ms, from a client ${pct(outsideLat, 0.5).toFixed(3)} ms`,
  );

  // --- tells: one actor, then spread over 1,000 actors ---
  let base = await processed();
  const tellOne = await timedTells(
    TELLS,
    () => client.tell('sink', 'one', { type: 'Hit' }),
    async () => (await processed()) - base,
  );
  base = await processed();
  const tellSpread = await timedTells(
    TELLS,
    (i) => client.tell('sink', `spread-${i % 1000}`, { type: 'Hit' }),
    async () => (await processed()) - base,
  );
  log(`tells/s: one actor ${Math.round(tellOne)}, over 1,000 actors ${Math.round(tellSpread)}`);

  log('measuring activation');
  // --- activation: the first ask to a persistent actor (load + fencing write in KV) ---
  const act: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await client.ask('counter', `fresh-${i}`, { type: 'Get' });
    act.push(performance.now() - t);
  }
  const activationMs = pct(act, 0.5);

  log('measuring handover and failover');
  // --- graceful handover, then failover after SIGKILL ---
  const leaving = group.pods[2];
  const t0 = performance.now();
  const stopped = leaving.stop();
  // Poll every 5 ms: the figure is tens of milliseconds, the default poll interval would dominate it.
  await group.waitAllShardsOwned(30_000, [group.pods[0].name, group.pods[1].name], 5);
  const handoverMs = performance.now() - t0;
  await stopped;
  await group.add();
  await group.waitAllShardsOwned(30_000);
  const victim = group.pods[0];
  const survivors = group.pods.filter((p) => p !== victim && p.child.exitCode === null).map((p) => p.name);
  const victimShards = [...(await group.waitAllShardsOwned()).entries()]
    .filter(([, pod]) => pod === victim.name)
    .map(([s]) => s);
  const t1 = performance.now();
  victim.signal('SIGKILL');
  await group.waitAllShardsOwned(60_000, survivors, 5);
  // Serving: an actor in every one of the victim's shards answers.
  await Promise.all(
    victimShards.map((s) => {
      let id = 0;
      while (client.shardOf('sink', `fo-${id}`) !== s) id++;
      return client.ask('sink', `fo-${id}`, { type: 'Count' }, 30_000);
    }),
  );
  const failoverSeconds = (performance.now() - t1) / 1000;

  console.log(
    JSON.stringify({
      askP50Ms: { samePod: round(same.p50), crossPod: round(cross.p50), fromClient: round(pct(outsideLat, 0.5)) },
      askP99Ms: { samePod: round(same.p99), crossPod: round(cross.p99), fromClient: round(pct(outsideLat, 0.99)) },
      rawAskP50Ms: round(rawAskP50Ms),
      tellPerSecond: { oneActor: Math.round(tellOne), over1000Actors: Math.round(tellSpread) },
      rawTellPerSecond: Math.round(rawTellPerSecond),
      activationMs: round(activationMs),
      failoverSeconds: round(failoverSeconds, 2),
      leaseTtlSeconds: DEFAULT_LEASE.ttlMs / 1000,
      handoverMs: round(handoverMs, 1),
      bytesPerIdleActor: Math.round(bytesPerIdleActor),
      pods: 3,
      natsNodes: 3,
    }),
  );
} finally {
  await group.stop();
  await nats.dispose();
}

/** Publishes n messages, then waits until the receiving side has counted them all; messages per second. */
async function timedTells(n: number, send: (i: number) => void, counted: () => Promise<number>): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    send(i);
    // Let the socket drain now and then instead of buffering everything in the client.
    if (i % 5000 === 4999) await group.nc.flush();
  }
  await eventually(async () => (await counted()) >= n, `${n} messages counted`, 120_000, 20);
  return n / ((performance.now() - t) / 1000);
}
