// What a certificate actor works with: the clients of its clusters, the configuration, and small helpers shared by
// the reconcile and order steps (status, Events, clean-up, the end states Ready and Error).
import type { ControllerDeps } from '../controller-deps.js';
import type { CertificateIdentity } from '../dns/challenge-entry.js';
import { ISSUER_KIND, issuerId, parseCertificateId, parseSourceObjectId, SOURCE_OBJECT_ANNOTATION } from '../kinds.js';
import { recordEvent } from '../kube/events.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { KubeObject } from '../kube/kube-object.js';
import { acmeActiveDnsChallenges, acmeOrders, reportCertificate } from '../observability/controller-metrics.js';
import type { CertificateInfo } from '../x509/certificate-info.js';
import type { CertCtx, IssuedRecord, OrderWork } from './certificate-actor-types.js';
import { deleteEntry, patchStatus } from './certificate-kube.js';
import { buildStatus, type StatusInput, statusChanged, statusPatch } from './certificate-status.js';
import { failureBackoff, renewalDueAt, VALIDATION_RECHECK_MS } from './renewal.js';
import { type SpecValidation, validateCertificateSpec } from './spec-validation.js';

export interface CertEnv {
  deps: ControllerDeps;
  source: KubeClient;
  target: KubeClient;
  dns: KubeClient;
}

export interface CertVolatile {
  request?: { generation: number; validation: SpecValidation };
  /** The private key of the running order (never persisted; a new activation must start a new order to get one). */
  key?: { orderUrl: string; pem: string };
  /** The order must be re-read before the next step (this activation resumed another's work). */
  refresh?: boolean;
  /** Transient failures of the current step. */
  retries?: number;
  pollDelayMs?: number;
  entriesReady?: Set<string>;
  grantWaits?: number;
  propagatedAt?: number;
  lastStepAt?: number;
  /** Token of the issuer call in flight: its reply is expected; other replies (and Advance meanwhile) are stale. */
  inflight?: number;
  callSeq?: number;
  /** Challenge entries this activation counts in cert_management_acme_active_dns_challenges. */
  activeChallenges?: { issuer: string; count: number };
  /** This activation has checked that the stored Secret still exists (see the Observed handler). */
  verified?: boolean;
  /** Consecutive turns that failed transiently, for the retry backoff. */
  transientFailures?: number;
}

export const vol = (ctx: CertCtx) => ctx.volatile as CertVolatile;

export function identityOf(ctx: CertCtx): CertificateIdentity {
  const id = parseCertificateId(ctx.id);
  if (!id) throw new Error(`malformed certificate actor id ${ctx.id}`);
  return id;
}

/** The validated spec of the observed generation (validation parses the CSR, so it is cached per generation). */
export async function requestOf(ctx: CertCtx, env: CertEnv): Promise<SpecValidation> {
  const cert = ctx.state.cert!;
  const generation = cert.metadata.generation ?? 0;
  const v = vol(ctx);
  if (v.request?.generation === generation) return v.request.validation;
  const validation = await validateCertificateSpec(cert.spec ?? {}, {
    namespace: cert.metadata.namespace ?? identityOf(ctx).namespace,
    renewalWindowMs: env.deps.config.renewalWindowMs,
  });
  v.request = { generation, validation };
  return validation;
}

/** Patches the status when it changed; a change of state or message is also recorded as an Event. */
export async function writeStatus(
  ctx: CertCtx,
  env: CertEnv,
  input: Omit<StatusInput, 'generation' | 'now' | 'previous'>,
): Promise<void> {
  const cert = ctx.state.cert;
  if (!cert) return;
  const previous = ctx.state.status ?? cert.status;
  const next = buildStatus({
    ...input,
    generation: cert.metadata.generation ?? 0,
    now: ctx.now(),
    ...(previous ? { previous } : {}),
  });
  if (!statusChanged(next, previous)) return;
  const { namespace, name } = identityOf(ctx);
  const exists = await patchStatus(env.source, namespace, name, statusPatch(next, previous));
  ctx.setState({ ...ctx.state, status: next });
  if (!exists || (previous?.state === next.state && previous?.message === next.message)) return;
  const warning = next.state === 'Error';
  const reason =
    next.state === 'Ready'
      ? 'Ready'
      : next.state === 'Error'
        ? 'Error'
        : next.state === 'Waiting'
          ? 'Waiting'
          : 'Pending';
  // Pending transitions happen for every issuance; an Event for them would double the writes of a healthy run.
  if (next.state === 'Pending') return;
  await recordEvent(
    env.source,
    { ...cert, apiVersion: 'cert.gardener.cloud/v1alpha1', kind: 'Certificate' },
    warning ? 'Warning' : 'Normal',
    reason,
    next.message ?? '',
  ).catch((err: Error) => ctx.log.warn({ err: err.message }, 'could not record an event'));
  // A Certificate generated for an Ingress or Service: its owner hears of it too (what `kubectl describe ingress` shows).
  const source = parseSourceObjectId(cert.metadata.annotations?.[SOURCE_OBJECT_ANNOTATION] ?? '');
  if (source) {
    const api =
      source.kind === 'ingress'
        ? {
            path: `/apis/networking.k8s.io/v1/namespaces/${source.namespace}/ingresses/${source.name}`,
            apiVersion: 'networking.k8s.io/v1',
            kind: 'Ingress',
          }
        : { path: `/api/v1/namespaces/${source.namespace}/services/${source.name}`, apiVersion: 'v1', kind: 'Service' };
    await env.source
      .get<KubeObject>(api.path)
      .then((obj) =>
        recordEvent(
          env.source,
          { ...obj, apiVersion: api.apiVersion, kind: api.kind },
          warning ? 'Warning' : 'Normal',
          reason,
          `certificate ${namespace}/${name}: ${next.message ?? ''}`,
        ),
      )
      .catch((err: Error) => ctx.log.debug({ err: err.message }, 'no event on the source object'));
  }
}

