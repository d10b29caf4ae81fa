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
