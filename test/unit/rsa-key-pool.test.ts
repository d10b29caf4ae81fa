import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { test } from 'node:test';
import { newRsaKey, rsaKeyPoolStats, startRsaKeyPool, stopRsaKeyPool } from '../../actors/x509/key-generation-slots.js';
import { RsaKeyPool } from '../../actors/x509/rsa-key-pool.js';

/** Polls until the condition holds (generous deadline; no fixed sleeps). */
async function until(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const modulus = (k: KeyObject) => k.export({ format: 'jwk' }).n!;

// A cheap stand-in generator (512-bit keys) for the pool's bookkeeping; the real generator is tested below.
function countingGenerator() {
  const calls: number[] = [];
  return {
    calls,
    generate: async (bits: number) => {
      calls.push(bits);
      return generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey;
    },
  };
}

test('the pool fills to its size while idle, hands each key out once, and refills', async () => {
  const g = countingGenerator();
  const pool = new RsaKeyPool({ size: 4, bits: 2048, generate: g.generate, idle: () => true, recheckMs: 10 }).start();
  await until('pool full', () => pool.stats.held === 4);
  const seen = new Set<string>();
  for (let i = 0; i < 10; i++) {
    await until('a key in the pool', () => pool.stats.held > 0);
    const key = pool.take(2048);
    assert.ok(key);
    const n = modulus(key);
    assert.ok(!seen.has(n), 'a key was handed out twice');
    seen.add(n);
  }
  await until('refilled', () => pool.stats.held === 4);
  assert.equal(pool.stats.served, 10);
  assert.equal(pool.stats.made, 14);
  assert.ok(
    g.calls.every((b) => b === 2048),
    'the pool makes only its own size',
  );
  pool.stop();
});

test('the pool holds only its size: other sizes are not served from it', async () => {
  const g = countingGenerator();
  const pool = new RsaKeyPool({ size: 2, bits: 2048, generate: g.generate, idle: () => true, recheckMs: 10 }).start();
  await until('pool full', () => pool.stats.held === 2);
  assert.equal(pool.take(4096), undefined);
  assert.equal(pool.stats.held, 2);
  pool.stop();
});

test('the pool makes nothing while the pod is busy, and fills once it is idle', async () => {
  const g = countingGenerator();
  let idle = false;
  let asked = 0;
  const pool = new RsaKeyPool({
    size: 3,
    bits: 2048,
    generate: g.generate,
    idle: () => {
      asked++;
      return idle;
    },
    recheckMs: 5,
  }).start();
  await until('the pool looked a few times', () => asked >= 5);
  assert.equal(g.calls.length, 0, 'a key was made while busy');
  assert.equal(pool.take(2048), undefined);
  idle = true;
  await until('pool full', () => pool.stats.held === 3);
  pool.stop();
});

test('stopping the pool drops its keys and makes no more', async () => {
  const g = countingGenerator();
  const pool = new RsaKeyPool({ size: 3, bits: 2048, generate: g.generate, idle: () => true, recheckMs: 5 }).start();
  await until('pool full', () => pool.stats.held === 3);
  pool.stop();
  assert.equal(pool.stats.held, 0);
  assert.equal(pool.take(2048), undefined);
  const made = g.calls.length;
  await new Promise((r) => setImmediate(r));
  assert.equal(g.calls.length, made);
});

test('the process pool serves real 2048-bit keys made by the same generator, never the same key twice', async () => {
  startRsaKeyPool(2, 2048);
  try {
    await until('pool full', () => rsaKeyPoolStats().held === 2, 60_000);
    const moduli = new Set<string>();
    // Two from the pool, two more made on demand (the pool is empty then, or refilling).
    for (let i = 0; i < 4; i++) {
      const key = await newRsaKey(2048);
      assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
      assert.equal(key.asymmetricKeyDetails?.publicExponent, 65537n);
      const n = modulus(key);
      assert.ok(!moduli.has(n), 'a key repeated');
      moduli.add(n);
    }
    assert.ok(rsaKeyPoolStats().served >= 2);
  } finally {
    stopRsaKeyPool();
  }
  assert.deepEqual(rsaKeyPoolStats(), { held: 0, size: 0, made: 0, served: 0 });
});
