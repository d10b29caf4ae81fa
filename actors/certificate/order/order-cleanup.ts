// The end of an order, whatever its outcome: its challenge entries deleted and its grant released at the issuer.
import { ISSUER_KIND, issuerActorId } from '../../kinds.js';
import type { CertCtx, OrderWork } from '../certificate-actor-types.js';
import { type CertEnv, identityOf } from '../certificate-env.js';
import { deleteEntry } from '../certificate-kube.js';
import { memoryOf } from '../certificate-memory.js';
import { countChallenges } from '../certificate-metrics.js';
import { entryNamespace } from './challenges.js';

export async function cleanupWork(ctx: CertCtx, env: CertEnv, work: OrderWork): Promise<void> {
  const ns = entryNamespace(env.deps.config, identityOf(ctx));
  countChallenges(ctx, undefined);
  await Promise.all((work.entries ?? []).map((e) => deleteEntry(env.dns, ns, e)));
  const stored = work.stored;
  const lifetimeMs = stored ? stored.notAfterMs - stored.notBeforeMs : undefined;
  ctx.tell(ISSUER_KIND, issuerActorId(work.issuer), { type: 'Release', certificate: ctx.id, lifetimeMs });
  // The key and any call still out belong to this order: a late reply is stale from now on.
  delete memoryOf(ctx).order;
}
