import type { ControllerDeps } from '../controller-deps.js';
import { ListWatch } from '../kube/list-watch.js';
import { CERTIFICATE_KIND, SOURCE_WATCHER, certificateId } from '../kinds.js';
import { CERTIFICATES_API } from '../certificate/certificate-kube.js';
import type { Certificate } from '../certificate/certificate-spec.js';
import type { CertificateMsg } from '../certificate/certificate-actor-types.js';
import { DEFAULT_CERT_CLASS } from '../config/effective-config.js';
import { route, watcherKind } from './watcher-kind.js';

export const CLASS_ANNOTATION = 'cert.gardener.cloud/class';

/** The source cluster's name in certificate actor ids (`--source.id`, else "source"). */
export function sourceClusterId(deps: ControllerDeps): string {
  return deps.config.clusters.source.id || 'source';
}

/** Whether this deployment handles an object of the given class annotation (none means the default class). */
export function handlesClass(certClasses: readonly string[], annotations: Record<string, string> | undefined): boolean {
  return certClasses.includes(annotations?.[CLASS_ANNOTATION] || DEFAULT_CERT_CLASS);
}

/**
 * Watches Certificates in the source cluster and routes every change of one of our class to its certificate actor,
 * which it supervises.
 */
export function sourceWatcherKind(deps: ControllerDeps) {
  const cluster = sourceClusterId(deps);
  return watcherKind({
    kind: SOURCE_WATCHER.kind,
    start(ctx) {
      // What was last routed per certificate: a change of status or resourceVersion alone (most events are the
      // actors' own status patches) is not worth a message.
      const routed = new Map<string, string>();
      const certificates = new ListWatch<Certificate>({
        client: deps.kube.source,
        path: `${CERTIFICATES_API}/certificates`,
        onEvent: async (ev) => {
          const meta = ev.object.metadata;
          const key = `${meta.namespace}/${meta.name}`;
          if (!handlesClass(deps.config.certClasses, meta.annotations)) return;
          if (ev.type === 'DELETED') routed.delete(key);
          else {
            const signature = JSON.stringify([meta.uid, meta.generation, meta.deletionTimestamp, meta.finalizers, meta.annotations]);
            if (routed.get(key) === signature) return;
            routed.set(key, signature);
          }
          const msg: CertificateMsg = ev.type === 'DELETED' ? { type: 'Deleted' } : { type: 'Observed', cert: ev.object };
          await route(ctx, CERTIFICATE_KIND, certificateId(cluster, meta.namespace ?? 'default', meta.name), msg);
        },
        onError: (err, failures) => ctx.log.warn({ err: err.message, failures }, 'certificate watch failed; retrying'),
      }).start();
      ctx.log.info({ classes: deps.config.certClasses }, 'watching certificates');
      return [certificates];
    },
  });
}
