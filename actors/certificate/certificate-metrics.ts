// What a certificate actor counts into the seed's metrics where it happens: orders and active challenges. The gauges
// about certificates are computed from the source watcher's cache (observability/controller-metrics.ts).
import { acmeActiveDnsChallenges, acmeOrders } from '../observability/controller-metrics.js';
import type { CertCtx, OrderWork } from './certificate-actor-types.js';
import { memoryOf } from './certificate-memory.js';
import { issuerKeyString } from './request-hash.js';

/** The issuer label of the seed's metrics: gardener's issuer key (`<name>` for issuers of the default cluster). */
export const issuerLabel = (issuer: OrderWork['issuer']) =>
  issuerKeyString({ cluster: issuer.cluster ?? 'default', namespace: issuer.namespace, name: issuer.name });

/** Sets how many challenges this activation has presented (0 or undefined when they are gone). */
export function countChallenges(ctx: CertCtx, active: { issuer: string; count: number } | undefined): void {
  const m = memoryOf(ctx);
  if (m.activeChallenges) acmeActiveDnsChallenges.dec({ issuer: m.activeChallenges.issuer }, m.activeChallenges.count);
  if (active && active.count > 0) acmeActiveDnsChallenges.inc({ issuer: active.issuer }, active.count);
  m.activeChallenges = active && active.count > 0 ? active : undefined;
}

/** An order ended: cert_management_acme_orders as gardener counts it (challenges presented; renewal or not). */
export function countOrder(work: OrderWork, success: boolean): void {
  if (!work.orderUrl || !work.challenges?.length) return;
  acmeOrders.inc({
    issuer: issuerLabel(work.issuer),
    success: String(success),
    dns_challenges: String(work.challenges.length),
    renew: String(work.renewal === true),
  });
}
