import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TurnLimiter } from '../../runtime/turn-limiter.js';

test('a turn limiter lets `limit` turns run, queues the rest in order, and hands permits on', async () => {
  const l = new TurnLimiter(2);
  const a = await l.acquire();
  const b = await l.acquire();
  assert.equal(l.inUse, 2);
  const order: string[] = [];
  const c = l.acquire().then((r) => {
    order.push('c');
    return r;
  });
  const d = l.acquire().then((r) => {
    order.push('d');
    return r;
  });
  await Promise.resolve();
  assert.equal(l.queued, 2);
  assert.deepEqual(order, []);
  a();
  a(); // releasing twice is harmless
  const rc = await c;
  assert.deepEqual(order, ['c']);
  b();
  const rd = await d;
  assert.deepEqual(order, ['c', 'd']);
  assert.equal(l.inUse, 2);
  rc();
  rd();
  assert.equal(l.inUse, 0);
  assert.equal(l.queued, 0);
});

test('waiting turns are served oldest actor first, in arrival order among turns of equal age', async () => {
  const l = new TurnLimiter(1);
  const hold = await l.acquire(0);
  const order: string[] = [];
  const wait = (name: string, priority: number) =>
    l.acquire(priority).then((release) => {
      order.push(name);
      release();
    });
  // A burst: younger actors' first turns were asked for before the oldest actor's next turn.
  const all = [wait('young-1', 30), wait('young-2', 20), wait('old-next', 1), wait('old-again', 1), wait('mid', 10)];
  await Promise.resolve();
  assert.equal(l.queued, 5);
  hold();
  await Promise.all(all);
  assert.deepEqual(order, ['old-next', 'old-again', 'mid', 'young-2', 'young-1']);
  assert.equal(l.inUse, 0);
});
