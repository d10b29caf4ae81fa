// The Certificates an Ingress asks for (seed: "Requesting a Certificate for Ingress"): one per spec.tls secret, named
// by its hosts, unless `cert.gardener.cloud/dnsnames` names the domains for all of them (as in gardener).
import type { SourceControllerConfig } from '../config/effective-config.js';
import {
  ANNOT_COMMON_NAME,
  annotatedDomains,
  asksForCertificates,
  buildCertificate,
  commonOptions,
  type DesiredCertificates,
  handlesSourceClass,
  mergeCommonName,
  type SourceSnapshot,
} from './source-annotations.js';

export function ingressCertificates(ingress: SourceSnapshot, cfg: SourceControllerConfig): DesiredCertificates {
  const annotations = ingress.metadata.annotations ?? {};
  if (
    ingress.metadata.deletionTimestamp ||
    !handlesSourceClass(cfg, annotations) ||
    !asksForCertificates('ingress', ingress)
  ) {
    return { certificates: [], problems: [], complete: true };
  }
  const { spec: options, problems } = commonOptions(annotations);
  const tls = ingress.spec.tls ?? [];
  if (tls.length === 0)
    problems.push(
      'the Ingress asks for managed certificates but has no spec.tls entries: add one with hosts and a secretName',
    );

  // Entries sharing a secret share its certificate: the ingress controller serves all their hosts from that secret.
  const hostsBySecret = new Map<string, string[]>();
  tls.forEach((entry, i) => {
    const hosts = (entry.hosts ?? []).map((h) => h.trim()).filter((h) => h !== '');
    const secretName = entry.secretName?.trim() ?? '';
    if (secretName === '') {
      problems.push(
        `spec.tls[${i}]${hosts.length > 0 ? ` (hosts ${hosts.join(',')})` : ''} has no secretName: no certificate for it`,
      );
      return;
    }
    hostsBySecret.set(secretName, [...(hostsBySecret.get(secretName) ?? []), ...hosts]);
  });

  const annotated = annotatedDomains(annotations, false);
  const cn = annotations[ANNOT_COMMON_NAME]?.trim() ?? '';
  const ns = ingress.metadata.namespace ?? 'default';
  const certificates = [];
  let complete = true;
  for (const [secretName, hosts] of hostsBySecret) {
    const domains = annotated ?? mergeCommonName(cn, hosts);
    if (domains.length === 0) {
      // An existing certificate for this secret is kept: a half-edited Ingress should not lose its certificate.
      problems.push(
        `spec.tls entry for secret ${secretName} has no hosts: add hosts, or name the domains with annotation cert.gardener.cloud/dnsnames`,
      );
      complete = false;
      continue;
    }
    certificates.push(buildCertificate('ingress', ingress, cfg, { namespace: ns, name: secretName }, domains, options));
  }
  return { certificates, problems, complete };
}
