// What a Certificate needs now, decided in three tiers like a controller's reconcile: the stored Secret still serves
// the spec (Ready), another Secret holds a certificate for the same request (copy it, no order), or a new ACME order
// (order/). Also the deletion path.
import { DEFAULT_WATCHER, TARGET_WATCHER } from '../kinds.js';
import { recordEvent } from '../kube/events.js';
import { forgetCertificate } from '../observability/controller-metrics.js';
import type { CertCtx } from './certificate-actor-types.js';
import { type CertEnv, identityOf, requestOf } from './certificate-env.js';
import {
  CERTIFICATE_FINALIZER,
  deleteSecret,
  getSecret,
  patchMetadata,
  patchSpec,
  putSecret,
} from './certificate-kube.js';
import { fail, issuedRecord, markReady } from './certificate-outcome.js';
import {
  adoptSecret,
  generatedSecretName,
  isOwnedBy,
  judgeSecret,
  type SecretsLookupReply,
} from './certificate-secret.js';
import type { Certificate } from './certificate-spec.js';
import { certificateSummary } from './certificate-status.js';
import { type IssuerCandidate, selectIssuer } from './issuer-selection.js';
import { cleanupWork } from './order/order-cleanup.js';
import { startWork } from './order/order-runner.js';
import { needsRenewal } from './renewal.js';
import { requestHashOf } from './request-hash.js';

/** `gardener.cloud/operation: reconcile` on a Certificate: retry now, whatever the backoff says (then removed). */
export const OPERATION_ANNOTATION = 'gardener.cloud/operation';

/** generation|reconcile-annotation: what was last reconciled, so our own status echoes do nothing. */
export const reconcileKey = (cert: Certificate) =>
  `${cert.metadata.generation ?? 0}|${cert.metadata.annotations?.[OPERATION_ANNOTATION] ?? ''}`;

const ASK_TIMEOUT_MS = 30_000;

