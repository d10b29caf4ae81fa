// The custom resources the gateway sources read, the CRDs that define them, and which version of each to read: the
// CRDs may be installed after the controller starts, upgraded, or removed while it runs.

export type GatewayKind = 'istio-gateway' | 'k8s-gateway';

export interface CrdResource {
  /** The CRD's name: `<plural>.<group>`. */
  crd: string;
  group: string;
  resource: string;
  /** The versions gardener v0.27.0 reads, most preferred first. */
  versions: readonly string[];
}

const ISTIO_VERSIONS = ['v1', 'v1beta1', 'v1alpha3'] as const;
const GATEWAY_API_VERSIONS = ['v1', 'v1beta1'] as const;

/** Per kind of Gateway: its own resource and the routes that add hosts to it. */
export const GATEWAY_APIS: Record<GatewayKind, { gateways: CrdResource; routes: CrdResource }> = {
  'istio-gateway': {
    gateways: {
      crd: 'gateways.networking.istio.io',
      group: 'networking.istio.io',
      resource: 'gateways',
      versions: ISTIO_VERSIONS,
    },
    routes: {
      crd: 'virtualservices.networking.istio.io',
      group: 'networking.istio.io',
      resource: 'virtualservices',
      versions: ISTIO_VERSIONS,
    },
  },
  'k8s-gateway': {
    gateways: {
      crd: 'gateways.gateway.networking.k8s.io',
      group: 'gateway.networking.k8s.io',
      resource: 'gateways',
      versions: GATEWAY_API_VERSIONS,
    },
    routes: {
      crd: 'httproutes.gateway.networking.k8s.io',
      group: 'gateway.networking.k8s.io',
      resource: 'httproutes',
      versions: GATEWAY_API_VERSIONS,
    },
  },
};

/** The fields of a CustomResourceDefinition (apiextensions.k8s.io/v1) that say whether and how it is served. */
export interface CustomResourceDefinition {
  metadata: { name: string; deletionTimestamp?: string; resourceVersion?: string };
  spec?: { group?: string; names?: { plural?: string }; versions?: Array<{ name: string; served?: boolean }> };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

/**
 * absent: no CRD, or it is being deleted (its objects go with it); pending: there, but not established yet or not
 * served at a version we read (its objects may exist: nothing is deleted for them); served: read it at `version`.
 */
export type CrdState = { state: 'absent' } | { state: 'pending'; why: string } | { state: 'served'; version: string };

export const NOT_ESTABLISHED = 'not established yet';

export function crdState(crd: CustomResourceDefinition | undefined, r: CrdResource): CrdState {
  if (!crd || crd.metadata.deletionTimestamp) return { state: 'absent' };
  const established = crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  if (!established) return { state: 'pending', why: NOT_ESTABLISHED };
  const served = new Set((crd.spec?.versions ?? []).filter((v) => v.served).map((v) => v.name));
  // Gardener takes the group's preferred version and fails when it has no type for it; the most preferred version
  // it has a type for does the same where that works, and works where it does not.
  const version = r.versions.find((v) => served.has(v));
  if (!version)
    return {
      state: 'pending',
      why: `served at ${[...served].join(', ') || 'no version'}, none of ${r.versions.join(', ')}`,
    };
  return { state: 'served', version };
}

export const sameCrdState = (a: CrdState, b: CrdState): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The cluster-wide collection of a resource at a version. */
export function collectionPath(r: CrdResource, version: string): string {
  return `/apis/${r.group}/${version}/${r.resource}`;
}
