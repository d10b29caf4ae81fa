// Runs the order table (order-steps.ts). Each `Advance` turn runs the current phase's step; the step's result says
// what happens next, and the runner carries it out: persisting the move (the state is written when the turn ends),
// arming the `advance` timer, sending the issuer call outside the turn (pipeToSelf), retrying with backoff, failing
// or restarting the order. An activation on another pod finds the same persisted work and continues it, first
// re-reading the order from the CA where the phase's resume rule says so.
import { ISSUER_KIND, issuerActorId } from '../../kinds.js';
import type { CertCtx, CertificateMsg, OrderPhase, OrderWork } from '../certificate-actor-types.js';
import { type CertEnv, requestOf } from '../certificate-env.js';
import { memoryOf } from '../certificate-memory.js';
import { fail } from '../certificate-outcome.js';
import { PENDING_MESSAGE } from '../certificate-status.js';
import { writeStatus } from '../certificate-status-writer.js';
import type { NormalizedRequest } from '../spec-validation.js';
import { cleanupWork } from './order-cleanup.js';
import type { OrderMemory, StepMemory } from './order-memory.js';
import type { IssuerReplyMsg, StepResult, StepScope } from './order-step.js';
import { acmeReplyOf, ORDER_STEPS, phaseForOrder } from './order-steps.js';

const ISSUER_ASK_TIMEOUT_MS = 120_000;
const MAX_TRANSIENT_RETRIES = 6;
/** The runtime's answer when an actor's mailbox is full. */
const BUSY = /mailbox of \S+ is full/;
/** The resume reminder's period: while an order runs, a pod death delays it by at most this (plus the lease TTL). */
const RESUME_REMINDER_MS = 10_000;

/** Runs the current step in a later turn. */
export function next(ctx: CertCtx, delayMs = 0): void {
  ctx.setTimer('advance', delayMs, { type: 'Advance' });
}

/** The running order's memory. Created lazily for an order found in the persisted state: that one must be re-read. */
function orderMemory(ctx: CertCtx): OrderMemory {
  const m = memoryOf(ctx);
  m.order ??= { reread: true };
  return m.order;
}

/** The current step's memory, fresh when the phase changed (or in a new activation). */
function stepMemory(ctx: CertCtx, work: OrderWork): StepMemory {
  const order = orderMemory(ctx);
  if (order.step?.phase !== work.phase) {
    order.step = { phase: work.phase, retries: 0, data: ORDER_STEPS[work.phase].initial() } as StepMemory;
  }
  return order.step;
}

function scopeOf(ctx: CertCtx, env: CertEnv, work: OrderWork, request: NormalizedRequest): StepScope<OrderPhase> {
  const step = stepMemory(ctx, work);
  return { ctx, env, config: env.deps.config, work, request, order: orderMemory(ctx), data: step.data as never };
}

/** Applies a step's patch to the work; an undefined field in a patch leaves the field as it is. */
function setWork(ctx: CertCtx, changes: Partial<OrderWork>): void {
  const work = ctx.state.work!;
  const patch = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<OrderWork>;
  const phaseChanged = patch.phase !== undefined && patch.phase !== work.phase;
  ctx.setState({ ...ctx.state, work: { ...work, ...patch, ...(phaseChanged ? { since: ctx.now() } : {}) } });
  if (phaseChanged) ctx.log.debug({ from: work.phase, to: patch.phase, ms: ctx.now() - work.since }, 'order step');
}

/** Starts an issuance: the state gets its work item, and a reminder brings it back if this pod dies. */
export async function startWork(ctx: CertCtx, work: Omit<OrderWork, 'phase' | 'since' | 'startedAt'>): Promise<void> {
  const now = ctx.now();
  ctx.setState({ ...ctx.state, work: { ...work, phase: 'grant', since: now, startedAt: now } });
  memoryOf(ctx).order = { reread: false };
  await ctx.setReminder('resume', now + RESUME_REMINDER_MS, { type: 'Resume' });
  next(ctx);
}

