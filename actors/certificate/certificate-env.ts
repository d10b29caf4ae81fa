// What a certificate actor works with: the clients of its clusters and the configuration; who it is; and the
// validated spec it works on.
import type { ControllerDeps } from '../controller-deps.js';
import type { CertificateIdentity } from '../dns/challenge-entry.js';
import { parseCertificateId } from '../kinds.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { CertCtx } from './certificate-actor-types.js';
import { memoryOf } from './certificate-memory.js';
import { type IssuerKind, type SpecValidation, validateCertificateSpec } from './spec-validation.js';

export interface CertEnv {
  deps: ControllerDeps;
  source: KubeClient;
  target: KubeClient;
  dns: KubeClient;
}

export function identityOf(ctx: CertCtx): CertificateIdentity {
  const id = parseCertificateId(ctx.id);
  if (!id) throw new Error(`malformed certificate actor id ${ctx.id}`);
  return id;
}

/**
 * The validated spec of the observed generation under the rules of an issuer type: by default the type of the
 * running order's issuer ('any' before an issuer is chosen). Cached per generation and type (validation parses the
 * CSR).
 */
export async function requestOf(
  ctx: CertCtx,
  env: CertEnv,
  kind: IssuerKind = ctx.state.work?.issuerType ?? 'acme',
): Promise<SpecValidation> {
  const cert = ctx.state.cert!;
  const generation = cert.metadata.generation ?? 0;
  const m = memoryOf(ctx);
  const cached = m.request?.generation === generation ? m.request.byKind[kind] : undefined;
  if (cached) return cached;
  const validation = await validateCertificateSpec(cert.spec ?? {}, {
    namespace: cert.metadata.namespace ?? identityOf(ctx).namespace,
    renewalWindowMs: env.deps.config.renewalWindowMs,
    privateKeyDefaults: env.deps.config.privateKeyDefaults,
    issuerKind: kind,
  });
  if (m.request?.generation !== generation) m.request = { generation, byKind: {} };
  m.request.byKind[kind] = validation;
  return validation;
}
