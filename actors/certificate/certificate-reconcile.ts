// What a Certificate needs now, decided in three tiers like a controller's reconcile: the stored Secret still serves
// the spec (Ready), another Secret holds a certificate for the same request (copy it, no order), or a new ACME order
// (order/). Also the deletion path.
import { DEFAULT_WATCHER, ISSUER_KIND, issuerActorId, SOURCE_WATCHER, TARGET_WATCHER } from '../kinds.js';
import { recordEvent } from '../kube/events.js';
import type { CertificateInfo } from '../x509/certificate-info.js';
import { backUpIssuedSecret } from './backup-secret-kube.js';
import type { CertCtx } from './certificate-actor-types.js';
import { type CertEnv, identityOf, requestOf } from './certificate-env.js';
import { keystoreChanges, keystoreProblem, withKeystoreChanges, withoutKeystores } from './certificate-keystores.js';
import {
  deleteSecret,
  getSecret,
  LEGACY_CERTIFICATE_FINALIZER,
  namespaceExists,
  patchMetadata,
  patchSecretData,
  patchSpec,
  writeSecret,
} from './certificate-kube.js';
import { memoryOf } from './certificate-memory.js';
import { fail, issuedRecord, markReady } from './certificate-outcome.js';
import { keepRevoked } from './certificate-revoked.js';
import {
  cascadeOwners,
  generatedSecretName,
  isOwnedBy,
  judgeSecret,
  type SecretsLookupReply,
} from './certificate-secret.js';
import { type IssuerCandidate, type IssuerKey, selectIssuer } from './issuer-selection.js';
import { cleanupWork } from './order/order-cleanup.js';
import { startWork } from './order/order-runner.js';
import { OPERATION_ANNOTATION, reconcileKey } from './reconcile-key.js';
import { renewalRequested, renewBeforeProblem } from './renewal.js';
import { renewalPlan, renewalRule } from './renewal-plan.js';
import { requestHash } from './request-hash.js';

const ASK_TIMEOUT_MS = 30_000;

