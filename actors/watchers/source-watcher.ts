import type { ActorContext } from '../../runtime/index.js';
import type { CertificateMsg } from '../certificate/certificate-actor-types.js';
import { CERTIFICATES_API } from '../certificate/certificate-kube.js';
import { generatedSecretName } from '../certificate/certificate-secret.js';
import type { Certificate } from '../certificate/certificate-spec.js';
import type { ControllerDeps } from '../controller-deps.js';
import { CERTIFICATE_KIND, certificateId, parseSourceObjectId, SOURCE_OBJECT_KIND, SOURCE_WATCHER } from '../kinds.js';
import type { KubeObject } from '../kube/kube-object.js';
import { ListWatch } from '../kube/list-watch.js';
import { provideView } from '../observability/controller-metrics.js';
import type { CertificateRevocation } from '../revocation/revocation-types.js';
import { ANNOT_SOURCE_OBJECT, BUILTIN_SOURCE_APIS, SOURCE_KINDS, snapshotOf } from '../sources/source-annotations.js';
import { generatedByUs, type SourceObjectMsg } from '../sources/source-object-actor.js';
import { handlesClass } from './cert-class.js';
import { watchGatewaySources } from './gateway-sources.js';
import { revocationList, watchRevocations } from './revocation-watch.js';
import { SecretUsers } from './secret-users.js';
import { SourceRouter } from './source-router.js';
import { certificatesToRouteAgain } from './unobserved-certificates.js';
import { route, type WatcherBaseMsg, watcherKind } from './watcher-kind.js';

/** certctl's question: the certificates this deployment handles (optionally of one namespace), paginated. */
export type SourceWatcherMsg =
  | { type: 'List'; namespace?: string; offset?: number; limit?: number }
  | { type: 'ResyncAll' }
  /** From the target watcher: which certificate actors use this Secret. */
  | { type: 'SecretUsers'; namespace: string; name: string }
  /** From the target watcher's garbage collection: "namespace/name" of every Secret a Certificate uses. */
  | { type: 'ReferencedSecrets' }
  /** certctl's list of CertificateRevocations (optionally of one namespace). */
  | { type: 'Revocations'; namespace?: string };
export interface CertificateList {
  total: number;
  offset: number;
  items: Array<{ namespace: string; name: string; id: string }>;
}

/** The source cluster's name in certificate actor ids (`--source.id`, else "source"). */
export function sourceClusterId(deps: ControllerDeps): string {
  return deps.config.clusters.source.id || 'source';
}

/** "namespace/name" of the Secret a Certificate uses: spec.secretRef, spec.secretName, else the generated name. */
export function certificateSecretKey(c: Certificate): string {
  const ns = c.spec?.secretRef?.namespace || c.metadata.namespace || 'default';
  const name =
    c.spec?.secretRef?.name || c.spec?.secretName || generatedSecretName(c.metadata.name, c.metadata.uid ?? '');
  return `${ns}/${name}`;
}

/**
 * Watches Certificates in the source cluster and routes every change of one of our class to its certificate actor,
 * which it supervises.
 */
