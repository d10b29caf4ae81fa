// The Secret a certificate is stored in (type kubernetes.io/tls in the target cluster) and the rules for trusting
// one that already exists: same request hash, a readable chain, the key belonging to the leaf. Pure: the actor does
// the reading and writing.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../kube/kube-object.js';
import {
  type CertificateInfo,
  privateKeyMatchesCertificate,
  readCertificateChain,
  splitPemCertificates,
} from '../x509/certificate-info.js';
import { toLabelValue } from './label-syntax.js';
import { HASH_LABEL } from './request-hash.js';

const CERTIFICATE_LABEL = 'cert.gardener.cloud/certificate';
export const ANNOTATION_CERT_NAME = 'cert.gardener.cloud/certificate-name';
export const ANNOTATION_CERT_NAMESPACE = 'cert.gardener.cloud/certificate-namespace';
export const ANNOTATION_CERT_CLUSTER = 'cert.gardener.cloud/certificate-cluster';
export const ANNOTATION_REQUESTED_AT = 'cert.gardener.cloud/requestedAt';
const ANNOTATION_ISSUER = 'cert.gardener.cloud/issuer';

export interface TlsSecret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

/** The target watcher's answer to a certificate's SecretsLookup: what the target cluster holds, from its cache. */
export interface SecretsLookupReply {
  /** The hash label of the secret `name`, or null when it does not exist (as far as the watch has seen). */
  own: string | null;
  /** Other secrets of the namespace carrying the hash. */
  sameHash: string[];
}

export interface SecretOwner {
  cluster: string;
  namespace: string;
  name: string;
}

/** Where a certificate without secretName/secretRef is stored: its name plus a stable suffix from its uid. */
export function generatedSecretName(certName: string, uid: string): string {
  const suffix = createHash('sha256').update(uid).digest('hex').slice(0, 8);
  return `${certName.slice(0, 253 - 9)}-${suffix}`;
}

export interface TlsSecretInput {
  namespace: string;
  name: string;
  owner: SecretOwner;
  issuer: string;
  hash: string;
  chainPem: string;
  keyPem: string;
  requestedAtMs: number;
  extraLabels: Record<string, string>;
}

export function buildTlsSecret(input: TlsSecretInput): TlsSecret & { apiVersion: 'v1'; kind: 'Secret' } {
  const blocks = splitPemCertificates(input.chainPem);
  const caPem = blocks.slice(1).join('\n');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: { ...input.extraLabels, [HASH_LABEL]: input.hash, [CERTIFICATE_LABEL]: toLabelValue(input.owner.name) },
      annotations: {
        [ANNOTATION_CERT_CLUSTER]: input.owner.cluster,
        [ANNOTATION_CERT_NAMESPACE]: input.owner.namespace,
        [ANNOTATION_CERT_NAME]: input.owner.name,
        [ANNOTATION_REQUESTED_AT]: new Date(input.requestedAtMs).toISOString(),
        [ANNOTATION_ISSUER]: input.issuer,
      },
    },
    data: {
      'tls.crt': b64(`${input.chainPem.trim()}\n`),
      'tls.key': b64(input.keyPem),
      'ca.crt': b64(caPem ? `${caPem}\n` : ''),
    },
  };
}

/** The same Secret handed to another certificate: its data and hash, our owner annotations and labels. */
export function adoptSecret(
  found: TlsSecret,
  target: { namespace: string; name: string; owner: SecretOwner; issuer: string; extraLabels: Record<string, string> },
): TlsSecret & { apiVersion: 'v1'; kind: 'Secret' } {
  const hash = found.metadata.labels?.[HASH_LABEL] ?? '';
  const requestedAt = Date.parse(found.metadata.annotations?.[ANNOTATION_REQUESTED_AT] ?? '');
  const built = buildTlsSecret({
    ...target,
    hash,
    chainPem: '',
    keyPem: '',
    requestedAtMs: Number.isNaN(requestedAt) ? Date.now() : requestedAt,
  });
  return { ...built, data: { ...found.data } };
}

export type SecretVerdict =
  | { usable: true; info: CertificateInfo; requestedAtMs?: number }
  | { usable: false; reason: string };

/** Whether a stored Secret holds a certificate for exactly this request, with its key. */
export function judgeSecret(secret: TlsSecret | undefined, hash: string, expectKey = true): SecretVerdict {
  if (!secret) return { usable: false, reason: 'no secret' };
  if (secret.metadata.labels?.[HASH_LABEL] !== hash) return { usable: false, reason: 'issued for another request' };
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
  return { usable: true, info, ...(Number.isNaN(requestedAt) ? {} : { requestedAtMs: requestedAt }) };
}

/** Whether the Secret was written for this certificate (cascade delete must not remove another's secret). */
export function isOwnedBy(secret: TlsSecret, owner: SecretOwner): boolean {
  const a = secret.metadata.annotations ?? {};
  return (
    a[ANNOTATION_CERT_NAME] === owner.name &&
    a[ANNOTATION_CERT_NAMESPACE] === owner.namespace &&
    (a[ANNOTATION_CERT_CLUSTER] ?? owner.cluster) === owner.cluster
  );
}