/** Decides what the certificate needs now; `force` ignores the backoff (user request, recheck, renewal). */
export async function reconcile(
  ctx: CertCtx,
  env: CertEnv,
  /** `secretChanged`: someone else changed the stored Secret (the target watcher saw it). */
  opts: { force?: boolean; renewNow?: boolean; secretChanged?: boolean } = {},
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
    // Milliseconds, as requestedAt has them: a renewal asked for in the second its certificate was issued still
    // renews, and the order it starts counts as that renewal.
    const ensureRenewedAfter = new Date(ctx.now()).toISOString();
    await patchSpec(env.source, cert.metadata.namespace!, cert.metadata.name, { renew: null, ensureRenewedAfter });
    return;
  }
  if (cert.metadata.finalizers?.includes(LEGACY_CERTIFICATE_FINALIZER)) {
    // Put there by an earlier version of this controller; gardener has none (see LEGACY_CERTIFICATE_FINALIZER).
    const updated = await patchMetadata(env.source, cert, (c) =>
      c.metadata.finalizers?.includes(LEGACY_CERTIFICATE_FINALIZER)
        ? { finalizers: c.metadata.finalizers.filter((f) => f !== LEGACY_CERTIFICATE_FINALIZER) }
        : undefined,
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

  // The issuer is chosen by what holds for every issuer type; its type's rules are checked once it is known.
  const common = await requestOf(ctx, env, 'any');
  if (!common.ok) return fail(ctx, env, common.problems.join('; '), 'spec');

  const candidates = await ctx.ask<IssuerCandidate[]>(
    DEFAULT_WATCHER.kind,
    DEFAULT_WATCHER.id,
    { type: 'Candidates' },
    ASK_TIMEOUT_MS,
  );
  const selection = selectIssuer({
    issuerRef: common.request.issuerRef,
    names: common.request.dnsNames,
    issuers: candidates,
    defaultIssuer: config.defaultIssuer,
    defaultIssuerDomainRanges: config.defaultIssuerDomainRanges,
    issuerNamespace: config.issuerNamespace,
    allowTargetIssuers: config.allowTargetIssuers,
  });
  if (!selection.ok) return fail(ctx, env, selection.problems.join('; '), 'spec');
  const issuer = selection.issuer;
  if (!selection.known) {
    const hint = selection.selectedBy === 'default' ? ' (it is the default issuer, --default-issuer)' : '';
    const where = issuer.cluster === 'target' ? ' in the target cluster' : '';
    const message = `issuer ${issuer.namespace}/${issuer.name} does not exist${where}${hint}: create it or correct spec.issuerRef`;
    // The issuer actor tells us when it exists and is ready; the backoff's recheck is only the fallback.
    ctx.tell(ISSUER_KIND, issuerActorId(issuer), { type: 'Watch', certificate: ctx.id });
    return fail(ctx, env, message, 'issuance', { issuer });
  }
  const issuerType = candidateOf(candidates, issuer)?.type ?? 'acme';
  const validation = await requestOf(ctx, env, issuerType);
  if (!validation.ok) return fail(ctx, env, validation.problems.join('; '), 'spec', { issuer });
  const request = validation.request;
  if (issuerType === 'acme') await noteIgnoredSans(ctx, env);
  const hash = requestHash(cert.spec, issuer, config.privateKeyDefaults);
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
  // Due at the planned time (the spec's rule, or earlier inside the CA's renewal window), or when asked to renew.
  const due = (info: CertificateInfo, requestedAtMs?: number) => {
    if (opts.renewNow) return true;
    const ari = s.issued?.ari?.serialNumber === info.serialNumber ? s.issued.ari : undefined;
    if (ctx.now() >= renewalPlan(renewalRule(config, info, hash, request), ari).atMs) return true;
    const { notBeforeMs } = info;
    return renewalRequested(ctx.now(), {
      notBeforeMs,
      ensureRenewedAfterMs: request.ensureRenewedAfterMs,
      requestedAtMs,
    });
  };

  // A Secret named by several Certificates would be rewritten by each in turn, forever: the oldest keeps it.
  if (lookup.own !== null) {
    const users = await ctx.ask<string[]>(
      SOURCE_WATCHER.kind,
      SOURCE_WATCHER.id,
      { type: 'SecretUsers', ...secretRef },
      ASK_TIMEOUT_MS,
    );
    const owner = users[0];
    if (owner !== undefined && owner !== ctx.id && users.includes(ctx.id)) {
      const message = `secret ${secretRef.namespace}/${secretRef.name} is the secret of certificate ${owner.replace(/^[^/]*\//, '')} already: give each Certificate its own spec.secretRef`;
      return fail(ctx, env, message, 'spec', { issuer });
    }
  }

  // 1. The stored Secret already serves this request and is not due.
  const current =
    lookup.own !== null || s.issued ? await getSecret(env.target, secretRef.namespace, secretRef.name) : undefined;
  const verdict = judgeSecret(current, hash, !request.csr);
  const renewNow = opts.renewNow === true;
  if (await keepRevoked(ctx, env, { current, hash, request, issuer, secretRef, renewNow })) return;
  if (verdict.usable) {
    // gardener checks renewBefore against the certificate it has, once it has one (validateRenewBefore).
    const tooLong =
      request.renewBeforeMs !== undefined &&
      renewBeforeProblem(request.renewBeforeMs, verdict.info.notBeforeMs, verdict.info.notAfterMs);
    if (tooLong) return fail(ctx, env, tooLong, 'issuance', { issuer });
  }
  if (opts.secretChanged && !verdict.usable && s.issued) {
    // Say what happened: the Secret was changed under us (key replaced, data removed, deleted) and is re-issued.
    const message = `secret ${secretRef.namespace}/${secretRef.name} was changed and no longer holds this certificate (${verdict.reason}); issuing it again`;
    await warnOnCertificate(ctx, env, message);
  }
  if (verdict.usable && !due(verdict.info, verdict.requestedAtMs)) {
    let secretResourceVersion = current?.metadata.resourceVersion;
    // spec.keystores changed without a new certificate: stores are added or removed, existing ones kept (gardener).
    const changes = await keystoreChanges(
      env,
      cert.spec.keystores,
      secretRef.namespace,
      current?.data ?? {},
      false,
      ctx.now(),
    );
    if (Object.keys(changes.set).length > 0 || changes.remove.length > 0) {
      secretResourceVersion = await patchSecretData(
        env.target,
        secretRef.namespace,
        secretRef.name,
        changes.set,
        changes.remove,
      );
      ctx.log.info(
        { set: Object.keys(changes.set), removed: changes.remove },
        'updated the keystores in the certificate secret',
      );
    }
    const where = {
      secret: secretRef,
      hash,
      issuer,
      requestedAtMs: verdict.requestedAtMs,
      secretResourceVersion,
      issuerType,
    };
    return markReady(
      ctx,
      env,
      issuedRecord(config, verdict.info, where, request, s.issued?.ari),
      keystoreProblem(changes),
    );
  }

  // 2. Another Secret holds a certificate for the same request (a recreated or renamed Certificate): copy it.
  if (!opts.renewNow) {
    for (const otherName of lookup.sameHash) {
      const other = await getSecret(env.target, secretRef.namespace, otherName);
      if (!other) continue;
      const v = judgeSecret(other, hash, !request.csr);
      if (!v.usable || due(v.info, v.requestedAtMs)) continue;
      // The copy gets the keystores of this Certificate's spec, built afresh (gardener: writeCertificateSecret).
      const pemOnly = withoutKeystores(other.data ?? {});
      const changes = await keystoreChanges(env, cert.spec.keystores, secretRef.namespace, pemOnly, true, ctx.now());
      const problem = keystoreProblem(changes);
      const secretResourceVersion = await writeSecret(
        env.target,
        {
          ...secretRef,
          hash,
          data: withKeystoreChanges(pemOnly, changes),
          requestedAtMs: v.requestedAtMs,
          extraLabels: request.secretLabels,
          ownerReferences: config.cascadeDelete ? cascadeOwners(cert) : undefined,
        },
        current !== undefined,
      );
      const written = { ...secretRef, hash, data: other.data ?? {}, requestedAtMs: v.requestedAtMs };
      if (issuerType === 'acme') await backUpIssuedSecret(env.target, ctx.log, written, issuer.name);
      ctx.log.info(
        { from: other.metadata.name, to: secretRef.name },
        'reused a certificate issued for the same request (no new order)',
      );
      const where = {
        secret: secretRef,
        hash,
        issuer,
        requestedAtMs: v.requestedAtMs,
        secretResourceVersion,
        issuerType,
      };
      const record = issuedRecord(config, v.info, where, request);
      return markReady(ctx, env, record, problem && `adding keystores to secret failed: ${problem}`);
    }
  }

  // 3. A new order, once what can be checked without the CA is checked: its Secret must be writable in the end.
  if (!current && !(await namespaceExists(env.target, secretRef.namespace))) {
    const message = `namespace ${secretRef.namespace} does not exist in the target cluster: create it, or correct spec.secretRef.namespace`;
    return fail(ctx, env, message, 'issuance', { issuer });
  }
  await startWork(ctx, {
    generation,
    hash,
    issuer,
    issuerType,
    names: request.dnsNames,
    secret: secretRef,
    secretExists: current !== undefined,
    renewal: verdict.usable,
  });
}

const candidateOf = (candidates: readonly IssuerCandidate[], key: IssuerKey) =>
  candidates.find(
    (c) => (c.cluster ?? 'default') === key.cluster && c.namespace === key.namespace && c.name === key.name,
  );

/** A Warning Event on the Certificate (gardener's reason); a failed write is only logged. */
async function warnOnCertificate(ctx: CertCtx, env: CertEnv, message: string): Promise<void> {
  const cert = { ...ctx.state.cert!, apiVersion: 'cert.gardener.cloud/v1alpha1', kind: 'Certificate' };
  await recordEvent(env.source, cert, 'Warning', 'reconcile', message).catch((err: Error) =>
    ctx.log.warn({ err: err.message }, 'could not record an event'),
  );
}

/**
 * An ACME issuer proves DNS names only: IP, email and URI SANs are left out, as gardener leaves them out. Said once
 * per generation and activation, so whoever set them learns why the certificate lacks them.
 */
async function noteIgnoredSans(ctx: CertCtx, env: CertEnv): Promise<void> {
  const cert = ctx.state.cert!;
  const fields = (['ipAddresses', 'emailAddresses', 'uris'] as const).filter((f) => (cert.spec[f]?.length ?? 0) > 0);
  const memory = memoryOf(ctx);
  const generation = cert.metadata.generation ?? 0;
  if (fields.length === 0 || memory.ignoredSansNoted === generation) return;
  memory.ignoredSansNoted = generation;
  const message = `${fields.map((f) => `spec.${f}`).join(', ')} ignored: an ACME issuer certifies DNS names only (use a CA or self-signed issuer for these SANs)`;
  await warnOnCertificate(ctx, env, message);
}

/**
 * The Certificate is being deleted (`objectGone` false: other finalizers still hold it) or is gone. Its running order
 * ends at once; once it is gone, with --cascade-delete, the Secret it owns goes too (the Kubernetes garbage
 * collector follows the owner reference as well; doing it here also covers clusters without one).
 */
export async function deleteCertificate(ctx: CertCtx, env: CertEnv, objectGone: boolean): Promise<void> {
  const s = ctx.state;
  if (s.work) {
    await cleanupWork(ctx, env, s.work);
    ctx.setState({ ...ctx.state, work: undefined });
  }
  if (!objectGone) {
    if (s.cert?.metadata.finalizers?.includes(LEGACY_CERTIFICATE_FINALIZER)) {
      await patchMetadata(env.source, s.cert, (c) =>
        c.metadata.finalizers?.includes(LEGACY_CERTIFICATE_FINALIZER)
          ? { finalizers: c.metadata.finalizers.filter((f) => f !== LEGACY_CERTIFICATE_FINALIZER) }
          : undefined,
      );
    }
    return;
  }
  if (env.deps.config.cascadeDelete && s.issued) {
    const { namespace, name } = s.issued.secret;
    const secret = await getSecret(env.target, namespace, name);
    if (secret && isOwnedBy(secret, s.cert?.metadata.uid)) await deleteSecret(env.target, namespace, name);
  }
  for (const r of ['renew', 'recheck', 'resume']) await ctx.cancelReminder(r);
  ctx.cancelTimer('advance');
  ctx.setState({});
  ctx.passivate();
}
