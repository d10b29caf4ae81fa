// maxConcurrentTurns with boundedTurn: only the messages the kind names take a permit. A certificate's order steps run
// beside reconciles that hold every permit; the reconciles still queue for one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Activation } from '../../runtime/activation.js';
import type { ActorDefinition, Reply } from '../../runtime/actor-types.js';
import { TurnLimiter } from '../../runtime/turn-limiter.js';
import { FakeKv, hostOver } from '../runtime-support/fake-activation-host.js';

type Msg = { type: 'Reconcile'; tag: string } | { type: 'Step'; tag: string };

function setUp() {
  const limiter = new TurnLimiter(1);
  const ran: string[] = [];
  const gates = new Map<string, () => void>();
  const def: ActorDefinition<Record<string, never>, Msg> = {
    kind: 'bounded',
    maxConcurrentTurns: 1,
    boundedTurn: (msg) => msg.type === 'Reconcile',
    initialState: () => ({}),
    async handle(_ctx, msg) {
      ran.push(msg.tag);
      // Each turn waits until the test opens its gate, as a turn waiting on an API server would.
      await new Promise<void>((open) => gates.set(msg.tag, open));
      return msg.tag;
    },
  };
  const host = hostOver(new FakeKv(), { turnPermit: (_def, priority) => limiter.acquire(priority) });
  const actor = (id: string, seq: number) => new Activation(def as never, id, 0, seq, host, 100);
  const send = (a: Activation, msg: Msg) =>
    new Promise<Reply>((resolve) => assert.ok(a.enqueue({ msg, reply: resolve })));
  return { limiter, ran, gates, actor, send };
}

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('turns the kind leaves unbounded run while a bounded turn holds the only permit', async () => {
  const { limiter, ran, gates, actor, send } = setUp();
  const a = actor('a', 1);
  const b = actor('b', 2);
  const c = actor('c', 3);
  const held = send(a, { type: 'Reconcile', tag: 'a-reconcile' });
  await until('a holds the permit', () => ran.includes('a-reconcile'));
  assert.equal(limiter.inUse, 1);
  // A second reconcile waits for the permit; a step of a third actor does not.
  const waiting = send(b, { type: 'Reconcile', tag: 'b-reconcile' });
  const step = send(c, { type: 'Step', tag: 'c-step' });
  await until('the step ran', () => ran.includes('c-step'));
  assert.ok(!ran.includes('b-reconcile'), 'the bounded turn waits for the permit');
  assert.equal(limiter.queued, 1);
  gates.get('c-step')!();
  assert.deepEqual(await step, { ok: true, v: 'c-step' });
  assert.ok(!ran.includes('b-reconcile'), 'still waiting: the step did not use or free a permit');
  // Releasing the permit lets the waiting reconcile run.
  gates.get('a-reconcile')!();
  assert.deepEqual(await held, { ok: true, v: 'a-reconcile' });
  await until('b ran', () => ran.includes('b-reconcile'));
  gates.get('b-reconcile')!();
  assert.deepEqual(await waiting, { ok: true, v: 'b-reconcile' });
  await until('the permit is back', () => limiter.inUse === 0);
});

test("an actor's own turns stay one at a time, bounded or not", async () => {
  const { ran, gates, actor, send } = setUp();
  const a = actor('a', 1);
  const first = send(a, { type: 'Step', tag: 'one' });
  const second = send(a, { type: 'Step', tag: 'two' });
  await until('the first ran', () => ran.includes('one'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(ran, ['one'], 'the second waits for the first: the mailbox is served in order');
  gates.get('one')!();
  await first;
  await until('the second ran', () => ran.includes('two'));
  gates.get('two')!();
  assert.deepEqual(await second, { ok: true, v: 'two' });
});
