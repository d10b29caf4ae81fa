// The Kubernetes calls of a certificate actor, one function per call so the actor reads as its decisions. Each
// write is counted by the KubeClient (the benchmark budgets writes per certificate).

import { isNotFound, KubeApiError } from '../kube/kube-api-error.js';
import type { KubeClient } from '../kube/kube-client.js';
import { withoutManagedFields } from '../kube/kube-object.js';
import { rfc3339, type SecretWrite, secretToWrite, type TlsSecret } from './certificate-secret.js';
import type { Certificate } from './certificate-spec.js';
import { HASH_LABEL } from './request-hash.js';

export const CERTIFICATES_API = '/apis/cert.gardener.cloud/v1alpha1';
/**
 * The finalizer earlier versions of this controller put on Certificates. Gardener puts none (a Certificate left with
 * one after switching back could never be deleted), so it is removed wherever it is still found.
 */
export const LEGACY_CERTIFICATE_FINALIZER = 'cert.gardener.cloud/cert-controller-manager';
const ANNOTATION_NOT_BEFORE = 'cert.gardener.cloud/not-before';
const ANNOTATION_NOT_AFTER = 'cert.gardener.cloud/not-after';

export const certificatePath = (ns: string, name?: string) =>
  `${CERTIFICATES_API}/namespaces/${ns}/certificates${name ? `/${name}` : ''}`;
const secretPath = (ns: string, name?: string) => `/api/v1/namespaces/${ns}/secrets${name ? `/${name}` : ''}`;

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

/** Namespaces of a cluster seen to exist, and when: a burst of new orders in one namespace asks the API server once. */
const namespacesSeen = new WeakMap<KubeClient, Map<string, number>>();
const NAMESPACE_SEEN_MS = 30_000;

/**
 * Whether the namespace exists (the early check before an order: its Secret must be writable in the end). A positive
 * answer is kept for 30 s; a namespace deleted meanwhile only means the Secret write fails later, with its error.
 */
export async function namespaceExists(kube: KubeClient, ns: string): Promise<boolean> {
  let seen = namespacesSeen.get(kube);
  if (!seen) {
    seen = new Map();
    namespacesSeen.set(kube, seen);
  }
  const at = seen.get(ns);
  if (at !== undefined && Date.now() - at < NAMESPACE_SEEN_MS) return true;
  const exists = (await orUndefined(kube.get(`/api/v1/namespaces/${ns}`))) !== undefined;
  if (exists) seen.set(ns, Date.now());
  else seen.delete(ns);
  return exists;
}

export function getSecret(kube: KubeClient, ns: string, name: string): Promise<TlsSecret | undefined> {
  return orUndefined(kube.get<TlsSecret>(secretPath(ns, name)));
}

/**
 * Writes a certificate's Secret: a create when none is known to exist, else an update of the Secret as it is now (so
 * what others put there stays, see secretToWrite), guarded by its resourceVersion. A conflict or a Secret that
 * appeared or vanished meanwhile is read again.
 */
/** Returns the written Secret's resourceVersion. */
export async function writeSecret(
  kube: KubeClient,
  w: SecretWrite,
  knownToExist: boolean,
): Promise<string | undefined> {
  let exists = knownToExist;
  for (let attempt = 0; ; attempt++) {
    const found = exists ? await getSecret(kube, w.namespace, w.name) : undefined;
    const existing = found && withoutManagedFields(found);
    const desired = secretToWrite(existing, w);
    try {
      const written = existing
        ? await kube.replace<TlsSecret>(secretPath(w.namespace, w.name), desired)
        : await kube.create<TlsSecret>(secretPath(w.namespace), desired);
      return written.metadata.resourceVersion;
    } catch (err) {
      if (attempt >= 3 || !(err instanceof KubeApiError) || (err.statusCode !== 409 && err.statusCode !== 404))
        throw err;
      exists = err.statusCode === 409;
    }
  }
}

/** Adds, replaces (`set`) and removes data entries of a Secret; returns its new resourceVersion. */
export async function patchSecretData(
  kube: KubeClient,
  ns: string,
  name: string,
  set: Record<string, string>,
  remove: readonly string[],
): Promise<string | undefined> {
  const data: Record<string, string | null> = { ...set };
  for (const key of remove) data[key] = null;
  const written = await kube.mergePatch<TlsSecret>(secretPath(ns, name), { data });
  return written.metadata.resourceVersion;
}

/**
 * What gardener records on the Certificate once its Secret serves it: the hash label, the validity as annotations
 * (status.issuanceDate and expirationDate mirror them) and spec.secretRef naming the Secret actually used.
 */
export async function recordIssuedOnCertificate(
  kube: KubeClient,
  cert: Certificate,
  issued: { hash: string; notBeforeMs: number; notAfterMs: number; secret: { namespace: string; name: string } },
): Promise<Certificate | undefined> {
  const labels = { [HASH_LABEL]: issued.hash };
  const annotations = {
    [ANNOTATION_NOT_BEFORE]: rfc3339(issued.notBeforeMs),
    [ANNOTATION_NOT_AFTER]: rfc3339(issued.notAfterMs),
  };
  const secretRef = { name: issued.secret.name, namespace: issued.secret.namespace };
  const same =
    Object.entries(labels).every(([k, v]) => cert.metadata.labels?.[k] === v) &&
    Object.entries(annotations).every(([k, v]) => cert.metadata.annotations?.[k] === v) &&
    cert.spec.secretRef?.name === secretRef.name &&
    cert.spec.secretRef?.namespace === secretRef.namespace;
  if (same) return cert;
  return orUndefined(
    kube.mergePatch<Certificate>(certificatePath(cert.metadata.namespace!, cert.metadata.name), {
      metadata: { labels, annotations },
      spec: { secretRef },
    }),
  );
}

export async function deleteSecret(kube: KubeClient, ns: string, name: string): Promise<void> {
  await orUndefined(kube.delete(secretPath(ns, name)));
}

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
