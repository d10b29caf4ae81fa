import type { ActorDefinition } from '../../runtime/index.js';
import type { ControllerDeps } from '../controller-deps.js';
import { CERTIFICATE_KIND, DEFAULT_WATCHER, SOURCE_WATCHER, TARGET_WATCHER } from '../kinds.js';
import { recordEvent } from '../kube/events.js';
import { withoutManagedFields } from '../kube/kube-object.js';
import { forgetCertificate } from '../observability/controller-metrics.js';
import { isTransient } from '../transient-error.js';
import type { CertCtx, CertificateActorState, CertificateMsg } from './certificate-actor-types.js';
import {
  type CertEnv,
  cleanupWork,
  countChallenges,
  fail,
  identityOf,
  issuedRecord,
  markReady,
  reportFacts,
  requestOf,
  vol,
} from './certificate-env.js';
import {
  CERTIFICATE_FINALIZER,
  deleteSecret,
  getSecret,
  patchMetadata,
  patchSpec,
  putSecret,
} from './certificate-kube.js';
import { advance, next, onEntryChanged, onIssuerReply, onResume, startWork } from './certificate-order.js';
import {
  adoptSecret,
  generatedSecretName,
  isOwnedBy,
  judgeSecret,
  type SecretsLookupReply,
} from './certificate-secret.js';
import type { Certificate } from './certificate-spec.js';
import { certificateSummary } from './certificate-status.js';
import { walkCertificate } from './certificate-walk.js';
import { type IssuerCandidate, selectIssuer } from './issuer-selection.js';
import { needsRenewal } from './renewal.js';
import { requestHashOf } from './request-hash.js';

export { CERTIFICATE_KIND } from '../kinds.js';
export type { CertificateMsg } from './certificate-actor-types.js';

/** `gardener.cloud/operation: reconcile` on a Certificate: retry now, whatever the backoff says (then removed). */
export const OPERATION_ANNOTATION = 'gardener.cloud/operation';

const reconcileKey = (cert: Certificate) =>
  `${cert.metadata.generation ?? 0}|${cert.metadata.annotations?.[OPERATION_ANNOTATION] ?? ''}`;

/**
 * One actor per Certificate of the source cluster. It decides whether the stored Secret still serves the spec,
 * reuses a Secret issued for the same request, or runs an ACME order through its issuer actor (certificate-order.ts);
 * it owns the certificate's status, Events, challenge entries, renewal reminder and clean-up on deletion.
 */
