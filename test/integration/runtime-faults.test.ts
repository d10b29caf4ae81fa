import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CounterLoad, checkCounters } from '../runtime-support/counter-load.js';
import { startDedicatedNats } from '../runtime-support/dedicated-nats.js';
import { PodGroup } from '../runtime-support/pod-group.js';
import type { CounterState } from '../runtime-support/test-actors.js';
import { PausingProxy } from '../support/pausing-proxy.js';
import { eventually } from '../support/test-env.js';

// Fault injection against a dedicated 3-node NATS cluster: pods are child processes, faults are real signals,
// real node restarts and a real half-open network. Invariants are checked from the counters' own histories.
type Nats = Awaited<ReturnType<typeof startDedicatedNats>>;
let nats: Nats;
before(async () => {
  nats = await startDedicatedNats(3);
});
after(async () => {
  await nats?.dispose();
});

const ids = Array.from({ length: 24 }, (_, i) => `c${i}`);

async function withGroup(pods: number, fn: (g: PodGroup) => Promise<void>): Promise<void> {
  const g = await new PodGroup(nats.urls, { SHARDS: '16' }).start(pods);
  try {
    await fn(g);
  } finally {
    await g.stop();
  }
}

/** Lets the load make progress: at least `n` more acknowledged increments. */
async function progress(load: CounterLoad, n = 50): Promise<void> {
  const start = load.acks.length;
  await eventually(() => load.acks.length >= start + n, `${n} more acknowledged increments`, 60_000, 50);
}

test('SIGKILL of a busy pod: its shards move to the survivors and no acknowledged write is lost', async () => {
  await withGroup(3, async (g) => {
    const load = new CounterLoad(g.client, ids);
    await progress(load);
    const victim = g.pods[1];
    victim.signal('SIGKILL');
    await victim.exited();
    const survivors = [g.pods[0].name, g.pods[2].name];
    const owners = await g.waitAllShardsOwned(30_000, survivors);
    assert.deepEqual(new Set(owners.values()), new Set(survivors));
    await progress(load);
    await load.stop();
    assert.deepEqual(await checkCounters(g.client, load), []);
    const epochsAfter = load.acks.filter((a) => a.pod !== victim.name).length;
    assert.ok(epochsAfter > 0);
  });
});

test('a pod frozen past its lease TTL stops its actors on waking, and its stale writes are rejected', async () => {
  await withGroup(3, async (g) => {
    const load = new CounterLoad(g.client, ids);
    await progress(load);
    const frozen = g.pods[0];
    frozen.signal('SIGSTOP');
    const survivors = [g.pods[1].name, g.pods[2].name];
    await g.waitAllShardsOwned(30_000, survivors);
    await progress(load);
    frozen.signal('SIGCONT');
    await eventually(
      () => frozen.lines.some((l) => l.msg === 'shard lease lost' || l.msg === 'shard closed'),
      'the woken pod to drop its shards',
    );
    await progress(load);
    // It rejoins as a member and takes its share again, under new epochs.
    await g.waitAllShardsOwned(30_000);
    await progress(load);
    await load.stop();
    assert.deepEqual(await checkCounters(g.client, load), []);
  });
});

/** A counter id (`<prefix>-<n>`) whose shard the pod owns. */
async function counterOn(g: PodGroup, pod: string, prefix: string): Promise<string> {
  const owners = await g.waitAllShardsOwned();
  let n = 0;
  while (owners.get(g.client.shardOf('counter', `${prefix}-${n}`)) !== pod) n++;
  return `${prefix}-${n}`;
}

/** Waits for the counter's reminder to have fired, and returns where and how often. */
function reminded(g: PodGroup, actor: string, what: string): Promise<{ reminded: number; pod: string }> {
  return eventually(
    async () => {
      const st = await g.client.ask<{ reminded: number; pod: string }>('counter', actor, { type: 'Get' }, 10_000);
      return st.reminded >= 1 ? st : false;
    },
    what,
    60_000,
    200,
  );
}

test('a reminder whose pod dies fires on the new owner of its shard', async () => {
  await withGroup(3, async (g) => {
    const victim = g.pods[0];
    const actor = await counterOn(g, victim.name, 'rem');
    await g.client.ask('counter', actor, { type: 'Remind', at: Date.now() + 2000 });
    victim.signal('SIGKILL');
    await victim.exited();
    const s = await reminded(g, actor, 'the overdue reminder to fire on the survivor');
    assert.notEqual(s.pod, victim.name);
    assert.equal(s.reminded, 1, 'fired once');
  });
});

