// The seed system's metric names (gardener cert-management pkg/shared/metrics), complete at every scrape. Gardener's
// single leader sees every object; here the gauges about objects are computed from the caches of the cluster
// watchers, each of which runs on exactly one pod at a time: the pod holding a watcher reports its series, the others
// report none of them, so a sum over pods never counts an object twice and no series depends on whether an object's
// actor is active. Counters (orders) and the active challenges are counted by the pod where they happen.
import { Counter, Gauge, Registry } from 'prom-client';
import type { Certificate } from '../certificate/certificate-spec.js';
import { isRenewalOverdue } from '../certificate/renewal.js';
import type { Issuer } from '../issuer/issuer-types.js';
import type { KubeObject } from '../kube/kube-object.js';

export const registry = new Registry();

/** What a watcher hosted on this pod can tell the gauges; absent when the watcher runs elsewhere. */
interface ClusterViews {
  /** The Certificates this deployment handles, as last seen (with status). */
  certificates?: () => Iterable<Certificate>;
  /** The Issuers this deployment handles, with their issuer keys. */
  issuers?: () => Iterable<{ key: string; issuer: Issuer }>;
  /** Metadata of the certificate Secrets of the target cluster. */
  secrets?: () => Iterable<KubeObject>;
}
const views: ClusterViews = {};
let overdueWindowMs = 600 * 3_600_000;

/** A watcher starts or stops reporting its view; returns the function that stops it. */
export function provideView<K extends keyof ClusterViews>(name: K, view: NonNullable<ClusterViews[K]>): () => void {
  views[name] = view;
  return () => {
    if (views[name] === view) delete views[name];
  };
}

/** --renewal-overdue-window. */
export function setOverdueWindow(ms: number): void {
  overdueWindowMs = ms;
}

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

new Gauge({
  name: 'cert_management_acme_account_registrations',
  help: 'ACME account registrations',
  labelNames: ['uri', 'email', 'issuer'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const { key, issuer } of views.issuers?.() ?? []) {
      const uri = issuer.status?.acme?.uri ?? issuer.status?.acme?.accountURL;
      if (uri) this.set({ uri, email: issuer.spec.acme?.email ?? '', issuer: key }, 1);
    }
  },
});

/** gardener's IssuerKey.String() of a certificate's status.issuerRef. */
const issuerKeyOfStatus = (c: Certificate) => {
  const ref = c.status?.issuerRef;
  if (!ref?.name) return undefined;
  return ref.cluster === 'target' ? `target:${ref.namespace}/${ref.name}` : ref.name;
};
const expiryMs = (c: Certificate) => Date.parse(c.status?.expirationDate ?? '');

new Gauge({
  name: 'cert_management_cert_entries',
  help: 'Total number of certificate objects per issuer',
  labelNames: ['issuertype', 'issuer'] as const,
  registers: [registry],
  collect() {
    this.reset();
    const counts = new Map<string, number>();
    for (const c of views.certificates?.() ?? []) {
      const key = issuerKeyOfStatus(c);
      if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    // gardener reports every issuer as "acme" here, whatever its type; dashboards group by that label.
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
    for (const c of views.certificates?.() ?? []) {
      const ms = expiryMs(c);
      this.set(
        { namespace: c.metadata.namespace ?? '', name: c.metadata.name },
        Number.isNaN(ms) ? 0 : Math.floor(ms / 1000),
      );
    }
  },
});

new Gauge({
  name: 'cert_management_overdue_renewal_certificates',
  help: "Number of certificate objects with certificate's renewal overdue",
  registers: [registry],
  collect() {
    const now = Date.now();
    let n = 0;
    for (const c of views.certificates?.() ?? []) {
      const ms = expiryMs(c);
      if (c.status?.state !== 'Revoked' && !Number.isNaN(ms) && isRenewalOverdue(now, ms, overdueWindowMs)) n++;
    }
    if (views.certificates) this.set(n);
    else this.reset();
  },
});

new Gauge({
  name: 'cert_management_revoked_certificates',
  help: 'Number of certificate objects with revoked certificate',
  registers: [registry],
  collect() {
    let n = 0;
    for (const c of views.certificates?.() ?? []) if (c.status?.state === 'Revoked') n++;
    if (views.certificates) this.set(n);
    else this.reset();
  },
});

new Gauge({
  name: 'cert_management_secrets',
  help: 'Number of certificate secrets per classification',
  labelNames: ['classification'] as const,
  registers: [registry],
  collect() {
    this.reset();
    if (!views.secrets) return;
    const counts = { total: 0, backup: 0, revoked: 0 };
    for (const s of views.secrets()) {
      if (s.metadata.labels?.['cert.gardener.cloud/certificate'] !== 'true') continue;
      counts.total++;
      if (s.metadata.labels['cert.gardener.cloud/backup'] === 'true') counts.backup++;
      if (s.metadata.annotations?.['cert.gardener.cloud/revoked'] === 'true') counts.revoked++;
    }
    for (const [classification, n] of Object.entries(counts)) this.set({ classification }, n);
  },
});
