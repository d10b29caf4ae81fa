// RSA keys made ahead of need while the pod has nothing else to do, so a burst of new Certificates (a cluster's
// Ingresses at start, a batch applied at once) does not wait for key generation: at about 65 ms of CPU per 2048-bit
// key it is the controller's heaviest work, and on a small pod it is the wall a burst runs into.
//
// What makes this sound: a pooled key is handed out once and forgotten (take() removes it, nothing else holds it),
// it lives only in this process's memory (never serialised, never sent, never logged; gone when the pod goes), and
// it is made exactly as an on-demand key is (same generator, same checks). The pool only fills when no certificate
// is waiting for a key and the event loop is mostly idle, one key at a time, so it never competes with real work
// for more than one key's time.
import type { KeyObject } from 'node:crypto';

export interface RsaKeyPoolOptions {
  /** Keys to hold; 0 turns the pool off. */
  size: number;
  /** The only size the pool makes (the default RSA size); other sizes are made on demand. */
  bits: number;
  /** Makes one key (the same generator as on demand). */
  generate: (bits: number) => Promise<KeyObject>;
  /** True when a key may be made now without delaying anyone. */
  idle: () => boolean;
  /** How long to wait before looking again when the pod was busy. */
  recheckMs: number;
  /**
   * Told when the pool becomes full, and the first time a key is asked of an empty pool after that: an operator
   * sees whether a burst outran the pool (its later keys were made on demand).
   */
  onChange?: (change: 'full' | 'empty', stats: RsaKeyPoolStats) => void;
}

export interface RsaKeyPoolStats {
  held: number;
  size: number;
  made: number;
  served: number;
}

export class RsaKeyPool {
  private readonly keys: KeyObject[] = [];
  private filling = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private made = 0;
  private served = 0;
  private emptyTold = false;

  constructor(private readonly opts: RsaKeyPoolOptions) {}

  /** A key made ahead, removed from the pool (it is never handed out again), or undefined. */
  take(bits: number): KeyObject | undefined {
    if (bits !== this.opts.bits) return undefined;
    const key = this.keys.shift();
    if (key) this.served++;
    else if (!this.emptyTold) {
      this.emptyTold = true;
      this.opts.onChange?.('empty', this.stats);
    }
    this.fillSoon();
    return key;
  }

  start(): this {
    this.fillSoon();
    return this;
  }

  /** Drops every key held (the pod is going) and makes no more. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.keys.length = 0;
  }

  get stats(): RsaKeyPoolStats {
    return { held: this.keys.length, size: this.opts.size, made: this.made, served: this.served };
  }

  private fillSoon(delayMs = 0): void {
    if (this.filling || this.stopped || this.timer || this.keys.length >= this.opts.size) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.fill();
    }, delayMs);
    // A pool never keeps a process alive on its own.
    this.timer.unref();
  }

  private async fill(): Promise<void> {
    if (this.filling || this.stopped) return;
    this.filling = true;
    let again = false;
    try {
      while (!this.stopped && this.keys.length < this.opts.size) {
        // Busy, or a failed generation (never expected): look again later rather than in a tight loop.
        const key = this.opts.idle() ? await this.opts.generate(this.opts.bits).catch(() => undefined) : undefined;
        if (!key) {
          again = true;
          break;
        }
        if (this.stopped) return;
        this.keys.push(key);
        this.made++;
        if (this.keys.length === this.opts.size) {
          this.emptyTold = false;
          this.opts.onChange?.('full', this.stats);
        }
      }
    } finally {
      this.filling = false;
    }
    if (again) this.fillSoon(this.opts.recheckMs);
  }
}
