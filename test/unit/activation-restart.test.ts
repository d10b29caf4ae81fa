// What a restart after a failed turn does to an activation: it starts from the persisted state with fresh memory
// (the failed incarnation's timers and in-memory work are gone), the kind's onActivate runs again, and turns nobody
// would retry (tells, confirmed deliveries, timers) whose state write failed run again. A fake KV and host: the
// runtime's own logic, without NATS (the integration suites cover it against real servers).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Activation, type Delivery } from '../../runtime/activation.js';
import type { ActorDefinition, Reply } from '../../runtime/actor-types.js';
import { decode } from '../../runtime/codec.js';
import { FakeKv, hostOver } from '../runtime-support/fake-activation-host.js';

interface TallyState {
  added: number[];
}
type TallyMsg =
  | { type: 'Add'; n: number }
  | { type: 'Taint' }
  | { type: 'Get' }
  | { type: 'Arm'; tag: string; ms: number; fail: boolean }
  | { type: 'Fired'; tag: string };

/** Counts activations per process, and whether memory written by a failed turn survives. */
function tallyKind(seen: { activations: number; deactivations: number; fired: string[] }) {
  const def: ActorDefinition<TallyState, TallyMsg> = {
    kind: 'tally',
    initialState: () => ({ added: [] }),
    supervision: { maxRestarts: 5, windowMs: 60_000, minBackoffMs: 1, maxBackoffMs: 5, jitter: 0 },
    onActivate(ctx) {
      seen.activations++;
      ctx.volatile.incarnation = seen.activations;
    },
    onDeactivate() {
      seen.deactivations++;
    },
    handle(ctx, msg) {
      switch (msg.type) {
        case 'Add':
          ctx.setState({ added: [...ctx.state.added, msg.n] });
          return ctx.state.added.length;
        case 'Taint':
          ctx.volatile.tainted = true;
          throw new Error('taint on purpose');
        case 'Arm':
          ctx.setTimer(msg.tag, msg.ms, { type: 'Fired', tag: msg.tag });
          if (msg.fail) throw new Error('armed, then failed');
          return undefined;
        case 'Fired':
          seen.fired.push(msg.tag);
          return undefined;
        case 'Get':
          return { ...ctx.state, tainted: ctx.volatile.tainted === true, incarnation: ctx.volatile.incarnation };
      }
    },
  };
  return def;
}

function ask(a: Activation, msg: TallyMsg): Promise<Reply> {
  return new Promise((resolve) => assert.ok(a.enqueue({ msg, reply: resolve })));
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setUp() {
  const kv = new FakeKv();
  const seen = { activations: 0, deactivations: 0, fired: [] as string[] };
  const a = new Activation(tallyKind(seen) as never, 'a', 0, 1, hostOver(kv), 100);
  return { kv, seen, a };
}

test('a restart drops the failed incarnation memory and runs onActivate again', async () => {
  const { seen, a } = setUp();
  const failed = await ask(a, { type: 'Taint' });
  assert.equal(failed.ok, false);
  const after = await ask(a, { type: 'Get' });
  assert.ok(after.ok);
  const v = after.v as { tainted: boolean; incarnation: number };
  assert.equal(v.tainted, false, 'memory written by the failed turn is gone');
  assert.equal(v.incarnation, 2, 'onActivate ran for the restarted incarnation');
  assert.equal(seen.deactivations, 1, 'onDeactivate released the failed incarnation');
  assert.equal(a.restarts, 1);
});

test('timers armed by a failed turn do not fire into the restarted incarnation', async () => {
  const { seen, a } = setUp();
  await ask(a, { type: 'Arm', tag: 'early', ms: 20, fail: true });
  // A later timer of the new incarnation: once it has fired, the early one would have too.
  await ask(a, { type: 'Arm', tag: 'late', ms: 60, fail: false });
  await until('the later timer to fire', () => seen.fired.includes('late'));
  assert.deepEqual(seen.fired, ['late']);
});

test('tells whose state write failed run again after the restart, in order; asks are answered with the error', async () => {
  const { kv, a } = setUp();
  assert.ok((await ask(a, { type: 'Get' })).ok); // activated (its fencing write done)
  kv.failWrites = 1;
  const asked = ask(a, { type: 'Add', n: 1 });
  assert.ok(a.enqueue({ msg: { type: 'Add', n: 2 } as TallyMsg }));
  const confirmed: Delivery = { msg: { type: 'Add', n: 3 } as TallyMsg, reply: () => {}, onEnqueued: () => {} };
  assert.ok(a.enqueue(confirmed));
  const r = await asked;
  assert.equal(r.ok, false);
  assert.match(String((r as { error: string }).error), /TIMEOUT/);
  await until('the redone tells to be persisted', async () => {
    const e = await kv.get('tally.a');
    return e !== null && decode<{ s: TallyState }>(e.value).s.added.length === 2;
  });
  const e = await kv.get('tally.a');
  assert.deepEqual(decode<{ s: TallyState }>(e!.value).s.added, [2, 3], 'the ask is not redone (its sender decides)');
  assert.equal(a.restarts, 1);
});

test('a lone tell whose state write failed lands after the restart', async () => {
  const { kv, a } = setUp();
  assert.ok((await ask(a, { type: 'Get' })).ok);
  kv.failWrites = 1;
  assert.ok(a.enqueue({ msg: { type: 'Add', n: 7 } as TallyMsg }));
  await until('the tell to be persisted after the restart', async () => {
    const e = await kv.get('tally.a');
    return e !== null && decode<{ s: TallyState }>(e.value).s.added.includes(7);
  });
});

test('state writes NATS refuses for a while (more than maxRestarts) back off but never mark the actor Failed', async () => {
  const { kv, a } = setUp();
  assert.ok((await ask(a, { type: 'Get' })).ok);
  kv.failWrites = 12; // the kind allows 5 restarts a minute
  assert.ok(a.enqueue({ msg: { type: 'Add', n: 5 } as TallyMsg }));
  await until('the tell to be persisted once NATS takes writes again', async () => {
    const e = await kv.get('tally.a');
    return e !== null && decode<{ s: TallyState }>(e.value).s.added.includes(5);
  });
  assert.equal(a.status, 'active');
  assert.ok(a.restarts >= 12);
});

test('a handler that keeps throwing is still marked Failed after maxRestarts', async () => {
  const { a } = setUp();
  for (let i = 0; i < 6; i++) await ask(a, { type: 'Taint' });
  assert.equal(a.status, 'failed');
});
