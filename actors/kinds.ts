// Actor kind names shared across the controller's actors, so an actor can address another without importing its
// module (the issuer tells certificates; certificates ask issuers).
export const ISSUER_KIND = 'issuer';
export const CERTIFICATE_KIND = 'certificate';
/** One per annotated Ingress, Service or Gateway: keeps its generated Certificates in line with it. */
export const SOURCE_OBJECT_KIND = 'source-object';
/** One per CertificateRevocation of the source cluster; id `<source cluster>/<ns>/<name>`, like a certificate's. */
export const REVOCATION_KIND = 'revocation';
export const SOURCE_WATCHER = { kind: 'watcher-source', id: 'source' } as const;
export const DEFAULT_WATCHER = { kind: 'watcher-default', id: 'default' } as const;
export const DNS_WATCHER = { kind: 'watcher-dns', id: 'dns' } as const;
export const TARGET_WATCHER = { kind: 'watcher-target', id: 'target' } as const;

export const issuerId = (namespace: string, name: string) => `${namespace}/${name}`;

/** Where an issuer lives: the default cluster (its issuer namespace), or the target cluster (--allow-target-issuers). */
export type IssuerCluster = 'default' | 'target';
export interface IssuerRefKey {
  cluster?: IssuerCluster;
  namespace: string;
  name: string;
}
/** Issuer actor ids: `<ns>/<name>` on the default cluster, `target/<ns>/<name>` on the target cluster. */
export const issuerActorId = (key: IssuerRefKey) =>
  key.cluster === 'target' ? `target/${key.namespace}/${key.name}` : issuerId(key.namespace, key.name);
export function parseIssuerActorId(id: string): Required<IssuerRefKey> | undefined {
  const parts = id.split('/');
  if (parts.length === 3 && parts[0] === 'target' && parts[1] && parts[2])
    return { cluster: 'target', namespace: parts[1], name: parts[2] };
  if (parts.length === 2 && parts[0] && parts[1]) return { cluster: 'default', namespace: parts[0], name: parts[1] };
  return undefined;
}
/** `<source cluster>/<namespace>/<name>`: the cluster part keeps two source clusters on one actor system apart. */
export const certificateId = (cluster: string, namespace: string, name: string) => `${cluster}/${namespace}/${name}`;
export function parseCertificateId(id: string): { cluster: string; namespace: string; name: string } | undefined {
  const [cluster, namespace, name, ...rest] = id.split('/');
  return cluster && namespace && name && rest.length === 0 ? { cluster, namespace, name } : undefined;
}
/** What a source-object actor stands for: an Ingress, a Service, an Istio Gateway or a Gateway API Gateway. */
export const SOURCE_OBJECT_KINDS = ['ingress', 'service', 'istio-gateway', 'k8s-gateway'] as const;
export type SourceObjectKind = (typeof SOURCE_OBJECT_KINDS)[number];
/** On a generated Certificate: the source object's actor id (`sourceObjectId`). */
export const SOURCE_OBJECT_ANNOTATION = 'cert.gardener.cloud/source-object';
/** `<kind>/<ns>/<name>`, e.g. `ingress/shop/web` or `istio-gateway/shop/web`. */
export const sourceObjectId = (kind: SourceObjectKind, namespace: string, name: string) =>
  `${kind}/${namespace}/${name}`;
export function parseSourceObjectId(
  id: string,
): { kind: SourceObjectKind; namespace: string; name: string } | undefined {
  const [kind, namespace, name, ...rest] = id.split('/');
  return SOURCE_OBJECT_KINDS.includes(kind as SourceObjectKind) && namespace && name && rest.length === 0
    ? { kind: kind as SourceObjectKind, namespace, name }
    : undefined;
}