/** The reminder fired: re-arm it while work remains, and kick the work if nothing has moved for a while. */
export async function onResume(ctx: CertCtx): Promise<void> {
  if (!ctx.state.work) return;
  await ctx.setReminder('resume', ctx.now() + RESUME_REMINDER_MS, { type: 'Resume' });
  const last = memoryOf(ctx).order?.lastStepAt;
  if (last === undefined || ctx.now() - last > RESUME_REMINDER_MS) next(ctx);
}

/** Runs the current step (an `Advance` turn). */
export async function advance(ctx: CertCtx, env: CertEnv): Promise<void> {
  const work = ctx.state.work;
  if (!work) return;
  const order = orderMemory(ctx);
  if (order.inflight !== undefined) return; // a call is out; its reply continues the order
  order.lastStepAt = ctx.now();
  const validation = await requestOf(ctx, env);
  if (!validation.ok) return; // the spec changed under the work; Observed handles it
  const step = ORDER_STEPS[work.phase];
  if (order.reread && work.orderUrl && step.resume === 'reread') {
    return send(
      ctx,
      work,
      { type: 'Acme', certificate: ctx.id, operation: { op: 'readOrder', orderUrl: work.orderUrl } },
      'reread',
    );
  }
  order.reread = false;
  if (order.entriesLost) {
    order.entriesLost = false;
    if (NEEDS_ENTRIES.includes(work.phase)) return carryOut(ctx, env, { kind: 'continue', to: 'publish' });
  }
  const scope = scopeOf(ctx, env, work, validation.request);
  await carryOut(ctx, env, await (step.start as (s: StepScope<OrderPhase>) => Promise<StepResult> | StepResult)(scope));
}

/** The issuer answered the call of the current step (or the re-read of a resumed order). */
export async function onIssuerReply(ctx: CertCtx, env: CertEnv, msg: IssuerReplyMsg): Promise<void> {
  const work = ctx.state.work;
  const order = memoryOf(ctx).order;
  // Stale: the work moved on, was restarted or dropped since this call was sent.
  if (!work || !order || order.inflight?.token !== msg.token) return;
  if (work.phase !== msg.phase) {
    // Our call, but the work is no longer in the phase that made it: the call no longer blocks the order.
    delete order.inflight;
    return next(ctx);
  }
  const { purpose, sentAt } = order.inflight;
  delete order.inflight;
  // Where a step's call spends its time: at the issuer (its mailbox, the ACME limit, the CA), then in our own mailbox.
  if (msg.answeredAt !== undefined)
    ctx.log.debug(
      { phase: work.phase, issuerMs: msg.answeredAt - sentAt, queuedMs: ctx.now() - msg.answeredAt },
      'issuer call answered',
    );
  order.lastStepAt = ctx.now();
  const validation = await requestOf(ctx, env);
  if (!validation.ok) return;
  const unavailable = msg.reply as { ok?: boolean; unavailable?: boolean; error?: string } | undefined;
  if (unavailable?.ok === false && unavailable.unavailable)
    return waitForIssuer(ctx, env, unavailable.error ?? 'issuer unavailable');
  if (purpose === 'reread') return onReread(ctx, env, work, msg);
  const step = ORDER_STEPS[work.phase];
  if (!step.onReply) return;
  const scope = scopeOf(ctx, env, work, validation.request);
  await carryOut(ctx, env, await (step.onReply as NonNullable<typeof step.onReply>)(scope as never, msg));
}

/**
 * A resumed order, re-read from the CA: continue at the later of the persisted phase and where the CA says the order
 * is (stages of the table), so a step done but not recorded is not repeated and one recorded is not undone.
 */
