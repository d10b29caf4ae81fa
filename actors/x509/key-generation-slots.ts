// RSA key generation is the controller's heaviest CPU work (tens to hundreds of milliseconds per 2048-bit key) and
// runs in libuv's thread pool, which also serves the WebCrypto signatures of CSRs and DNS lookups. Two hundred keys
// started at once would queue every later signature behind all of them, so no certificate finishes before the last
// key does. Here keys are made one per core at a time, first asked first served: early certificates finish early,
// and the pool keeps threads free for the rest.
import { availableParallelism } from 'node:os';
import { FifoLimit } from '../fifo-limit.js';

const slots = new FifoLimit(Math.max(1, availableParallelism()));

export function withKeyGenerationSlot<T>(work: () => Promise<T>): Promise<T> {
  return slots.run(work);
}