/** Deletes the order's challenge entries and frees its grant at the issuer. */
export async function cleanupWork(ctx: CertCtx, env: CertEnv, work: OrderWork): Promise<void> {
  const ns = env.deps.config.dns.namespace;
  countChallenges(ctx, undefined);
  await Promise.all((work.entries ?? []).map((e) => deleteEntry(env.dns, ns, e)));
  ctx.tell(ISSUER_KIND, issuerId(work.issuer.namespace, work.issuer.name), { type: 'Release', certificate: ctx.id });
  delete vol(ctx).key;
  // A reply to a call of this work that is still out is stale from now on.
  delete vol(ctx).inflight;
}

/** Sets how many challenge entries this activation has published (0 or undefined when they are gone). */
export function countChallenges(ctx: CertCtx, active: { issuer: string; count: number } | undefined): void {
  const v = vol(ctx);
  if (v.activeChallenges) acmeActiveDnsChallenges.dec({ issuer: v.activeChallenges.issuer }, v.activeChallenges.count);
  if (active && active.count > 0) acmeActiveDnsChallenges.inc({ issuer: active.issuer }, active.count);
  v.activeChallenges = active && active.count > 0 ? active : undefined;
}

/** An order ended: cert_management_acme_orders as gardener counts it. */
export function countOrder(work: OrderWork, success: boolean): void {
  if (!work.orderUrl) return;
  acmeOrders.inc({
    issuer: `${work.issuer.namespace}/${work.issuer.name}`,
    success: String(success),
    dns_challenges: String(new Set(work.names.map((n) => n.replace(/^\*\./, ''))).size),
    renew: String(work.secretExists),
  });
}

/** What this pod reports about the certificate in its metrics. */
export function reportFacts(ctx: CertCtx, issued: IssuedRecord | undefined): void {
  const { namespace, name } = identityOf(ctx);
  reportCertificate(ctx.id, {
    namespace,
    name,
    hasSecret: issued !== undefined,
    ...(issued ? { issuer: `${issued.issuer.namespace}/${issued.issuer.name}`, expiresAtMs: issued.notAfterMs } : {}),
  });
}

/** The stored certificate is what the spec asks for: status Ready, renewal reminder at its renewal date. */
export async function markReady(ctx: CertCtx, env: CertEnv, issued: IssuedRecord, message: string): Promise<void> {
  const previous = ctx.state.issued;
  if (previous?.renewalAtMs !== issued.renewalAtMs || !previous)
    await ctx.setReminder('renew', issued.renewalAtMs, { type: 'Renew' });
  if (ctx.state.retryAt !== undefined) await ctx.cancelReminder('recheck');
  ctx.setState({ ...ctx.state, issued, failures: 0, failedGeneration: undefined, retryAt: undefined });
  reportFacts(ctx, issued);
  await writeStatus(ctx, env, {
    state: 'Ready',
    message,
    issuer: issued.issuer,
    certificate: issued,
    renewalAtMs: issued.renewalAtMs,
  });
}

/** What is recorded of a certificate stored in `where.secret`: its facts and its renewal date. */
export function issuedRecord(
  env: CertEnv,
  info: CertificateInfo,
  where: Pick<IssuedRecord, 'secret' | 'hash' | 'issuer' | 'requestedAtMs'>,
  renewBeforeMs: number | undefined,
): IssuedRecord {
  return {
    ...where,
    notBeforeMs: info.notBeforeMs,
    notAfterMs: info.notAfterMs,
    renewalAtMs: renewalDueAt(info.notBeforeMs, info.notAfterMs, renewBeforeMs, env.deps.config.renewalWindowMs),
    serialNumber: info.serialNumber,
    dnsNames: info.dnsNames,
    ...(info.commonName !== undefined ? { commonName: info.commonName } : {}),
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
  extra: Partial<Pick<StatusInput, 'issuer' | 'commonName' | 'dnsNames'>> = {},
): Promise<void> {
  const s = ctx.state;
  const generation = s.cert?.metadata.generation ?? 0;
  if (s.work) {
    countOrder(s.work, false);
    await cleanupWork(ctx, env, s.work);
    await ctx.cancelReminder('resume');
  }
  reportFacts(ctx, s.issued);
  const failures = (s.failedGeneration === generation ? (s.failures ?? 0) : 0) + 1;
  const intervalMs = kind === 'spec' ? VALIDATION_RECHECK_MS : failureBackoff(failures);
  const retryAt = ctx.now() + intervalMs;
  ctx.log.warn({ reason: message, failures, retryInMs: intervalMs }, 'certificate not issued');
  ctx.setState({ ...ctx.state, work: undefined, failures, failedGeneration: generation, retryAt });
  await ctx.setReminder('recheck', retryAt, { type: 'Recheck' });
  const issued = s.issued;
  await writeStatus(ctx, env, {
    state: 'Error',
    message,
    backoff: { retryAtMs: retryAt, intervalMs },
    ...(s.work ? { issuer: s.work.issuer } : issued ? { issuer: issued.issuer } : {}),
    ...extra,
    ...(issued ? { certificate: issued, renewalAtMs: issued.renewalAtMs } : {}),
  });
}
