import type { ActorDefinition } from '../../runtime/index.js';
import type { ControllerDeps } from '../controller-deps.js';
import { CERTIFICATE_KIND, SOURCE_WATCHER, TARGET_WATCHER } from '../kinds.js';
import { withoutManagedFields } from '../kube/kube-object.js';
import { isTransient } from '../transient-error.js';
import type { CertCtx, CertificateActorState, CertificateMsg } from './certificate-actor-types.js';
import { type CertEnv, identityOf } from './certificate-env.js';
import { LEGACY_CERTIFICATE_FINALIZER } from './certificate-kube.js';
import { memoryOf } from './certificate-memory.js';
import { countChallenges } from './certificate-metrics.js';
import { fail } from './certificate-outcome.js';
import { deleteCertificate, reconcile } from './certificate-reconcile.js';
import { checkRenewalInfoIfDue, onRenewalInfo } from './certificate-renewal-info.js';
import type { SecretsLookupReply } from './certificate-secret.js';
import type { Certificate } from './certificate-spec.js';
import { walkCertificate } from './certificate-walk.js';
import {
  advance,
  next,
  onEntryChanged,
  onEntryDeleted,
  onIssuerReady,
  onIssuerReply,
  onResume,
  waitForIssuer,
} from './order/order-runner.js';
import { reconcileKey } from './reconcile-key.js';

export type { CertificateMsg } from './certificate-actor-types.js';

const CERTIFICATE_IDLE_TIMEOUT_MS = 60_000;

/** The messages that carry a running order from step to step (order-runner.ts). */
const ORDER_STEP_MESSAGES: ReadonlySet<CertificateMsg['type']> = new Set([
  'Advance',
  'IssuerReply',
  'EntryChanged',
  'Resume',
]);

/**
 * One actor per Certificate of the source cluster. It decides whether the stored Secret still serves the spec,
 * reuses a Secret issued for the same request, or runs an ACME order through its issuer actor
 * (certificate-reconcile.ts, order/); it owns the certificate's status, Events, challenge entries, renewal reminder
 * and clean-up on deletion. This file only routes messages.
 */