/** Decides what the certificate needs now; `force` ignores the backoff (user request, recheck, renewal). */
export async function reconcile(
  ctx: CertCtx,
  env: CertEnv,
  opts: { force?: boolean; renewNow?: boolean } = {},
): Promise<void> {
  const config = env.deps.config;
  let cert = ctx.state.cert;
  if (!cert) return;
  const generation = cert.metadata.generation ?? 0;
  let force = opts.force === true;

  if (cert.metadata.annotations?.[OPERATION_ANNOTATION] === 'reconcile') {
    const updated = await patchMetadata(env.source, cert, (c) =>
      c.metadata.annotations?.[OPERATION_ANNOTATION] ? { annotations: { [OPERATION_ANNOTATION]: null } } : undefined,
    );
    if (!updated) return;
    const metadata = {
      ...cert.metadata,
      resourceVersion: updated.metadata.resourceVersion,
      annotations: updated.metadata.annotations ?? {},
    };
    cert = { ...cert, metadata };
    ctx.setState({ ...ctx.state, cert, failures: 0, failedGeneration: undefined, retryAt: undefined });
    force = true;
  }
  if (cert.spec?.renew === true) {
    // As gardener: `renew: true` becomes ensureRenewedAfter=now; the edit comes back as a new generation.
    const ensureRenewedAfter = new Date(ctx.now()).toISOString();
    await patchSpec(env.source, cert.metadata.namespace!, cert.metadata.name, { renew: null, ensureRenewedAfter });
    return;
  }
  if (!cert.metadata.finalizers?.includes(CERTIFICATE_FINALIZER)) {
    const updated = await patchMetadata(env.source, cert, (c) =>
      c.metadata.finalizers?.includes(CERTIFICATE_FINALIZER)
        ? undefined
        : { finalizers: [...(c.metadata.finalizers ?? []), CERTIFICATE_FINALIZER] },
    );
    if (!updated) return;
    const metadata = {
      ...cert.metadata,
      resourceVersion: updated.metadata.resourceVersion,
      finalizers: updated.metadata.finalizers ?? [],
    };
    cert = { ...cert, metadata };
    ctx.setState({ ...ctx.state, cert });
  }

  const s = ctx.state;
  if (s.work) {
    if (s.work.generation === generation && !opts.renewNow) return;
    // The spec changed under a running order: drop it and start from the new spec.
    await cleanupWork(ctx, env, s.work);
    ctx.setState({ ...ctx.state, work: undefined });
  }
  if (s.failedGeneration === generation && s.retryAt !== undefined && s.retryAt > ctx.now() && !force) return;
  if (s.failedGeneration !== undefined && s.failedGeneration !== generation) {
    ctx.setState({ ...ctx.state, failures: 0, failedGeneration: undefined, retryAt: undefined });
  }
  ctx.setState({ ...ctx.state, reconciledKey: reconcileKey(cert) });

  const validation = await requestOf(ctx, env);
  if (!validation.ok) return fail(ctx, env, validation.problems.join('; '), 'spec');
  if (cert.spec.keystores?.jks?.create || cert.spec.keystores?.pkcs12?.create) {
    // Not built: say so once per generation rather than pretend (the certificate is still issued as PEM).
    const message =
      'spec.keystores is not supported by this controller: the Secret holds tls.crt, tls.key and ca.crt (PEM) only';
    await recordEvent(
      env.source,
      { ...cert, apiVersion: 'cert.gardener.cloud/v1alpha1', kind: 'Certificate' },
      'Warning',
      'Unsupported',
      message,
    ).catch((err: Error) => ctx.log.warn({ err: err.message }, 'could not record an event'));
  }
  const request = validation.request;
  const names = { dnsNames: request.dnsNames, commonName: request.commonName };

  const candidates = await ctx.ask<IssuerCandidate[]>(
    DEFAULT_WATCHER.kind,
    DEFAULT_WATCHER.id,
    { type: 'Candidates' },
    ASK_TIMEOUT_MS,
  );
  const selection = selectIssuer({
    issuerRef: request.issuerRef,
    names: request.dnsNames,
    issuers: candidates,
    defaultIssuer: config.defaultIssuer,
    defaultIssuerDomainRanges: config.defaultIssuerDomainRanges,
    issuerNamespace: config.issuerNamespace,
  });
  if (!selection.ok) return fail(ctx, env, selection.problems.join('; '), 'spec', names);
  const issuer = selection.issuer;
  if (!selection.known) {
    const hint = selection.selectedBy === 'default' ? ' (it is the default issuer, --default-issuer)' : '';
    const message = `issuer ${issuer.namespace}/${issuer.name} does not exist${hint}: create it or correct spec.issuerRef`;
    return fail(ctx, env, message, 'issuance', { ...names, issuer });
  }
  const hash = requestHashOf(request, { cluster: 'default', ...issuer });
  const identity = identityOf(ctx);
  const secretRef = request.secretRef ?? {
    namespace: cert.metadata.namespace ?? identity.namespace,
    name: generatedSecretName(identity.name, cert.metadata.uid ?? ctx.id),
  };

  // What the target cluster holds for this request, from the target watcher's cache (no API calls for new ones).
  const lookup = await ctx.ask<SecretsLookupReply>(
    TARGET_WATCHER.kind,
    TARGET_WATCHER.id,
    { type: 'SecretsLookup', ...secretRef, hash },
    ASK_TIMEOUT_MS,
  );
  const due = (info: { notBeforeMs: number; notAfterMs: number }, requestedAtMs?: number) =>
    opts.renewNow ||
    needsRenewal(ctx.now(), {
      notBeforeMs: info.notBeforeMs,
      notAfterMs: info.notAfterMs,
      renewBeforeMs: request.renewBeforeMs,
      renewalWindowMs: config.renewalWindowMs,
      ensureRenewedAfterMs: request.ensureRenewedAfterMs,
      requestedAtMs,
    });

  // 1. The stored Secret already serves this request and is not due.
  const current =
    lookup.own !== null || s.issued ? await getSecret(env.target, secretRef.namespace, secretRef.name) : undefined;
  const verdict = judgeSecret(current, hash, !request.csr);
  if (verdict.usable && !due(verdict.info, verdict.requestedAtMs)) {
    const where = { secret: secretRef, hash, issuer, requestedAtMs: verdict.requestedAtMs };
    const where_ = `${certificateSummary(verdict.info)}; stored in secret ${secretRef.namespace}/${secretRef.name}`;
    return markReady(ctx, env, issuedRecord(config, verdict.info, where, request.renewBeforeMs), where_);
  }

  // 2. Another Secret holds a certificate for the same request (a recreated or renamed Certificate): copy it.
  if (!opts.renewNow) {
    for (const otherName of lookup.sameHash) {
      const other = await getSecret(env.target, secretRef.namespace, otherName);
      if (!other) continue;
      const v = judgeSecret(other, hash, !request.csr);
      if (!v.usable || due(v.info, v.requestedAtMs)) continue;
      const copy = adoptSecret(other, {
        ...secretRef,
        owner: identity,
        issuer: `${issuer.namespace}/${issuer.name}`,
        extraLabels: request.secretLabels,
      });
      await putSecret(env.target, copy, current !== undefined);
      ctx.log.info(
        { from: other.metadata.name, to: secretRef.name },
        'reused a certificate issued for the same request',
      );
      const message =
        `${certificateSummary(v.info)}; reused from secret ${secretRef.namespace}/${other.metadata.name} ` +
        `(same request, no new order); stored in secret ${secretRef.namespace}/${secretRef.name}`;
      return markReady(
        ctx,
        env,
        issuedRecord(config, v.info, { secret: secretRef, hash, issuer }, request.renewBeforeMs),
        message,
      );
    }
  }

  // 3. A new order.
  await startWork(ctx, {
    generation,
    hash,
    issuer,
    names: request.dnsNames,
    secret: secretRef,
    secretExists: current !== undefined,
  });
}

/** The Certificate is being deleted (finalizer) or is gone: clean up what it owns. */
export async function deleteCertificate(ctx: CertCtx, env: CertEnv, objectGone: boolean): Promise<void> {
  const s = ctx.state;
  if (s.work) await cleanupWork(ctx, env, s.work);
  if (env.deps.config.cascadeDelete && s.issued) {
    const { namespace, name } = s.issued.secret;
    const secret = await getSecret(env.target, namespace, name);
    if (secret && isOwnedBy(secret, identityOf(ctx))) await deleteSecret(env.target, namespace, name);
  }
  if (!objectGone && s.cert) {
    await patchMetadata(env.source, s.cert, (c) =>
      c.metadata.finalizers?.includes(CERTIFICATE_FINALIZER)
        ? { finalizers: c.metadata.finalizers.filter((f) => f !== CERTIFICATE_FINALIZER) }
        : undefined,
    );
  }
  for (const r of ['renew', 'recheck', 'resume']) await ctx.cancelReminder(r);
  forgetCertificate(ctx.id);
  ctx.cancelTimer('advance');
  ctx.setState({});
  ctx.passivate();
}
