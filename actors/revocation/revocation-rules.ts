// The decisions of gardener v0.27.0's revocation reconciler (pkg/controller/issuer/revocation/reconciler.go), pure:
// which step comes next from the status alone, which certificates count as requested before the qualifying date,
// when a renewal is complete, how a Certificate's outcome is judged, and the final state and messages. The step
// runner (revocation-steps.ts) does the reads and writes around them.
import type { ObjectRef, RevocationStatus, SecretRefWithSerial, SecretStatuses } from './revocation-types.js';

export type RevocationStep =
  | 'collect-secrets'
  | 'collect-certificates'
  | 'check-renewal'
  | 'revoke'
  | 'check-revoked'
  | 'finish';

const some = (list: readonly unknown[] | undefined) => (list?.length ?? 0) > 0;

/** The step the status asks for (gardener's Reconcile after its checks of the Certificate and the issuer). */
export function nextStep(status: RevocationStatus | undefined, renew: boolean): RevocationStep {
  if (!status?.secrets) return 'collect-secrets';
  if (!status.objects) return 'collect-certificates';
  if (renew && some(status.objects.processing)) return 'check-renewal';
  if (some(status.secrets.processing)) return 'revoke';
  if (!renew && some(status.objects.processing)) return 'check-revoked';
  return 'finish';
}

/** Let's Encrypt back-dates notBefore by an hour; gardener allows 30 s more for clock drift. */
const BACKDATING_ALLOWANCE_MS = 3_600_000 + 30_000;

/**
 * gardener's WasRequestedBefore: requested (the Secret's requestedAt) before the qualifying date; without requestedAt
 * (Secrets of older versions) notBefore stands in, less the CA's back-dating.
 */
export function wasRequestedBefore(notBeforeMs: number, requestedAtMs: number | undefined, qualifyingMs: number) {
  return requestedAtMs !== undefined
    ? qualifyingMs > requestedAtMs
    : qualifyingMs > notBeforeMs + BACKDATING_ALLOWANCE_MS;
}

/** A backup in kube-system as the revocation sees it (its certificate undefined when tls.crt does not decode). */
export interface BackupView {
  name: string;
  namespace: string;
  revoked: boolean;
  certificate?: { serialNumber: string; notBeforeMs: number; notAfterMs: number };
  requestedAtMs?: number;
}

