import type { SecretsLookupReply } from '../certificate/certificate-secret.js';
import { HASH_LABEL } from '../certificate/request-hash.js';
import type { ControllerDeps } from '../controller-deps.js';
import { CERTIFICATE_KIND, SOURCE_WATCHER, TARGET_WATCHER } from '../kinds.js';
import type { KubeObject } from '../kube/kube-object.js';
import { ListWatch } from '../kube/list-watch.js';
import { provideView } from '../observability/controller-metrics.js';
import { collectOutdatedSecrets } from './secret-collection.js';
import { route, watcherKind } from './watcher-kind.js';

/** Asked by certificate actors: what the target cluster holds for a request, from the watch's cache. */
export type TargetWatcherMsg =
  | { type: 'SecretsLookup'; namespace: string; name: string; hash: string }
  /** Start-up and every 7 days: gardener's garbage collection of outdated certificate Secrets. */
  | { type: 'CollectGarbage' };

const GC_PERIOD_MS = 7 * 86_400_000;
const ASK_TIMEOUT_MS = 30_000;

/**
 * Watches certificate Secrets in the target cluster (metadata only: the watcher never holds key material) and tells
 * the certificates using a Secret (as the source watcher knows them) when it is deleted or changed by anyone, with
 * its resourceVersion: a certificate recognises its own writes by it and checks everything else within seconds. It
 * also collects outdated Secrets and reports cert_management_secrets.
 */
export function targetWatcherKind(deps: ControllerDeps) {
  return watcherKind<TargetWatcherMsg>({
    kind: TARGET_WATCHER.kind,
    start(ctx) {
      // The first list only fills the store: certificates check their secrets themselves when they activate.
      let synced = false;
      const byHash = new Map<string, Set<string>>();
      const hashOf = new Map<string, string>();
      const index = (key: string, hash: string | undefined) => {
        const old = hashOf.get(key);
        if (old !== undefined) byHash.get(old)?.delete(key);
        if (hash === undefined) hashOf.delete(key);
        else {
          hashOf.set(key, hash);
          if (!byHash.has(hash)) byHash.set(hash, new Set());
          byHash.get(hash)!.add(key);
        }
      };
      ctx.volatile.lookup = (m: Extract<TargetWatcherMsg, { type: 'SecretsLookup' }>): SecretsLookupReply => ({
        own: hashOf.get(`${m.namespace}/${m.name}`) ?? null,
        sameHash: [...(byHash.get(m.hash) ?? [])]
          .filter((k) => k.startsWith(`${m.namespace}/`) && k !== `${m.namespace}/${m.name}`)
          .map((k) => k.slice(m.namespace.length + 1)),
      });
      const secrets = new ListWatch<KubeObject>({
        client: deps.kube.target,
        path: '/api/v1/secrets',
        labelSelector: HASH_LABEL,
        metadataOnly: true,
        onSynced: () => {
          if (synced) return;
          synced = true;
          ctx.tell(TARGET_WATCHER.kind, TARGET_WATCHER.id, { type: 'CollectGarbage' });
        },
        onEvent: async (ev) => {
          const meta = ev.object.metadata;
          index(`${meta.namespace}/${meta.name}`, ev.type === 'DELETED' ? undefined : meta.labels?.[HASH_LABEL]);
          if (!synced) return;
          const users = await ctx
            .ask<string[]>(
              SOURCE_WATCHER.kind,
              SOURCE_WATCHER.id,
              { type: 'SecretUsers', namespace: meta.namespace, name: meta.name },
              ASK_TIMEOUT_MS,
            )
            .catch((err: Error) => {
              ctx.log.warn(
                { err: err.message, secret: `${meta.namespace}/${meta.name}` },
                'could not find the certificates of a secret',
              );
              return [];
            });
          for (const id of users) {
            await route(ctx, CERTIFICATE_KIND, id, {
              type: 'SecretChanged',
              deleted: ev.type === 'DELETED',
              hash: meta.labels?.[HASH_LABEL],
              resourceVersion: meta.resourceVersion,
            });
          }
        },
        onError: (err, failures) => ctx.log.warn({ err: err.message, failures }, 'secret watch failed; retrying'),
      }).start();
      ctx.volatile.secrets = secrets;
      const stopView = provideView('secrets', () => secrets.items());
      return [secrets, { stop: async () => stopView() }];
    },
    async handle(ctx, msg) {
      const secrets = ctx.volatile.secrets as ListWatch<KubeObject>;
      if (msg.type === 'CollectGarbage') {
        ctx.setTimer('gc', GC_PERIOD_MS, { type: 'CollectGarbage' });
        try {
          const request = { type: 'ReferencedSecrets' };
          const referenced = new Set(
            await ctx.ask<string[]>(SOURCE_WATCHER.kind, SOURCE_WATCHER.id, request, ASK_TIMEOUT_MS),
          );
          const deleted = await collectOutdatedSecrets({
            kube: deps.kube.target,
            candidates: secrets.items(),
            referenced,
            now: ctx.now(),
            log: (fields, message) => ctx.log.info(fields, message),
          });
          ctx.log.info({ deleted, secrets: secrets.items().length }, 'collected outdated certificate secrets');
        } catch (err) {
          ctx.log.warn({ err: (err as Error).message }, 'collecting outdated certificate secrets failed; next period');
        }
        return undefined;
      }
      await secrets.synced();
      return (ctx.volatile.lookup as (m: TargetWatcherMsg) => SecretsLookupReply)(msg);
    },
  });
}
