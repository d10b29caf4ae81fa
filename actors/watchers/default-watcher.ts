import type { IssuerCandidate } from '../certificate/issuer-selection.js';
import type { ControllerDeps } from '../controller-deps.js';
import type { IssuerMsg } from '../issuer/issuer-messages.js';
import { type Issuer, issuerPath, referencedSecrets } from '../issuer/issuer-types.js';
import { DEFAULT_WATCHER, ISSUER_KIND, issuerId } from '../kinds.js';
import type { KubeObject } from '../kube/kube-object.js';
import { ListWatch } from '../kube/list-watch.js';
import { provideView } from '../observability/controller-metrics.js';
import { handlesClass } from './cert-class.js';
import { SecretDependents } from './secret-dependents.js';
import { route, watcherKind } from './watcher-kind.js';

/** Asked by certificate actors: the issuers as last seen, for choosing one by domains. */
export type DefaultWatcherMsg = { type: 'Candidates' };

/**
 * Watches Issuers in the default cluster (the issuer namespace) and routes every change to that issuer's actor; also
 * a metadata-only watch of the namespace's Secrets, so an issuer waiting for its secret, or whose key was replaced,
 * is set up again. It supervises the issuer actors.
 */
export function defaultWatcherKind(deps: ControllerDeps) {
  const ns = deps.config.issuerNamespace;
  return watcherKind<DefaultWatcherMsg>({
    kind: DEFAULT_WATCHER.kind,
    queries: ['Candidates'],
    start(ctx) {
      const dependents = new SecretDependents();
      // Issuers of our classes that were routed: one whose class annotation moves away is gone for this deployment.
      const ours = new Set<string>();
      const issuers = new ListWatch<Issuer>({
        client: deps.kube.default,
        path: issuerPath(ns),
        onEvent: (ev) => {
          const id = issuerId(ev.object.metadata.namespace ?? ns, ev.object.metadata.name);
          const gone = ev.type === 'DELETED' || !handlesClass(deps.config.certClasses, ev.object.metadata.annotations);
          if (gone && !ours.delete(id)) return;
          if (!gone) ours.add(id);
          dependents.set(id, gone ? [] : referencedSecrets(ev.object));
          const msg: IssuerMsg = gone ? { type: 'Deleted' } : { type: 'Observed', issuer: ev.object };
          return route(ctx, ISSUER_KIND, id, msg);
        },
        onError: (err, failures) => ctx.log.warn({ err: err.message, failures }, 'issuer watch failed; retrying'),
      }).start();
      ctx.volatile.issuers = issuers;
      // The first list is skipped: issuers start from their own secrets.
      let secretsSynced = false;
      const secrets = new ListWatch<KubeObject>({
        client: deps.kube.default,
        path: `/api/v1/namespaces/${ns}/secrets`,
        metadataOnly: true,
        onSynced: () => {
          secretsSynced = true;
        },
        onEvent: (ev) => {
          if (!secretsSynced) return;
          // An account secret the issuer just created itself (auto registration) needs no second set-up.
          if (ev.type === 'ADDED' && ev.object.metadata.labels?.['cert.gardener.cloud/issuer']) return;
          for (const id of dependents.of(`${ev.object.metadata.namespace ?? ns}/${ev.object.metadata.name}`))
            void route(ctx, ISSUER_KIND, id, { type: 'SecretChanged' });
        },
        onError: (err, failures) => ctx.log.warn({ err: err.message, failures }, 'secret watch failed; retrying'),
      }).start();
      ctx.log.info({ namespace: ns }, 'watching issuers');
      // Issuers of the default cluster are known by name alone (gardener's issuer key).
      const ofOurClass = () =>
        issuers.items().filter((i) => handlesClass(deps.config.certClasses, i.metadata.annotations));
      ctx.volatile.ofOurClass = ofOurClass;
      const stopView = provideView('issuers', () =>
        ofOurClass().map((issuer) => ({ key: issuer.metadata.name, issuer })),
      );
      return [issuers, secrets, { stop: async () => stopView() }];
    },
    async handle(ctx, msg) {
      if (msg.type !== 'Candidates') return undefined;
      const issuers = ctx.volatile.issuers as ListWatch<Issuer>;
      await issuers.synced();
      return (ctx.volatile.ofOurClass as () => Issuer[])().map(
        (i): IssuerCandidate => ({
          namespace: i.metadata.namespace ?? ns,
          name: i.metadata.name,
          ...(i.spec?.acme?.domains ? { domains: i.spec.acme.domains } : {}),
        }),
      );
    },
  });
}
