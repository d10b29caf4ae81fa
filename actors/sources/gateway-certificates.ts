// What both kinds of Gateway share once their TLS servers or listeners are read: the managed check, the optional
// annotations, the route hosts, the domain annotations and one Certificate per secret (gardener's
// GetCertsInfoByCollector, pkg/controller/source/helper.go).
import type { SourceControllerConfig } from '../config/effective-config.js';
import { withRouteHosts } from './gateway-hosts.js';
import {
  ANNOT_COMMON_NAME,
  ANNOT_DNS_NAMES,
  annotatedDomains,
  asksForCertificates,
  buildCertificate,
  commonOptions,
  type DesiredCertificates,
  handlesSourceClass,
  mergeCommonName,
  type SourceKind,
  type SourceSnapshot,
} from './source-annotations.js';

/** One server (Istio) or listener (Gateway API) that serves TLS from a secret the controller may write. */
export interface GatewayTlsEntry {
  /** Where it is in the Gateway, for messages: `spec.servers[1] (credentialName web-tls)`. */
  field: string;
  secret: { namespace: string; name: string };
  /** Its own names, without route hosts. */
  hosts: string[];
}

export interface GatewayTls {
  entries: GatewayTlsEntry[];
  problems: string[];
  /** false: an entry could not be read (bad input); its secret's Certificate, if any, must stay. */
  complete: boolean;
}

export interface GatewayKindRules {
  kind: Extract<SourceKind, 'istio-gateway' | 'k8s-gateway'>;
  /** Reads the TLS servers or listeners. */
  tls(gateway: SourceSnapshot): GatewayTls;
  /** What the Gateway lacks when it asks for certificates but has nothing to put one in. */
  noTls: string;
  /** What binds hosts to it: "VirtualService", "HTTPRoute". */
  route: string;
}

export function gatewayCertificates(
  rules: GatewayKindRules,
  gateway: SourceSnapshot,
  cfg: SourceControllerConfig,
): DesiredCertificates {
  const annotations = gateway.metadata.annotations ?? {};
  if (
    gateway.metadata.deletionTimestamp ||
    !handlesSourceClass(cfg, annotations) ||
    !asksForCertificates(rules.kind, gateway)
  ) {
    return { certificates: [], problems: [], complete: true };
  }
  const { spec: options, problems } = commonOptions(annotations);
  const tls = rules.tls(gateway);
  problems.push(...tls.problems);
  let complete = tls.complete;
  if (tls.entries.length === 0 && tls.problems.length === 0)
    problems.push(`the Gateway asks for managed certificates but has no ${rules.noTls}`);

  // Gardener lets the last entry of a secret win; entries sharing a secret share its certificate here, as for
  // Ingresses: the gateway serves all their hosts from that secret.
  const bySecret = new Map<string, { secret: GatewayTlsEntry['secret']; fields: string[]; hosts: string[] }>();
  const routeHosts = gateway.routeHosts ?? [];
  for (const entry of tls.entries) {
    const key = `${entry.secret.namespace}/${entry.secret.name}`;
    const group = bySecret.get(key) ?? { secret: entry.secret, fields: [], hosts: [] };
    group.fields.push(entry.field);
    group.hosts.push(...withRouteHosts(entry.hosts, routeHosts, entry.hosts));
    bySecret.set(key, group);
  }

  const annotated = annotatedDomains(annotations, false);
  const cn = annotations[ANNOT_COMMON_NAME]?.trim() ?? '';
  const certificates = [];
  for (const { secret, fields, hosts } of bySecret.values()) {
    const domains = annotated ?? mergeCommonName(cn, hosts);
    if (domains.length === 0) {
      // Gardener creates a Certificate without names, which then fails; an existing one is kept instead.
      problems.push(
        annotated
          ? `annotation ${ANNOT_DNS_NAMES} names no domain: no certificate for secret ${secret.namespace}/${secret.name}`
          : `${fields.join(', ')} names no host and no ${rules.route} bound to the Gateway adds one: no certificate for secret ${secret.namespace}/${secret.name}; give it a host name, bind a ${rules.route} with host names, or name the domains with annotation ${ANNOT_DNS_NAMES}`,
      );
      complete = false;
      continue;
    }
    certificates.push(buildCertificate(rules.kind, gateway, cfg, secret, domains, options));
  }
  return { certificates, problems, complete };
}
