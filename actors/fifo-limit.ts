// At most `max` pieces of async work at a time, the rest started in the order they were asked for. First come, first
// served matters where a burst arrives at once: with an unordered pool the earliest requests can wait for the last.

export class FifoLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line (running stays the same), or is given back.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Work waiting for a slot (for an operator's view). */
  get queued(): number {
    return this.waiting.length;
  }

  /** True when work asked for now would start at once. */
  get hasFreeSlot(): boolean {
    return this.running < this.max;
  }
}
