import {
  ANNOTATION_CERT_CLUSTER,
  ANNOTATION_CERT_NAME,
  ANNOTATION_CERT_NAMESPACE,
  type SecretsLookupReply,
} from '../certificate/certificate-secret.js';
import { HASH_LABEL } from '../certificate/request-hash.js';
import type { ControllerDeps } from '../controller-deps.js';
import { CERTIFICATE_KIND, certificateId, TARGET_WATCHER } from '../kinds.js';
import type { KubeObject } from '../kube/kube-object.js';
import { ListWatch } from '../kube/list-watch.js';
import { sourceClusterId } from './source-watcher.js';
import { route, watcherKind } from './watcher-kind.js';

/** Asked by certificate actors: what the target cluster holds for a request, from the watch's cache. */
export type TargetWatcherMsg = { type: 'SecretsLookup'; namespace: string; name: string; hash: string };

/**
 * Watches certificate Secrets in the target cluster (metadata only: the watcher never holds key material) and tells
 * the owning certificate actor when its Secret is deleted or replaced by something else, so it is restored.
 */
export function targetWatcherKind(deps: ControllerDeps) {
  const cluster = sourceClusterId(deps);
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
        return old;
      };
      ctx.volatile.lookup = (m: TargetWatcherMsg): SecretsLookupReply => ({
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
          synced = true;
        },
        onEvent: (ev) => {
          const meta = ev.object.metadata;
          const hash = meta.labels?.[HASH_LABEL];
          const previous = index(`${meta.namespace}/${meta.name}`, ev.type === 'DELETED' ? undefined : hash);
          // Only a deleted secret, or one whose hash another writer changed, concerns its certificate: creations and
          // updates with the same hash are the certificates' own writes.
          if (!synced || (ev.type !== 'DELETED' && (previous === undefined || previous === hash))) return;
          const a = ev.object.metadata.annotations ?? {};
          const name = a[ANNOTATION_CERT_NAME];
          const namespace = a[ANNOTATION_CERT_NAMESPACE];
          if (!name || !namespace || (a[ANNOTATION_CERT_CLUSTER] ?? cluster) !== cluster) return;
          return route(ctx, CERTIFICATE_KIND, certificateId(cluster, namespace, name), {
            type: 'SecretChanged',
            deleted: ev.type === 'DELETED',
            ...(ev.object.metadata.labels?.[HASH_LABEL] ? { hash: ev.object.metadata.labels[HASH_LABEL] } : {}),
          });
        },
        onError: (err, failures) => ctx.log.warn({ err: err.message, failures }, 'secret watch failed; retrying'),
      }).start();
      ctx.volatile.secrets = secrets;
      return [secrets];
    },
    async handle(ctx, msg) {
      if (msg.type !== 'SecretsLookup') return undefined;
      await (ctx.volatile.secrets as ListWatch<KubeObject>).synced();
      return (ctx.volatile.lookup as (m: TargetWatcherMsg) => SecretsLookupReply)(msg);
    },
  });
}