export function sourceWatcherKind(deps: ControllerDeps) {
  const cluster = sourceClusterId(deps);
  const resyncMs = Math.max(1000, deps.config.certificateResyncPeriodMs);
  return watcherKind<SourceWatcherMsg>({
    kind: SOURCE_WATCHER.kind,
    queries: ['List', 'SecretUsers', 'ReferencedSecrets', 'Revocations'],
    async onTick(ctx) {
      const watch = ctx.volatile.certificates as ListWatch<Certificate> | undefined;
      const routedAt = ctx.volatile.routedAt as Map<string, number> | undefined;
      if (!watch || !routedAt || !deps.config.controllers.includes('issuer')) return;
      const again = certificatesToRouteAgain(watch.items(), routedAt, ctx.now(), (c) =>
        handlesClass(deps.config.certClasses, c.metadata.annotations),
      );
      for (const c of again) {
        const ns = c.metadata.namespace ?? 'default';
        routedAt.set(`${ns}/${c.metadata.name}`, ctx.now());
        await route(ctx, CERTIFICATE_KIND, certificateId(cluster, ns, c.metadata.name), {
          type: 'Observed',
          cert: c,
        } satisfies CertificateMsg);
      }
      if (again.length > 0)
        ctx.log.info({ certificates: again.length }, 'routed again: no status for their generation');
    },
    async handle(ctx, msg) {
      if (msg.type === 'Revocations') {
        const watch = ctx.volatile.revocations as ListWatch<CertificateRevocation> | undefined;
        await watch?.synced();
        return revocationList(watch, deps.config.certClasses, msg.namespace);
      }
      if (msg.type === 'SecretUsers' || msg.type === 'ReferencedSecrets') {
        const watch = ctx.volatile.certificates as ListWatch<Certificate>;
        await watch.synced();
        if (msg.type === 'ReferencedSecrets') return watch.items().map(certificateSecretKey);
        // Oldest first: when several Certificates name one Secret, the first one created keeps it.
        return (ctx.volatile.secretUsers as SecretUsers).of(`${msg.namespace}/${msg.name}`);
      }
      if (msg.type === 'ResyncAll') {
        // The seed's resync period (--issuer.default.pool.resync-period, 24h): every certificate re-checks itself.
        ctx.setTimer('resync', resyncMs, { type: 'ResyncAll' });
        const watch = ctx.volatile.certificates as ListWatch<Certificate>;
        if (!deps.config.controllers.includes('issuer')) return undefined;
        for (const c of watch.items().filter((x) => handlesClass(deps.config.certClasses, x.metadata.annotations))) {
          await route(
            ctx,
            CERTIFICATE_KIND,
            certificateId(cluster, c.metadata.namespace ?? 'default', c.metadata.name),
            { type: 'Resync' } satisfies CertificateMsg,
          );
        }
        ctx.log.info({ certificates: watch.items().length }, 'resync');
        return undefined;
      }
      if (msg.type !== 'List') return undefined;
      // certctl's list of certificates (of our classes), from the watch's cache, a page at a time.
      const watch = ctx.volatile.certificates as ListWatch<Certificate>;
      await watch.synced();
      const all = watch
        .items()
        .filter(
          (c) =>
            handlesClass(deps.config.certClasses, c.metadata.annotations) &&
            (!msg.namespace || c.metadata.namespace === msg.namespace),
        )
        .map((c) => ({
          namespace: c.metadata.namespace ?? 'default',
          name: c.metadata.name,
          id: certificateId(cluster, c.metadata.namespace ?? 'default', c.metadata.name),
        }))
        .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
      const offset = Math.max(0, msg.offset ?? 0);
      const limit = Math.min(5000, Math.max(1, msg.limit ?? 1000));
      return { total: all.length, offset, items: all.slice(offset, offset + limit) };
    },
    start(ctx) {
      // What was last routed per certificate: a change of status or resourceVersion alone (most events are the
      // actors' own status patches) is not worth a message.
      const routed = new Map<string, string>();
      // When each was last routed, for the periodic check of those whose status never caught up (onTick).
      const routedAt = new Map<string, number>();
      ctx.volatile.routedAt = routedAt;
      const issuing = deps.config.controllers.includes('issuer');
      const secretUsers = new SecretUsers();
      ctx.volatile.secretUsers = secretUsers;
      const certificates = new ListWatch<Certificate>({
        client: deps.kube.source,
        path: `${CERTIFICATES_API}/certificates`,
        onEvent: async (ev) => {
          const meta = ev.object.metadata;
          const key = `${meta.namespace}/${meta.name}`;
          // Indexed before anything awaits, so a SecretUsers question never sees the store ahead of the index.
          const ours = ev.type !== 'DELETED' && handlesClass(deps.config.certClasses, meta.annotations);
          secretUsers.set(
            key,
            ours ? certificateSecretKey(ev.object) : undefined,
            ours
              ? {
                  id: certificateId(cluster, meta.namespace ?? 'default', meta.name),
                  createdAt: meta.creationTimestamp ?? '',
                }
              : undefined,
          );
          // A generated Certificate that is gone may have to be created again (deleted by hand, or after a deletion
          // the source object asked for while it was still being deleted).
          const source = parseSourceObjectId(meta.annotations?.[ANNOT_SOURCE_OBJECT] ?? '');
          if (
            ev.type === 'DELETED' &&
            source &&
            deps.config.controllers.includes(SOURCE_KINDS[source.kind].controller) &&
            generatedByUs(ev.object, deps.config.sources[SOURCE_KINDS[source.kind].controller])
          ) {
            await route(ctx, SOURCE_OBJECT_KIND, meta.annotations![ANNOT_SOURCE_OBJECT]!, {
              type: 'Resync',
            } satisfies SourceObjectMsg);
          }
          // Certificates are the issuer controller's (-c/--controllers without it: only the sources run here).
          if (!issuing || !handlesClass(deps.config.certClasses, meta.annotations)) return;
          if (ev.type === 'DELETED') {
            routed.delete(key);
            routedAt.delete(key);
          } else {
            const signature = JSON.stringify([
              meta.uid,
              meta.generation,
              meta.deletionTimestamp,
              meta.finalizers,
              meta.annotations,
            ]);
            if (routed.get(key) === signature) return;
            routed.set(key, signature);
          }
          const msg: CertificateMsg =
            ev.type === 'DELETED' ? { type: 'Deleted' } : { type: 'Observed', cert: ev.object };
          if (ev.type !== 'DELETED') routedAt.set(key, ctx.now());
          const ok = await route(
            ctx,
            CERTIFICATE_KIND,
            certificateId(cluster, meta.namespace ?? 'default', meta.name),
            msg,
          );
          // Not delivered: the next event of the same object must not be skipped as already routed.
          if (!ok) routed.delete(key);
        },
        onError: (err, failures) => ctx.log.warn({ err: err.message, failures }, 'certificate watch failed; retrying'),
      }).start();
      ctx.volatile.certificates = certificates;
      const stopView = provideView('certificates', () =>
        certificates.items().filter((c) => handlesClass(deps.config.certClasses, c.metadata.annotations)),
      );
      ctx.setTimer('resync', resyncMs, { type: 'ResyncAll' });
      ctx.log.info({ classes: deps.config.certClasses }, 'watching certificates');
      const sources = (['ingress', 'service'] as const)
        .filter((k) => deps.config.controllers.includes(SOURCE_KINDS[k].controller))
        .map((k) => watchSources(ctx, deps, k));
      // CertificateRevocations are the issuer controller's, like Certificates.
      const revocations = issuing ? [watchRevocations(ctx, deps, cluster)] : [];
      ctx.volatile.revocations = revocations[0];
      return [
        certificates,
        ...revocations,
        ...sources,
        ...watchGatewaySources(ctx, deps),
        { stop: async () => stopView() },
      ];
    },
  });
}

