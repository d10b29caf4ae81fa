import type { KubeClient } from './kube-client.js';
import type { KubeObject } from './kube-object.js';

export type EventType = 'Normal' | 'Warning';

const COMPONENT = 'cert-controller-manager';

/**
 * Records a Kubernetes Event on an object (what `kubectl describe` and `kubectl get events` show). Callers record
 * transitions, not every reconcile: each Event is an API write. Failing to record is logged by the caller, never fatal.
 */
export async function recordEvent(
  kube: KubeClient,
  obj: KubeObject & { apiVersion?: string; kind?: string },
  type: EventType,
  reason: string,
  message: string,
): Promise<void> {
  const ns = obj.metadata.namespace ?? 'default';
  const now = new Date().toISOString();
  // The rate limiter's low lane: in a burst an Event trails the writes that carry state.
  await kube.inLowLane().create(`/api/v1/namespaces/${ns}/events`, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { generateName: `${obj.metadata.name}.`, namespace: ns },
    involvedObject: {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name,
      namespace: ns,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
    },
    type,
    reason,
    // The API server limits an Event message to 1 KB.
    message: message.slice(0, 1000),
    source: { component: COMPONENT },
    reportingComponent: COMPONENT,
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  });
}