export function certificateKind(deps: ControllerDeps): ActorDefinition<CertificateActorState, CertificateMsg> {
  const env: CertEnv = { deps, source: deps.kube.source, target: deps.kube.target, dns: deps.kube.dns };

  async function dispatch(ctx: CertCtx, msg: CertificateMsg): Promise<unknown> {
    const s = ctx.state;
    switch (msg.type) {
      case 'Retry':
        return s.work ? advance(ctx, env) : reconcile(ctx, env);
      case 'Observed':
        return onObserved(ctx, msg.cert);
      case 'Deleted':
        return s.cert ? deleteCertificate(ctx, env, true) : undefined;
      case 'Advance':
        return advance(ctx, env);
      case 'IssuerReply':
        return onIssuerReply(ctx, env, msg);
      case 'EntryChanged':
        if (msg.deleted) return onEntryDeleted(ctx, env, msg.name);
        return onEntryChanged(ctx, msg.name, msg.state, msg.current) ? advance(ctx, env) : undefined;
      case 'IssuerReady':
        if (s.work) return onIssuerReady(ctx, env);
        return s.failedGeneration !== undefined ? reconcile(ctx, env, { force: true }) : undefined;
      case 'IssuerUnavailable':
        return s.work ? waitForIssuer(ctx, env, msg.message) : undefined;
      case 'SecretChanged':
        if (s.work || !s.issued) return undefined;
        // Our own write (or one we checked) carries the resourceVersion we recorded; anything else is looked at.
        if (!msg.deleted && msg.resourceVersion !== undefined && msg.resourceVersion === s.issued.secretResourceVersion)
          return undefined;
        ctx.log.info({ deleted: msg.deleted }, 'stored secret changed; checking it');
        return reconcile(ctx, env, { force: true, secretChanged: true });
      case 'Recheck':
        return s.work ? next(ctx) : reconcile(ctx, env, { force: true });
      case 'Renew':
        return s.work ? undefined : reconcile(ctx, env, { force: true });
      case 'CheckRenewalInfo':
        if (s.work || !s.issued) return undefined;
        return checkRenewalInfoIfDue(ctx, env, s.issued, (s.issued.issuerType ?? 'acme') === 'acme', true);
      case 'RenewalInfoReply':
        return (await onRenewalInfo(ctx, env, msg)) === 'due' ? reconcile(ctx, env, { force: true }) : undefined;
      case 'Resync':
        return s.work || !s.cert ? undefined : reconcile(ctx, env);
      case 'RenewNow':
        if (!s.cert) return { ok: false, error: `certificate ${ctx.id} is not known` };
        if (s.work) return { ok: true, message: `an order is already running (step ${s.work.phase})` };
        await reconcile(ctx, env, { force: true, renewNow: true });
        return { ok: true, message: 'renewal started' };
      case 'Resume':
        return onResume(ctx);
      case 'Status':
        return walkCertificate(ctx, env);
      case 'Describe':
        return describe(ctx);
    }
  }

  async function onObserved(ctx: CertCtx, observed: Certificate): Promise<void> {
    const s = ctx.state;
    const cert = slim(observed);
    const firstSight = !s.cert;
    // Our own status patches come back as events that change only resourceVersion and status: keeping the stored
    // copy spares a state write per echo (metadata patches re-read the object on a conflict).
    if (firstSight) ctx.setState({ ...s, cert, status: observed.status ?? s.status });
    else if (meaningfulChange(s.cert!, cert)) ctx.setState({ ...s, cert });
    if (cert.metadata.deletionTimestamp) {
      if (cert.metadata.finalizers?.includes(LEGACY_CERTIFICATE_FINALIZER) || s.work)
        await deleteCertificate(ctx, env, false);
      return;
    }
    // Nothing to do for our own echoes, unless this activation has not looked at the certificate yet.
    const echo =
      !firstSight &&
      s.reconciledKey === reconcileKey(cert) &&
      !cert.metadata.finalizers?.includes(LEGACY_CERTIFICATE_FINALIZER) &&
      cert.spec?.renew !== true;
    if (echo) {
      // A new activation (pod restart, handover) cannot know what happened to the Secret meanwhile (the target
      // watcher's first list reports no changes): one look into the watcher's cache, once per activation.
      const memory = memoryOf(ctx);
      const issued = s.issued;
      if (memory.secretVerified || s.work || !issued) return;
      memory.secretVerified = true;
      const request = { type: 'SecretsLookup', ...issued.secret, hash: issued.hash };
      const lookup = await ctx.ask<SecretsLookupReply>(TARGET_WATCHER.kind, TARGET_WATCHER.id, request, 30_000);
      if (lookup.own === issued.hash) return;
      ctx.log.info({ secret: issued.secret, found: lookup.own }, 'stored secret is gone or changed; checking it');
    }
    await reconcile(ctx, env);
  }

  return {
    kind: CERTIFICATE_KIND,
    // The seed's worker pool of certificates (--issuer.default.pool.size) bounds this pod's concurrent reconciles, as
    // gardener's workers do. The order's steps after a reconcile run outside the pool, as gardener's ACME obtains run
    // outside its workers: what they load is bounded where it is (the API clients' --<cluster>.qps, the issuer's
    // ACME limit). Measured at 200 Certificates on the seed's pool of 2: with every step in the pool, orders opened
    // over 8.5 s instead of 2 and the propagation wait ended at 12 a second, so the last certificate waited 17 s
    // there instead of 10 (docs/ARCHITECTURE.md, the certificate actor).
    maxConcurrentTurns: deps.config.certificateConcurrency,
    boundedTurn: (msg) => !ORDER_STEP_MESSAGES.has(msg.type),
    // A Ready certificate waits for days (its reminders are durable): its activation is memory spent for nothing.
    // Passivated after a minute without messages, it comes back from its persisted state when something happens.
    idleTimeoutMs: Math.min(deps.config.actorIdleTimeoutMs, CERTIFICATE_IDLE_TIMEOUT_MS),
    initialState: () => ({}),
    parentOf: () => ({ ...SOURCE_WATCHER }),
    queries: ['Describe', 'Status'],
    onActivate(ctx) {
      // An order found in the state is resumed: its first step re-reads it from the CA (order-runner.ts).
      if (ctx.state.work) next(ctx);
    },
    onDeactivate(ctx) {
      // Challenges are counted by the pod that runs the order: another pod counts them from now on.
      countChallenges(ctx, undefined);
    },
    async handle(ctx, msg) {
      try {
        const reply = await dispatch(ctx, msg);
        memoryOf(ctx).transientFailures = 0;
        return reply;
      } catch (err) {
        // An API server or the network briefly away must not crash-loop the actor into Failed: retry the turn's
        // purpose with backoff (1 s doubling to a minute). Anything else is a refusal worth reporting.
        if (!isTransient(err)) {
          if (!ctx.state.cert || msg.type === 'Describe' || msg.type === 'Status') throw err;
          await fail(ctx, env, (err as Error).message, 'issuance').catch(() => undefined);
          return undefined;
        }
        const memory = memoryOf(ctx);
        memory.transientFailures += 1;
        const delay = Math.min(60_000, 1000 * 2 ** (memory.transientFailures - 1));
        ctx.log.warn({ err: (err as Error).message, type: msg.type, retryInMs: delay }, 'transient failure; retrying');
        ctx.setTimer('retry', delay, { type: 'Retry' });
        return undefined;
      }
    },
  };
}

/** What the actor knows, for operators (certctl actor / describe). */
function describe(ctx: CertCtx) {
  const s = ctx.state;
  const { namespace, name } = identityOf(ctx);
  const work = s.work && {
    phase: s.work.phase,
    orderUrl: s.work.orderUrl,
    issuer: s.work.issuer,
    secret: s.work.secret,
    entries: s.work.entries,
    since: s.work.since,
  };
  return {
    namespace,
    name,
    id: ctx.id,
    status: s.status,
    work,
    issued: s.issued,
    failures: s.failures ?? 0,
    retryAt: s.retryAt,
  };
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