async function onReread(ctx: CertCtx, env: CertEnv, work: OrderWork, msg: IssuerReplyMsg): Promise<void> {
  const r = acmeReplyOf(msg);
  if (!r.ok) return carryOut(ctx, env, { kind: 'retry', message: r.error, transient: r.transient });
  orderMemory(ctx).reread = false;
  ctx.log.info({ order: work.orderUrl, phase: work.phase }, 'order resumed');
  const progress = r.progress!;
  const atCa = phaseForOrder(progress);
  if (atCa === 'invalid')
    return fail(ctx, env, `ACME order failed: ${progress.problem ?? 'order invalid'}`, 'issuance');
  const forward = ORDER_STEPS[atCa].stage > ORDER_STEPS[work.phase].stage;
  setWork(ctx, {
    challenges: progress.challenges,
    finalizeUrl: progress.finalizeUrl,
    certificateUrl: progress.certificateUrl,
    phase: forward ? atCa : undefined,
  });
  next(ctx);
}

/** Does what a step asked for. */
async function carryOut(ctx: CertCtx, env: CertEnv, result: StepResult): Promise<void> {
  const work = ctx.state.work!;
  switch (result.kind) {
    case 'go':
      setWork(ctx, { ...result.patch, phase: result.to });
      return next(ctx, result.afterMs ?? 0);
    case 'continue':
      setWork(ctx, { ...result.patch, phase: result.to });
      ctx.cancelTimer('advance');
      return advance(ctx, env);
    case 'poll':
      return next(ctx, result.afterMs);
    case 'call':
      return send(ctx, work, result.request, 'step', result.timeoutMs);
    case 'park':
      return;
    case 'retry': {
      // The issuer's mailbox is full (thousands of certificates at once): back-pressure, not a failure of this
      // step. Waiting a random 1-5 s spreads the askers out instead of failing them all after six retries.
      if (BUSY.test(result.message)) return next(ctx, 1_000 + Math.floor(Math.random() * 4_000));
      const step = stepMemory(ctx, work);
      step.retries += 1;
      if (result.transient && step.retries <= MAX_TRANSIENT_RETRIES) {
        ctx.log.info({ reason: result.message, retry: step.retries }, 'step failed; retrying');
        return next(ctx, Math.min(30_000, 500 * 2 ** (step.retries - 1)));
      }
      return fail(ctx, env, result.message, 'issuance');
    }
    case 'fail':
      return fail(ctx, env, result.message, result.spec ? 'spec' : 'issuance');
    case 'restart':
      return restartOrder(ctx, env, work, result.why);
    case 'finished':
      await cleanupWork(ctx, env, work);
      // The resume reminder is left to fire once more and find no work: cheaper than a cancel on every issuance.
      ctx.setState({ ...ctx.state, work: undefined });
      return;
  }
}

/** The order has a private key only in the activation that finalized it: without it, start over from the grant. */
async function restartOrder(ctx: CertCtx, env: CertEnv, work: OrderWork, why: string): Promise<void> {
  ctx.log.warn({ order: work.orderUrl, why }, 'starting a new order');
  await cleanupWork(ctx, env, work);
  const { orderUrl: _o, challenges: _c, entries: _e, finalizeUrl: _f, certificateUrl: _u, ...rest } = work;
  // A new attempt: the issuer charges its grant again even if the Release of the old one never arrived.
  ctx.setState({ ...ctx.state, work: { ...rest, phase: 'grant', since: ctx.now(), attempt: (work.attempt ?? 0) + 1 } });
  memoryOf(ctx).order = { reread: false };
  next(ctx);
}

/**
 * Asks the issuer actor outside the turn: the certificate's turn ends at once and the reply comes back as an
 * IssuerReply message. A turn waiting on another actor would hold up a graceful handover of its shard (which waits
 * for running turns) for as long as the other actor takes.
 */
