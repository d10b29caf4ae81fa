// Which Gateways a route binds to and which hosts it names, as gardener reads them (istio/virtualservicesReconciler.go
// and gatewayapi/httproutesReconciler.go: extractGatewayNames). Pure; the source watcher keeps the index.
import type { KubeObject } from '../kube/kube-object.js';
import type { GatewayKind } from './gateway-apis.js';

type Route = KubeObject & { spec?: Record<string, unknown> };

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * A VirtualService's `spec.gateways`: `name` (in the VirtualService's namespace) or `namespace/name`. `mesh` is
 * Istio's word for the sidecars, not a Gateway (gardener looks up a Gateway of that name, finding none).
 */
function virtualServiceGateways(vs: Route): string[] {
  const ns = vs.metadata.namespace ?? 'default';
  return strings(vs.spec?.gateways).flatMap((g) => {
    const parts = g.split('/');
    if (parts.length === 1) return g === 'mesh' || g === '' ? [] : [`${ns}/${g}`];
    return parts.length === 2 && parts[0] && parts[1] ? [`${parts[0]}/${parts[1]}`] : [];
  });
}

/**
 * An HTTPRoute's `spec.parentRefs` that are Gateways (group and kind unset or gateway.networking.k8s.io/Gateway), in
 * the route's namespace unless the ref names one. As in gardener, sectionName and port are not looked at: a route
 * gives its hostnames to every TLS listener of the Gateway they fit.
 */
function httpRouteGateways(route: Route): string[] {
  const ns = route.metadata.namespace ?? 'default';
  const refs = Array.isArray(route.spec?.parentRefs) ? (route.spec.parentRefs as unknown[]) : [];
  return refs.flatMap((r) => {
    if (typeof r !== 'object' || r === null) return [];
    const ref = r as { group?: unknown; kind?: unknown; name?: unknown; namespace?: unknown };
    const group = ref.group ?? 'gateway.networking.k8s.io';
    const kind = ref.kind ?? 'Gateway';
    if (group !== 'gateway.networking.k8s.io' || kind !== 'Gateway' || typeof ref.name !== 'string') return [];
    return [`${typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : ns}/${ref.name}`];
  });
}

/** Per kind of Gateway: the gateways ("namespace/name") a route binds to, and the hosts it names. */
export const ROUTE_BINDINGS: Record<
  GatewayKind,
  { gatewaysOf(route: Route): string[]; hostsOf(route: Route): string[] }
> = {
  'istio-gateway': { gatewaysOf: virtualServiceGateways, hostsOf: (vs) => strings(vs.spec?.hosts) },
  'k8s-gateway': { gatewaysOf: httpRouteGateways, hostsOf: (route) => strings(route.spec?.hostnames) },
};
