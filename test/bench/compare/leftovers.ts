// After the first controller's run: remove what it left on the shared stack, so the next controller starts on a
// clean cluster and does no work for objects of the previous run.
import { certificatePath } from '../../../actors/certificate/certificate-kube.js';
import { issuerPath } from '../../../actors/issuer/issuer-types.js';
import { isNotFound } from '../../../actors/kube/kube-api-error.js';
import { KubeClient } from '../../../actors/kube/kube-client.js';
import type { KubeList, KubeObject } from '../../../actors/kube/kube-object.js';
import type { StackInfo } from '../../env/stack.js';
import { ISSUER_NAMESPACE } from './run.js';

const DNSENTRIES = '/apis/dns.gardener.cloud/v1alpha1';

/**
 * Deletes a stopped controller's Certificates, Secrets and challenge DNSEntries of `namespace`, its Issuer with the
 * account Secret, and gardener's backup Secrets in kube-system. Finalizers are removed first: the controller that
 * would remove them is no longer running.
 */
export async function removeLeftovers(info: StackInfo, namespace: string, issuer: string): Promise<void> {
  const source = KubeClient.fromFile(info.clusters.source.kubeconfig);
  const dns = KubeClient.fromFile(info.clusters.dns.kubeconfig);
  try {
    await removeAll(source, certificatePath(namespace));
    await removeAll(dns, `${DNSENTRIES}/namespaces/${namespace}/dnsentries`);
    await removeAll(source, `/api/v1/namespaces/${namespace}/secrets`);
    await removeAll(source, '/api/v1/namespaces/kube-system/secrets', 'cert.gardener.cloud/backup=true');
    await removeOne(source, issuerPath(ISSUER_NAMESPACE, issuer));
    await removeOne(source, `/api/v1/namespaces/${ISSUER_NAMESPACE}/secrets/${issuer}-account`);
  } finally {
    source.close();
    dns.close();
  }
}

async function removeAll(k: KubeClient, collection: string, labelSelector?: string): Promise<void> {
  const list = await k.get<KubeList<KubeObject>>(collection, { labelSelector });
  const withFinalizers = list.items.filter((o) => (o.metadata.finalizers ?? []).length > 0);
  await inParallel(withFinalizers, 16, (o) =>
    k.mergePatch(`${collection}/${o.metadata.name}`, { metadata: { finalizers: null } }),
  );
  // A collection DELETE (deletecollection) is one request for all of them.
  if (list.items.length > 0) await k.request('DELETE', collection, { query: { labelSelector } });
}

async function removeOne(k: KubeClient, path: string): Promise<void> {
  try {
    await k.mergePatch(path, { metadata: { finalizers: null } });
    await k.delete(path);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

async function inParallel<T>(items: readonly T[], width: number, f: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await f(items[next++]!);
    }),
  );
}