function send(
  ctx: CertCtx,
  work: OrderWork,
  request: Parameters<CertCtx['ask']>[2],
  purpose: 'step' | 'reread',
  timeoutMs = ISSUER_ASK_TIMEOUT_MS,
): void {
  const memory = memoryOf(ctx);
  memory.callSeq += 1;
  const token = memory.callSeq;
  orderMemory(ctx).inflight = { token, purpose, sentAt: ctx.now() };
  const phase = work.phase;
  const issuer = `${work.issuer.namespace}/${work.issuer.name}`;
  ctx.pipeToSelf(
    ctx.ask(ISSUER_KIND, issuerActorId(work.issuer), request, timeoutMs),
    (o): CertificateMsg =>
      o.ok
        ? { type: 'IssuerReply', token, phase, reply: o.value, answeredAt: ctx.now() }
        : {
            type: 'IssuerReply',
            token,
            phase,
            error: `issuer ${issuer} did not answer: ${o.error.message}`,
            answeredAt: ctx.now(),
          },
  );
}

/** Fallback poll while waiting for an issuer to come back; IssuerReady is the real signal. */
const ISSUER_WAIT_POLL_MS = 60_000;

/**
 * The order's issuer is gone or not ready: the status says so at once, and the order keeps its state and waits for
 * IssuerReady (the issuer actor tells its waiters) to continue where it was. No backoff: the cause is the issuer's.
 */
export async function waitForIssuer(ctx: CertCtx, env: CertEnv, message: string): Promise<void> {
  const work = ctx.state.work;
  if (!work) return;
  const issued = ctx.state.issued;
  await writeStatus(ctx, env, {
    state: 'Error',
    message,
    issuer: work.issuer,
    certificate: issued,
    renewalAtMs: issued?.renewalAtMs,
  });
  next(ctx, ISSUER_WAIT_POLL_MS);
}

/** The issuer is ready (again, or it freed a domain): the order continues; a status saying it waited is set back. */
export async function onIssuerReady(ctx: CertCtx, env: CertEnv): Promise<void> {
  const work = ctx.state.work;
  if (!work) return;
  if (ctx.state.status?.state === 'Error' && work.phase !== 'grant') {
    const issued = ctx.state.issued;
    await writeStatus(ctx, env, {
      state: 'Pending',
      message: PENDING_MESSAGE,
      issuer: work.issuer,
      certificate: issued,
      renewalAtMs: issued?.renewalAtMs,
    });
  }
  next(ctx);
}

/** Phases during which the challenge entries must exist: from their write until the CA has validated. */
const NEEDS_ENTRIES: readonly OrderPhase[] = ['await-entries', 'propagation', 'answer', 'validate'];

/**
 * One of the order's challenge entries was deleted by someone: it is written again at once (the order keeps its
 * challenges), instead of letting the CA find no TXT record and the certificate wait out a backoff.
 */
export async function onEntryDeleted(ctx: CertCtx, env: CertEnv, name: string): Promise<void> {
  const work = ctx.state.work;
  if (!work?.entries?.includes(name) || !NEEDS_ENTRIES.includes(work.phase)) return;
  ctx.log.info({ entry: name, phase: work.phase }, 'a challenge entry was deleted; writing it again');
  const order = orderMemory(ctx);
  // A call of the current step is out: its reply comes first, then the entries are written (see advance).
  if (order.inflight) order.entriesLost = true;
  else await carryOut(ctx, env, { kind: 'continue', to: 'publish' });
}

/** An EntryChanged from the dns watcher: counts a Ready entry; true when all are Ready (the caller advances). */
export function onEntryChanged(ctx: CertCtx, name: string, state: string | undefined, current: boolean): boolean {
  const work = ctx.state.work;
  if (work?.phase !== 'await-entries' || !work.entries?.includes(name)) return false;
  const { ready } = stepMemory(ctx, work).data as { ready: Set<string> };
  if (state === 'Ready' && current) ready.add(name);
  if (!work.entries.every((e) => ready.has(e))) return false;
  ctx.cancelTimer('advance');
  return true;
}
