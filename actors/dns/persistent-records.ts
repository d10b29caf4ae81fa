// An issuer's dns-persist-01 records authorise its ACME account for their domains for as long as they exist, so
// they go when the issuer no longer asks for dns-persist-01: when the Issuer is deleted (or leaves our classes) or
// its spec.acme.dnsChallenge.type changes.
import type { IssuerRefKey } from '../kinds.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { KubeList, KubeObject } from '../kube/kube-object.js';
import { persistentRecordSelector } from './challenge-entry.js';
import type { ChallengeStore } from './challenge-store.js';

/**
 * Where an issuer's persistent records live: --dns-namespace, else the Issuer's namespace (one record per issuer and
 * domain, whichever namespaces its certificates are in).
 */
export function persistentNamespace(dnsNamespace: string, issuer: IssuerRefKey): string {
  return dnsNamespace || issuer.namespace;
}

/** Deletes the issuer's persistent records in `namespace` of the dns cluster; returns how many. */
export async function deletePersistentRecords(
  kube: KubeClient,
  store: ChallengeStore,
  namespace: string,
  issuer: IssuerRefKey,
): Promise<number> {
  const list = await kube.get<KubeList<KubeObject>>(store.path(namespace), {
    labelSelector: persistentRecordSelector(issuer),
  });
  for (const o of list.items) await store.remove(kube, namespace, o.metadata.name);
  return list.items.length;
}
