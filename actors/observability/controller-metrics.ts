// The seed system's metric names (gardener cert-management pkg/cert/metrics), per pod. Gardener's single leader sees
// every certificate; here each pod reports the actors it hosts, so a sum over pods (what Prometheus queries do
// anyway) is the cluster's figure. Certificate and issuer actors report facts as they change, and drop them when
// their activation ends (a moved actor is then reported by its new pod only).
import { Counter, Gauge, Registry } from 'prom-client';
import { isRenewalOverdue } from '../certificate/renewal.js';

export const registry = new Registry();

export const acmeAccountRegistrations = new Gauge({
  name: 'cert_management_acme_account_registrations',
  help: 'ACME account registrations',
  labelNames: ['uri', 'email', 'issuer'] as const,
  registers: [registry],
});

export const acmeOrders = new Counter({
  name: 'cert_management_acme_orders',
  help: 'Number of ACME orders',
  labelNames: ['issuer', 'success', 'dns_challenges', 'renew'] as const,
  registers: [registry],
});

export const acmeActiveDnsChallenges = new Gauge({
  name: 'cert_management_acme_active_dns_challenges',
  help: 'Currently active number of ACME DNS challenges',
  labelNames: ['issuer'] as const,
  registers: [registry],
});

/** What a certificate actor hosted on this pod last reported; the gauges below are computed from it at scrape time. */
export interface CertificateFacts {
  namespace: string;
  name: string;
  issuer?: string;
  /** notAfter of the stored certificate, epoch ms. */
  expiresAtMs?: number;
  hasSecret: boolean;
}

const certificates = new Map<string, CertificateFacts>();
let overdueWindowMs = 600 * 3_600_000;

export function reportCertificate(id: string, facts: CertificateFacts): void {
  certificates.set(id, facts);
}
export function forgetCertificate(id: string): void {
  certificates.delete(id);
}
export function setOverdueWindow(ms: number): void {
  overdueWindowMs = ms;
}

new Gauge({
  name: 'cert_management_cert_entries',
  help: 'Total number of certificate objects per issuer',
  labelNames: ['issuertype', 'issuer'] as const,
  registers: [registry],
  collect() {
    this.reset();
    const counts = new Map<string, number>();
    for (const c of certificates.values()) if (c.issuer) counts.set(c.issuer, (counts.get(c.issuer) ?? 0) + 1);
    for (const [issuer, n] of counts) this.set({ issuertype: 'acme', issuer }, n);
  },
});

new Gauge({
  name: 'cert_management_cert_object_expire',
  help: 'Expire date as Unix time (the number of seconds elapsed since January 1, 1970 UTC) for each certificate object',
  labelNames: ['namespace', 'name'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const c of certificates.values())
      if (c.expiresAtMs !== undefined)
        this.set({ namespace: c.namespace, name: c.name }, Math.floor(c.expiresAtMs / 1000));
  },
});

new Gauge({
  name: 'cert_management_overdue_renewal_certificates',
  help: "Number of certificate objects with certificate's renewal overdue",
  registers: [registry],
  collect() {
    const now = Date.now();
    this.set(
      [...certificates.values()].filter(
        (c) => c.expiresAtMs !== undefined && isRenewalOverdue(now, c.expiresAtMs, overdueWindowMs),
      ).length,
    );
  },
});

new Gauge({
  name: 'cert_management_secrets',
  help: 'Number of certificate secrets per classification',
  labelNames: ['classification'] as const,
  registers: [registry],
  collect() {
    this.reset();
    this.set({ classification: 'managed' }, [...certificates.values()].filter((c) => c.hasSecret).length);
  },
});
