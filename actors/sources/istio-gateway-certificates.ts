// The Certificates an Istio Gateway asks for (seed controller istio-gateways-dns, "Requesting a Certificate for
// Gateways"): one per server with tls.credentialName, named by the server's hosts and the hosts of the
// VirtualServices bound to the Gateway.
import type { SourceControllerConfig } from '../config/effective-config.js';
import {
  type GatewayKindRules,
  type GatewayTls,
  type GatewayTlsEntry,
  gatewayCertificates,
} from './gateway-certificates.js';
import { ANNOT_SECRET_NAMESPACE, type DesiredCertificates, type SourceSnapshot } from './source-annotations.js';

const ISTIO_RULES: GatewayKindRules = {
  kind: 'istio-gateway',
  tls: istioTls,
  noTls: 'server with tls.credentialName',
  route: 'VirtualService',
};

export function istioGatewayCertificates(gateway: SourceSnapshot, cfg: SourceControllerConfig): DesiredCertificates {
  return gatewayCertificates(ISTIO_RULES, gateway, cfg);
}

/**
 * A server host is `[namespace/]host`, the namespace saying where VirtualServices for it may live (gardener drops
 * it). `*` (also `ns/*`) names no host: it takes whatever the bound VirtualServices name. Gardener keeps the `*` of
 * `ns/*` and an empty host as names, which no CA issues; they count as no name here.
 */
export function istioServerHosts(hosts: readonly string[]): { names: string[]; unreadable: string[] } {
  const names: string[] = [];
  const unreadable: string[] = [];
  for (const raw of hosts) {
    const parts = raw.split('/');
    if (parts.length > 2) {
      unreadable.push(raw);
      continue;
    }
    const host = parts[parts.length - 1]!.trim();
    if (host !== '' && host !== '*') names.push(host);
  }
  return { names, unreadable };
}

function istioTls(gateway: SourceSnapshot): GatewayTls {
  const namespace =
    gateway.metadata.annotations?.[ANNOT_SECRET_NAMESPACE]?.trim() || gateway.metadata.namespace || 'default';
  const entries: GatewayTlsEntry[] = [];
  const problems: string[] = [];
  let complete = true;
  (gateway.spec.servers ?? []).forEach((server, i) => {
    const credentialName = server.credentialName?.trim() ?? '';
    if (credentialName === '') return;
    const field = `spec.servers[${i}] (credentialName ${credentialName})`;
    if (credentialName.includes('/')) {
      // Gardener takes "other/x" as the secret's name, which no Secret can have; a Gateway writing into another
      // namespace's secrets should say so on purpose, with the annotation.
      problems.push(
        `spec.servers[${i}]: tls.credentialName "${credentialName}" names a secret in another namespace: no certificate for it; name the secret alone, and its namespace with annotation ${ANNOT_SECRET_NAMESPACE} if it is not the Gateway's`,
      );
      complete = false;
      return;
    }
    const { names, unreadable } = istioServerHosts(server.hosts);
    for (const host of unreadable)
      problems.push(`spec.servers[${i}]: host "${host}" is not "host" or "namespace/host": left out`);
    entries.push({ field, secret: { namespace, name: credentialName }, hosts: names });
  });
  return { entries, problems, complete };
}