/** gardener's FindAllOldBackupSecrets: not yet revoked, readable, still valid, requested before the date. */
export function oldBackups(backups: readonly BackupView[], qualifyingMs: number, nowMs: number): SecretRefWithSerial[] {
  return backups
    .filter(
      (b) =>
        !b.revoked &&
        b.certificate !== undefined &&
        nowMs <= b.certificate.notAfterMs &&
        wasRequestedBefore(b.certificate.notBeforeMs, b.requestedAtMs, qualifyingMs),
    )
    .map((b) => ({ name: b.name, namespace: b.namespace, serialNumber: b.certificate!.serialNumber }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Go's %v of a time.Time in UTC ("2026-12-01 10:00:00 +0000 UTC"; fractions as Go trims them). */
export function goTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''} +0000 UTC`;
}

/** Whether a Certificate is listed anywhere in the revocation's objects (it may be Revoked by this revocation). */
export function isInvolved(status: RevocationStatus | undefined, ref: ObjectRef): boolean {
  const o = status?.objects;
  return [o?.processing, o?.revoked, o?.failed].some((list) =>
    (list ?? []).some((r) => r.name === ref.name && r.namespace === ref.namespace),
  );
}

/** What the renewal check reads of a Certificate and of the Secret it uses now. */
export interface RenewalView {
  ensureRenewedAfterMs?: number;
  state?: string;
  generation: number;
  observedGeneration?: number;
  /** The certificate in the Secret the Certificate references now, if it can be read. */
  secret?: { notBeforeMs: number; requestedAtMs?: number };
}

/**
 * Renewed for this revocation: Ready at the generation that carries ensureRenewedAfter >= the qualifying date (gardener
 * stops here), and, closing gardener's race, the Secret holds a certificate requested after the date. Without the
 * last two a Certificate whose actor has not yet seen ensureRenewedAfter is still Ready with the old certificate, and
 * would be counted as renewed while the certificate about to be revoked is still being served.
 */
export function isRenewed(c: RenewalView, qualifyingMs: number): boolean {
  return (
    c.ensureRenewedAfterMs !== undefined &&
    c.ensureRenewedAfterMs >= qualifyingMs &&
    c.state === 'Ready' &&
    c.observedGeneration === c.generation &&
    c.secret !== undefined &&
    !wasRequestedBefore(c.secret.notBeforeMs, c.secret.requestedAtMs, qualifyingMs)
  );
}

/**
 * gardener's hasCertSecretRevocationFailed: some revocations failed and either none succeeded, or the one of the
 * certificate the Certificate uses now is among them (`currentSerial` undefined: unknown).
 */
export function secretRevocationFailed(
  secrets: SecretStatuses | undefined,
  currentSerial: string | undefined,
): boolean {
  if (!some(secrets?.failed)) return false;
  if (!some(secrets?.processing) && !some(secrets?.revoked)) return true;
  return currentSerial !== undefined && secrets!.failed!.some((f) => f.serialNumber === currentSerial);
}

export type CertificateOutcome = 'revoked' | 'failed' | 'pending';

/** How a Certificate stands after its certificates were revoked (without renewal). */
export function revokedOutcome(state: string | undefined, secretFailed: boolean): CertificateOutcome {
  if (state === 'Revoked') return 'revoked';
  if (state === 'Error' || secretFailed) return 'failed';
  return 'pending';
}

/** gardener's pacing of the revoked check: 5 s, 5 min once the revocation is an hour old, 500 ms when done. */
export function checkRevokedDelayMs(createdMs: number, nowMs: number, pending: number): number {
  if (pending === 0) return 500;
  return createdMs + 3_600_000 < nowMs ? 300_000 : 5_000;
}

export const collectedCertificatesMessage = (n: number, renew: boolean) =>
  renew ? `renewing ${n} certificates` : `found ${n} certificates to process`;

export const renewalProgressMessage = (stillToRenew: number) =>
  stillToRenew === 0 ? 'revoking old certificate' : `renewing certificate for ${stillToRenew} certificate objects`;

export const revocationMessage = (errors: readonly string[]) =>
  errors.length === 0 ? 'certificate(s) successfully revoked' : `errors during revocation: ${errors.join(', ')}`;

/** gardener's finishRevocation: Applied, PartialApplied (its typo kept: clients match on it), or Error. */
export function finishedState(status: RevocationStatus, renew: boolean): { state: string; message: string } {
  let message = renew ? 'certificate renewed and old certificate(s) revoked' : 'certificate(s) revoked';
  if (!some(status.secrets?.revoked))
    return { state: 'Error', message: `revocation of certificate failed: ${status.message ?? ''}` };
  if (some(status.secrets?.failed) || some(status.objects?.failed)) {
    message += ' (ony partially successful)';
    return { state: 'PartialApplied', message };
  }
  return { state: 'Applied', message };
}

/** Lists in a stable order, so a rewritten status that did not change compares equal. */
export const byName = <T extends { namespace: string; name: string }>(refs: T[]): T[] =>
  [...refs].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));

/**
 * The status as gardener's JSON has it: empty lists are left out (omitempty), the objects and secrets themselves stay
 * once collected (their presence decides the next step).
 */
export function normalizeStatus(status: RevocationStatus): RevocationStatus {
  const drop = <T extends object>(o: T | undefined): T | undefined =>
    o && (Object.fromEntries(Object.entries(o).filter(([, v]) => !Array.isArray(v) || v.length > 0)) as T);
  const out: RevocationStatus = { ...status };
  if (status.objects) out.objects = drop(status.objects);
  if (status.secrets) out.secrets = drop(status.secrets);
  return out;
}
