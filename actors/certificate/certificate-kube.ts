// The Kubernetes calls of a certificate actor, one function per call so the actor reads as its decisions. Each
// write is counted by the KubeClient (the benchmark budgets writes per certificate).

import type { DNSEntry } from '../dns/challenge-entry.js';
import { isNotFound, KubeApiError } from '../kube/kube-api-error.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { TlsSecret } from './certificate-secret.js';
import type { Certificate } from './certificate-spec.js';

export const CERTIFICATES_API = '/apis/cert.gardener.cloud/v1alpha1';
const DNS_API = '/apis/dns.gardener.cloud/v1alpha1';
/** Keeps a deleted Certificate until its challenge entries (and, with --cascade-delete, its Secret) are gone. */
export const CERTIFICATE_FINALIZER = 'cert.gardener.cloud/cert-controller-manager';

export const certificatePath = (ns: string, name?: string) =>
  `${CERTIFICATES_API}/namespaces/${ns}/certificates${name ? `/${name}` : ''}`;
const secretPath = (ns: string, name?: string) => `/api/v1/namespaces/${ns}/secrets${name ? `/${name}` : ''}`;
const entryPath = (ns: string, name?: string) => `${DNS_API}/namespaces/${ns}/dnsentries${name ? `/${name}` : ''}`;

const orUndefined = async <T>(p: Promise<T>): Promise<T | undefined> => {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
};

export async function patchStatus(
  kube: KubeClient,
  ns: string,
  name: string,
  status: Record<string, unknown>,
): Promise<boolean> {
  return (await orUndefined(kube.mergePatch(`${certificatePath(ns, name)}/status`, { status }))) !== undefined;
}

/** Merge patches on metadata (finalizers, annotations) guarded by resourceVersion: a concurrent edit is re-read. */
export async function patchMetadata(
  kube: KubeClient,
  cert: Certificate,
  change: (c: Certificate) => Record<string, unknown> | undefined,
): Promise<Certificate | undefined> {
  let current: Certificate | undefined = cert;
  for (let attempt = 0; attempt < 3 && current; attempt++) {
    const patch = change(current);
    if (!patch) return current;
    try {
      return await kube.mergePatch<Certificate>(certificatePath(cert.metadata.namespace!, cert.metadata.name), {
        metadata: { ...patch, resourceVersion: current.metadata.resourceVersion },
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      if (!(err instanceof KubeApiError) || err.statusCode !== 409) throw err;
      current = await orUndefined(kube.get<Certificate>(certificatePath(cert.metadata.namespace!, cert.metadata.name)));
    }
  }
  return current;
}

export async function patchSpec(
  kube: KubeClient,
  ns: string,
  name: string,
  spec: Record<string, unknown>,
): Promise<void> {
  await orUndefined(kube.mergePatch(certificatePath(ns, name), { spec }));
}

export function getSecret(kube: KubeClient, ns: string, name: string): Promise<TlsSecret | undefined> {
  return orUndefined(kube.get<TlsSecret>(secretPath(ns, name)));
}

/**
 * Writes the Secret: an update when it is known to exist (renewal), else a create, falling back to the other on
 * 404/409. A Secret of another type (type is immutable) is replaced.
 */
export async function putSecret(kube: KubeClient, secret: TlsSecret, exists: boolean): Promise<void> {
  const ns = secret.metadata.namespace!;
  const name = secret.metadata.name;
  const create = () => kube.create(secretPath(ns), secret);
  const update = () => kube.replace(secretPath(ns, name), secret);
  try {
    if (exists) await update();
    else await create();
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    if (err.statusCode === 404) return void (await create());
    if (err.statusCode === 409) return void (await update());
    if (err.statusCode === 422 && /type/i.test(err.message)) {
      await kube.delete(secretPath(ns, name));
      return void (await create());
    }
    throw err;
  }
}

export async function deleteSecret(kube: KubeClient, ns: string, name: string): Promise<void> {
  await orUndefined(kube.delete(secretPath(ns, name)));
}

/** Creates the challenge entry, or updates its spec when one of that name exists (a resumed or repeated order). */
export async function upsertEntry(kube: KubeClient, entry: DNSEntry): Promise<void> {
  try {
    await kube.create(entryPath(entry.metadata.namespace), entry);
  } catch (err) {
    if (!(err instanceof KubeApiError) || err.statusCode !== 409) throw err;
    const current = await kube.get<DNSEntry>(entryPath(entry.metadata.namespace, entry.metadata.name));
    if (JSON.stringify(current.spec) === JSON.stringify(entry.spec)) return;
    await kube.replace(entryPath(entry.metadata.namespace, entry.metadata.name), {
      ...entry,
      metadata: { ...entry.metadata, resourceVersion: current.metadata.resourceVersion },
    });
  }
}

export function getEntry(kube: KubeClient, ns: string, name: string): Promise<DNSEntry | undefined> {
  return orUndefined(kube.get<DNSEntry>(entryPath(ns, name)));
}

export async function deleteEntry(kube: KubeClient, ns: string, name: string): Promise<void> {
  await orUndefined(kube.delete(entryPath(ns, name)));
}

/** Every challenge entry of a certificate, found by its owner labels: the clean-up when the actor lost track. */
export interface EventSummary {
  type: string;
  reason: string;
  message: string;
  count: number;
  lastTimestamp?: string;
}

/** Events of one object, newest last: what `kubectl describe` shows, for certctl's status walk. */
export async function listEvents(kube: KubeClient, ns: string, kind: string, name: string): Promise<EventSummary[]> {
  const list = await kube.get<{
    items: Array<{
      type: string;
      reason: string;
      message: string;
      count?: number;
      lastTimestamp?: string;
      eventTime?: string;
    }>;
  }>(`/api/v1/namespaces/${ns}/events`, { fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}` });
  return list.items
    .map((e) => ({
      type: e.type,
      reason: e.reason,
      message: e.message,
      count: e.count ?? 1,
      ...((e.lastTimestamp ?? e.eventTime) ? { lastTimestamp: e.lastTimestamp ?? e.eventTime } : {}),
    }))
    .sort((a, b) => (a.lastTimestamp ?? '').localeCompare(b.lastTimestamp ?? ''));
}
