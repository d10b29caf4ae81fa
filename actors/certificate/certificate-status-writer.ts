// Writes a certificate's status when it changed, and tells users about changes: an Event on the Certificate and, for
// a Certificate generated from an Ingress, Service or Gateway, one on its source too (what `kubectl describe ingress` shows).

import { parseSourceObjectId, SOURCE_OBJECT_ANNOTATION } from '../kinds.js';
import { recordEvent } from '../kube/events.js';
import { isNotFound } from '../kube/kube-api-error.js';
import type { KubeObject } from '../kube/kube-object.js';
import type { CertCtx } from './certificate-actor-types.js';
import { type CertEnv, identityOf } from './certificate-env.js';
import { patchStatus } from './certificate-kube.js';
import { memoryOf } from './certificate-memory.js';
import type { Certificate, CertificateStatus } from './certificate-spec.js';
import { buildStatus, type StatusInput, statusChanged, statusNames, statusPatch } from './certificate-status.js';
import type { IssuerKey } from './request-hash.js';

// Where each kind of source object is read; a Gateway at each version its CRD may serve, tried in order.
const SOURCE_APIS = {
  ingress: { apiVersions: ['networking.k8s.io/v1'], resource: 'ingresses', kind: 'Ingress' },
  service: { apiVersions: ['v1'], resource: 'services', kind: 'Service' },
  'istio-gateway': {
    apiVersions: ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'],
    resource: 'gateways',
    kind: 'Gateway',
  },
  'k8s-gateway': {
    apiVersions: ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1'],
    resource: 'gateways',
    kind: 'Gateway',
  },
} as const;

/** What a caller says about the status; the names come from the spec, the rest from the actor's state. */
export type StatusUpdate = Omit<StatusInput, 'generation' | 'now' | 'previous' | 'names' | 'issuer'> & {
  issuer?: { cluster?: IssuerKey['cluster']; namespace: string; name: string };
};

export async function writeStatus(ctx: CertCtx, env: CertEnv, update: StatusUpdate): Promise<void> {
  const cert = ctx.state.cert;
  if (!cert) return;
  const previous = ctx.state.status ?? cert.status;
  const byKind = memoryOf(ctx).request?.byKind ?? {};
  const validation = Object.values(byKind).find((v) => v?.ok);
  const names = statusNames(cert.spec ?? {}, validation?.ok ? validation.request.csr : undefined);
  const issuer = update.issuer && { ...update.issuer, cluster: update.issuer.cluster ?? 'default' };
  const input = { ...update, names, issuer, generation: cert.metadata.generation ?? 0, now: ctx.now(), previous };
  const next = buildStatus(input);
  if (!statusChanged(next, previous)) return;
  const { namespace, name } = identityOf(ctx);
  const exists = await patchStatus(env.source, namespace, name, statusPatch(next, previous));
  ctx.setState({ ...ctx.state, status: next });
  if (!exists || (previous?.state === next.state && previous?.message === next.message)) return;
  // Pending transitions happen for every issuance; an Event for them would double the writes of a healthy run.
  if (next.state === 'Pending') return;
  // Not awaited: an Event tells what the status now says, and in a burst it waits behind the writes that carry state
  // (the low lane of the rate limiter); the turn goes on meanwhile.
  void recordStatusEvents(ctx, env, cert, next);
}

/** The Event of a status transition on the Certificate, and on its source object (Ingress, Service, ...) if any. */
async function recordStatusEvents(
  ctx: CertCtx,
  env: CertEnv,
  cert: Certificate,
  next: CertificateStatus,
): Promise<void> {
  const { namespace, name } = identityOf(ctx);
  const type = next.state === 'Error' ? 'Warning' : 'Normal';
  // gardener's reason for every event of its certificate reconciler.
  const reason = 'reconcile';
  const message = next.message ?? '';
  const certificate = { ...cert, apiVersion: 'cert.gardener.cloud/v1alpha1', kind: 'Certificate' };
  await recordEvent(env.source, certificate, type, reason, message).catch((err: Error) =>
    ctx.log.warn({ err: err.message }, 'could not record an event'),
  );
  const source = parseSourceObjectId(cert.metadata.annotations?.[SOURCE_OBJECT_ANNOTATION] ?? '');
  if (!source) return;
  const api = SOURCE_APIS[source.kind];
  for (const apiVersion of api.apiVersions) {
    const group = apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`;
    // 404: not there, or not served at this version: try the next one.
    const obj = await env.source
      .inLowLane()
      .get<KubeObject>(`${group}/namespaces/${source.namespace}/${api.resource}/${source.name}`)
      .catch((err: Error) => (isNotFound(err) ? undefined : err));
    if (obj === undefined) continue;
    if (obj instanceof Error) {
      ctx.log.debug({ err: obj.message }, 'no event on the source object');
      return;
    }
    await recordEvent(
      env.source,
      { ...obj, apiVersion, kind: api.kind },
      type,
      next.state ?? reason,
      `certificate ${namespace}/${name}: ${message}`,
    ).catch((err: Error) => ctx.log.debug({ err: err.message }, 'no event on the source object'));
    return;
  }
}
