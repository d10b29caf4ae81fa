// The two ends of a reconcile: the stored certificate serves the spec (Ready), or it could not be had (Error, with a
// recheck after the backoff).
import type { EffectiveConfig } from '../config/effective-config.js';
import { withoutManagedFields } from '../kube/kube-object.js';
import type { CertificateInfo } from '../x509/certificate-info.js';
import type { CertCtx, IssuedRecord } from './certificate-actor-types.js';
import type { CertEnv } from './certificate-env.js';
import { recordIssuedOnCertificate } from './certificate-kube.js';
import { countOrder } from './certificate-metrics.js';
import { checkRenewalInfoIfDue } from './certificate-renewal-info.js';
import { certificateSummary } from './certificate-status.js';
import { type StatusUpdate, writeStatus } from './certificate-status-writer.js';
import { cleanupWork } from './order/order-cleanup.js';
import { reconcileKey } from './reconcile-key.js';
import { failureBackoff, VALIDATION_RECHECK_MS } from './renewal.js';
import { type AriRecord, type RenewalSettings, renewalPlan, renewalRule } from './renewal-plan.js';

/**
 * The stored certificate is what the spec asks for: the Certificate records it as gardener does (hash label, validity
 * annotations, spec.secretRef), status Ready, renewal reminder at its renewal date. With a `problem` (a keystore
 * that could not be written) the certificate is recorded all the same, and the status is Error with a recheck.
 */
export async function markReady(ctx: CertCtx, env: CertEnv, issued: IssuedRecord, problem?: string): Promise<void> {
  const previous = ctx.state.issued;
  if (previous?.renewalAtMs !== issued.renewalAtMs)
    await ctx.setReminder('renew', issued.renewalAtMs, { type: 'Renew' });
  // Renewal information that came with the download: its next check (checkRenewalInfoIfDue below then asks nothing).
  const ari = issued.ari?.serialNumber === issued.serialNumber ? issued.ari : undefined;
  if (ari && ari.nextCheckMs !== previous?.ari?.nextCheckMs)
    await ctx.setReminder('renewal-info', ari.nextCheckMs, { type: 'CheckRenewalInfo' });
  if (ctx.state.retryAt !== undefined) await ctx.cancelReminder('recheck');
  ctx.setState({ ...ctx.state, issued, failures: 0, failedGeneration: undefined, retryAt: undefined });
  await recordOnCertificate(ctx, env, issued);
  if (problem !== undefined) return failWith(ctx, env, problem, 'issuance', { issuer: issued.issuer }, issued);
  await writeStatus(ctx, env, {
    state: 'Ready',
    message: certificateSummary(issued),
    issuer: issued.issuer,
    certificate: issued,
    renewalAtMs: issued.renewalAtMs,
  });
  checkRenewalInfoIfDue(ctx, env, issued, (issued.issuerType ?? 'acme') === 'acme');
}

/**
 * Writes the hash label, validity annotations and spec.secretRef. Writing spec.secretRef makes a new generation;
 * the actor takes it as reconciled (it is its own edit), so the echo costs no second reconcile.
 */
async function recordOnCertificate(ctx: CertCtx, env: CertEnv, issued: IssuedRecord): Promise<void> {
  const cert = ctx.state.cert;
  if (!cert) return;
  const updated = await recordIssuedOnCertificate(env.source, cert, issued);
  if (!updated || updated === cert) return;
  const { metadata, spec } = updated;
  const next = { ...cert, metadata: { ...cert.metadata, ...withoutManagedFields(updated).metadata }, spec };
  const editedOnlyByUs = (cert.metadata.generation ?? 0) + 1 >= (metadata.generation ?? 0);
  ctx.setState({
    ...ctx.state,
    cert: next,
    reconciledKey: editedOnlyByUs ? reconcileKey(next) : ctx.state.reconciledKey,
  });
}

/**
 * What is recorded of a certificate stored in `where.secret`: its facts and its renewal date. `ari`: what is known
 * of the CA's renewal information, kept when it is about this same certificate.
 */
export function issuedRecord(
  config: EffectiveConfig,
  info: CertificateInfo,
  where: Pick<IssuedRecord, 'secret' | 'hash' | 'issuer' | 'requestedAtMs' | 'secretResourceVersion' | 'issuerType'>,
  settings: RenewalSettings,
  ari?: AriRecord,
): IssuedRecord {
  const known = ari?.serialNumber === info.serialNumber ? ari : undefined;
  const plan = renewalPlan(renewalRule(config, info, where.hash, settings), known);
  return {
    ...where,
    notBeforeMs: info.notBeforeMs,
    notAfterMs: info.notAfterMs,
    renewalAtMs: plan.atMs,
    renewalSource: plan.source,
    ...(known ? { ari: known } : {}),
    ...(info.certId ? { certId: info.certId } : {}),
    serialNumber: info.serialNumber,
    dnsNames: info.dnsNames,
    commonName: info.commonName,
  };
}

/**
 * Ends the attempt with an Error and a recheck: problems only an edit can fix (kind 'spec') wait 24 h (an edit
 * reconciles at once anyway); failed orders back off 120 s more per failure, at most 8 h.
 */
export async function fail(
  ctx: CertCtx,
  env: CertEnv,
  message: string,
  kind: 'spec' | 'issuance',
  extra: Pick<StatusUpdate, 'issuer'> = {},
): Promise<void> {
  const s = ctx.state;
  if (s.work) {
    countOrder(s.work, false);
    await cleanupWork(ctx, env, s.work);
    await ctx.cancelReminder('resume');
  }
  await failWith(ctx, env, message, kind, { issuer: s.work?.issuer ?? s.issued?.issuer, ...extra }, s.issued);
}

/** The Error status with its backoff and recheck, the stored certificate (if any) still shown. */
async function failWith(
  ctx: CertCtx,
  env: CertEnv,
  message: string,
  kind: 'spec' | 'issuance',
  extra: Pick<StatusUpdate, 'issuer'>,
  issued: IssuedRecord | undefined,
): Promise<void> {
  const s = ctx.state;
  const generation = s.cert?.metadata.generation ?? 0;
  const failures = (s.failedGeneration === generation ? (s.failures ?? 0) : 0) + 1;
  const intervalMs = kind === 'spec' ? VALIDATION_RECHECK_MS : failureBackoff(failures);
  const retryAt = ctx.now() + intervalMs;
  ctx.log.warn({ reason: message, failures, retryInMs: intervalMs }, 'certificate not issued');
  ctx.setState({ ...ctx.state, work: undefined, failures, failedGeneration: generation, retryAt });
  await ctx.setReminder('recheck', retryAt, { type: 'Recheck' });
  await writeStatus(ctx, env, {
    state: 'Error',
    message,
    backoff: { retryAtMs: retryAt, intervalMs },
    ...extra,
    certificate: issued,
    renewalAtMs: issued?.renewalAtMs,
  });
}