test('a reminder already in the mailbox of a pod that dies before its turn ends fires again on the new owner', async () => {
  await withGroup(3, async (g) => {
    const victim = g.pods[0];
    const actor = await counterOn(g, victim.name, 'held');
    await g.client.ask('counter', actor, { type: 'Remind', at: Date.now() + 500, holdOn: victim.name });
    await eventually(
      () => victim.lines.some((l) => l.msg === 'reminder turn holding'),
      'the reminder to fire on its pod and its turn to start',
      30_000,
      50,
    );
    victim.signal('SIGKILL');
    await victim.exited();
    const s = await reminded(g, actor, 'the reminder to fire again on a survivor');
    assert.notEqual(s.pod, victim.name);
    assert.equal(s.reminded, 1);
  });
});

test('a pod whose KV writes fail for longer than the fail-stop period exits, and pods recover with NATS', async () => {
  await withGroup(2, async (g) => {
    const doomed = await g.add({ FAIL_STOP_MS: '3000' });
    await g.waitAllShardsOwned(30_000);
    await Promise.all(nats.nodes.map((n) => n.process.stop()));
    assert.equal(await doomed.exited(), 70, 'the fail-stop exit code');
    assert.ok(doomed.lines.some((l) => l.msg === 'fail-stop'));
    await Promise.all(nats.nodes.map((n) => n.restart()));
    // The other pods (default fail-stop period 30 s) ride it out and own every shard again.
    await g.waitAllShardsOwned(
      60_000,
      g.pods.filter((p) => p !== doomed).map((p) => p.name),
    );
    assert.equal((await g.client.ask<{ n: number }>('counter', 'after-outage', { type: 'Inc' }, 20_000)).n, 1);
  });
});

test('restarting one NATS node, then all of them, loses no acknowledged write', async () => {
  await withGroup(3, async (g) => {
    const load = new CounterLoad(g.client, ids);
    await progress(load);
    await nats.nodes[1].restart();
    await progress(load);
    await Promise.all(nats.nodes.map((n) => n.process.stop()));
    await Promise.all(nats.nodes.map((n) => n.restart()));
    await progress(load, 100);
    await g.waitAllShardsOwned(60_000);
    await load.stop();
    assert.deepEqual(await checkCounters(g.client, load), []);
  });
});

test('a pod cut off from NATS without its socket closing loses its leases, and the others take over', async () => {
  const proxy = await new PausingProxy('127.0.0.1', Number(new URL(nats.urls[0]).port)).start();
  try {
    await withGroup(2, async (g) => {
      const cut = await g.add({ NATS_URLS: proxy.url, NATS_IGNORE_CLUSTER_UPDATES: '1' });
      // Wait for the rebalance that gives the newcomer its share, so the cut really takes shards away.
      await eventually(
        async () => [...(await g.waitAllShardsOwned(30_000)).values()].includes(cut.name),
        'the proxied pod to own shards',
      );
      const load = new CounterLoad(g.client, ids);
      await progress(load);
      proxy.pause();
      const others = g.pods.filter((p) => p !== cut).map((p) => p.name);
      await g.waitAllShardsOwned(30_000, others);
      await eventually(
        () => cut.lines.some((l) => l.msg === 'shard lease lost'),
        'the cut-off pod to notice its leases are gone',
      );
      await progress(load);
      proxy.resume();
      await g.waitAllShardsOwned(60_000);
      await progress(load);
      await load.stop();
      assert.deepEqual(await checkCounters(g.client, load), []);
    });
  } finally {
    await proxy.stop();
  }
});

test('durable commands sent while shards move are each applied exactly once', async () => {
  await withGroup(2, async (g) => {
    const targets = Array.from({ length: 20 }, (_, i) => `cmdmove-${i}`);
    let sent = 0;
    const send = async (round: number) => {
      for (const id of targets) {
        await g.client.command('counter', id, { type: 'Inc' }, `${id}-r${round}`);
        // The same command again: must not count twice.
        await g.client.command('counter', id, { type: 'Inc' }, `${id}-r${round}`);
      }
      sent++;
    };
    await send(0);
    const joining = g.add();
    await send(1);
    await joining;
    await send(2);
    await g.pods[0].stop();
    await send(3);
    await eventually(
      async () => {
        for (const id of targets)
          if ((await g.client.ask<CounterState>('counter', id, { type: 'Get' })).n < sent) return false;
        return true;
      },
      'every command to be applied',
      60_000,
      200,
    );
    for (const id of targets)
      assert.equal(
        (await g.client.ask<CounterState>('counter', id, { type: 'Get' })).n,
        sent,
        `${id} applied each command once`,
      );
  });
});

