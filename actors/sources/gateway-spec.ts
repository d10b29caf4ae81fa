// The parts of an Istio Gateway and a Gateway API Gateway that decide their Certificates, copied out of the API
// object defensively (a custom resource may hold anything its schema lets through, and older schemas less): what the
// source watcher routes and the source-object actor keeps in its state, so nothing else of the object is stored.

/** One `spec.servers[]` of an Istio Gateway (networking.istio.io v1, v1beta1 and v1alpha3 alike). */
export interface IstioServer {
  hosts: string[];
  /** `tls.credentialName`, when the server has one. */
  credentialName?: string;
}

/** One `spec.listeners[]` of a Gateway API Gateway (gateway.networking.k8s.io v1 and v1beta1 alike). */
export interface GatewayListener {
  name?: string;
  protocol?: string;
  hostname?: string;
  /** Present when the listener has `tls`. */
  tls?: { mode?: string; certificateRefs: CertificateRef[] };
}

export interface CertificateRef {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

type Loose = Record<string, unknown>;

const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
/** Only the keys that are set, so that snapshots compare equal whatever the API server left out. */
const defined = <T extends Loose>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function istioServersOf(spec: Loose): IstioServer[] {
  const servers = Array.isArray(spec.servers) ? spec.servers : [];
  return servers.filter(isObject).map((s) => {
    const credentialName = isObject(s.tls) ? str(s.tls.credentialName) : undefined;
    return defined({ hosts: strings(s.hosts), credentialName });
  });
}

export function gatewayListenersOf(spec: Loose): GatewayListener[] {
  const listeners = Array.isArray(spec.listeners) ? spec.listeners : [];
  return listeners.filter(isObject).map((l) => {
    const tls = isObject(l.tls)
      ? defined({
          mode: str(l.tls.mode),
          certificateRefs: (Array.isArray(l.tls.certificateRefs) ? l.tls.certificateRefs : [])
            .filter(isObject)
            .map((r) =>
              defined({ group: str(r.group), kind: str(r.kind), name: str(r.name), namespace: str(r.namespace) }),
            ),
        })
      : undefined;
    return defined({ name: str(l.name), protocol: str(l.protocol), hostname: str(l.hostname), tls });
  });
}
