import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ActorError, decode, encode } from '../../runtime/index.js';
import { PodGroup } from '../runtime-support/pod-group.js';
import type { CounterState } from '../runtime-support/test-actors.js';
import { eventually, sharedStack } from '../support/test-env.js';

// Three runtime pods on the shared 3-node NATS cluster; each test uses its own actor ids.
let group: PodGroup;
before(async () => {
  group = await new PodGroup(sharedStack().nats.urls, {
    SHARDS: '16',
    IDLE_MS: '2000',
    MAX_COMMAND_DELIVERIES: '3',
  }).start(3);
});
after(async () => {
  await group?.stop();
});

interface IncReply {
  n: number;
  pod: string;
  epoch: number;
}

test('ask reaches actors on every pod, and state is kept per actor', async () => {
  const pods = new Set<string>();
  for (let i = 0; i < 30; i++) {
    const r = await group.client.ask<IncReply>('counter', `basic-${i}`, { type: 'Inc' });
    assert.equal(r.n, 1);
    pods.add(r.pod);
  }
  assert.equal(pods.size, 3, 'actors are spread over all three pods');
  const again = await group.client.ask<IncReply>('counter', 'basic-7', { type: 'Inc' });
  assert.equal(again.n, 2);
});

test('tell is delivered and its effect is visible to a later ask', async () => {
  for (let i = 0; i < 5; i++) group.client.tell('counter', 'told', { type: 'Inc' });
  const s = await eventually(async () => {
    const st = await group.client.ask<CounterState>('counter', 'told', { type: 'Get' });
    return st.n === 5 ? st : false;
  }, 'five told increments');
  assert.equal(s.log.length, 5);
});

test('the admin subject lists every actor exactly once across the cluster, with its state on request', async () => {
  const ids = Array.from({ length: 12 }, (_, i) => `admin-${i}`);
  for (const id of ids) await group.client.ask('counter', id, { type: 'Inc' });
  const r = await group.client.admin<{
    actors: Array<{ kind: string; id: string; pod: string }>;
    pods: Array<{ pod: string }>;
    missing: string[];
  }>({ op: 'actors', kind: 'counter' });
  assert.deepEqual(r.missing, []);
  assert.equal(r.pods.length, 3);
  for (const id of ids) assert.equal(r.actors.filter((a) => a.id === id).length, 1, `${id} listed once`);
  const keys = r.actors.map((a) => `${a.kind}/${a.id}`);
  assert.equal(new Set(keys).size, keys.length, 'no actor listed twice');
  const one = await group.client.admin<{ state: CounterState; status: string }>({
    op: 'actor',
    kind: 'counter',
    id: 'admin-3',
  });
  assert.equal(one.state.n, 1);
  assert.equal(one.status, 'active');
});

test('garbage on the wire gets an error reply and harms nobody', async () => {
  const subject = group.client.names.shardSubject(0);
  const garbage = decode<{ ok: boolean; code: string }>(
    (await group.nc.request(subject, new Uint8Array([0xc1, 0xff, 0x00]), { timeout: 5000 })).data,
  );
  assert.equal(garbage.ok, false);
  assert.equal(garbage.code, 'bad-request');
  const wrongShape = decode<{ ok: boolean; code: string }>(
    (await group.nc.request(subject, encode({ hello: 'world' }), { timeout: 5000 })).data,
  );
  assert.equal(wrongShape.code, 'bad-request');
  await assert.rejects(
    group.client.ask('no-such-kind', 'x', { type: 'Inc' }),
    (e: ActorError) => e.code === 'unknown-kind',
  );
  await assert.rejects(
    group.client.ask('counter', 'x', { type: 'Launch' }),
    (e: ActorError) => e.code === 'invalid-message' && /unknown message type Launch/.test(e.message),
  );
  const big = new Uint8Array(600 * 1024);
  const tooLarge = decode<{ ok: boolean; code: string }>(
    (await group.nc.request(subject, big, { timeout: 5000 })).data,
  );
  assert.equal(tooLarge.code, 'too-large');
  // Every pod is still serving.
  const r = await group.client.admin<{ pods: unknown[]; missing: string[] }>({ op: 'actors' });
  assert.equal(r.pods.length, 3);
  assert.ok((await group.client.ask<IncReply>('counter', 'after-garbage', { type: 'Inc' })).n === 1);
});

test('a full mailbox answers busy instead of queueing without bound', async () => {
  const id = 'busy-1';
  const hold = group.client.ask('counter', id, { type: 'Hold', ms: 1500 }, 10_000);
  // Mailbox capacity is 1000; 1100 queued asks must see some refusals.
  const results = await Promise.allSettled(
    Array.from({ length: 1100 }, () => group.client.ask('counter', id, { type: 'Get' }, 20_000)),
  );
  await hold;
  const busy = results.filter((r) => r.status === 'rejected' && (r.reason as ActorError).code === 'busy').length;
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  assert.ok(busy > 0, 'some asks were refused as busy');
  assert.ok(ok >= 999, `the mailbox's worth of asks was served (${ok})`);
});

