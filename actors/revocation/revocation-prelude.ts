// What gardener checks before every step of a revocation (reconciler.go Reconcile): responsible class, not over yet,
// qualifyingDate defaulted, the Certificate readable, not revoked by someone else, with a hash label, and its issuer
// an ACME issuer. Each refusal is an Error with gardener's message; the step only runs once all pass.

import type { Certificate } from '../certificate/certificate-spec.js';
import { HASH_LABEL } from '../certificate/request-hash.js';
import type { EffectiveConfig } from '../config/effective-config.js';
import { type Issuer, issuerPath } from '../issuer/issuer-types.js';
import type { IssuerRefKey } from '../kinds.js';
import { KubeApiError } from '../kube/kube-api-error.js';
import { isTransient } from '../transient-error.js';
import { handlesClass } from '../watchers/cert-class.js';
import { apiMessage, defaultQualifyingDate, getCertificate } from './revocation-kube.js';
import { isInvolved } from './revocation-rules.js';
import { error, type RevocationEnv, type StepResult, type StepScope } from './revocation-step.js';
import type { CertificateRevocation, RevocationCtx } from './revocation-types.js';

/** A refusal of the API server that no retry changes (404, 403, 422): its message goes into the status. */
export function definiteRefusal(err: unknown): err is KubeApiError {
  return err instanceof KubeApiError && !isTransient(err);
}

/**
 * The issuer the Certificate was issued by: the one its status names (the certificate actor writes it with the
 * cluster), else spec.issuerRef, else the default issuer.
 */
export function issuerKeyOf(cert: Certificate, config: EffectiveConfig): Required<IssuerRefKey> | undefined {
  const ref = cert.status?.issuerRef;
  if (ref?.name)
    return {
      cluster: ref.cluster === 'target' ? 'target' : 'default',
      namespace: ref.namespace || config.issuerNamespace,
      name: ref.name,
    };
  const spec = cert.spec?.issuerRef;
  if (spec?.name) return { cluster: 'default', namespace: spec.namespace || config.issuerNamespace, name: spec.name };
  if (config.defaultIssuer)
    return { cluster: 'default', namespace: config.issuerNamespace, name: config.defaultIssuer };
  return undefined;
}

export async function prepareStep(
  ctx: RevocationCtx,
  env: RevocationEnv,
  cr: CertificateRevocation,
): Promise<StepScope | StepResult> {
  const config = env.deps.config;
  if (!handlesClass(config.certClasses, cr.metadata.annotations)) return { kind: 'idle' };
  const status = cr.status ?? {};
  if (status.revocationApplied) return { kind: 'idle' };
  if (!cr.spec?.qualifyingDate) {
    // As gardener: a spec update (its echo starts the next step), then a look after 500 ms.
    await defaultQualifyingDate(env.source, cr, ctx.now());
    return { kind: 'recheck', afterMs: 500 };
  }
  const qualifyingMs = Date.parse(cr.spec.qualifyingDate);
  if (Number.isNaN(qualifyingMs)) return error(`spec.qualifyingDate "${cr.spec.qualifyingDate}" is not a time`);
  const ref = cr.spec.certificateRef;
  if (!ref?.name || !ref.namespace) return error('spec.certificateRef needs the name and namespace of a Certificate');

  let cert: Certificate;
  try {
    cert = await getCertificate(env.source, ref.namespace, ref.name);
  } catch (err) {
    if (definiteRefusal(err)) return error(apiMessage(err));
    throw err;
  }
  if (cert.status?.state === 'Revoked' && !isInvolved(status, { namespace: ref.namespace, name: ref.name }))
    return error('certficate already revoked');
  const certHash = cert.metadata.labels?.[HASH_LABEL];
  if (!certHash) return error(`certificate has no ${HASH_LABEL} label`);

  const issuer = issuerKeyOf(cert, config);
  if (!issuer) return error('fetching issuer failed: the certificate names no issuer and there is no --default-issuer');
  let found: Issuer;
  try {
    const kube = issuer.cluster === 'target' ? env.deps.kube.target : env.deps.kube.default;
    found = await kube.get<Issuer>(issuerPath(issuer.namespace, issuer.name));
  } catch (err) {
    if (definiteRefusal(err)) return error(`fetching issuer failed: ${apiMessage(err)}`);
    throw err;
  }
  if (!found.spec?.acme) return error('certificate revocation only supported for issuers of type ACME');
  return { ctx, env, cr, status, renew: cr.spec.renew === true, qualifyingMs, cert, certHash, issuer };
}
