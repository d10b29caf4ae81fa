// One issuance as a sequence of persisted steps. Each `Advance` turn performs one step against the outside world
// (issuer actor, dns cluster, DNS, target cluster), records the result in the state (persisted when the turn ends)
// and arms the `advance` timer for the next one. An activation on another pod finds the same state and continues:
// it re-reads the order first, because the previous activation may have done more than it managed to record.

import type { ChallengeRecord, OrderProgress } from '../acme/acme-order.js';
import { buildChallengeEntry } from '../dns/challenge-entry.js';
import { checkTxtPropagation } from '../dns/txt-propagation.js';
import type { AcmeOperation } from '../issuer/acme-operations.js';
import type { AcmeReply, GrantReply, IssuerRequest } from '../issuer/issuer-messages.js';
import { ISSUER_KIND, issuerId } from '../kinds.js';
import { createCsrPem, generatePrivateKey, readCertificateChain } from '../x509/certificate-info.js';
import type { CertCtx, CertificateMsg, OrderPhase, OrderWork } from './certificate-actor-types.js';
import {
  type CertEnv,
  cleanupWork,
  countChallenges,
  countOrder,
  fail,
  identityOf,
  issuedRecord,
  markReady,
  requestOf,
  vol,
  writeStatus,
} from './certificate-env.js';
import { getEntry, putSecret, upsertEntry } from './certificate-kube.js';
import { buildTlsSecret } from './certificate-secret.js';
import { certificateSummary } from './certificate-status.js';

const ISSUER_ASK_TIMEOUT_MS = 120_000;
const MAX_TRANSIENT_RETRIES = 6;
const ENTRY_FALLBACK_POLL_MS = 2_000;
const VALIDATION_TIMEOUT_MS = 5 * 60_000;
const RESUME_REMINDER_MS = 10_000;

export function next(ctx: CertCtx, delayMs = 0): void {
  ctx.setTimer('advance', delayMs, { type: 'Advance' });
}

function setWork(ctx: CertCtx, patch: Partial<OrderWork>): void {
  const work = ctx.state.work!;
  const phaseChanged = patch.phase !== undefined && patch.phase !== work.phase;
  ctx.setState({ ...ctx.state, work: { ...work, ...patch, ...(phaseChanged ? { since: ctx.now() } : {}) } });
  if (phaseChanged) {
    ctx.log.debug({ from: work.phase, to: patch.phase, ms: ctx.now() - work.since }, 'order step');
    const v = vol(ctx);
    v.retries = 0;
    delete v.pollDelayMs;
  }
}

const goTo = (ctx: CertCtx, phase: OrderPhase, patch: Partial<OrderWork> = {}, delayMs = 0) => {
  setWork(ctx, { ...patch, phase });
  next(ctx, delayMs);
};

/**
 * Moves to the next step and runs it in this same turn: for steps whose transition need not be persisted on its own
 * (a resumed activation re-reads the order and finds its place), this saves a turn and a state write per step.
 */
async function goNow(ctx: CertCtx, env: CertEnv, phase: OrderPhase, patch: Partial<OrderWork> = {}): Promise<void> {
  setWork(ctx, { ...patch, phase });
  ctx.cancelTimer('advance');
  await advance(ctx, env);
}

/** Polling delay that starts short (pebble and a nearby dns-controller answer in milliseconds) and doubles to `max`. */
function pollDelay(ctx: CertCtx, first: number, max: number): number {
  const v = vol(ctx);
  const d = v.pollDelayMs ?? first;
  v.pollDelayMs = Math.min(max, d * 2);
  return d;
}

/** Starts an issuance: the state gets its work item, and a reminder brings it back if this pod dies. */
export async function startWork(ctx: CertCtx, work: Omit<OrderWork, 'phase' | 'since' | 'startedAt'>): Promise<void> {
  const now = ctx.now();
  ctx.setState({ ...ctx.state, work: { ...work, phase: 'grant', since: now, startedAt: now } });
  vol(ctx).grantWaits = 0;
  delete vol(ctx).inflight;
  await ctx.setReminder('resume', now + RESUME_REMINDER_MS, { type: 'Resume' });
  next(ctx);
}