test('a crash-looping actor is stopped, shown as Failed, its parent is told, and the parent can restart it', async () => {
  for (let i = 0; i < 4; i++) {
    await assert.rejects(
      group.client.ask('crasher', 'c1', { type: 'Go' }),
      (e: ActorError) => e.code === 'handler-error' || e.code === 'failed',
    );
  }
  await assert.rejects(group.client.ask('crasher', 'c1', { type: 'Go' }), (e: ActorError) => e.code === 'failed');
  const view = await group.client.admin<{ status: string; restarts: number; lastError: string }>({
    op: 'actor',
    kind: 'crasher',
    id: 'c1',
  });
  assert.equal(view.status, 'failed');
  assert.match(view.lastError, /crasher always fails/);
  const listed = await group.client.admin<{ actors: Array<{ id: string; status: string }> }>({
    op: 'actors',
    kind: 'crasher',
  });
  assert.equal(listed.actors.find((a) => a.id === 'c1')?.status, 'failed');
  const sup = await eventually(async () => {
    const s = await group.client.ask<{ failed: Array<{ id: string; restarts: number }> }>('supervisor', 'root', {
      type: 'Get',
    });
    return s.failed.some((f) => f.id === 'c1') ? s : false;
  }, 'the supervisor to hear of the failure');
  assert.ok(sup.failed.find((f) => f.id === 'c1')!.restarts >= 4);
  await group.client.ask('supervisor', 'root', { type: 'ResetChild', kind: 'crasher', id: 'c1' });
  // Reset: the actor handles messages again (and fails again, rather than answering "failed").
  await eventually(async () => {
    try {
      await group.client.ask('crasher', 'c1', { type: 'Go' });
      return false;
    } catch (e) {
      return (e as ActorError).code === 'handler-error';
    }
  }, 'the reset crasher to run again');
});

test('a durable command takes effect once even when delivered twice', async () => {
  const id = 'cmd-1';
  await group.client.command('counter', id, { type: 'Inc' }, 'inc-0001');
  const second = await group.client.command('counter', id, { type: 'Inc' }, 'inc-0001');
  assert.equal(second.duplicate, true, 'JetStream dedupes the same message id');
  // Past JetStream's window the actor's own dedupe record holds: the same command id under another stream id.
  const shard = group.client.shardOf('counter', id);
  await group.nc
    .jetstream()
    .publish(
      group.client.names.commandSubject(shard, 'counter', id),
      encode({ k: 'counter', i: id, m: { type: 'Inc' }, c: 'inc-0001' }),
      { msgID: 'another-stream-id' },
    );
  await group.client.command('counter', id, { type: 'Inc' }, 'inc-0002');
  const s = await eventually(async () => {
    const st = await group.client.ask<CounterState>('counter', id, { type: 'Get' });
    return st.n >= 2 ? st : false;
  }, 'both distinct commands applied');
  // Give any stray duplicate a chance to show up: wait until the stream's consumer has nothing pending.
  await eventually(async () => {
    const info = await (await group.nc.jetstreamManager()).consumers.info(
      group.client.names.commandStream(),
      group.client.names.commandConsumer(shard),
    );
    return info.num_pending === 0 && info.num_ack_pending === 0;
  }, 'the command consumer to be drained');
  const final = await group.client.ask<CounterState>('counter', id, { type: 'Get' });
  assert.equal(final.n, 2, 'inc-0001 applied once, inc-0002 once');
  void s;
});

test('commands that can never take effect end as dead letters: unknown kind at once, one that keeps failing after its redeliveries', async () => {
  const jsm = await group.nc.jetstreamManager();
  const pending = async (kind: string, id: string) => {
    const info = await jsm.consumers.info(
      group.client.names.commandStream(),
      group.client.names.commandConsumer(group.client.shardOf(kind, id)),
    );
    return info.num_pending + info.num_ack_pending;
  };
  await group.client.command('no-such-kind', 'x', { type: 'Anything' }, 'dead-0001');
  // A crasher goes Failed after its restarts; the command is then refused "failed" and redelivered 3 times at most.
  await group.client.command('crasher', 'dead-c', { type: 'Go' }, 'dead-0002');
  const letters = await eventually(
    async () => {
      const r = await group.client.admin<{ deadLetters: Array<{ kind?: string; commandId?: string; reason: string }> }>(
        {
          op: 'dead-letters',
        },
      );
      const mine = r.deadLetters.filter((l) => l.commandId?.startsWith('dead-'));
      return mine.length === 2 ? mine : false;
    },
    'both commands to end as dead letters',
    120_000,
    250,
  );
  assert.match(letters.find((l) => l.commandId === 'dead-0001')!.reason, /^unknown-kind/);
  assert.match(
    letters.find((l) => l.commandId === 'dead-0002')!.reason,
    /^(handler-error|failed) after 3 deliveries: crasher always fails/,
  );
  // Gone from the stream: nothing is redelivered any more.
  await eventually(
    async () => (await pending('no-such-kind', 'x')) === 0 && (await pending('crasher', 'dead-c')) === 0,
    'the consumers to hold nothing for them',
    30_000,
  );
});

