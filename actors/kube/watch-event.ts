import { type KubeObject, objectKey } from './kube-object.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent<T extends KubeObject> {
  type: WatchEventType;
  object: T;
}

/**
 * What a relist means for a consumer that had `known`: new objects are ADDED, changed ones MODIFIED, and the ones
 * that vanished while we were not watching DELETED. Without this a deletion during a watch outage is missed forever.
 */
export function diffRelist<T extends KubeObject>(known: ReadonlyMap<string, T>, listed: readonly T[]): WatchEvent<T>[] {
  const events: WatchEvent<T>[] = [];
  const seen = new Set<string>();
  for (const obj of listed) {
    const key = objectKey(obj);
    seen.add(key);
    const prev = known.get(key);
    if (!prev) events.push({ type: 'ADDED', object: obj });
    else if (prev.metadata.resourceVersion !== obj.metadata.resourceVersion || prev.metadata.uid !== obj.metadata.uid) {
      events.push({ type: 'MODIFIED', object: obj });
    }
  }
  for (const [key, prev] of known) if (!seen.has(key)) events.push({ type: 'DELETED', object: prev });
  return events;
}

/** Exponential backoff with a cap, for reconnecting watches: 0.5 s, 1 s, 2 s ... 30 s. */
export function watchBackoffMs(failures: number, baseMs = 500, capMs = 30_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
}
