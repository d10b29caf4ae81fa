// An in-memory stand-in for what an Activation runs on (its KV bucket and its host), for unit tests of the runtime's
// own logic without NATS; the integration suites cover the same against real servers.
import type { KV } from 'nats';
import pino from 'pino';
import type { ActivationHost } from '../../runtime/activation.js';

/** An in-memory KV with compare-and-set; `failWrites` makes the next writes fail as a NATS timeout would. */
export class FakeKv {
  readonly entries = new Map<string, { value: Uint8Array; revision: number }>();
  private seq = 0;
  failWrites = 0;

  async get(key: string) {
    const e = this.entries.get(key);
    return e ? { ...e, key, operation: 'PUT' } : null;
  }
  async create(key: string, value: Uint8Array) {
    if (this.entries.has(key)) throw new Error('wrong last sequence: key exists');
    return this.put(key, value);
  }
  async update(key: string, value: Uint8Array, revision: number) {
    if (this.failWrites > 0) {
      this.failWrites--;
      throw Object.assign(new Error('TIMEOUT'), { code: 'TIMEOUT' });
    }
    if (this.entries.get(key)?.revision !== revision) throw new Error('wrong last sequence');
    return this.put(key, value);
  }
  private put(key: string, value: Uint8Array) {
    const revision = ++this.seq;
    this.entries.set(key, { value, revision });
    return revision;
  }
}

export function hostOver(kv: FakeKv, overrides: Partial<ActivationHost> = {}): ActivationHost {
  return {
    stateKv: kv as unknown as KV,
    log: pino({ level: 'silent' }),
    now: () => Date.now(),
    leaseValid: () => true,
    stateKey: (kind, id) => `${kind}.${id}`,
    tell: () => {},
    ask: async () => {
      throw new Error('no asks in this test');
    },
    deliver: async () => {},
    turnPermit: () => () => {},
    setReminder: async () => {},
    cancelReminder: async () => {},
    onStopped: () => {},
    kvWriteFailed: () => {},
    kvWriteOk: () => {},
    turnDone: () => {},
    ...overrides,
  };
}
