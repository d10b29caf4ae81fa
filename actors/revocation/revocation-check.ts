// The waiting steps of a revocation and its end (gardener's checkRenewalReadyAndRepeat, checkRevokedAndRepeat,
// finishRevocation): with `renew`, until every Certificate serves a certificate requested after the qualifying date;
// without, until every Certificate reports Revoked (or failed); then Applied, PartialApplied or Error.
import { rfc3339, type TlsSecret } from '../certificate/certificate-secret.js';
import type { Certificate } from '../certificate/certificate-spec.js';
import { isNotFound } from '../kube/kube-api-error.js';
import { getCertificate, getSecret } from './revocation-kube.js';
import { definiteRefusal } from './revocation-prelude.js';
import {
  byName,
  checkRevokedDelayMs,
  finishedState,
  isRenewed,
  type RenewalView,
  renewalProgressMessage,
  revokedOutcome,
  secretRevocationFailed,
} from './revocation-rules.js';
import { certificateOf, pending, requestedAtOf, type StepResult, type StepScope } from './revocation-step.js';
import type { ObjectRef } from './revocation-types.js';

/** gardener rechecks renewals every 15 s; the first looks come sooner, as a pebble renewal takes a second or two. */
const RENEWAL_POLL_MAX_MS = 15_000;

/** A Certificate of the list, or undefined when it is gone (other refusals too: it cannot be followed). */
async function certificateAt(s: StepScope, ref: ObjectRef): Promise<Certificate | undefined> {
  try {
    return await getCertificate(s.env.source, ref.namespace, ref.name);
  } catch (err) {
    if (isNotFound(err) || definiteRefusal(err)) return undefined;
    throw err;
  }
}

/** The Secret a Certificate uses now, if it can be read (a failed read is judged "not yet"). */
async function currentSecret(s: StepScope, cert: Certificate): Promise<TlsSecret | undefined> {
  const ref = cert.spec?.secretRef;
  if (!ref?.name) return undefined;
  try {
    return await getSecret(s.env.target, ref.namespace || cert.metadata.namespace!, ref.name);
  } catch (err) {
    if (isNotFound(err) || definiteRefusal(err)) return undefined;
    throw err;
  }
}

function secretView(secret: TlsSecret | undefined): RenewalView['secret'] {
  if (!secret) return undefined;
  try {
    return { notBeforeMs: certificateOf(secret).notBeforeMs, requestedAtMs: requestedAtOf(secret) };
  } catch {
    return undefined;
  }
}

export async function checkRenewal(s: StepScope, pollMs: number): Promise<StepResult> {
  const objects = s.status.objects ?? {};
  const renewed: ObjectRef[] = [];
  const failed: ObjectRef[] = [];
  const still: ObjectRef[] = [];
  for (const ref of objects.processing ?? []) {
    const cert = await certificateAt(s, ref);
    if (!cert) {
      // gardener keeps a deleted Certificate in processing forever, so the revocation never ends; here it fails,
      // and the old certificates are revoked all the same (PartialApplied).
      failed.push(ref);
      continue;
    }
    const ensured = Date.parse(cert.spec.ensureRenewedAfter ?? '');
    const view: RenewalView = {
      ensureRenewedAfterMs: Number.isNaN(ensured) ? undefined : ensured,
      state: cert.status?.state,
      generation: cert.metadata.generation ?? 0,
      observedGeneration: cert.status?.observedGeneration,
      secret: secretView(await currentSecret(s, cert)),
    };
    (isRenewed(view, s.qualifyingMs) ? renewed : still).push(ref);
  }
  const status = pending(s, renewalProgressMessage(still.length), {
    objects: {
      ...objects,
      processing: still,
      renewed: byName([...(objects.renewed ?? []), ...renewed]),
      failed: byName([...(objects.failed ?? []), ...failed]),
    },
  });
  return { kind: 'status', status, afterMs: still.length === 0 ? 1000 : Math.min(RENEWAL_POLL_MAX_MS, pollMs) };
}

export async function checkRevoked(s: StepScope): Promise<StepResult> {
  const objects = s.status.objects ?? {};
  const processing = objects.processing ?? [];
  const revoked: ObjectRef[] = [];
  const failed: ObjectRef[] = [];
  const still: ObjectRef[] = [];
  for (const ref of processing) {
    const cert = await certificateAt(s, ref);
    if (!cert) {
      failed.push(ref);
      continue;
    }
    let secretFailed = false;
    if ((s.status.secrets?.failed?.length ?? 0) > 0) {
      const secret = await currentSecret(s, cert);
      let serial: string | undefined;
      try {
        serial = secret ? certificateOf(secret).serialNumber : undefined;
      } catch {
        serial = undefined; // unclear, as gardener says: not counted as failed
      }
      secretFailed = secretRevocationFailed(s.status.secrets, serial);
    }
    const outcome = revokedOutcome(cert.status?.state, secretFailed);
    (outcome === 'revoked' ? revoked : outcome === 'failed' ? failed : still).push(ref);
  }
  const created = Date.parse(s.cr.metadata.creationTimestamp ?? '') || s.ctx.now();
  const afterMs = checkRevokedDelayMs(created, s.ctx.now(), still.length);
  // As gardener: the lists change only when a Certificate moved; the message stays.
  if (still.length === processing.length)
    return { kind: 'status', status: pending(s, s.status.message ?? '', {}), afterMs };
  const next = {
    ...objects,
    processing: still,
    revoked: byName([...(objects.revoked ?? []), ...revoked]),
    failed: byName([...(objects.failed ?? []), ...failed]),
  };
  return { kind: 'status', status: pending(s, s.status.message ?? '', { objects: next }), afterMs };
}

export function finish(s: StepScope): StepResult {
  const { state, message } = finishedState(s.status, s.renew);
  const status = {
    ...s.status,
    observedGeneration: s.cr.metadata.generation ?? 0,
    state,
    message,
    revocationApplied: rfc3339(s.ctx.now()),
  };
  return { kind: 'status', status };
}
