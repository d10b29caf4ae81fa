// The Certificate a Service of type LoadBalancer asks for (seed: "Requesting a Certificate for Service"): the secret
// in `cert.gardener.cloud/secretname`, the names in `dns.gardener.cloud/dnsnames` or `cert.gardener.cloud/dnsnames`.
import type { SourceControllerConfig } from '../config/effective-config.js';
import {
  ANNOT_DNS_DNSNAMES,
  ANNOT_DNS_NAMES,
  ANNOT_SECRET_NAME,
  ANNOT_SECRET_NAMESPACE,
  annotatedDomains,
  asksForCertificates,
  buildCertificate,
  commonOptions,
  type DesiredCertificates,
  handlesSourceClass,
  type SourceSnapshot,
} from './source-annotations.js';

export function serviceCertificates(service: SourceSnapshot, cfg: SourceControllerConfig): DesiredCertificates {
  const annotations = service.metadata.annotations ?? {};
  if (
    service.metadata.deletionTimestamp ||
    !handlesSourceClass(cfg, annotations) ||
    !asksForCertificates('service', service)
  ) {
    return { certificates: [], problems: [], complete: true };
  }
  if (service.spec.type !== 'LoadBalancer') {
    // A Service that stopped being a load balancer no longer serves TLS from the secret: its certificate goes.
    return {
      certificates: [],
      problems: [
        `the Service has annotation ${ANNOT_SECRET_NAME} but is of type ${service.spec.type ?? 'ClusterIP'}: certificates are only requested for Services of type LoadBalancer`,
      ],
      complete: true,
    };
  }
  const { spec: options, problems } = commonOptions(annotations);
  const secretName = annotations[ANNOT_SECRET_NAME]?.trim() ?? '';
  const domains = annotatedDomains(annotations, true) ?? [];
  if (secretName === '') problems.push(`annotation ${ANNOT_SECRET_NAME} is empty: name the secret for the certificate`);
  if (domains.length === 0)
    problems.push(
      `no domain names: set annotation ${ANNOT_DNS_DNSNAMES} or ${ANNOT_DNS_NAMES} (comma separated; "*" and "all" name no domain)`,
    );
  if (secretName === '' || domains.length === 0) return { certificates: [], problems, complete: false };
  const secret = {
    namespace: annotations[ANNOT_SECRET_NAMESPACE]?.trim() || service.metadata.namespace || 'default',
    name: secretName,
  };
  return {
    certificates: [buildCertificate('service', service, cfg, secret, domains, options)],
    problems,
    complete: true,
  };
}
