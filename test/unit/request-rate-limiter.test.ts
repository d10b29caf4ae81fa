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
