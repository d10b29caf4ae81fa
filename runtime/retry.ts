/**
 * Retries start-up calls to JetStream: right after a cluster starts or a leader moves, its API answers 503 or times
 * out for a moment, and a pod should ride that out rather than crash-loop.
 */
export async function retrying<T>(what: string, fn: () => Promise<T>, attempts = 20, delayMs = 250): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, Math.min(delayMs * (i + 1), 2000)));
    }
  }
  throw new Error(`${what} failed after ${attempts} attempts: ${(last as Error)?.message ?? last}`);
}
