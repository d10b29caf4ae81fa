import { type KV, type KvEntry, KvWatchInclude } from 'nats';
import type { Logger } from 'pino';

/**
 * A KV watch that outlives its subscription: the nats client's watch iterator simply ends when its ordered consumer
 * goes away (server restart, long disconnect), so we reopen it from the last revision seen.
 */
export class SupervisedKvWatch {
  private stopped = false;
  private lastRevision = 0;
  private stopCurrent: (() => void) | undefined;
  private readonly done: Promise<void>;

  constructor(kv: KV, key: string, onEntry: (e: KvEntry) => void, log: Logger, onInitialized?: () => void) {
    this.done = (async () => {
      let first = true;
      while (!this.stopped) {
        try {
          const iter = await kv.watch({
            key,
            include: this.lastRevision ? KvWatchInclude.AllHistory : KvWatchInclude.LastValue,
            ...(this.lastRevision ? { resumeFromRevision: this.lastRevision + 1 } : {}),
            initializedFn: () => {
              if (first) {
                first = false;
                onInitialized?.();
              }
            },
          });
          this.stopCurrent = () => iter.stop();
          if (this.stopped) iter.stop();
          for await (const e of iter) {
            this.lastRevision = Math.max(this.lastRevision, e.revision);
            onEntry(e);
          }
        } catch (err) {
          if (!this.stopped) log.warn({ err: (err as Error).message, key }, 'kv watch failed; reopening');
        }
        if (!this.stopped) await new Promise((r) => setTimeout(r, 250));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopCurrent?.();
    await this.done;
  }
}
