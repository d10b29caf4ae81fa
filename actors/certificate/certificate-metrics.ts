// What a certificate actor reports into the seed's metrics (the per-process table behind the gauges, and counters).
import { acmeActiveDnsChallenges, acmeOrders, reportCertificate } from '../observability/controller-metrics.js';
import type { CertCtx, IssuedRecord, OrderWork } from './certificate-actor-types.js';
import { identityOf } from './certificate-env.js';
import { memoryOf } from './certificate-memory.js';

/** Sets how many challenge entries this activation has published (0 or undefined when they are gone). */
export function countChallenges(ctx: CertCtx, active: { issuer: string; count: number } | undefined): void {
  const m = memoryOf(ctx);
  if (m.activeChallenges) acmeActiveDnsChallenges.dec({ issuer: m.activeChallenges.issuer }, m.activeChallenges.count);
  if (active && active.count > 0) acmeActiveDnsChallenges.inc({ issuer: active.issuer }, active.count);
  m.activeChallenges = active && active.count > 0 ? active : undefined;
}

/** An order ended: cert_management_acme_orders as gardener counts it. */
export function countOrder(work: OrderWork, success: boolean): void {
  if (!work.orderUrl) return;
  acmeOrders.inc({
    issuer: `${work.issuer.namespace}/${work.issuer.name}`,
    success: String(success),
    dns_challenges: String(new Set(work.names.map((n) => n.replace(/^\*\./, ''))).size),
    renew: String(work.secretExists),
  });
}

/** What this pod reports about the certificate in its metrics. */
export function reportFacts(ctx: CertCtx, issued: IssuedRecord | undefined): void {
  const { namespace, name } = identityOf(ctx);
  reportCertificate(ctx.id, {
    namespace,
    name,
    hasSecret: issued !== undefined,
    issuer: issued ? `${issued.issuer.namespace}/${issued.issuer.name}` : undefined,
    expiresAtMs: issued?.notAfterMs,
  });
}
