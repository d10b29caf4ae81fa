import type { ControllerDeps } from '../controller-deps.js';
import { ListWatch } from '../kube/list-watch.js';
import type { KubeObject } from '../kube/kube-object.js';
import { CERTIFICATE_KIND, TARGET_WATCHER, certificateId } from '../kinds.js';
import { HASH_LABEL } from '../certificate/request-hash.js';
import { ANNOTATION_CERT_CLUSTER, ANNOTATION_CERT_NAME, ANNOTATION_CERT_NAMESPACE } from '../certificate/certificate-secret.js';
import { sourceClusterId } from './source-watcher.js';
import { route, watcherKind } from './watcher-kind.js';

/**
 * Watches certificate Secrets in the target cluster (metadata only: the watcher never holds key material) and tells
 * the owning certificate actor when its Secret is deleted or replaced by something else, so it is restored.
 */
export function targetWatcherKind(deps: ControllerDeps) {
  const cluster = sourceClusterId(deps);
  return watcherKind({
    kind: TARGET_WATCHER.kind,
    start(ctx) {
      // The first list only fills the store: certificates check their secrets themselves when they activate.
      let synced = false;
      const secrets = new ListWatch<KubeObject>({
        client: deps.kube.target,
        path: '/api/v1/secrets',
        labelSelector: HASH_LABEL,
        metadataOnly: true,
        onSynced: () => void (synced = true),
        onEvent: (ev) => {
          if (!synced) return;
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
      return [secrets];
    },
  });
}
