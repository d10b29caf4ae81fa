// Which DNS names an order validates, and the DNSEntries that publish its challenges.
import type { ChallengeRecord } from '../../acme/acme-order.js';
import type { EffectiveConfig } from '../../config/effective-config.js';
import { buildChallengeEntry, type CertificateIdentity, type DNSEntry } from '../../dns/challenge-entry.js';

/** The `_acme-challenge` domains of an order's names (a wildcard and its base share one). */
export function challengeDomains(names: readonly string[]): string[] {
  return [...new Set(names.map((n) => n.toLowerCase().replace(/^\*\./, '')))];
}

/** Challenge values per domain, in the order's order. */
export function challengeGroups(challenges: readonly ChallengeRecord[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const c of challenges) {
    const domain = c.dnsName.replace(/^_acme-challenge\./, '');
    groups.set(domain, [...(groups.get(domain) ?? []), c.value]);
  }
  return groups;
}

/** Where a certificate's challenge entries go: --dns-namespace, else (as gardener) the certificate's own namespace. */
export function entryNamespace(config: EffectiveConfig, certificate: CertificateIdentity): string {
  return config.dns.namespace || certificate.namespace;
}

/** One DNSEntry per challenge domain, as the seed's flags shape them (namespace, class, owner id, TTL). */
export function challengeEntries(
  certificate: CertificateIdentity,
  challenges: readonly ChallengeRecord[],
  config: EffectiveConfig,
  cnameTargets: Record<string, string> = {},
): DNSEntry[] {
  return [...challengeGroups(challenges)].map(([domain, values]) =>
    buildChallengeEntry({
      certificate,
      domain,
      values,
      recordName: cnameTargets[domain],
      namespace: entryNamespace(config, certificate),
      ttlSeconds: Math.max(1, Math.round(config.propagationTimeoutMs / 1000)),
      dnsClass: config.dns.class || undefined,
      ownerId: config.dns.ownerId || undefined,
    }),
  );
}
