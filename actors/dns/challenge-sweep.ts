// The start-up sweep of orphaned challenge entries: entries of our DNS class (gardener's rule: the challenge
// annotation, and the dns class annotation equal to --dns-class) whose order is over. Gardener deletes all of them
// when it starts, which is safe for a single active controller. Here other pods may be running orders while one
// pod's watcher starts, so an entry is only deleted when the certificate named on it is not running an order that
// uses it (entries gardener wrote name no certificate of ours and are deleted as gardener would). Young entries are
// left alone: their order may not have recorded them yet. With --use-dnsrecords the same for DNSRecords, by
// gardener's rule for them (the challenge annotation, whatever the class); they get the deletion confirmation first.
// Persistent dns-persist-01 records carry no challenge annotation: they are their issuer's and stay.
import type { KubeClient } from '../kube/kube-client.js';
import type { KubeList, KubeObject } from '../kube/kube-object.js';
import { ANNOTATION_CERTIFICATE } from './challenge-entry.js';
import type { ChallengeStore } from './challenge-store.js';

const MIN_AGE_MS = 60_000;

export interface SweepOptions {
  kube: KubeClient;
  store: ChallengeStore;
  /** --dns-namespace; '' sweeps all namespaces. */
  namespace: string;
  dnsClass: string;
  now: number;
  /** Whether the certificate actor named on an entry runs an order that uses it. */
  inUse(certificateId: string, entryName: string): Promise<boolean>;
  log(fields: Record<string, unknown>, message: string): void;
}

export async function sweepOrphanedChallengeEntries(o: SweepOptions): Promise<number> {
  const list = await o.kube.get<KubeList<KubeObject>>(o.store.path(o.namespace || undefined));
  let deleted = 0;
  for (const entry of list.items) {
    if (!o.store.isOwnChallenge(entry, o.dnsClass)) continue;
    const created = Date.parse(entry.metadata.creationTimestamp ?? '');
    if (!(o.now - created > MIN_AGE_MS)) continue;
    const owner = entry.metadata.annotations?.[ANNOTATION_CERTIFICATE];
    // An owner that cannot be asked (busy, moving) keeps its entry: the next sweep looks again.
    if (owner && (await o.inUse(owner, entry.metadata.name).catch(() => true))) continue;
    const ns = entry.metadata.namespace ?? '';
    try {
      await o.store.remove(o.kube, ns, entry.metadata.name);
      deleted++;
      o.log({ entry: `${ns}/${entry.metadata.name}`, owner }, 'deleted an orphaned challenge entry');
    } catch (err) {
      o.log(
        { entry: `${ns}/${entry.metadata.name}`, err: (err as Error).message },
        'could not delete a challenge entry',
      );
    }
  }
  return deleted;
}