test('an answer given later (replyLater) does not hold the mailbox; its failure reaches the asker', async () => {
  const slow = group.client.ask<string>('counter', 'later', { type: 'Later', ms: 1500 }, 10_000);
  let slowDone = false;
  void slow.then(() => (slowDone = true));
  // Asked after the slow one, answered before it: the turn ended when the work started.
  const r = await group.client.ask<IncReply>('counter', 'later', { type: 'Inc' }, 10_000);
  assert.equal(r.n, 1);
  assert.equal(slowDone, false, 'the later answer is still outstanding');
  assert.match(await slow, /^later from /);
  await assert.rejects(
    group.client.ask('counter', 'later', { type: 'Later', ms: 10, fail: true }, 10_000),
    (err: ActorError) => err.code === 'handler-error' && /later, and failed/.test(err.message),
  );
});

test('results of async work come back as messages; reminders fire', async () => {
  assert.equal(await group.client.ask('counter', 'pipe-1', { type: 'Pipe', ms: 50 }), 'started');
  await eventually(
    async () => (await group.client.ask<CounterState>('counter', 'pipe-1', { type: 'Get' })).piped === 1,
    'piped result',
  );
  await group.client.ask('counter', 'remind-1', { type: 'Remind', at: Date.now() + 300 });
  await eventually(
    async () => (await group.client.ask<CounterState>('counter', 'remind-1', { type: 'Get' })).reminded === 1,
    'reminder to fire',
  );
});

test('a reminder whose turn fails (a state write refused while NATS restarts) fires again', async () => {
  await group.client.ask('counter', 'remind-fails', { type: 'Remind', at: Date.now() + 200, failFirst: 1 });
  await eventually(
    async () => (await group.client.ask<CounterState>('counter', 'remind-fails', { type: 'Get' })).reminded === 1,
    'the reminder to fire again after its failed turn',
  );
});

interface HolderReply {
  open: number;
  mine: boolean;
  incarnation: number;
}

test('idle actors passivate and come back with their persisted state', async () => {
  await group.client.ask('counter', 'idle-1', { type: 'Inc' });
  await eventually(
    async () => {
      const v = await group.client.admin<{ status: string }>({ op: 'actor', kind: 'counter', id: 'idle-1' });
      return v.status === 'passive';
    },
    'the actor to passivate (idle timeout 2 s)',
    30_000,
    250,
  );
  const r = await group.client.ask<IncReply>('counter', 'idle-1', { type: 'Inc' });
  assert.equal(r.n, 2);
});

test('in-memory resources of an activation are released when it stops, and recreated when it comes back', async () => {
  const first = await group.client.ask<HolderReply>('holder', 'h1', { type: 'Open' });
  assert.deepEqual([first.open, first.mine], [1, true]);
  await eventually(
    async () =>
      (await group.client.admin<{ status: string }>({ op: 'actor', kind: 'holder', id: 'h1' })).status !== 'active',
    'the holder to passivate (idle timeout 2 s)',
    30_000,
    250,
  );
  // Had the first activation not released its resource, its pod would now count two.
  const again = await group.client.ask<HolderReply>('holder', 'h1', { type: 'Open' });
  assert.deepEqual([again.open, again.mine], [1, true]);
});

test('an actor restarted after a failed turn is a new incarnation: its resources released and opened again', async () => {
  const first = await group.client.ask<HolderReply>('holder', 'h2', { type: 'Open' });
  await assert.rejects(group.client.ask('holder', 'h2', { type: 'Crash' }), /crashing on purpose/);
  const again = await group.client.ask<HolderReply>('holder', 'h2', { type: 'Open' });
  assert.ok(again.mine, 'onActivate ran again for the restarted incarnation');
  assert.notEqual(again.incarnation, first.incarnation, 'the memory of the failed incarnation is gone');
  // At most as many as before (another holder of the pod may passivate meanwhile, never open one).
  assert.ok(again.open <= first.open, `the failed incarnation released its resource: ${first.open} -> ${again.open}`);
});

test('a pod configured with another shard count refuses to start and says why', async () => {
  const p = group.spawn(`${group.system}-wrong`, { SHARDS: '8' });
  await assert.rejects(p.ready(), /exited/);
  const text = p.lines.map((l) => `${l.msg} ${(l as { err?: string }).err ?? ''}`).join('\n');
  assert.match(text, /created with 16 shards but this pod is configured with 8/);
});
