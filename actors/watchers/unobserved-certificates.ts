// The source watcher's safety net. A routed event is confirmed once it is in the certificate actor's mailbox, but a
// pod killed with that mailbox unprocessed loses it, and a delivery can time out while shards move. A Certificate whose
// status never caught up with its generation is routed again, at most once per RE_ROUTE_AFTER_MS; the actor treats a
// repeated Observed like any other (it compares with what it has), so a spare one costs a message and nothing else.
import type { Certificate } from '../certificate/certificate-spec.js';

export const RE_ROUTE_AFTER_MS = 60_000;

/** Whether nothing has written status for the Certificate's current generation yet. */
export function unobserved(c: Certificate): boolean {
  if (c.metadata.deletionTimestamp) return false;
  return c.status?.observedGeneration !== c.metadata.generation;
}

/** The keys ("namespace/name") of cached Certificates to route again now. */
export function certificatesToRouteAgain(
  items: readonly Certificate[],
  lastRoutedAt: ReadonlyMap<string, number>,
  now: number,
  ours: (c: Certificate) => boolean,
): Certificate[] {
  return items.filter((c) => {
    if (!ours(c) || !unobserved(c)) return false;
    const key = `${c.metadata.namespace}/${c.metadata.name}`;
    return now - (lastRoutedAt.get(key) ?? 0) >= RE_ROUTE_AFTER_MS;
  });
}
