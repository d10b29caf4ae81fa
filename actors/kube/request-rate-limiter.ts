// The client-side rate limit gardener's controller puts on its API clients (--<cluster>.qps, .burst; client-go's
// token bucket): requests take a token each, tokens come back at `qps` per second up to `burst`, and a request
// without a token waits its turn (first come, first served). Watches are long requests and take one token to open.

export class RequestRateLimiter {
  private tokens: number;
  private last: number;
  private readonly waiting: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  /** client-go's rules: qps < 0 means no limit; 0 means its defaults (5 per second, burst 10). */
  static fromFlags(qps: number, burst: number): RequestRateLimiter | undefined {
    if (qps < 0) return undefined;
    return new RequestRateLimiter(qps === 0 ? 5 : qps, burst <= 0 ? 10 : burst);
  }

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Resolves when the request may be sent. */
  acquire(): Promise<void> {
    this.refill();
    if (this.waiting.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(1, ((1 - this.tokens) / this.qps) * 1000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.waiting.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.waiting.shift()!();
      }
      if (this.waiting.length > 0) this.schedule();
    }, wait);
    this.timer.unref?.();
  }
}
