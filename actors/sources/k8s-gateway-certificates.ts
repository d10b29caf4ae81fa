// The Certificates a Gateway API Gateway asks for (seed controller k8s-gateways-dns, "Requesting a Certificate for
// Gateways"): one per HTTPS or TLS listener that terminates TLS with exactly one Secret in certificateRefs, named by
// its hostname and the hostnames of the HTTPRoutes bound to the Gateway.
import type { SourceControllerConfig } from '../config/effective-config.js';
import {
  type GatewayKindRules,
  type GatewayTls,
  type GatewayTlsEntry,
  gatewayCertificates,
} from './gateway-certificates.js';
import type { DesiredCertificates, SourceSnapshot } from './source-annotations.js';

const K8S_RULES: GatewayKindRules = {
  kind: 'k8s-gateway',
  tls: listenerTls,
  noTls: 'HTTPS or TLS listener terminating TLS with a certificateRefs Secret',
  route: 'HTTPRoute',
};

export function k8sGatewayCertificates(gateway: SourceSnapshot, cfg: SourceControllerConfig): DesiredCertificates {
  return gatewayCertificates(K8S_RULES, gateway, cfg);
}

function listenerTls(gateway: SourceSnapshot): GatewayTls {
  const entries: GatewayTlsEntry[] = [];
  const problems: string[] = [];
  let complete = true;
  (gateway.spec.listeners ?? []).forEach((listener, i) => {
    // Other protocols and Passthrough carry no certificate of the gateway's (gardener skips them silently too).
    if (listener.protocol !== 'HTTPS' && listener.protocol !== 'TLS') return;
    if (!listener.tls || (listener.tls.mode !== undefined && listener.tls.mode !== 'Terminate')) return;
    const field = `spec.listeners[${i}]${listener.name ? ` (${listener.name})` : ''}`;
    const refs = listener.tls.certificateRefs;
    if (refs.length !== 1) {
      problems.push(
        `${field} has ${refs.length === 0 ? 'no' : refs.length} tls.certificateRefs: cannot select the secret for storing the certificate; give exactly one`,
      );
      complete = false;
      return;
    }
    const ref = refs[0]!;
    if ((ref.group ?? '') !== '' || (ref.kind ?? 'Secret') !== 'Secret') {
      problems.push(
        `${field}: tls.certificateRefs[0] is ${ref.group ? `${ref.kind ?? 'Secret'}.${ref.group}` : (ref.kind ?? 'Secret')}, not a core Secret: cannot store the certificate in it`,
      );
      complete = false;
      return;
    }
    if (!ref.name) return;
    entries.push({
      field,
      // A ref to another namespace is taken as gardener takes it (no ReferenceGrant check).
      secret: { namespace: ref.namespace || gateway.metadata.namespace || 'default', name: ref.name },
      hosts: listener.hostname ? [listener.hostname] : [],
    });
  });
  return { entries, problems, complete };
}
