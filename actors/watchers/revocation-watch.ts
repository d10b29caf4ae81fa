// CertificateRevocations live beside the Certificates in the source cluster, so the source watcher watches them too
// and routes those of our classes to their revocation actors (which it supervises). Only what can start work is
// routed: a new revocation, a spec or annotation change, a deletion; not the actors' own status writes, and not a
// revocation that is over (status.revocationApplied), so a restart does not wake every finished one.
import type { ActorContext } from '../../runtime/index.js';
import type { ControllerDeps } from '../controller-deps.js';
import { certificateId, REVOCATION_KIND } from '../kinds.js';
import { ListWatch } from '../kube/list-watch.js';
import type { CertificateRevocation, RevocationMsg } from '../revocation/revocation-types.js';
import { handlesClass } from './cert-class.js';
import { route } from './watcher-kind.js';

/** certctl's view of one revocation (from the watch's cache). */
export interface RevocationListItem {
  namespace: string;
  name: string;
  certificate?: string;
  renew: boolean;
  qualifyingDate?: string;
  state?: string;
  message?: string;
  revocationApplied?: string;
}

export function watchRevocations(
  ctx: ActorContext<Record<string, never>, never>,
  deps: ControllerDeps,
  cluster: string,
): ListWatch<CertificateRevocation> {
  const routed = new Map<string, string>();
  return new ListWatch<CertificateRevocation>({
    client: deps.kube.source,
    path: '/apis/cert.gardener.cloud/v1alpha1/certificaterevocations',
    onEvent: async (ev) => {
      const meta = ev.object.metadata;
      const key = `${meta.namespace}/${meta.name}`;
      const id = certificateId(cluster, meta.namespace ?? 'default', meta.name);
      const ours = handlesClass(deps.config.certClasses, meta.annotations);
      if (ev.type === 'DELETED' || !ours) {
        if (routed.delete(key)) await route(ctx, REVOCATION_KIND, id, { type: 'Deleted' } satisfies RevocationMsg);
        return;
      }
      if (ev.object.status?.revocationApplied && !routed.has(key)) return;
      const signature = JSON.stringify([meta.uid, meta.generation, meta.deletionTimestamp, meta.annotations]);
      if (routed.get(key) === signature) return;
      routed.set(key, signature);
      await route(ctx, REVOCATION_KIND, id, { type: 'Observed' } satisfies RevocationMsg);
    },
    onError: (err, failures) => ctx.log.warn({ err: err.message, failures }, 'revocation watch failed; retrying'),
  }).start();
}

/** The revocations of our classes (optionally of one namespace), for certctl. */
export function revocationList(
  watch: ListWatch<CertificateRevocation> | undefined,
  classes: readonly string[],
  namespace?: string,
): RevocationListItem[] {
  return (watch?.items() ?? [])
    .filter((r) => handlesClass(classes, r.metadata.annotations) && (!namespace || r.metadata.namespace === namespace))
    .map((r) => ({
      namespace: r.metadata.namespace ?? 'default',
      name: r.metadata.name,
      certificate: r.spec?.certificateRef?.name,
      renew: r.spec?.renew === true,
      qualifyingDate: r.spec?.qualifyingDate,
      state: r.status?.state,
      message: r.status?.message,
      revocationApplied: r.status?.revocationApplied,
    }))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}
