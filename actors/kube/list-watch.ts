import { isGone, KubeApiError, KubeTimeoutError } from './kube-api-error.js';
import type { KubeClient } from './kube-client.js';
import { type KubeList, type KubeObject, objectKey } from './kube-object.js';
import { diffRelist, type WatchEvent, watchBackoffMs } from './watch-event.js';

export interface ListWatchOptions<T extends KubeObject> {
  client: KubeClient;
  /** Collection path, e.g. /apis/dns.gardener.cloud/v1alpha1/dnsentries or /api/v1/namespaces/x/secrets. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Server-side watch timeout; each watch ends after it and is resumed from the last resourceVersion. */
  timeoutSeconds?: number;
  /** No bytes (not even a bookmark) for this long means a dead connection: drop it and resume. */
  inactivityMs?: number;
  pageSize?: number;
  /**
   * Ask only for metadata (PartialObjectMetadata): for watching Secrets without holding their data in memory when
   * only "it changed" matters.
   */
  metadataOnly?: boolean;
  /** Awaited, so the events of one watch are handled in order; what it resolves to is not used. */
  onEvent: (event: WatchEvent<T>) => unknown;
  /** After each (re)list has been applied; `items` is the whole current set. */
  onSynced?: (items: readonly T[]) => void | Promise<void>;
  onError?: (err: Error, failures: number) => void;
}

interface RawWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject & { code?: number; reason?: string; message?: string };
}

/**
 * The one list-watch every watcher uses. Unlike client-node 1.x informers it never gives up: it asks for bookmarks,
 * bounds each watch with timeoutSeconds, drops silent connections, relists on 410 Gone (diffing against its store so
 * deletions during an outage are still seen), and backs off on errors. Events for one object arrive in order;
 * handlers are awaited, so a slow consumer slows the watch instead of growing a queue.
 */
export class ListWatch<T extends KubeObject> {
  private readonly store = new Map<string, T>();
  private resourceVersion: string | undefined;
  private stopped = false;
  private abortCurrent: (() => void) | undefined;
  private failures = 0;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private syncedOnce!: Promise<void>;
  private markSynced!: () => void;

  constructor(private readonly opts: ListWatchOptions<T>) {
    this.syncedOnce = new Promise((r) => (this.markSynced = r));
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  /** Resolves after the first complete list has been delivered. */
  synced(): Promise<void> {
    return this.syncedOnce;
  }

  /** The current objects as last seen (a cache; never write it). */
  items(): T[] {
    return [...this.store.values()];
  }

  get(key: string): T | undefined {
    return this.store.get(key);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abortCurrent?.();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        await this.watchOnce();
        this.failures = 0;
      } catch (err) {
        if (this.stopped) break;
        if (isGone(err) || err instanceof WatchExpired) {
          needList = true;
          continue;
        }
        this.failures++;
        this.opts.onError?.(err as Error, this.failures);
        // After repeated failures the resourceVersion may be too old anyway; a relist is the safe way back.
        if (this.failures >= 3) needList = true;
        await this.sleep(watchBackoffMs(this.failures));
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async relist(): Promise<void> {
    const listed: T[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.opts.client.request<KubeList<T>>('GET', this.opts.path, {
        query: {
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
          limit: this.opts.pageSize ?? 500,
          continue: cont,
        },
        ...(this.opts.metadataOnly
          ? { headers: { accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1' } }
          : {}),
      });
      // Empty metadata-only lists come back with `items: null`.
      listed.push(...(page.items ?? []).map(slim));
      cont = page.metadata.continue || undefined;
      rv = page.metadata.resourceVersion;
    } while (cont);
    const events = diffRelist(this.store, listed);
    this.store.clear();
    for (const o of listed) this.store.set(objectKey(o), o);
    this.resourceVersion = rv;
    for (const ev of events) await this.opts.onEvent(ev);
    await this.opts.onSynced?.(listed);
    this.markSynced();
  }

  private async watchOnce(): Promise<void> {
    const timeoutSeconds = this.opts.timeoutSeconds ?? 240;
    const inactivityMs = this.opts.inactivityMs ?? (timeoutSeconds + 30) * 1000;
    const { res, abort } = await this.opts.client.open('GET', this.opts.path, {
      query: {
        watch: 1,
        allowWatchBookmarks: true,
        resourceVersion: this.resourceVersion,
        timeoutSeconds,
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
      },
      // Also bounds the wait for response headers: a server that accepts but never answers is a dead connection.
      timeoutMs: inactivityMs,
      ...(this.opts.metadataOnly
        ? { headers: { accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' } }
        : {}),
    });
    this.abortCurrent = abort;
    if (this.stopped) {
      // stop() ran while the watch was being opened, when there was nothing to abort yet; without this the watch
      // would run on until the server ends it (timeoutSeconds).
      res.destroy();
      abort();
      this.abortCurrent = undefined;
      return;
    }
    if (res.statusCode !== 200) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      let status = {};
      try {
        status = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      throw KubeApiError.from('WATCH', this.opts.path, res.statusCode ?? 0, status);
    }
    let idle: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(abort, inactivityMs);
    };
    arm();
    let buffered = '';
    try {
      for await (const chunk of res) {
        arm();
        buffered += (chunk as Buffer).toString('utf8');
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line) await this.apply(JSON.parse(line) as RawWatchEvent);
        }
      }
    } catch (err) {
      // An aborted or silent connection is a normal end: resume from the last resourceVersion.
      const quiet =
        err instanceof KubeTimeoutError ||
        (err as NodeJS.ErrnoException).code?.startsWith('ECONNRESET') ||
        (err as Error).message === 'aborted';
      if (!this.stopped && !quiet) throw err;
    } finally {
      clearTimeout(idle);
      this.abortCurrent = undefined;
    }
  }

  private async apply(ev: RawWatchEvent): Promise<void> {
    if (ev.type === 'ERROR') {
      if (ev.object.code === 410) throw new WatchExpired();
      throw new Error(`watch error on ${this.opts.path}: ${ev.object.message ?? JSON.stringify(ev.object)}`);
    }
    const rv = ev.object.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (ev.type === 'BOOKMARK') return;
    const obj = slim(ev.object as T);
    const key = objectKey(obj);
    if (ev.type === 'DELETED') this.store.delete(key);
    else this.store.set(key, obj);
    await this.opts.onEvent({ type: ev.type, object: obj });
  }
}

/**
 * Cached objects lose what no watcher reads and what costs the most memory per object: managedFields (often larger
 * than the spec) and kubectl's last-applied copy of the whole object.
 */
function slim<T extends KubeObject>(o: T): T {
  const meta = o.metadata as (KubeObject['metadata'] & { managedFields?: unknown }) | undefined;
  if (!meta) return o;
  delete meta.managedFields;
  if (meta.annotations?.[LAST_APPLIED] !== undefined) {
    const { [LAST_APPLIED]: _dropped, ...rest } = meta.annotations;
    meta.annotations = rest;
  }
  return o;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

class WatchExpired extends Error {
  constructor() {
    super('watch expired (410)');
  }
}