/** The reminder fired: re-arm it while work remains, and kick the work if nothing has moved for a while. */
export async function onResume(ctx: CertCtx): Promise<void> {
  if (!ctx.state.work) return;
  await ctx.setReminder('resume', ctx.now() + RESUME_REMINDER_MS, { type: 'Resume' });
  const last = vol(ctx).lastStepAt;
  if (last === undefined || ctx.now() - last > RESUME_REMINDER_MS) next(ctx);
}

/**
 * Asks the issuer actor outside the turn: the certificate's turn ends at once and the reply comes back as an
 * IssuerReply message. A turn waiting on another actor would hold up a graceful handover of its shard (which waits
 * for running turns) for as long as the other actor takes.
 */
function callIssuer(ctx: CertCtx, work: OrderWork, request: IssuerRequest, timeoutMs = ISSUER_ASK_TIMEOUT_MS): void {
  const v = vol(ctx);
  const token = (v.callSeq = (v.callSeq ?? 0) + 1);
  v.inflight = token;
  const phase = work.phase;
  ctx.pipeToSelf(
    ctx.ask(ISSUER_KIND, issuerId(work.issuer.namespace, work.issuer.name), request, timeoutMs),
    (o): CertificateMsg =>
      o.ok
        ? { type: 'IssuerReply', token, phase, reply: o.value }
        : {
            type: 'IssuerReply',
            token,
            phase,
            error: `issuer ${work.issuer.namespace}/${work.issuer.name} did not answer: ${o.error.message}`,
          },
  );
}

const acmeCall = (ctx: CertCtx, work: OrderWork, operation: AcmeOperation) =>
  callIssuer(ctx, work, { type: 'Acme', certificate: ctx.id, operation });

/** An issuer reply as an AcmeReply (a failed ask is a transient ACME failure). */
function acmeReplyOf(msg: Extract<CertificateMsg, { type: 'IssuerReply' }>): AcmeReply {
  return msg.error !== undefined ? { ok: false, error: msg.error, transient: true } : (msg.reply as AcmeReply);
}

/** A step failed in a way that may pass (CA or API busy, network): retry it a few times, then give up on the order. */
async function retryOrFail(ctx: CertCtx, env: CertEnv, message: string, transient: boolean): Promise<void> {
  const v = vol(ctx);
  v.retries = (v.retries ?? 0) + 1;
  if (transient && v.retries <= MAX_TRANSIENT_RETRIES) {
    ctx.log.info({ reason: message, retry: v.retries }, 'step failed; retrying');
    next(ctx, Math.min(30_000, 500 * 2 ** (v.retries - 1)));
    return;
  }
  await fail(ctx, env, message, 'issuance');
}

/** Where an order stands decides the next step (used after newOrder and whenever the order is re-read). */
function phaseForOrder(progress: OrderProgress): OrderPhase | 'invalid' {
  switch (progress.status) {
    case 'invalid':
      return 'invalid';
    case 'ready':
    case 'processing':
    case 'valid':
      return 'finalize';
    default:
      return progress.challenges.some((c) => c.status !== 'pending') ? 'validate' : 'publish';
  }
}

/** The current work's order has a private key only in the activation that finalized it: without it, start over. */
async function restartOrder(ctx: CertCtx, env: CertEnv, why: string): Promise<void> {
  const work = ctx.state.work!;
  ctx.log.warn({ order: work.orderUrl, why }, 'starting a new order');
  await cleanupWork(ctx, env, work);
  const { orderUrl: _o, challenges: _c, entries: _e, ...rest } = work;
  ctx.setState({ ...ctx.state, work: { ...rest, phase: 'grant', since: ctx.now() } });
  next(ctx);
}

