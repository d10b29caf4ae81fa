// RSA key generation is the controller's heaviest CPU work (tens to hundreds of milliseconds per 2048-bit key) and
// runs in libuv's thread pool, which also serves the WebCrypto signatures of CSRs and DNS lookups. Two hundred keys
// started at once would queue every later signature behind all of them, so no certificate finishes before the last
// key does. Here keys are made one per core at a time, first asked first served: early certificates finish early,
// and the pool keeps threads free for the rest. Keys of the default RSA size come from a pool made while the pod is
// idle (rsa-key-pool.ts) when it has one.
import type { KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { FifoLimit } from '../fifo-limit.js';
import { generateRsaKey } from './rsa-key.js';
import { RsaKeyPool, type RsaKeyPoolStats } from './rsa-key-pool.js';

const slots = new FifoLimit(Math.max(1, availableParallelism()));

export function withKeyGenerationSlot<T>(work: () => Promise<T>): Promise<T> {
  return slots.run(work);
}

let pool: RsaKeyPool | undefined;

/** A new RSA key: one made ahead when the pool has one of this size, else made now in turn. */
export async function newRsaKey(bits: number): Promise<KeyObject> {
  return pool?.take(bits) ?? (await withKeyGenerationSlot(() => generateRsaKey(bits)));
}

// The event loop's share of busy time since the pool last looked: above this the pod has real work to do.
const BUSY_LOOP_SHARE = 0.5;
const RECHECK_MS = 1000;

/** Starts this process's key pool (`--rsa-key-pool-size`); keys of `bits` only; size 0 means none. */
export function startRsaKeyPool(
  size: number,
  bits: number,
  onChange?: (change: 'full' | 'empty', stats: RsaKeyPoolStats) => void,
): void {
  stopRsaKeyPool();
  if (size <= 0) return;
  let since = performance.eventLoopUtilization();
  const idle = () => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, since).utilization;
    since = now;
    // Nobody waiting for a key and a slot free: the pool's key delays no certificate by more than its own making.
    return slots.queued === 0 && slots.hasFreeSlot && busy < BUSY_LOOP_SHARE;
  };
  pool = new RsaKeyPool({
    size,
    bits,
    generate: (b) => withKeyGenerationSlot(() => generateRsaKey(b)),
    idle,
    recheckMs: RECHECK_MS,
    onChange,
  }).start();
}

export function stopRsaKeyPool(): void {
  pool?.stop();
  pool = undefined;
}

/** The pool's figures for the metrics: keys held, its size, keys made and handed out since start. */
export function rsaKeyPoolStats(): RsaKeyPoolStats {
  return pool?.stats ?? { held: 0, size: 0, made: 0, served: 0 };
}