export function certificateKind(deps: ControllerDeps): ActorDefinition<CertificateActorState, CertificateMsg> {
  const env: CertEnv = { deps, source: deps.kube.source, target: deps.kube.target, dns: deps.kube.dns };
  const config = deps.config;

  /** Decides what the certificate needs now; `force` ignores the backoff (user request, recheck, renewal). */
  async function reconcile(ctx: CertCtx, opts: { force?: boolean; renewNow?: boolean } = {}): Promise<void> {
    let cert = ctx.state.cert;
    if (!cert) return;
    const generation = cert.metadata.generation ?? 0;
    let force = opts.force === true;

    if (cert.metadata.annotations?.[OPERATION_ANNOTATION] === 'reconcile') {
      const updated = await patchMetadata(env.source, cert, (c) =>
        c.metadata.annotations?.[OPERATION_ANNOTATION] ? { annotations: { [OPERATION_ANNOTATION]: null } } : undefined,
      );
      if (!updated) return;
      cert = {
        ...cert,
        metadata: {
          ...cert.metadata,
          resourceVersion: updated.metadata.resourceVersion,
          annotations: updated.metadata.annotations ?? {},
        },
      };
      ctx.setState({ ...ctx.state, cert, failures: 0, failedGeneration: undefined, retryAt: undefined });
      force = true;
    }
    if (cert.spec?.renew === true) {
      // As gardener: `renew: true` becomes ensureRenewedAfter=now; the edit comes back as a new generation.
      await patchSpec(env.source, cert.metadata.namespace!, cert.metadata.name, {
        renew: null,
        ensureRenewedAfter: new Date(ctx.now()).toISOString(),
      });
      return;
    }
    if (!cert.metadata.finalizers?.includes(CERTIFICATE_FINALIZER)) {
      const updated = await patchMetadata(env.source, cert, (c) =>
        c.metadata.finalizers?.includes(CERTIFICATE_FINALIZER)
          ? undefined
          : { finalizers: [...(c.metadata.finalizers ?? []), CERTIFICATE_FINALIZER] },
      );
      if (!updated) return;
      cert = {
        ...cert,
        metadata: {
          ...cert.metadata,
          resourceVersion: updated.metadata.resourceVersion,
          finalizers: updated.metadata.finalizers ?? [],
        },
      };
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
    if (s.failedGeneration !== undefined && s.failedGeneration !== generation)
      ctx.setState({ ...ctx.state, failures: 0, failedGeneration: undefined, retryAt: undefined });
    ctx.setState({ ...ctx.state, reconciledKey: reconcileKey(cert) });

    const validation = await requestOf(ctx, env);
    if (!validation.ok) return fail(ctx, env, validation.problems.join('; '), 'spec');
    if (cert.spec.keystores?.jks?.create || cert.spec.keystores?.pkcs12?.create) {
      // Not built: say so once per generation rather than pretend (the certificate is still issued as PEM).
      await recordEvent(
        env.source,
        { ...cert, apiVersion: 'cert.gardener.cloud/v1alpha1', kind: 'Certificate' },
        'Warning',
        'Unsupported',
        'spec.keystores is not supported by this controller: the Secret holds tls.crt, tls.key and ca.crt (PEM) only',
      ).catch((err: Error) => ctx.log.warn({ err: err.message }, 'could not record an event'));
    }
    const request = validation.request;
    const names = {
      dnsNames: request.dnsNames,
      ...(request.commonName !== undefined ? { commonName: request.commonName } : {}),
    };

    const candidates = await ctx.ask<IssuerCandidate[]>(
      DEFAULT_WATCHER.kind,
      DEFAULT_WATCHER.id,
      { type: 'Candidates' },
      30_000,
    );
    const selection = selectIssuer({
      ...(request.issuerRef ? { issuerRef: request.issuerRef } : {}),
      names: request.dnsNames,
      issuers: candidates,
      defaultIssuer: config.defaultIssuer,
      defaultIssuerDomainRanges: config.defaultIssuerDomainRanges,
      issuerNamespace: config.issuerNamespace,
    });
    if (!selection.ok) return fail(ctx, env, selection.problems.join('; '), 'spec', names);
    const issuer = selection.issuer;
    if (!selection.known) {
      return fail(
        ctx,
        env,
        `issuer ${issuer.namespace}/${issuer.name} does not exist${selection.selectedBy === 'default' ? ' (it is the default issuer, --default-issuer)' : ''}: create it or correct spec.issuerRef`,
        'issuance',
        { ...names, issuer },
      );
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
      30_000,
    );
    // 1. The stored Secret already serves this request and is not due.
    const current =
      lookup.own !== null || s.issued ? await getSecret(env.target, secretRef.namespace, secretRef.name) : undefined;
    const due = (info: { notBeforeMs: number; notAfterMs: number }, requestedAtMs?: number) =>
      opts.renewNow ||
      needsRenewal(ctx.now(), {
        notBeforeMs: info.notBeforeMs,
        notAfterMs: info.notAfterMs,
        ...(request.renewBeforeMs !== undefined ? { renewBeforeMs: request.renewBeforeMs } : {}),
        renewalWindowMs: config.renewalWindowMs,
        ...(request.ensureRenewedAfterMs !== undefined ? { ensureRenewedAfterMs: request.ensureRenewedAfterMs } : {}),
        ...(requestedAtMs !== undefined ? { requestedAtMs } : {}),
      });
    const verdict = judgeSecret(current, hash, !request.csr);
    if (verdict.usable && !due(verdict.info, verdict.requestedAtMs)) {
      const where = {
        secret: secretRef,
        hash,
        issuer,
        ...(verdict.requestedAtMs !== undefined ? { requestedAtMs: verdict.requestedAtMs } : {}),
      };
      return markReady(
        ctx,
        env,
        issuedRecord(env, verdict.info, where, request.renewBeforeMs),
        `${certificateSummary(verdict.info)}; stored in secret ${secretRef.namespace}/${secretRef.name}`,
      );
    }

    // 2. Another Secret holds a certificate for the same request (a recreated or renamed Certificate): copy it.
    if (!opts.renewNow) {
      for (const otherName of lookup.sameHash) {
        const other = await getSecret(env.target, secretRef.namespace, otherName);
        if (!other) continue;
        const v = judgeSecret(other, hash, !request.csr);
        if (!v.usable || due(v.info, v.requestedAtMs)) continue;
        await putSecret(
          env.target,
          adoptSecret(other, {
            ...secretRef,
            owner: identity,
            issuer: `${issuer.namespace}/${issuer.name}`,
            extraLabels: request.secretLabels,
          }),
          current !== undefined,
        );
        ctx.log.info(
          { from: other.metadata.name, to: secretRef.name },
          'reused a certificate issued for the same request',
        );
        return markReady(
          ctx,
          env,
          issuedRecord(env, v.info, { secret: secretRef, hash, issuer }, request.renewBeforeMs),
          `${certificateSummary(v.info)}; reused from secret ${secretRef.namespace}/${other.metadata.name} (same request, no new order); stored in secret ${secretRef.namespace}/${secretRef.name}`,
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

  async function deleteCertificate(ctx: CertCtx, objectGone: boolean): Promise<void> {
    const s = ctx.state;
    if (s.work) await cleanupWork(ctx, env, s.work);
    if (config.cascadeDelete && s.issued) {
      const secret = await getSecret(env.target, s.issued.secret.namespace, s.issued.secret.name);
      if (secret && isOwnedBy(secret, identityOf(ctx)))
        await deleteSecret(env.target, s.issued.secret.namespace, s.issued.secret.name);
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

  return {
    kind: CERTIFICATE_KIND,
    // The seed's worker pool of certificates (--issuer.default.pool.size) bounds this pod's concurrent turns.
    maxConcurrentTurns: config.certificateConcurrency,
    initialState: () => ({}),
    parentOf: () => ({ ...SOURCE_WATCHER }),
    queries: ['Describe', 'Status'],
    onActivate(ctx) {
      if (ctx.state.cert) reportFacts(ctx, ctx.state.issued);
      if (ctx.state.work) {
        vol(ctx).refresh = true;
        next(ctx);
      }
    },
    onDeactivate(ctx) {
      // Another pod reports this certificate from now on.
      forgetCertificate(ctx.id);
      countChallenges(ctx, undefined);
    },
    async handle(ctx, msg) {
      try {
        const reply = await dispatch(ctx, msg);
        vol(ctx).transientFailures = 0;
        return reply;
      } catch (err) {
        // An API server or the network briefly away must not crash-loop the actor into Failed: retry the turn's
        // purpose with backoff (1 s doubling to a minute). Anything else is a refusal worth reporting.
        if (!isTransient(err)) {
          if (ctx.state.cert && msg.type !== 'Describe' && msg.type !== 'Status') {
            await fail(ctx, env, `${(err as Error).message}`, 'issuance').catch(() => undefined);
            return undefined;
          }
          throw err;
        }
        const v = vol(ctx);
        const n = (v.transientFailures = (v.transientFailures ?? 0) + 1);
        const delay = Math.min(60_000, 1000 * 2 ** (n - 1));
        ctx.log.warn({ err: (err as Error).message, type: msg.type, retryInMs: delay }, 'transient failure; retrying');
        ctx.setTimer('retry', delay, { type: 'Retry' });
        return undefined;
      }
    },
  };

  async function dispatch(ctx: CertCtx, msg: CertificateMsg): Promise<unknown> {
    const s = ctx.state;
    switch (msg.type) {
      case 'Retry':
        if (s.work) return advance(ctx, env);
        return reconcile(ctx);
      case 'Observed': {
        const cert = slim(msg.cert);
        const firstSight = !s.cert;
        // Our own status patches come back as events that change only resourceVersion and status: keeping the
        // stored copy spares a state write per echo (metadata patches re-read the object on a conflict).
        if (firstSight || meaningfulChange(s.cert!, cert))
          ctx.setState({ ...s, cert, ...(firstSight && msg.cert.status ? { status: msg.cert.status } : {}) });
        if (cert.metadata.deletionTimestamp) {
          if (cert.metadata.finalizers?.includes(CERTIFICATE_FINALIZER) || s.work) return deleteCertificate(ctx, false);
          return undefined;
        }
        // Our own status and metadata patches come back as events: nothing to do unless the spec or the operation
        // annotation changed, or this activation has not looked at the certificate yet.
        if (
          !firstSight &&
          s.reconciledKey === reconcileKey(cert) &&
          cert.metadata.finalizers?.includes(CERTIFICATE_FINALIZER) &&
          cert.spec?.renew !== true
        ) {
          // A new activation (pod restart, handover) cannot know what happened to the Secret meanwhile (the target
          // watcher's first list reports no changes): one look into the watcher's cache, once per activation.
          const issued = s.issued;
          if (vol(ctx).verified || s.work || !issued) return undefined;
          vol(ctx).verified = true;
          const lookup = await ctx.ask<SecretsLookupReply>(
            TARGET_WATCHER.kind,
            TARGET_WATCHER.id,
            { type: 'SecretsLookup', ...issued.secret, hash: issued.hash },
            30_000,
          );
          if (lookup.own === issued.hash) return undefined;
          ctx.log.info({ secret: issued.secret, found: lookup.own }, 'stored secret is gone or changed; checking it');
        }
        return reconcile(ctx);
      }
      case 'Deleted':
        if (!s.cert) return undefined;
        return deleteCertificate(ctx, true);
      case 'Advance':
        return advance(ctx, env);
      case 'IssuerReply':
        return onIssuerReply(ctx, env, msg);
      case 'EntryChanged':
        if (onEntryChanged(ctx, msg.name, msg.state, msg.current)) return advance(ctx, env);
        return undefined;
      case 'IssuerReady':
        if (s.work?.phase === 'grant') next(ctx);
        else if (!s.work && s.failedGeneration !== undefined) return reconcile(ctx, { force: true });
        return undefined;
      case 'SecretChanged': {
        if (s.work || !s.issued) return undefined;
        if (!msg.deleted && msg.hash === s.issued.hash) return undefined; // our own write
        ctx.log.info({ deleted: msg.deleted }, 'stored secret changed; checking it');
        return reconcile(ctx, { force: true });
      }
      case 'Recheck':
        if (s.work) return next(ctx);
        return reconcile(ctx, { force: true });
      case 'Renew':
        if (s.work) return undefined;
        return reconcile(ctx, { force: true });
      case 'Resync':
        if (s.work || !s.cert) return undefined;
        return reconcile(ctx);
      case 'RenewNow':
        if (!s.cert) return { ok: false, error: `certificate ${ctx.id} is not known` };
        if (s.work) return { ok: true, message: `an order is already running (step ${s.work.phase})` };
        await reconcile(ctx, { force: true, renewNow: true });
        return { ok: true, message: 'renewal started' };
      case 'Resume':
        return onResume(ctx);
      case 'Status':
        return walkCertificate(ctx, env);
      case 'Describe':
        return {
          namespace: identityOf(ctx).namespace,
          name: identityOf(ctx).name,
          id: ctx.id,
          ...(s.status ? { status: s.status } : {}),
          ...(s.work
            ? {
                work: {
                  phase: s.work.phase,
                  orderUrl: s.work.orderUrl,
                  issuer: s.work.issuer,
                  secret: s.work.secret,
                  entries: s.work.entries,
                  since: s.work.since,
                },
              }
            : {}),
          ...(s.issued ? { issued: s.issued } : {}),
          failures: s.failures ?? 0,
          ...(s.retryAt ? { retryAt: s.retryAt } : {}),
        };
    }
  }
}

function meaningfulChange(before: Certificate, after: Certificate): boolean {
  const pick = (c: Certificate) =>
    JSON.stringify([
      c.metadata.uid,
      c.metadata.generation,
      c.metadata.deletionTimestamp,
      c.metadata.finalizers,
      c.metadata.annotations,
      c.spec,
    ]);
  return pick(before) !== pick(after);
}

/** What the actor keeps of an observed Certificate: no status (ours is kept separately), no managed fields. */
function slim(cert: Certificate): Certificate {
  const { metadata } = withoutManagedFields(cert);
  return { apiVersion: cert.apiVersion, kind: cert.kind, metadata, spec: cert.spec ?? {} } as Certificate;
}