/** The next step of the running order; steps that need the issuer send their call and end the turn. */
export async function advance(ctx: CertCtx, env: CertEnv): Promise<void> {
  const work = ctx.state.work;
  if (!work) return;
  const v = vol(ctx);
  if (v.inflight !== undefined) return; // a call is out; its reply continues the order
  v.lastStepAt = ctx.now();
  const validation = await requestOf(ctx, env);
  if (!validation.ok) return; // the spec changed under the work; Observed handles it
  const request = validation.request;
  const config = env.deps.config;

  // A resumed activation first learns where the order really is.
  if (v.refresh && work.orderUrl && work.phase !== 'grant' && work.phase !== 'done')
    return acmeCall(ctx, work, { op: 'readOrder', orderUrl: work.orderUrl });
  v.refresh = false;

  switch (work.phase) {
    case 'grant':
      return callIssuer(
        ctx,
        work,
        { type: 'Grant', certificate: ctx.id, hash: work.hash, domains: challengeDomains(work.names) },
        60_000,
      );
    case 'order':
      return acmeCall(
        ctx,
        work,
        work.orderUrl ? { op: 'readOrder', orderUrl: work.orderUrl } : { op: 'newOrder', names: work.names },
      );
    case 'answer':
      return acmeCall(ctx, work, { op: 'answer', orderUrl: work.orderUrl!, challenges: work.challenges ?? [] });
    case 'validate':
      return acmeCall(ctx, work, { op: 'orderStatus', orderUrl: work.orderUrl! });
    case 'download':
      if (!request.csr && v.key?.orderUrl !== work.orderUrl)
        return restartOrder(ctx, env, 'the private key of the finalized order is gone (the pod that held it stopped)');
      return acmeCall(ctx, work, {
        op: 'download',
        orderUrl: work.orderUrl!,
        ...(work.certificateUrl ? { certificateUrl: work.certificateUrl } : {}),
        ...(request.preferredChain ? { preferredChain: request.preferredChain } : {}),
      });

    case 'finalize': {
      let csrPem: string;
      if (request.csr) {
        csrPem = request.csr.pem;
      } else {
        if (v.key?.orderUrl !== work.orderUrl)
          v.key = { orderUrl: work.orderUrl!, pem: await generatePrivateKey(request.privateKey!) };
        csrPem = await createCsrPem(work.names, v.key!.pem);
      }
      return acmeCall(ctx, work, {
        op: 'finalize',
        orderUrl: work.orderUrl!,
        ...(work.finalizeUrl ? { finalizeUrl: work.finalizeUrl } : {}),
        csrPem,
      });
    }

    case 'publish': {
      const identity = identityOf(ctx);
      const groups = challengeGroups(work.challenges ?? []);
      const entries = [...groups].map(([domain, values]) =>
        buildChallengeEntry({
          certificate: identity,
          domain,
          values,
          namespace: config.dns.namespace,
          ttlSeconds: Math.max(1, Math.round(config.propagationTimeoutMs / 1000)),
          ...(config.dns.class ? { dnsClass: config.dns.class } : {}),
          ...(config.dns.ownerId ? { ownerId: config.dns.ownerId } : {}),
        }),
      );
      try {
        await Promise.all(entries.map((e) => upsertEntry(env.dns, e)));
      } catch (err) {
        return retryOrFail(
          ctx,
          env,
          `writing the challenge DNSEntries in namespace ${config.dns.namespace} of the dns cluster failed: ${(err as Error).message}`,
          true,
        );
      }
      v.entriesReady = new Set();
      countChallenges(ctx, { issuer: `${work.issuer.namespace}/${work.issuer.name}`, count: entries.length });
      return goTo(ctx, 'await-entries', { entries: entries.map((e) => e.metadata.name) }, ENTRY_FALLBACK_POLL_MS);
    }

    case 'await-entries': {
      const names = work.entries ?? [];
      const ready = (v.entriesReady ??= new Set());
      const problems: string[] = [];
      for (const name of names.filter((n) => !ready.has(n))) {
        const entry = await getEntry(env.dns, config.dns.namespace, name);
        if (!entry) return goTo(ctx, 'publish'); // deleted by someone: write it again
        const current =
          entry.status?.observedGeneration === undefined ||
          entry.status.observedGeneration >= (entry.metadata.generation ?? 0);
        if (entry.status?.state === 'Ready' && current) ready.add(name);
        else
          problems.push(
            `DNSEntry ${config.dns.namespace}/${name} (${entry.spec.dnsName}) is ${entry.status?.state ?? 'not processed yet'}${entry.status?.message ? `: ${entry.status.message}` : ''}`,
          );
      }
      if (problems.length === 0) return goNow(ctx, env, 'propagation');
      if (ctx.now() - work.since > config.propagationTimeoutMs) {
        return fail(
          ctx,
          env,
          `challenge DNS records were not published within ${config.propagationTimeoutMs / 1000}s (--propagation-timeout): ${problems.join('; ')}; is a dns-controller-manager serving class "${config.dns.class || 'default'}" in the dns cluster?`,
          'issuance',
        );
      }
      return next(ctx, ENTRY_FALLBACK_POLL_MS);
    }

    case 'propagation': {
      if (v.propagatedAt !== undefined) {
        delete v.propagatedAt;
        return goTo(ctx, 'answer');
      }
      const nameservers = config.precheckNameservers;
      const groups = [...challengeGroups(work.challenges ?? [])];
      const results =
        nameservers.length === 0
          ? []
          : await Promise.all(
              groups.map(async ([domain, values]) => ({
                domain,
                ...(await checkTxtPropagation(`_acme-challenge.${domain}`, values, nameservers)),
              })),
            );
      const pending = results.filter((r) => !r.ready);
      if (pending.length === 0) {
        if (config.precheckAdditionalWaitMs > 0) {
          v.propagatedAt = ctx.now();
          return next(ctx, config.precheckAdditionalWaitMs);
        }
        return goNow(ctx, env, 'answer');
      }
      if (ctx.now() - work.since > config.propagationTimeoutMs) {
        const detail = pending
          .map((p) => `_acme-challenge.${p.domain}: ${p.pending.map((x) => `${x.nameserver} ${x.reason}`).join(', ')}`)
          .join('; ');
        return fail(
          ctx,
          env,
          `TXT records not visible at the precheck nameservers within ${config.propagationTimeoutMs / 1000}s (--propagation-timeout): ${detail}`,
          'issuance',
        );
      }
      return next(ctx, pollDelay(ctx, 50, 2_000));
    }

    case 'done': {
      const stored = work.stored!;
      await markReady(
        ctx,
        env,
        stored,
        `${certificateSummary(stored)}; stored in secret ${stored.secret.namespace}/${stored.secret.name}`,
      );
      ctx.log.info(
        { secret: `${stored.secret.namespace}/${stored.secret.name}`, ms: ctx.now() - work.startedAt },
        'certificate issued',
      );
      countOrder(work, true);
      await cleanupWork(ctx, env, work);
      // The resume reminder is left to fire once more and find no work: cheaper than a cancel on every issuance.
      ctx.setState({ ...ctx.state, work: undefined });
      return;
    }
  }
}

