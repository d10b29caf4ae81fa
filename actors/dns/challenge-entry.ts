// The DNSEntry that asks dns-controller-manager to publish a DNS-01 TXT record, shaped like gardener's
// (pkg/shared/legobridge/dnscontrollerprovider.go): spec.dnsName "_acme-challenge.<domain>" without trailing dot,
// ttl (gardener uses the propagation timeout in seconds), text = the challenge values, ownerId when configured, and
// the annotations dns.gardener.cloud/class (when configured) and cert.gardener.cloud/acme-dns-challenge: "true".
//
// Name: gardener uses "cert--<domain>", which only works because it never runs two orders for one domain at once
// and which exceeds name limits for long domains. Here the name is "cert--" + a readable part of the domain + a hash
// of owner and domain, so it is deterministic (a resumed order finds its entry again), bounded to 63 characters, and
// distinct per certificate. Owner labels let the start-up sweep find leftovers without parsing names.
//
// dns-persist-01's record is not an order's: it belongs to the issuer (its account) and outlives every order. Its
// object is "persist--" + the domain + a hash of issuer and domain, labelled with the issuer, and has no
// acme-dns-challenge annotation, so neither gardener's start-up clean-up nor ours removes it.
import { createHash } from 'node:crypto';
import { toLabelValue } from '../certificate/label-syntax.js';
import type { IssuerRefKey } from '../kinds.js';
import type { KubeObject, ObjectMeta } from '../kube/kube-object.js';

export const ANNOTATION_DNS_CLASS = 'dns.gardener.cloud/class';
export const ANNOTATION_ACME_DNS_CHALLENGE = 'cert.gardener.cloud/acme-dns-challenge';
export const ANNOTATION_CERTIFICATE = 'cert.gardener.cloud/certificate';
/** The watch selector: on every challenge object of ours, persistent ones included. */
export const LABEL_ACME_DNS_CHALLENGE = 'cert.gardener.cloud/acme-dns-challenge';
const ANNOTATION_ACME_DNS_PERSIST = 'cert.gardener.cloud/acme-dns-persist';
const LABEL_ACME_DNS_PERSIST = 'cert.gardener.cloud/acme-dns-persist';
const LABEL_CERTIFICATE_CLUSTER = 'cert.gardener.cloud/certificate-cluster';
const LABEL_CERTIFICATE_NAMESPACE = 'cert.gardener.cloud/certificate-namespace';
const LABEL_CERTIFICATE_NAME = 'cert.gardener.cloud/certificate-name';
const LABEL_ISSUER_CLUSTER = 'cert.gardener.cloud/issuer-cluster';
const LABEL_ISSUER_NAMESPACE = 'cert.gardener.cloud/issuer-namespace';
const LABEL_ISSUER_NAME = 'cert.gardener.cloud/issuer-name';
const TTL_MIN = 1;
const TTL_MAX = 8_640_000; // the DNSEntry CRD's bounds

export interface CertificateIdentity {
  cluster: string;
  namespace: string;
  name: string;
}

export interface DNSEntrySpec {
  dnsName: string;
  ttl?: number;
  text?: string[];
  targets?: string[];
  ownerId?: string;
}

export interface DNSEntry extends KubeObject {
  apiVersion: 'dns.gardener.cloud/v1alpha1';
  kind: 'DNSEntry';
  metadata: ObjectMeta & { namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: DNSEntrySpec;
  status?: { state?: string; message?: string; observedGeneration?: number; provider?: string };
}

export interface ChallengeEntryInput {
  certificate: CertificateIdentity;
  /** The challenge domain: the certificate name without a leading "*." (see challengeDomain). */
  domain: string;
  /** All challenge values for this domain (a wildcard and its base share the entry). */
  values: readonly string[];
  /** --dns-namespace */
  namespace: string;
  /** --dns-class */
  dnsClass?: string;
  /** --dns-owner-id */
  ownerId?: string;
  ttlSeconds: number;
  /**
   * The TXT record's name when it is not `_acme-challenge.<domain>`: another challenge type's, or (followCNAME) the
   * end of the CNAME chain. The entry keeps its name.
   */
  recordName?: string;
  /** A dns-persist-01 record of this issuer: named and labelled for the issuer, kept when the order ends. */
  persistentFor?: IssuerRefKey;
}

/** `<prefix><readable domain>-<10 hex of the key>`, at most 63 characters. */
function objectName(prefix: string, key: string, domain: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 10);
  const readable = domain
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 63 - prefix.length - 11)
    .replace(/^-+|-+$/g, '');
  return readable === '' ? `${prefix}${hash}` : `${prefix}${readable}-${hash}`;
}

