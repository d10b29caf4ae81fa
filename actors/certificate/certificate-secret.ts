// The Secret a certificate is stored in, written as gardener v0.27.0 writes it (reconciler.go writeCertificateSecret):
// data tls.crt (chain), tls.key, ca.crt; labels secretLabels, cert.gardener.cloud/hash and
// cert.gardener.cloud/certificate: "true"; annotation cert.gardener.cloud/requestedAt; an owner reference to the
// Certificate only with --cascade-delete. A Secret already at the name is taken over whatever its type: its type,
// labels, annotations and owner references stay, its data is replaced. And the rules for trusting a Secret that
// exists: same request hash, a readable chain, the key belonging to the leaf. Pure: the actor reads and writes.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../kube/kube-object.js';
import {
  type CertificateInfo,
  privateKeyMatchesCertificate,
  readCertificateChain,
  splitPemCertificates,
} from '../x509/certificate-info.js';
import { HASH_LABEL } from './request-hash.js';

export const CERTIFICATE_LABEL = 'cert.gardener.cloud/certificate';
export const ANNOTATION_REQUESTED_AT = 'cert.gardener.cloud/requestedAt';
export const ANNOTATION_REVOKED = 'cert.gardener.cloud/revoked';
/** On a Certificate: its own owner references are forwarded to its Secret (set by gardener's source controllers). */
export const ANNOTATION_FORWARD_OWNER_REFS = 'cert.gardener.cloud/forward-owner-refs';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface TlsSecret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
  metadata: KubeObject['metadata'] & { ownerReferences?: OwnerReference[] };
}

/** The target watcher's answer to a certificate's SecretsLookup: what the target cluster holds, from its cache. */
export interface SecretsLookupReply {
  /** The hash label of the secret `name`, or null when it does not exist (as far as the watch has seen). */
  own: string | null;
  /** Other secrets of the namespace carrying the hash. */
  sameHash: string[];
}

/**
 * Where a certificate without secretName/secretRef is stored. Gardener lets the API server generate a name
 * (`<certificate>-` plus 5 random characters) and writes it back to spec.secretRef; here the suffix comes from the
 * certificate's uid, so a pod that dies between writing the Secret and writing it back finds the same Secret again
 * instead of leaving an orphan. The name is written back to spec.secretRef all the same.
 */
export function generatedSecretName(certName: string, uid: string): string {
  const suffix = createHash('sha256').update(uid).digest('hex').slice(0, 8);
  return `${certName.slice(0, 253 - 9)}-${suffix}`;
}

/**
 * tls.crt is the full chain (leaf first), tls.key the PEM key (empty for a CSR), ca.crt the chain above the leaf
 * unless the issuer says otherwise (a self-signed certificate is its own ca.crt).
 */
export function certificateSecretData(chainPem: string, keyPem: string, caPem?: string): Record<string, string> {
  const above = caPem ?? splitPemCertificates(chainPem).slice(1).join('\n');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return {
    'tls.crt': b64(`${chainPem.trim()}\n`),
    'tls.key': b64(keyPem),
    'ca.crt': b64(above.trim() ? `${above.trim()}\n` : ''),
  };
}

/** What a certificate asks to be written: the parts of the Secret it owns. */
export interface SecretWrite {
  namespace: string;
  name: string;
  hash: string;
  data: Record<string, string>;
  requestedAtMs?: number;
  extraLabels: Record<string, string>;
  /** --cascade-delete: the Certificate (and, forwarded, its own owners) own the Secret. */
  ownerReferences?: OwnerReference[];
}

/**
 * cert.gardener.cloud/requestedAt: RFC 3339 with milliseconds (gardener writes whole seconds and parses both). The
 * renewal rule compares it with spec.ensureRenewedAfter; whole seconds would make a renewal asked for in the second
 * its certificate was ordered either be lost or, after it, repeat at every reconcile.
 */
export const requestedAtValue = (ms: number) => new Date(ms).toISOString();

