// The status a certificate actor writes, built from what it knows. Pure; `statusChanged` decides whether a patch is
// needed at all (every patch is an API write, and our own patches come back through the watch).

import type { CertificateInfo } from '../x509/certificate-info.js';
import type { CertificateStatus } from './certificate-spec.js';
import { formatDuration } from './duration.js';

export type CertificateState = 'Pending' | 'Ready' | 'Error' | 'Waiting';

export interface StatusInput {
  state: CertificateState;
  message: string;
  generation: number;
  now: number;
  /** The previous status: keeps lastTransitionTime when the Ready condition does not flip. */
  previous?: CertificateStatus;
  commonName?: string;
  dnsNames?: string[];
  issuer?: { namespace: string; name: string };
  /** The stored certificate, when there is one (also while renewing or after a failed renewal). */
  certificate?: Pick<CertificateInfo, 'notBeforeMs' | 'notAfterMs' | 'dnsNames' | 'commonName'>;
  renewalAtMs?: number;
  backoff?: { retryAtMs: number; intervalMs: number };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function buildStatus(input: StatusInput): CertificateStatus {
  const ready = input.state === 'Ready';
  const prevReady = input.previous?.conditions?.find((c) => c.type === 'Ready');
  const condStatus = ready ? 'True' : 'False';
  const reason = ready
    ? 'CertificateIssued'
    : input.state === 'Error'
      ? 'IssuanceFailed'
      : input.state === 'Waiting'
        ? 'QuotaExhausted'
        : 'Issuing';
  const status: CertificateStatus = {
    observedGeneration: input.generation,
    state: input.state,
    message: input.message,
    conditions: [
      {
        type: 'Ready',
        status: condStatus,
        observedGeneration: input.generation,
        lastTransitionTime:
          prevReady && prevReady.status === condStatus ? prevReady.lastTransitionTime : iso(input.now),
        reason,
        message: input.message.slice(0, 32_000),
      },
    ],
  };
  const cn = input.certificate?.commonName ?? input.commonName;
  if (cn !== undefined) status.commonName = cn;
  const names = input.certificate?.dnsNames ?? input.dnsNames;
  if (names) status.dnsNames = names;
  if (input.issuer)
    status.issuerRef = { cluster: 'default', name: input.issuer.name, namespace: input.issuer.namespace };
  if (input.certificate) {
    status.issuanceDate = iso(input.certificate.notBeforeMs);
    status.expirationDate = iso(input.certificate.notAfterMs);
  }
  if (input.renewalAtMs !== undefined) status.renewalDate = iso(input.renewalAtMs);
  if (input.state === 'Pending')
    status.lastPendingTimestamp =
      input.previous?.state === 'Pending' && input.previous.lastPendingTimestamp
        ? input.previous.lastPendingTimestamp
        : iso(input.now);
  if (input.backoff) {
    status.backoff = {
      observedGeneration: input.generation,
      recheckAfter: iso(input.backoff.retryAtMs),
      // A Go duration, as gardener writes it ("2m0s").
      recheckInterval: formatDuration(input.backoff.intervalMs),
    };
  }
  return status;
}

/** A merge patch must null out what the new status drops (backoff after recovery, dates of a removed certificate). */
export function statusPatch(next: CertificateStatus, previous: CertificateStatus | undefined): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...next };
  for (const key of Object.keys(previous ?? {})) if (!(key in next)) patch[key] = null;
  return patch;
}

export function statusChanged(next: CertificateStatus, previous: CertificateStatus | undefined): boolean {
  if (!previous) return true;
  const strip = (s: CertificateStatus) => JSON.stringify({ ...s, lastPendingTimestamp: undefined });
  return strip(next) !== strip(previous);
}

export function certificateSummary(info: Pick<CertificateInfo, 'serialNumber' | 'notBeforeMs' | 'notAfterMs'>): string {
  return `certificate (SN ${info.serialNumber}) valid from ${iso(info.notBeforeMs)} to ${iso(info.notAfterMs)}`;
}
