// A Certificate whose current Secret carries cert.gardener.cloud/revoked (a CertificateRevocation revoked it), as
// gardener v0.27.0 treats it (reconciler.go checkForRenewAndSucceeded, revoked): state Revoked with Ready False, and
// no renewal by time, since a revoked certificate is not "due", it is dead. Only an explicit request (spec.renew,
// ensureRenewedAfter, certctl renew) issues a new one; that new write drops the annotation (secretToWrite), and a
// revoked Secret is never reused by hash (judgeSecret).
import type { CertCtx } from './certificate-actor-types.js';
import type { CertEnv } from './certificate-env.js';
import { issuedRecord } from './certificate-outcome.js';
import { ANNOTATION_REVOKED, judgeSecret, type TlsSecret } from './certificate-secret.js';
import { writeStatus } from './certificate-status-writer.js';
import { renewalRequested } from './renewal.js';
import type { NormalizedRequest } from './spec-validation.js';

/** gardener's message for a Certificate in state Revoked. */
export const REVOKED_MESSAGE = 'certificate has been revoked';

/** The certificate of a revoked Secret issued for this request (undefined when not revoked or not this request's). */
export function revokedCertificateOf(secret: TlsSecret | undefined, hash: string, expectKey: boolean) {
  if (secret?.metadata.annotations?.[ANNOTATION_REVOKED] === undefined) return undefined;
  const annotations = { ...secret.metadata.annotations };
  delete annotations[ANNOTATION_REVOKED];
  // Judged as if it were not revoked: is it otherwise this request's certificate, with its key?
  const verdict = judgeSecret({ ...secret, metadata: { ...secret.metadata, annotations } }, hash, expectKey);
  return verdict.usable ? verdict : undefined;
}

export interface RevokedInput {
  current: TlsSecret | undefined;
  hash: string;
  request: NormalizedRequest;
  issuer: { cluster?: 'default' | 'target'; namespace: string; name: string };
  secretRef: { namespace: string; name: string };
  renewNow: boolean;
}

/**
 * When the stored Secret is revoked and nobody asked for a new certificate: status Revoked (true is returned, the
 * reconcile is over). False when the Secret is not revoked, or a renewal was asked for (the reconcile goes on to
 * issue one).
 */
export async function keepRevoked(ctx: CertCtx, env: CertEnv, input: RevokedInput): Promise<boolean> {
  const revoked = revokedCertificateOf(input.current, input.hash, !input.request.csr);
  if (!revoked) return false;
  const explicit = renewalRequested(ctx.now(), {
    ensureRenewedAfterMs: input.request.ensureRenewedAfterMs,
    requestedAtMs: revoked.requestedAtMs,
    notBeforeMs: revoked.info.notBeforeMs,
  });
  if (input.renewNow || explicit) return false;
  const where = {
    secret: input.secretRef,
    hash: input.hash,
    issuer: input.issuer,
    requestedAtMs: revoked.requestedAtMs,
    // The revocation's annotation is a change we have now seen: its echo from the target watcher needs no reconcile.
    secretResourceVersion: input.current?.metadata.resourceVersion,
  };
  const issued = issuedRecord(env.deps.config, revoked.info, where, input.request);
  if (ctx.state.retryAt !== undefined) await ctx.cancelReminder('recheck');
  ctx.setState({ ...ctx.state, issued, failures: 0, failedGeneration: undefined, retryAt: undefined });
  await writeStatus(ctx, env, {
    state: 'Revoked',
    message: REVOKED_MESSAGE,
    issuer: input.issuer,
    certificate: issued,
    renewalAtMs: issued.renewalAtMs,
  });
  return true;
}
