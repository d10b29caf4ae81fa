// --use-dnsrecords (gardener: for Gardener seeds): challenges are published as extensions.gardener.cloud/v1alpha1
// DNSRecords, which a Gardener provider extension applies, instead of DNSEntries for a dns-controller-manager. As
// gardener v0.27.0 writes them (pkg/shared/legobridge/dnsrecordprovider.go): spec.name (the record's name), ttl (the
// propagation timeout), recordType TXT, values, and from the Certificate's annotations the provider type, its
// credentials Secret and optionally the extension class; annotation cert.gardener.cloud/acme-dns-challenge. Neither
// --dns-class nor --dns-owner-id applies. Names and labels are those of our DNSEntries (challenge-entry.ts).
import type { IssuerRefKey } from '../kinds.js';
import type { KubeObject, ObjectMeta } from '../kube/kube-object.js';
import { type CertificateIdentity, challengeObjectMeta } from './challenge-entry.js';

export const ANNOTATION_DNSRECORD_PROVIDER_TYPE = 'cert.gardener.cloud/dnsrecord-provider-type';
export const ANNOTATION_DNSRECORD_SECRET_REF = 'cert.gardener.cloud/dnsrecord-secret-ref';
export const ANNOTATION_DNSRECORD_CLASS = 'cert.gardener.cloud/dnsrecord-class';
/** The annotations a source object (Ingress, Service) passes on to its Certificates, as gardener does. */
export const DNSRECORD_ANNOTATIONS = [
  ANNOTATION_DNSRECORD_PROVIDER_TYPE,
  ANNOTATION_DNSRECORD_SECRET_REF,
  ANNOTATION_DNSRECORD_CLASS,
] as const;
/** Gardener deletes extension objects only with this annotation set (its deletion-confirmation rule). */
export const ANNOTATION_CONFIRM_DELETION = 'confirmation.gardener.cloud/deletion';
const TTL_DEFAULT = 120;

export interface DnsRecordSettings {
  type: string;
  secretRef: { name: string; namespace: string };
  class?: string;
}

export interface DNSRecord extends KubeObject {
  apiVersion: 'extensions.gardener.cloud/v1alpha1';
  kind: 'DNSRecord';
  metadata: ObjectMeta & { namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    name: string;
    recordType: 'TXT';
    type: string;
    secretRef: { name: string; namespace: string };
    values: string[];
    ttl?: number;
    class?: string;
  };
  status?: {
    observedGeneration?: number;
    lastOperation?: { type?: string; state?: string; description?: string; progress?: number };
    lastError?: { description?: string };
  };
}

/**
 * The provider settings of a Certificate's DNSRecords, from its annotations, with gardener's messages when one is
 * missing. A secret reference without a namespace means the Certificate's namespace.
 */
export function dnsRecordSettings(
  annotations: Record<string, string> | undefined,
  certificateNamespace: string,
): DnsRecordSettings | { problem: string } {
  const a = annotations ?? {};
  const type = a[ANNOTATION_DNSRECORD_PROVIDER_TYPE] ?? '';
  if (type === '')
    return { problem: `missing annotation ${ANNOTATION_DNSRECORD_PROVIDER_TYPE} for creating DNSRecord` };
  const ref = a[ANNOTATION_DNSRECORD_SECRET_REF] ?? '';
  if (ref === '') return { problem: `missing annotation ${ANNOTATION_DNSRECORD_SECRET_REF} for creating DNSRecord` };
  const slash = ref.indexOf('/');
  const secretRef =
    slash < 0
      ? { name: ref, namespace: certificateNamespace }
      : { namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
  const cls = a[ANNOTATION_DNSRECORD_CLASS];
  return { type, secretRef, ...(cls ? { class: cls } : {}) };
}

export interface ChallengeRecordInput {
  certificate: CertificateIdentity;
  domain: string;
  recordName: string;
  values: readonly string[];
  namespace: string;
  ttlSeconds: number;
  settings: DnsRecordSettings;
  persistentFor?: IssuerRefKey;
}

export function buildChallengeDnsRecord(input: ChallengeRecordInput): DNSRecord {
  const { name, labels, annotations } = challengeObjectMeta(input);
  const s = input.settings;
  return {
    apiVersion: 'extensions.gardener.cloud/v1alpha1',
    kind: 'DNSRecord',
    metadata: { name, namespace: input.namespace, labels, annotations },
    spec: {
      // gardener normalises the name: no trailing dot.
      name: input.recordName.replace(/\.$/, ''),
      recordType: 'TXT',
      type: s.type,
      secretRef: s.secretRef,
      values: [...new Set(input.values)],
      ttl: Math.max(1, Math.round(input.ttlSeconds)) || TTL_DEFAULT,
      ...(s.class ? { class: s.class } : {}),
    },
  };
}
