// The client-side rate limit gardener's controller puts on its API clients (--<cluster>.qps, .burst; client-go's
// token bucket): requests take a token each, tokens come back at `qps` per second up to `burst`, and a request
// without a token waits its turn (first come, first served). Watches are long requests and take one token to open.
//
// Requests of the low lane (Events: they tell what the status already says) take a token only when no other request
// waits for one, so in a burst they trail the writes that carry state instead of delaying them: at 200 Certificates
// a Ready Event per certificate is a third of the source cluster's writes at the end of the burst. A low request
// waits at most LOW_LANE_MAX_WAIT_MS for that; then it takes its place in line like any other.

/** Which line a request waits in. */
export type RequestLane = 'normal' | 'low';

const LOW_LANE_MAX_WAIT_MS = 10_000;

export class RequestRateLimiter {
  private tokens: number;
  private last: number;
  private readonly waiting: Array<() => void> = [];
  private readonly waitingLow: Array<{ since: number; go: () => void }> = [];
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
  acquire(lane: RequestLane = 'normal'): Promise<void> {
    this.refill();
    const free = this.waiting.length === 0 && (lane === 'normal' ? !this.lowIsDue() : this.waitingLow.length === 0);
    if (free && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      if (lane === 'low') this.waitingLow.push({ since: this.now(), go: resolve });
      else this.waiting.push(resolve);
      this.schedule();
    });
  }

  /** Requests waiting for a token, of both lanes. */
  get queued(): number {
    return this.waiting.length + this.waitingLow.length;
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
      while (this.tokens >= 1) {
        const go = this.nextWaiter();
        if (!go) break;
        this.tokens -= 1;
        go();
      }
      if (this.queued > 0) this.schedule();
    }, wait);
    this.timer.unref?.();
  }

  /** The oldest low request has waited as long as it may: it goes before normal ones. */
  private lowIsDue(): boolean {
    const low = this.waitingLow[0];
    return low !== undefined && this.now() - low.since >= LOW_LANE_MAX_WAIT_MS;
  }

  /** Takes the next waiter off its line: a low one that waited long enough, else normal ones, else low ones. */
  private nextWaiter(): (() => void) | undefined {
    const low = this.waitingLow[0];
    if (low && (this.waiting.length === 0 || this.lowIsDue())) {
      this.waitingLow.shift();
      return low.go;
    }
    return this.waiting.shift();
  }
}
