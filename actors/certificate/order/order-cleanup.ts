// The end of an order, whatever its outcome: its challenge records deleted (an issuer's persistent dns-persist-01
// records stay) and its grant released at the issuer.
import { challengeStore } from '../../dns/challenge-store.js';
import { ISSUER_KIND, issuerActorId } from '../../kinds.js';
import type { CertCtx, OrderWork } from '../certificate-actor-types.js';
import { type CertEnv, identityOf } from '../certificate-env.js';
import { memoryOf } from '../certificate-memory.js';
import { countChallenges } from '../certificate-metrics.js';
import { entryNamespace } from './challenges.js';

export async function cleanupWork(ctx: CertCtx, env: CertEnv, work: OrderWork): Promise<void> {
  const ns = entryNamespace(env.deps.config, identityOf(ctx));
  const store = challengeStore(env.deps.config.dns.useDnsRecords);
  countChallenges(ctx, undefined);
  const orders = (work.entries ?? []).filter((e) => !work.keptEntries?.includes(e));
  await Promise.all(orders.map((e) => store.remove(env.dns, ns, e)));
  const stored = work.stored;
  const lifetimeMs = stored ? stored.notAfterMs - stored.notBeforeMs : undefined;
  ctx.tell(ISSUER_KIND, issuerActorId(work.issuer), { type: 'Release', certificate: ctx.id, lifetimeMs });
  // The key and any call still out belong to this order: a late reply is stale from now on.
  delete memoryOf(ctx).order;
}