/** The issuer answered the call of the current step: decide the next one. */
export async function onIssuerReply(
  ctx: CertCtx,
  env: CertEnv,
  msg: Extract<CertificateMsg, { type: 'IssuerReply' }>,
): Promise<void> {
  const v = vol(ctx);
  const work = ctx.state.work;
  if (v.inflight !== msg.token || !work || work.phase !== msg.phase) return; // stale: the work moved on or restarted
  delete v.inflight;
  v.lastStepAt = ctx.now();
  const validation = await requestOf(ctx, env);
  if (!validation.ok) return;
  const request = validation.request;

  if (v.refresh) {
    const r = acmeReplyOf(msg);
    if (!r.ok) return retryOrFail(ctx, env, r.error, r.transient);
    v.refresh = false;
    ctx.log.info({ order: work.orderUrl, phase: work.phase }, 'order resumed');
    const phase = phaseForOrder(r.progress!);
    if (phase === 'invalid')
      return fail(ctx, env, `ACME order failed: ${r.progress!.problem ?? 'order invalid'}`, 'issuance');
    // Keep later phases of the same stage (entries written, waiting for propagation) rather than repeating them.
    const stage = (p: OrderPhase) =>
      ['publish', 'await-entries', 'propagation', 'answer'].includes(p)
        ? 1
        : p === 'validate'
          ? 2
          : p === 'finalize' || p === 'download'
            ? 3
            : 0;
    const urls = {
      ...(r.progress!.finalizeUrl ? { finalizeUrl: r.progress!.finalizeUrl } : {}),
      ...(r.progress!.certificateUrl ? { certificateUrl: r.progress!.certificateUrl } : {}),
    };
    setWork(ctx, {
      challenges: r.progress!.challenges,
      ...urls,
      ...(stage(phase) > stage(work.phase) ? { phase } : {}),
    });
    return next(ctx);
  }

  switch (work.phase) {
    case 'grant': {
      if (msg.error !== undefined) return retryOrFail(ctx, env, msg.error, true);
      const reply = msg.reply as GrantReply;
      const common = {
        issuer: work.issuer,
        dnsNames: request.dnsNames,
        ...(request.commonName !== undefined ? { commonName: request.commonName } : {}),
      };
      if (reply.granted) {
        await writeStatus(ctx, env, {
          ...common,
          state: 'Pending',
          message: `certificate requested from issuer ${work.issuer.namespace}/${work.issuer.name}${work.secretExists ? ' (renewal)' : ''}`,
        });
        return goTo(ctx, 'order');
      }
      if (reply.reason === 'quota') {
        await writeStatus(ctx, env, { ...common, state: 'Waiting', message: reply.message });
        await ctx.setReminder('recheck', reply.retryAt, { type: 'Recheck' });
        return;
      }
      // Not ready, missing or busy: the issuer wakes us (IssuerReady); the timer is the fallback.
      const waits = (v.grantWaits = (v.grantWaits ?? 0) + 1);
      await writeStatus(ctx, env, {
        ...common,
        state: reply.reason === 'missing' ? 'Error' : 'Pending',
        message: reply.message,
      });
      return next(ctx, Math.min(600_000, 15_000 * 2 ** Math.min(waits - 1, 6)));
    }

    case 'order': {
      const r = acmeReplyOf(msg);
      if (!r.ok) return retryOrFail(ctx, env, `ACME order: ${r.error}`, r.transient);
      const progress = r.progress!;
      const phase = phaseForOrder(progress);
      if (phase === 'invalid')
        return fail(ctx, env, `ACME order failed: ${progress.problem ?? 'order invalid'}`, 'issuance');
      ctx.log.info({ order: progress.orderUrl, names: work.names }, work.orderUrl ? 'order resumed' : 'order created');
      return goTo(ctx, phase, {
        orderUrl: progress.orderUrl,
        challenges: progress.challenges,
        ...(progress.finalizeUrl ? { finalizeUrl: progress.finalizeUrl } : {}),
      });
    }

    case 'answer': {
      const r = acmeReplyOf(msg);
      if (!r.ok) return retryOrFail(ctx, env, `answering the ACME challenges failed: ${r.error}`, r.transient);
      return goTo(ctx, 'validate', {}, 20);
    }

    case 'validate': {
      const r = acmeReplyOf(msg);
      if (!r.ok) return retryOrFail(ctx, env, `reading the ACME order failed: ${r.error}`, r.transient);
      if (r.status === 'invalid') {
        // Only now the details are worth a full read: which authorization failed, and why.
        v.inflight = undefined;
        return goTo(ctx, 'order');
      }
      if (r.status === 'ready' || r.status === 'processing' || r.status === 'valid')
        return goNow(ctx, env, 'finalize', r.certificateUrl ? { certificateUrl: r.certificateUrl } : {});
      if (ctx.now() - work.since > VALIDATION_TIMEOUT_MS)
        return fail(
          ctx,
          env,
          `the ACME server did not validate the challenges within ${VALIDATION_TIMEOUT_MS / 60_000} minutes`,
          'issuance',
        );
      // Still pending long after the answer: the answer may have been lost; re-read the order, which answers again.
      if (ctx.now() - work.since > 10_000 && (v.pollDelayMs ?? 0) >= 1_000) return goTo(ctx, 'order');
      return next(ctx, pollDelay(ctx, 20, 1_000));
    }

    case 'finalize': {
      const r = acmeReplyOf(msg);
      if (!r.ok) return retryOrFail(ctx, env, `finalizing the ACME order failed: ${r.error}`, r.transient);
      if (r.status === 'invalid')
        return fail(ctx, env, 'the ACME server refused to finalize the order (order invalid)', 'issuance');
      if (r.status === 'pending') return goTo(ctx, 'validate');
      if (!r.finalizedNow && !request.csr)
        return restartOrder(ctx, env, 'the order was finalized by an earlier activation whose private key is gone');
      const known = r.certificateUrl ? { certificateUrl: r.certificateUrl } : {};
      if (r.status === 'valid') return goNow(ctx, env, 'download', known);
      return goTo(ctx, 'download', known, 20);
    }

    case 'download': {
      const r = acmeReplyOf(msg);
      if (!r.ok) return retryOrFail(ctx, env, `downloading the certificate failed: ${r.error}`, r.transient);
      if (r.status === 'invalid')
        return fail(ctx, env, 'the ACME order became invalid while the certificate was being issued', 'issuance');
      if (!r.chain) {
        if (ctx.now() - work.since > VALIDATION_TIMEOUT_MS)
          return fail(ctx, env, 'the ACME server did not issue the certificate in time', 'issuance');
        return next(ctx, pollDelay(ctx, 20, 1_000));
      }
      if (!request.csr && v.key?.orderUrl !== work.orderUrl)
        return restartOrder(ctx, env, 'the private key of the finalized order is gone (the pod that held it stopped)');
      const info = readCertificateChain(r.chain);
      const identity = identityOf(ctx);
      const requestedAtMs = work.startedAt;
      const secret = buildTlsSecret({
        namespace: work.secret.namespace,
        name: work.secret.name,
        owner: identity,
        issuer: `${work.issuer.namespace}/${work.issuer.name}`,
        hash: work.hash,
        chainPem: r.chain,
        keyPem: v.key?.pem ?? '',
        requestedAtMs,
        extraLabels: request.secretLabels,
      });
      try {
        await putSecret(env.target, secret, work.secretExists);
      } catch (err) {
        return retryOrFail(
          ctx,
          env,
          `storing the certificate in secret ${work.secret.namespace}/${work.secret.name} of the target cluster failed: ${(err as Error).message}`,
          true,
        );
      }
      const stored = issuedRecord(
        env,
        info,
        { secret: work.secret, hash: work.hash, issuer: work.issuer, requestedAtMs },
        request.renewBeforeMs,
      );
      delete v.key;
      return goNow(ctx, env, 'done', { stored });
    }

    default:
      return undefined;
  }
}

/** The `_acme-challenge` domains of an order's names (a wildcard and its base share one). */
export function challengeDomains(names: readonly string[]): string[] {
  return [...new Set(names.map((n) => n.toLowerCase().replace(/^\*\./, '')))];
}

function challengeGroups(challenges: readonly ChallengeRecord[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const c of challenges) {
    const domain = c.dnsName.replace(/^_acme-challenge\./, '');
    groups.set(domain, [...(groups.get(domain) ?? []), c.value]);
  }
  return groups;
}

/** An EntryChanged from the dns watcher: counts a Ready entry; true when all are Ready (the caller advances). */
export function onEntryChanged(ctx: CertCtx, name: string, state: string | undefined, current: boolean): boolean {
  const work = ctx.state.work;
  if (!work || work.phase !== 'await-entries' || !work.entries?.includes(name)) return false;
  const ready = (vol(ctx).entriesReady ??= new Set());
  if (state === 'Ready' && current) ready.add(name);
  if (!work.entries.every((e) => ready.has(e))) return false;
  ctx.cancelTimer('advance');
  return true;
}
