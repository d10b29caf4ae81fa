import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestRateLimiter } from '../../actors/kube/request-rate-limiter.js';

test('a burst goes at once, then requests get tokens at qps, first come first served', async () => {
  let t = 0;
  const limiter = new RequestRateLimiter(1000, 3, () => t);
  const order: number[] = [];
  await Promise.all([0, 1, 2].map((i) => limiter.acquire().then(() => order.push(i))));
  assert.deepEqual(order, [0, 1, 2], 'the burst');
  // The fourth and fifth wait for refills; the clock is moved forward so the timer finds new tokens.
  const later = [3, 4].map((i) => limiter.acquire().then(() => order.push(i)));
  t += 10; // 10 ms at 1000/s: 10 tokens (capped at the burst)
  await Promise.all(later);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
});

test("client-go's flag rules: a negative qps is no limit, 0 its defaults", () => {
  assert.equal(RequestRateLimiter.fromFlags(-1, 0), undefined);
  assert.ok(RequestRateLimiter.fromFlags(0, 0));
  assert.ok(RequestRateLimiter.fromFlags(50, 100));
});

test('low-lane requests (Events) trail the normal ones while any waits, and wait at most 10 s for that', async () => {
  let t = 0;
  // A token per (fake) millisecond, a burst of one; the limiter's timer runs in real time and reads the fake clock.
  const limiter = new RequestRateLimiter(1000, 1, () => t);
  const keepAlive = setInterval(() => {}, 1000);
  const served: string[] = [];
  const until = async (n: number) => {
    const deadline = Date.now() + 5000;
    while (served.length < n) {
      if (Date.now() > deadline) throw new Error(`timed out at ${served.join(', ')}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  try {
    await limiter.acquire(); // the burst is gone
    void limiter.acquire('low').then(() => served.push('event'));
    for (const n of ['status-1', 'status-2']) void limiter.acquire().then(() => served.push(n));
    for (let i = 1; i <= 3; i++) {
      t += 1;
      await until(i);
    }
    assert.deepEqual(served, ['status-1', 'status-2', 'event'], 'the normal requests went first, though asked later');
    // With nobody waiting, a low request takes a free token at once.
    t += 1;
    await limiter.acquire('low');
    // A low request that has waited 10 s goes before the normal requests waiting with it.
    void limiter.acquire('low').then(() => served.push('old event'));
    for (const n of ['status-3', 'status-4']) void limiter.acquire().then(() => served.push(n));
    t += 10_000;
    await until(4);
    t += 1;
    await until(5);
    t += 1;
    await until(6);
    assert.deepEqual(served.slice(3), ['old event', 'status-3', 'status-4']);
  } finally {
    clearInterval(keepAlive);
  }
});
