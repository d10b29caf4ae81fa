/**
 * At most `limit` turns of one actor kind at a time on this pod (ActorDefinition.maxConcurrentTurns): a bound on the
 * load one kind can put on what its turns call (API servers), like a controller's worker pool. FIFO, so no actor
 * waits forever behind others.
 */
export class TurnLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  async acquire(): Promise<() => void> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The permit passes straight to the next waiter; `running` stays the same.
      if (next) next();
      else this.running--;
    };
  }

  get inUse(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }
}