/** Ingresses or Services (controllers ingress-cert, service-cert), routed to their source-object actors. */
function watchSources(
  ctx: ActorContext<Record<string, never>, WatcherBaseMsg>,
  deps: ControllerDeps,
  kind: 'ingress' | 'service',
): ListWatch<KubeObject> {
  const cfg = deps.config.sources[SOURCE_KINDS[kind].controller];
  const router = new SourceRouter(ctx, deps, kind);
  const watch: ListWatch<KubeObject> = new ListWatch<KubeObject>({
    client: deps.kube.source,
    path: BUILTIN_SOURCE_APIS[kind].collection,
    onEvent: (ev) =>
      ev.type === 'DELETED'
        ? router.deleted(snapshotOf(kind, ev.object))
        : router.observed(snapshotOf(kind, ev.object)),
    onSynced: () =>
      router.sweep((namespace, name) => {
        const obj = watch.get(`${namespace}/${name}`);
        return obj && snapshotOf(kind, obj);
      }),
    onError: (err, failures) => ctx.log.warn({ err: err.message, failures }, `${kind} watch failed; retrying`),
  }).start();
  ctx.log.info(
    { kind, classes: cfg.certClasses, targetClass: cfg.certTargetClass },
    `watching ${kind}s for certificates`,
  );
  return watch;
}
