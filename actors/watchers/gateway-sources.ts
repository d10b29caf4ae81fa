// The gateway source controllers (istio-gateways-dns, k8s-gateways-dns) and watch-gateways-crds in the source
// watcher: the CRDs of the enabled kinds are followed, and each kind's watches follow its CRDs. With
// watch-gateways-crds the watches start, move and stop while the controller runs; without it (as in gardener, where
// that controller restarts the process) the CRDs found at start decide until the next start.
import type { ActorContext } from '../../runtime/index.js';
import type { ControllerDeps } from '../controller-deps.js';
import { type CrdState, crdState, GATEWAY_APIS, type GatewayKind, sameCrdState } from '../sources/gateway-apis.js';
import { SOURCE_KINDS } from '../sources/source-annotations.js';
import { CrdPresence } from './crd-presence.js';
import { GatewaySourceWatch } from './gateway-source-watch.js';
import type { Stoppable } from './watcher-kind.js';

type Ctx = ActorContext<Record<string, never>, never>;

export function watchGatewaySources(ctx: Ctx, deps: ControllerDeps): Stoppable[] {
  const kinds = (['istio-gateway', 'k8s-gateway'] as const).filter((k) =>
    deps.config.controllers.includes(SOURCE_KINDS[k].controller),
  );
  if (kinds.length === 0) return [];
  const follow = deps.config.controllers.includes('watch-gateways-crds');
  const watches = kinds.map((k) => new GatewaySourceWatch(ctx, deps, k));
  const taken = new Map<GatewayKind, { gateways: CrdState; routes: CrdState }>();
  const presence: CrdPresence = new CrdPresence(
    deps.kube.source,
    kinds.flatMap((k) => [GATEWAY_APIS[k].gateways.crd, GATEWAY_APIS[k].routes.crd]),
    async () => {
      for (const w of watches) {
        const apis = GATEWAY_APIS[w.kind];
        const now = {
          gateways: crdState(presence.get(apis.gateways.crd), apis.gateways),
          routes: crdState(presence.get(apis.routes.crd), apis.routes),
        };
        const before = taken.get(w.kind);
        if (before && sameCrdState(before.gateways, now.gateways) && sameCrdState(before.routes, now.routes)) continue;
        if (before && !follow) {
          ctx.log.info(
            { kind: w.kind, crds: now },
            'a relevant CRD changed; the controller watch-gateways-crds is not enabled: restart to pick it up',
          );
          continue;
        }
        taken.set(w.kind, now);
        await w.setCrds(now.gateways, now.routes);
      }
    },
    (crd, err, failures) => ctx.log.warn({ crd, err: err.message, failures }, 'CRD watch failed; retrying'),
  );
  return [presence, ...watches];
}
