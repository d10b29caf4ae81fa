/**
 * At most `limit` turns of one actor kind at a time on this pod (ActorDefinition.maxConcurrentTurns): a bound on the
 * load one kind can put on what its turns call (API servers), like a controller's worker pool.
 *
 * Waiting turns are served oldest actor first (the order in which the actors were activated on this pod), not in the
 * order the turns were asked for. With a plain FIFO, a burst of N new actors interleaves: each actor's next turn
 * queues behind every other actor's previous one, so the first actor finishes no sooner than the last and every
 * latency grows with N. Oldest first lets the first-come actors run through their steps while later ones wait, which
 * is first come, first served end to end. No turn waits forever: an actor's own work is finite, and each waiting
 * turn is served before any turn of a younger actor.
 */
export class TurnLimiter {
  private running = 0;
  /** A binary min-heap on [priority, arrival]. */
  private readonly heap: Array<{ priority: number; arrival: number; go: () => void }> = [];
  private arrivals = 0;

  constructor(readonly limit: number) {}

  /** priority: lower runs first (the activation's sequence number on this pod). */
  async acquire(priority = 0): Promise<() => void> {
    if (this.running >= this.limit)
      await new Promise<void>((go) => this.push({ priority, arrival: this.arrivals++, go }));
    else this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.pop();
      // The permit passes straight to the next waiter; `running` stays the same.
      if (next) next.go();
      else this.running--;
    };
  }

  get inUse(): number {
    return this.running;
  }

  get queued(): number {
    return this.heap.length;
  }

  private before(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    return x.priority < y.priority || (x.priority === y.priority && x.arrival < y.arrival);
  }

  private swap(a: number, b: number): void {
    const t = this.heap[a]!;
    this.heap[a] = this.heap[b]!;
    this.heap[b] = t;
  }

  private push(item: { priority: number; arrival: number; go: () => void }): void {
    this.heap.push(item);
    for (let i = this.heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private pop(): { go: () => void } | undefined {
    if (this.heap.length === 0) return undefined;
    const top = this.heap[0]!;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.heap.length && this.before(l, m)) m = l;
        if (r < this.heap.length && this.before(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}
