// The Kubernetes calls of a revocation, one function per call: CertificateRevocations and Certificates in the source
// cluster, certificate Secrets and their backups in the target cluster. Reads go to the API server, not a cache:
// a revocation is rare, and it must see what is stored now.
import { ANNOTATION_REVOKED, type TlsSecret } from '../certificate/certificate-secret.js';
import type { Certificate } from '../certificate/certificate-spec.js';
import { isNotFound, KubeApiError } from '../kube/kube-api-error.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { KubeList } from '../kube/kube-object.js';
import type { CertificateRevocation, RevocationStatus } from './revocation-types.js';

const API = '/apis/cert.gardener.cloud/v1alpha1';

export const revocationPath = (ns: string, name?: string) =>
  `${API}/namespaces/${ns}/certificaterevocations${name ? `/${name}` : ''}`;
const certificatePath = (ns: string, name: string) => `${API}/namespaces/${ns}/certificates/${name}`;
const secretPath = (ns: string, name?: string) => `/api/v1/namespaces/${ns}/secrets${name ? `/${name}` : ''}`;

/** The API server's own words for a refusal (`secrets "x" not found`), as gardener's messages quote them. */
export function apiMessage(err: unknown): string {
  if (err instanceof KubeApiError) return err.status.message || err.message;
  return (err as Error).message ?? String(err);
}

export async function getRevocation(
  kube: KubeClient,
  ns: string,
  name: string,
): Promise<CertificateRevocation | undefined> {
  try {
    return await kube.get<CertificateRevocation>(revocationPath(ns, name));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * spec.qualifyingDate = now, guarded by resourceVersion; a concurrent edit wins (the next step looks again). With
 * milliseconds, where gardener's metav1.Time keeps whole seconds: requestedAt annotations have whole seconds, so a
 * date cut to the second would miss a certificate requested earlier in the same second.
 */
export async function defaultQualifyingDate(kube: KubeClient, cr: CertificateRevocation, nowMs: number) {
  try {
    await kube.mergePatch(revocationPath(cr.metadata.namespace!, cr.metadata.name), {
      metadata: { resourceVersion: cr.metadata.resourceVersion },
      spec: { qualifyingDate: new Date(nowMs).toISOString() },
    });
  } catch (err) {
    if (!(err instanceof KubeApiError) || (err.statusCode !== 409 && err.statusCode !== 404)) throw err;
  }
}

/** Replaces the status, guarded by the resourceVersion the step read: two writers can never interleave. */
export function writeRevocationStatus(
  kube: KubeClient,
  cr: CertificateRevocation,
  status: RevocationStatus,
): Promise<CertificateRevocation> {
  const path = `${revocationPath(cr.metadata.namespace!, cr.metadata.name)}/status`;
  return kube.replace<CertificateRevocation>(path, { ...cr, status });
}

export function getCertificate(kube: KubeClient, ns: string, name: string): Promise<Certificate> {
  return kube.get<Certificate>(certificatePath(ns, name));
}

/** Certificates of every namespace carrying the request hash label. */
export async function certificatesWithHash(kube: KubeClient, hash: string): Promise<Certificate[]> {
  const list = await kube.get<KubeList<Certificate>>(`${API}/certificates`, {
    labelSelector: `cert.gardener.cloud/hash=${hash}`,
  });
  return list.items;
}

/**
 * spec.ensureRenewedAfter = the qualifying date, exactly (the renewal check compares the two): the Certificate orders
 * a new certificate. False when the Certificate is gone.
 */
export async function requestRenewal(kube: KubeClient, cert: Certificate, afterMs: number): Promise<boolean> {
  try {
    await kube.mergePatch(certificatePath(cert.metadata.namespace!, cert.metadata.name), {
      spec: { ensureRenewedAfter: new Date(afterMs).toISOString() },
    });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export function getSecret(kube: KubeClient, ns: string, name: string): Promise<TlsSecret> {
  return kube.get<TlsSecret>(secretPath(ns, name));
}

/** Secrets with these labels, in one namespace or (without one) in all. */
export async function secretsWithLabels(kube: KubeClient, labelSelector: string, ns?: string): Promise<TlsSecret[]> {
  const path = ns ? secretPath(ns) : '/api/v1/secrets';
  return (await kube.get<KubeList<TlsSecret>>(path, { labelSelector })).items;
}

/**
 * Annotates a Secret cert.gardener.cloud/revoked: "true", guarded by the resourceVersion it was judged at. A Secret
 * rewritten meanwhile (a renewal landing) is read again and annotated only if `stillRevoked` says it still holds a
 * revoked certificate, so a fresh certificate is never marked revoked by mistake.
 */
export async function markRevoked(
  kube: KubeClient,
  secret: TlsSecret,
  stillRevoked: (s: TlsSecret) => boolean,
): Promise<void> {
  let current = secret;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (current.metadata.annotations?.[ANNOTATION_REVOKED] !== undefined || !stillRevoked(current)) return;
    try {
      await kube.mergePatch(secretPath(current.metadata.namespace!, current.metadata.name), {
        metadata: { resourceVersion: current.metadata.resourceVersion, annotations: { [ANNOTATION_REVOKED]: 'true' } },
      });
      return;
    } catch (err) {
      if (!(err instanceof KubeApiError) || err.statusCode !== 409) throw err;
      current = await getSecret(kube, current.metadata.namespace!, current.metadata.name);
    }
  }
  throw new Error(`secret ${secret.metadata.namespace}/${secret.metadata.name} kept changing`);
}
