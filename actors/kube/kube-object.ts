/** The part of every Kubernetes object that generic code reads. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }>;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

export interface KubeList<T extends KubeObject> {
  metadata: { resourceVersion: string; continue?: string };
  items: T[];
}

/** The object without metadata.managedFields (kilobytes per object that actors have no use for in their state). */
export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  const { managedFields: _m, ...metadata } = obj.metadata as ObjectMeta & { managedFields?: unknown };
  return { ...obj, metadata };
}

/** Store key: namespace/name, or name for cluster-scoped objects. */
export function objectKey(o: KubeObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}
