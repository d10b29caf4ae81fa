import type { ActorContext } from '../../runtime/index.js';
import type { IssuerCandidate } from '../certificate/issuer-selection.js';
import type { ControllerDeps } from '../controller-deps.js';
import type { IssuerMsg } from '../issuer/issuer-messages.js';
import { ISSUERS_API, type Issuer, issuerPath, issuerTypeProblem, referencedSecrets } from '../issuer/issuer-types.js';
import { DEFAULT_WATCHER, ISSUER_KIND, type IssuerCluster, issuerActorId } from '../kinds.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { KubeObject } from '../kube/kube-object.js';
import { ListWatch } from '../kube/list-watch.js';
import { provideView } from '../observability/controller-metrics.js';
import { handlesClass } from './cert-class.js';
import { SecretDependents } from './secret-dependents.js';
import { route, type Stoppable, type WatcherBaseMsg, watcherKind } from './watcher-kind.js';

/** Asked by certificate actors: the issuers as last seen, for choosing one by domains. */
export type DefaultWatcherMsg = { type: 'Candidates' };

interface IssuerWatch {
  cluster: IssuerCluster;
  issuers: ListWatch<Issuer>;
  watches: Stoppable[];
}

/**
 * Watches the Issuers of our classes (the issuer namespace of the default cluster, and with --allow-target-issuers
 * every namespace of the target cluster) and routes every change to that issuer's actor; also a metadata-only watch
 * of the Secrets there, so an issuer waiting for its secret, or whose key was replaced, is set up again. It
 * supervises the issuer actors and answers certificates choosing an issuer.
 */
export function defaultWatcherKind(deps: ControllerDeps) {
  const ns = deps.config.issuerNamespace;
  const ofOurClass = (w: IssuerWatch) =>
    w.issuers.items().filter((i) => handlesClass(deps.config.certClasses, i.metadata.annotations));
  return watcherKind<DefaultWatcherMsg>({
    kind: DEFAULT_WATCHER.kind,
    queries: ['Candidates'],
    start(ctx) {
      const all: IssuerWatch[] = [watchIssuers(ctx, deps, 'default', deps.kube.default, ns)];
      if (deps.config.allowTargetIssuers) all.push(watchIssuers(ctx, deps, 'target', deps.kube.target, ''));
      ctx.volatile.issuerWatches = all;
      // gardener's issuer key: the name alone on the default cluster, `target:<ns>/<name>` on the target.
      const stopView = provideView('issuers', () =>
        all.flatMap((w) =>
          ofOurClass(w).map((issuer) => ({
            key:
              w.cluster === 'default'
                ? issuer.metadata.name
                : `target:${issuer.metadata.namespace}/${issuer.metadata.name}`,
            issuer,
          })),
        ),
      );
      return [...all.flatMap((w) => w.watches), { stop: async () => stopView() }];
    },
    async handle(ctx, msg) {
      if (msg.type !== 'Candidates') return undefined;
      const all = ctx.volatile.issuerWatches as IssuerWatch[];
      await Promise.all(all.map((w) => w.issuers.synced()));
      return all.flatMap((w) =>
        ofOurClass(w).map(
          (i): IssuerCandidate => ({
            cluster: w.cluster,
            namespace: i.metadata.namespace ?? ns,
            name: i.metadata.name,
            domains: i.spec?.acme?.domains,
            type: issuerTypeProblem(i.spec).type,
          }),
        ),
      );
    },
  });
}

/** Issuers and the Secrets they reference, of one cluster (`namespace` '' means all namespaces). */
function watchIssuers(
  ctx: ActorContext<Record<string, never>, WatcherBaseMsg | DefaultWatcherMsg>,
  deps: ControllerDeps,
  cluster: IssuerCluster,
  kube: KubeClient,
  namespace: string,
): IssuerWatch {
  const dependents = new SecretDependents();
  // Issuers of our classes that were routed: one whose class annotation moves away is gone for this deployment.
  const ours = new Set<string>();
  const issuers = new ListWatch<Issuer>({
    client: kube,
    path: namespace ? issuerPath(namespace) : `${ISSUERS_API}/issuers`,
    onEvent: (ev) => {
      const meta = ev.object.metadata;
      const id = issuerActorId({ cluster, namespace: meta.namespace ?? namespace, name: meta.name });
      const gone = ev.type === 'DELETED' || !handlesClass(deps.config.certClasses, meta.annotations);
      if (gone && !ours.delete(id)) return;
      if (!gone) ours.add(id);
      dependents.set(id, gone ? [] : referencedSecrets(ev.object));
      const msg: IssuerMsg = gone ? { type: 'Deleted' } : { type: 'Observed', issuer: ev.object };
      return route(ctx, ISSUER_KIND, id, msg);
    },
    onError: (err, failures) => ctx.log.warn({ err: err.message, failures, cluster }, 'issuer watch failed; retrying'),
  }).start();
  // The first list is skipped: issuers start from their own secrets.
  let secretsSynced = false;
  const secrets = new ListWatch<KubeObject>({
    client: kube,
    path: namespace ? `/api/v1/namespaces/${namespace}/secrets` : '/api/v1/secrets',
    metadataOnly: true,
    onSynced: () => {
      secretsSynced = true;
    },
    onEvent: (ev) => {
      if (!secretsSynced) return;
      // An account secret the issuer just created itself (auto registration) needs no second set-up.
      if (ev.type === 'ADDED' && ev.object.metadata.labels?.['cert.gardener.cloud/issuer']) return;
      for (const id of dependents.of(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`))
        void route(ctx, ISSUER_KIND, id, { type: 'SecretChanged' });
    },
    onError: (err, failures) => ctx.log.warn({ err: err.message, failures, cluster }, 'secret watch failed; retrying'),
  }).start();
  ctx.log.info({ cluster, namespace: namespace || '(all)' }, 'watching issuers');
  return { cluster, issuers, watches: [issuers, secrets] };
}