/** RFC 3339 in seconds, as Go's time.RFC3339 prints it. */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The Secret to write, taking over `existing` (any type) when there is one. */
export function secretToWrite(
  existing: TlsSecret | undefined,
  w: SecretWrite,
): TlsSecret & { apiVersion: 'v1'; kind: 'Secret' } {
  const annotations = { ...existing?.metadata.annotations };
  delete annotations[ANNOTATION_REVOKED];
  if (w.requestedAtMs !== undefined) annotations[ANNOTATION_REQUESTED_AT] = requestedAtValue(w.requestedAtMs);
  const metadata: TlsSecret['metadata'] = {
    ...(existing?.metadata ?? {}),
    name: w.name,
    namespace: w.namespace,
    labels: { ...existing?.metadata.labels, ...w.extraLabels, [HASH_LABEL]: w.hash, [CERTIFICATE_LABEL]: 'true' },
    annotations,
  };
  if (w.ownerReferences) metadata.ownerReferences = w.ownerReferences;
  return { apiVersion: 'v1', kind: 'Secret', type: existing?.type ?? 'kubernetes.io/tls', metadata, data: w.data };
}

/** The owner references gardener gives a certificate's Secret under --cascade-delete. */
export function cascadeOwners(cert: { metadata: KubeObject['metadata'] & { ownerReferences?: OwnerReference[] } }) {
  // gardener writes apiVersion "v1alpha1" (no group), which the Kubernetes garbage collector cannot resolve; the
  // full group version makes cascading deletion actually happen.
  const own: OwnerReference = {
    apiVersion: 'cert.gardener.cloud/v1alpha1',
    kind: 'Certificate',
    name: cert.metadata.name,
    uid: cert.metadata.uid ?? '',
  };
  const forward = cert.metadata.annotations?.[ANNOTATION_FORWARD_OWNER_REFS] === 'true';
  return [own, ...(forward ? (cert.metadata.ownerReferences ?? []) : [])];
}

export type SecretVerdict =
  | { usable: true; info: CertificateInfo; requestedAtMs?: number }
  | { usable: false; reason: string };

/** Whether a stored Secret holds a certificate for exactly this request, with its key. */
export function judgeSecret(secret: TlsSecret | undefined, hash: string, expectKey = true): SecretVerdict {
  if (!secret) return { usable: false, reason: 'no secret' };
  if (secret.metadata.labels?.[HASH_LABEL] !== hash) return { usable: false, reason: 'issued for another request' };
  if (secret.metadata.annotations?.[ANNOTATION_REVOKED]) return { usable: false, reason: 'revoked' };
  const crt = secret.data?.['tls.crt'];
  const key = secret.data?.['tls.key'];
  // A certificate requested with spec.csr has no key here: the user keeps it.
  if (!crt || (expectKey && !key)) return { usable: false, reason: 'tls.crt or tls.key missing' };
  const certPem = Buffer.from(crt, 'base64').toString('utf8');
  const keyPem = Buffer.from(key ?? '', 'base64').toString('utf8');
  let info: CertificateInfo;
  try {
    info = readCertificateChain(certPem);
  } catch (err) {
    return { usable: false, reason: (err as Error).message };
  }
  if (expectKey && !privateKeyMatchesCertificate(keyPem, certPem))
    return { usable: false, reason: 'tls.key does not belong to tls.crt' };
  const requestedAt = Date.parse(secret.metadata.annotations?.[ANNOTATION_REQUESTED_AT] ?? '');
  return { usable: true, info, requestedAtMs: Number.isNaN(requestedAt) ? undefined : requestedAt };
}

/** Whether the Secret is owned by this Certificate (cascade delete must never remove another's secret). */
export function isOwnedBy(secret: TlsSecret, certificateUid: string | undefined): boolean {
  return certificateUid !== undefined && (secret.metadata.ownerReferences ?? []).some((r) => r.uid === certificateUid);
}
