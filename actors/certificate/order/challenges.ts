// Which DNS names an order validates, the TXT records its challenges want, and the objects (DNSEntries, or
// DNSRecords with --use-dnsrecords) that publish them.
import type { ChallengeRecord } from '../../acme/acme-order.js';
import type { DnsChallengeType } from '../../acme/dns-challenge-types.js';
import type { EffectiveConfig } from '../../config/effective-config.js';
import { buildChallengeDnsRecord, type DnsRecordSettings } from '../../dns/challenge-dnsrecord.js';
import { buildChallengeEntry, type CertificateIdentity } from '../../dns/challenge-entry.js';
import type { ChallengeObject } from '../../dns/challenge-store.js';
import { persistentNamespace } from '../../dns/persistent-records.js';
import type { IssuerRefKey } from '../../kinds.js';
import type { OrderWork } from '../certificate-actor-types.js';

/** The challenge domains of an order's names (a wildcard and its base share one). */
export function challengeDomains(names: readonly string[]): string[] {
  return [...new Set(names.map((n) => n.toLowerCase().replace(/^\*\./, '')))];
}

/** The challenges that share one TXT record name (a wildcard and its base, for one type). */
export interface ChallengeGroup {
  /** The challenge domain: what the record object is named after. */
  domain: string;
  /** The record's name as the CA asks for it. */
  recordName: string;
  type: DnsChallengeType;
  values: string[];
  /** One of them is a wildcard's (dns-persist-01 then needs `policy=wildcard`). */
  wildcard: boolean;
}

/** Challenges grouped by record name, in the order's order. */
export function challengeGroups(challenges: readonly ChallengeRecord[]): ChallengeGroup[] {
  const groups = new Map<string, ChallengeGroup>();
  for (const c of challenges) {
    const g = groups.get(c.dnsName);
    if (g) {
      g.values.push(c.value);
      g.wildcard ||= c.wildcard;
      continue;
    }
    const domain = c.domain.toLowerCase().replace(/^\*\./, '');
    groups.set(c.dnsName, {
      domain,
      recordName: c.dnsName,
      type: c.type ?? 'dns-01',
      values: [c.value],
      wildcard: c.wildcard,
    });
  }
  return [...groups.values()];
}

/**
 * The key of a group in OrderWork.cnameTargets: the domain for dns-01 (as states persisted before other types
 * existed have it), the record name otherwise.
 */
export const cnameKey = (g: ChallengeGroup) => (g.type === 'dns-01' ? g.domain : g.recordName);

/** Where a group's record is written and looked up: the end of its CNAME chain (followCNAME), else its own name. */
export const publishedName = (work: Pick<OrderWork, 'cnameTargets'>, g: ChallengeGroup) =>
  work.cnameTargets?.[cnameKey(g)] ?? g.recordName;

/** dns-persist-01's record outlives the order: it is the issuer's, not the order's. */
export const isPersistent = (g: ChallengeGroup) => g.type === 'dns-persist-01';

/** Where a certificate's challenge entries go: --dns-namespace, else (as gardener) the certificate's own namespace. */
export function entryNamespace(config: EffectiveConfig, certificate: CertificateIdentity): string {
  return config.dns.namespace || certificate.namespace;
}

/** The namespace of one of the order's records (persistent ones are listed in `keptEntries`). */
export function recordNamespace(
  config: EffectiveConfig,
  certificate: CertificateIdentity,
  work: OrderWork,
  name: string,
) {
  return work.keptEntries?.includes(name)
    ? persistentNamespace(config.dns.namespace, work.issuer)
    : entryNamespace(config, certificate);
}

export interface ObjectScope {
  certificate: CertificateIdentity;
  config: EffectiveConfig;
  issuer: IssuerRefKey;
  /** --use-dnsrecords: the provider settings from the Certificate's annotations. */
  recordSettings?: DnsRecordSettings;
}

/** The object that publishes one group, as the seed's flags shape it (namespace, class, owner id, TTL). */
export function challengeObject(
  scope: ObjectScope,
  g: ChallengeGroup,
  recordName: string,
  values: readonly string[],
): ChallengeObject {
  const { certificate, config } = scope;
  const persistentFor = isPersistent(g) ? scope.issuer : undefined;
  const common = {
    certificate,
    domain: g.domain,
    values,
    namespace: persistentFor
      ? persistentNamespace(config.dns.namespace, scope.issuer)
      : entryNamespace(config, certificate),
    ttlSeconds: Math.max(1, Math.round(config.propagationTimeoutMs / 1000)),
    ...(persistentFor ? { persistentFor } : {}),
  };
  if (scope.recordSettings) return buildChallengeDnsRecord({ ...common, recordName, settings: scope.recordSettings });
  return buildChallengeEntry({
    ...common,
    ...(recordName !== `_acme-challenge.${g.domain}` ? { recordName } : {}),
    dnsClass: config.dns.class || undefined,
    ownerId: config.dns.ownerId || undefined,
  });
}
