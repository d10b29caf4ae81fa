// The certificate's side of ACME renewal information (RFC 9773): a new certificate's window comes with its download
// (the issuer asks the CA right after the chain), and again when the CA's Retry-After (clamped) has passed the issuer
// asks for it; the renewal date then moves to a point inside it if that is earlier than the spec's rule
// (renewal-plan.ts). The later asks run outside the certificate's turn (pipeToSelf) and their answer comes back as
// RenewalInfoReply.
import type { RenewalInfo } from '../acme/acme-renewal-info.js';
import type { AcmeReply } from '../issuer/issuer-messages.js';
import { ISSUER_KIND, issuerActorId } from '../kinds.js';
import type { CertCtx, CertificateMsg, IssuedRecord } from './certificate-actor-types.js';
import { type CertEnv, requestOf } from './certificate-env.js';
import { memoryOf } from './certificate-memory.js';
import { writeStatus } from './certificate-status-writer.js';
import { type AriRecord, chooseInWindow, nextAriCheck, renewalPlan, renewalRule } from './renewal-plan.js';

const ASK_TIMEOUT_MS = 60_000;
/** A CA without renewal information, or an answer that failed: asked again after this long (at most the maximum). */
const RETRY_WITHOUT_INFO_MS = 3_600_000;

/**
 * Asks for the renewal information of the stored certificate if it is due (and none is being asked for). `onTime`:
 * the check's reminder fired, which may be a little before the recorded time; the chain of checks must not end there.
 */
export function checkRenewalInfoIfDue(
  ctx: CertCtx,
  env: CertEnv,
  issued: IssuedRecord,
  acmeIssuer: boolean,
  onTime = false,
): void {
  const { enabled } = env.deps.config.renewalInfo;
  if (!enabled || !acmeIssuer || !issued.certId) return;
  const ari = issued.ari?.serialNumber === issued.serialNumber ? issued.ari : undefined;
  if (ari && !onTime && ctx.now() < ari.nextCheckMs) return;
  const memory = memoryOf(ctx);
  if (memory.renewalInfoAsked === issued.serialNumber) return;
  memory.renewalInfoAsked = issued.serialNumber;
  const serialNumber = issued.serialNumber;
  const request = { type: 'Acme', certificate: ctx.id, operation: { op: 'renewalInfo', certId: issued.certId } };
  ctx.pipeToSelf(
    ctx.ask<AcmeReply>(ISSUER_KIND, issuerActorId(issued.issuer), request, ASK_TIMEOUT_MS),
    (o): CertificateMsg =>
      o.ok
        ? { type: 'RenewalInfoReply', serialNumber, reply: o.value }
        : { type: 'RenewalInfoReply', serialNumber, error: o.error.message },
  );
}

/**
 * What is recorded of an answer about the certificate with `serialNumber`: the window, a time chosen in it (kept from
 * `previous` while the window still holds it) and the next check; without an answer, a check again within the hour.
 */
export function ariRecordOf(
  ctx: CertCtx,
  env: CertEnv,
  serialNumber: string,
  info: RenewalInfo | undefined,
  previous: AriRecord | undefined,
): AriRecord {
  const now = ctx.now();
  const max = env.deps.config.renewalInfo.maxIntervalMs;
  if (info?.ok) {
    const kept = previous?.serialNumber === serialNumber ? previous.chosenMs : undefined;
    return {
      serialNumber,
      window: info.window,
      chosenMs: chooseInWindow(info.window, kept, now, Math.random),
      nextCheckMs: nextAriCheck(now, info.retryAfterMs, max),
    };
  }
  ctx.log.debug({ reason: info?.error ?? '' }, 'no renewal information');
  return { serialNumber, nextCheckMs: now + Math.min(RETRY_WITHOUT_INFO_MS, max) };
}

/** The CA answered: the window and next check are recorded, the renewal date follows, and a due renewal starts. */
export async function onRenewalInfo(
  ctx: CertCtx,
  env: CertEnv,
  msg: Extract<CertificateMsg, { type: 'RenewalInfoReply' }>,
): Promise<'due' | undefined> {
  const memory = memoryOf(ctx);
  if (memory.renewalInfoAsked === msg.serialNumber) delete memory.renewalInfoAsked;
  const issued = ctx.state.issued;
  if (!issued || issued.serialNumber !== msg.serialNumber) return undefined;
  if (ctx.state.work) {
    // An order runs (a renewal, a spec change): its certificate is checked when it is stored; this one later.
    await ctx.setReminder('renewal-info', ctx.now() + env.deps.config.renewalInfo.maxIntervalMs, {
      type: 'CheckRenewalInfo',
    });
    return undefined;
  }
  const config = env.deps.config;
  const info = msg.reply?.ok ? msg.reply.renewalInfo : undefined;
  const why = msg.error ?? (msg.reply && !msg.reply.ok ? msg.reply.error : undefined);
  const ari = ariRecordOf(
    ctx,
    env,
    issued.serialNumber,
    why === undefined ? info : { ok: false, error: why },
    issued.ari,
  );
  const validation = await requestOf(ctx, env, 'acme');
  if (!validation.ok) return undefined;
  const plan = renewalPlan(renewalRule(config, issued, issued.hash, validation.request), ari);
  const next: IssuedRecord = { ...issued, ari, renewalAtMs: plan.atMs, renewalSource: plan.source };
  ctx.setState({ ...ctx.state, issued: next });
  if (next.renewalAtMs !== issued.renewalAtMs) await ctx.setReminder('renew', next.renewalAtMs, { type: 'Renew' });
  await ctx.setReminder('renewal-info', ari.nextCheckMs, { type: 'CheckRenewalInfo' });
  if (plan.atMs <= ctx.now()) return 'due';
  // Only a Ready status shows the new date; an Error keeps its own message and recheck.
  if (ctx.state.status?.state === 'Ready') {
    const status = ctx.state.status;
    await writeStatus(ctx, env, {
      state: 'Ready',
      message: status.message ?? '',
      issuer: next.issuer,
      certificate: next,
      renewalAtMs: next.renewalAtMs,
    });
  }
  return undefined;
}