test('a new schema version migrates persisted state on activation', async () => {
  await withGroup(1, async (g) => {
    for (let i = 0; i < 3; i++) await g.client.ask('counter', 'schema-1', { type: 'Inc' });
    // Roll the pod: the old one leaves, one with schema 2 (and a migrate function) takes over.
    const next = g.spawn(undefined, { COUNTER_SCHEMA: '2' });
    g.pods.push(next);
    await next.ready();
    await g.pods[0].stop();
    await g.waitAllShardsOwned(30_000, [next.name]);
    const s = await g.client.ask<CounterState>('counter', 'schema-1', { type: 'Get' });
    assert.equal(s.n, 3, 'state kept');
    assert.equal(s.migratedFrom, 1, 'converted from schema 1');
  });
});

test('graceful shutdown hands every shard over and loses nothing', async () => {
  await withGroup(3, async (g) => {
    const load = new CounterLoad(g.client, ids);
    await progress(load);
    const leaving = g.pods[2];
    await leaving.stop();
    assert.ok(
      leaving.stdout.some((l) => l.startsWith('handover-ms ')),
      'the pod reports its handover',
    );
    await g.waitAllShardsOwned(10_000, [g.pods[0].name, g.pods[1].name]);
    await progress(load);
    await load.stop();
    assert.deepEqual(await checkCounters(g.client, load), []);
    assert.ok(!load.errors.has('failed'));
  });
});

test('confirmed tells still queued when their shard is handed over are handled by the new owner', async () => {
  await withGroup(3, async (g) => {
    const leaving = g.pods[2];
    // A counter that lives on the pod about to leave.
    let id = '';
    for (let i = 0; i < 200 && !id; i++) {
      if ((await g.client.ask<string>('counter', `q${i}`, { type: 'Ping' })) === leaving.name) id = `q${i}`;
    }
    assert.ok(id, `a counter on ${leaving.name}`);
    // The turn is held, so the 20 increments wait in the mailbox; each deliver is confirmed once queued.
    const held = g.client.ask('counter', id, { type: 'Hold', ms: 3_000 }, 5_000).catch(() => undefined);
    for (let i = 0; i < 20; i++) await g.client.deliver('counter', id, { type: 'Inc' }, 10_000);
    await leaving.stop();
    await eventually(
      async () => (await g.client.ask<CounterState>('counter', id, { type: 'Get' }, 10_000)).n === 20,
      'all 20 confirmed increments applied at the new owner',
      60_000,
      100,
    );
    const final = await g.client.ask<CounterState>('counter', id, { type: 'Get' }, 10_000);
    assert.equal(final.n, 20, 'each applied once');
    // The held turn was cut short by the handover; its ask gets no answer from the pod that left.
    await held;
  });
});

test('a burst to one actor shares state writes (group commit), and every acknowledged change is persisted', async () => {
  await withGroup(3, async (group) => {
    const id = 'burst';
    await group.client.ask<{ n: number; pod: string }>('counter', id, { type: 'Inc' }); // activated, state fenced
    const jsm = await group.nc.jetstreamManager();
    const stream = `KV_${group.system}_state`;
    const before = (await jsm.streams.info(stream)).state.last_seq;
    const replies = await Promise.all(
      Array.from({ length: 200 }, () =>
        group.client.ask<{ n: number; pod: string }>('counter', id, { type: 'Inc' }, 30_000),
      ),
    );
    const writes = (await jsm.streams.info(stream)).state.last_seq - before;
    assert.deepEqual(
      replies.map((r) => r.n).sort((a, b) => a - b),
      Array.from({ length: 200 }, (_, i) => i + 2),
      'each increment applied once, in some order',
    );
    assert.ok(writes >= 1 && writes < 200, `${writes} state writes for 200 turns`);
    // What was acknowledged is what a new activation reads back.
    const owner = group.pods.find((p) => p.name === replies[0]!.pod)!;
    await owner.stop();
    const after = await group.client.ask<CounterState>('counter', id, { type: 'Get' }, 30_000);
    assert.equal(after.n, 201);
  });
});
