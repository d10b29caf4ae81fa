/**
 * Counts sustained KV write failures. A pod that cannot write to KV for longer than `afterMs` cannot renew leases or
 * persist state; stopping the process (and letting its supervisor restart it) beats limping on (natskv's write guard).
 */
export class FailStop {
  private firstFailureAt: number | undefined;

  constructor(
    private readonly afterMs: number,
    private readonly now: () => number,
    private readonly onFatal: (reason: string) => void,
  ) {}

  ok(): void {
    this.firstFailureAt = undefined;
  }

  failed(err: unknown): void {
    const t = this.now();
    this.firstFailureAt ??= t;
    if (t - this.firstFailureAt >= this.afterMs) {
      const reason = `KV writes failing for ${Math.round((t - this.firstFailureAt) / 1000)} s: ${(err as Error)?.message ?? err}`;
      this.firstFailureAt = undefined;
      this.onFatal(reason);
    }
  }
}