export function challengeEntryName(certificate: CertificateIdentity, domain: string): string {
  const d = domain.toLowerCase();
  return objectName('cert--', `${certificate.cluster}\0${certificate.namespace}\0${certificate.name}\0${d}`, d);
}

/** The persistent (dns-persist-01) record object of an issuer for a domain. */
export function persistentRecordName(issuer: IssuerRefKey, domain: string): string {
  const d = domain.toLowerCase();
  return objectName('persist--', `${issuer.cluster ?? 'default'}\0${issuer.namespace}\0${issuer.name}\0${d}`, d);
}

/** Labels of an issuer's persistent records; a selector built from them finds them all. */
export function persistentRecordLabels(issuer: IssuerRefKey): Record<string, string> {
  return {
    [LABEL_ACME_DNS_CHALLENGE]: 'true',
    [LABEL_ACME_DNS_PERSIST]: 'true',
    [LABEL_ISSUER_CLUSTER]: toLabelValue(issuer.cluster ?? 'default'),
    [LABEL_ISSUER_NAMESPACE]: toLabelValue(issuer.namespace),
    [LABEL_ISSUER_NAME]: toLabelValue(issuer.name),
  };
}

export const persistentRecordSelector = (issuer: IssuerRefKey) =>
  Object.entries(persistentRecordLabels(issuer))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** Name, labels and annotations of a challenge object (DNSEntry or DNSRecord) for one domain. */
export function challengeObjectMeta(input: {
  certificate: CertificateIdentity;
  domain: string;
  persistentFor?: IssuerRefKey;
}): { name: string; labels: Record<string, string>; annotations: Record<string, string> } {
  const domain = input.domain.toLowerCase().replace(/\.$/, '');
  // The certificate that wrote it last hears when it is ready (the dns watcher routes by this annotation).
  const writer = `${input.certificate.cluster}/${input.certificate.namespace}/${input.certificate.name}`;
  if (input.persistentFor) {
    return {
      name: persistentRecordName(input.persistentFor, domain),
      labels: persistentRecordLabels(input.persistentFor),
      annotations: { [ANNOTATION_ACME_DNS_PERSIST]: 'true', [ANNOTATION_CERTIFICATE]: writer },
    };
  }
  return {
    name: challengeEntryName(input.certificate, domain),
    labels: challengeOwnerLabels(input.certificate),
    annotations: { [ANNOTATION_ACME_DNS_CHALLENGE]: 'true', [ANNOTATION_CERTIFICATE]: writer },
  };
}

/** Labels naming the owning certificate; a label selector built from them finds all of its challenge entries. */
export function challengeOwnerLabels(certificate: CertificateIdentity): Record<string, string> {
  return {
    [LABEL_ACME_DNS_CHALLENGE]: 'true',
    [LABEL_CERTIFICATE_CLUSTER]: toLabelValue(certificate.cluster),
    [LABEL_CERTIFICATE_NAMESPACE]: toLabelValue(certificate.namespace),
    [LABEL_CERTIFICATE_NAME]: toLabelValue(certificate.name),
  };
}

export function buildChallengeEntry(input: ChallengeEntryInput): DNSEntry {
  const domain = input.domain.toLowerCase().replace(/\.$/, '');
  const { name, labels, annotations } = challengeObjectMeta(input);
  if (input.dnsClass) annotations[ANNOTATION_DNS_CLASS] = input.dnsClass;
  const spec: DNSEntrySpec = {
    dnsName: input.recordName?.replace(/\.$/, '') ?? `_acme-challenge.${domain}`,
    ttl: Math.min(TTL_MAX, Math.max(TTL_MIN, Math.round(input.ttlSeconds))),
    text: [...new Set(input.values)],
  };
  if (input.ownerId) spec.ownerId = input.ownerId;
  return {
    apiVersion: 'dns.gardener.cloud/v1alpha1',
    kind: 'DNSEntry',
    metadata: { name, namespace: input.namespace, labels, annotations },
    spec,
  };
}

/**
 * Whether an existing DNSEntry is a challenge entry of this controller: gardener's start-up clean-up deletes
 * entries with the challenge annotation whose class equals the configured one (both empty counts as equal), so
 * two controllers with different classes never remove each other's entries.
 */
export function isOwnChallengeEntry(entry: KubeObject, dnsClass: string | undefined): boolean {
  const annotations = entry.metadata.annotations ?? {};
  return (
    (annotations[ANNOTATION_ACME_DNS_CHALLENGE] ?? '') !== '' &&
    (annotations[ANNOTATION_DNS_CLASS] ?? '') === (dnsClass ?? '')
  );
}
