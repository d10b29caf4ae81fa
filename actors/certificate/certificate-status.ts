// The status a certificate actor writes, shaped as gardener v0.27.0 writes it (reconciler.go prepareUpdateStatus):
// commonName and dnsNames as the spec (or the CSR) has them, issuerRef on every write, the validity of the stored
// certificate, one Ready condition whose reason is the state, backoff with a Go duration. Pure; `statusChanged`
// decides whether a patch is needed at all (every patch is an API write, and our own patches come back as events).
import type { CertificateInfo } from '../x509/certificate-info.js';
import type { CertificateSpec, CertificateStatus } from './certificate-spec.js';
import type { CsrInfo } from './csr.js';
import { formatDuration } from './duration.js';
import type { AriRecord, RenewalSource } from './renewal-plan.js';
import type { IssuerKey } from './request-hash.js';

export type CertificateState = 'Pending' | 'Ready' | 'Error' | 'Waiting' | 'Revoked';

/** gardener's Pending message for an ACME order. */
export const PENDING_MESSAGE = 'certificate requested, preparing/waiting for successful DNS01 challenge';

export interface StatusNames {
  commonName?: string;
  dnsNames?: string[];
}

export interface StatusInput {
  state: CertificateState;
  message: string;
  generation: number;
  now: number;
  /** The previous status: keeps lastTransitionTime when the Ready condition does not flip. */
  previous?: CertificateStatus;
  names: StatusNames;
  issuer?: IssuerKey;
  /** The stored certificate, when there is one (also while renewing or after a failed renewal). */
  certificate?: Pick<CertificateInfo, 'notBeforeMs' | 'notAfterMs'> & {
    renewalSource?: RenewalSource;
    ari?: AriRecord;
  };
  renewalAtMs?: number;
  backoff?: { retryAtMs: number; intervalMs: number };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** status.commonName and status.dnsNames: the spec's values as written (the CN is not repeated), or the CSR's. */
export function statusNames(spec: CertificateSpec, csr: CsrInfo | undefined): StatusNames {
  if (csr) return { commonName: csr.commonName, dnsNames: csr.dnsNames.length > 0 ? csr.dnsNames : undefined };
  return { commonName: spec.commonName, dnsNames: spec.dnsNames?.length ? spec.dnsNames : undefined };
}

export function buildStatus(input: StatusInput): CertificateStatus {
  const ready = input.state === 'Ready';
  const prevReady = input.previous?.conditions?.find((c) => c.type === 'Ready');
  const condStatus = ready ? 'True' : 'False';
  const status: CertificateStatus = {
    observedGeneration: input.generation,
    state: input.state,
    message: input.message,
    conditions: [
      {
        type: 'Ready',
        status: condStatus,
        observedGeneration: input.generation,
        lastTransitionTime: prevReady?.status === condStatus ? prevReady.lastTransitionTime : iso(input.now),
        reason: input.state,
        message: ready ? '' : input.message.slice(0, 32_000),
      },
    ],
  };
  if (input.names.commonName !== undefined) status.commonName = input.names.commonName;
  if (input.names.dnsNames) status.dnsNames = input.names.dnsNames;
  if (input.issuer) {
    const { cluster, name, namespace } = input.issuer;
    status.issuerRef = { cluster, name, namespace };
  }
  if (input.certificate) {
    status.issuanceDate = iso(input.certificate.notBeforeMs);
    status.expirationDate = iso(input.certificate.notAfterMs);
  }
  if (input.renewalAtMs !== undefined) status.renewalDate = iso(input.renewalAtMs);
  const source = input.certificate?.renewalSource;
  if (input.renewalAtMs !== undefined && source) {
    const ari = input.certificate?.ari;
    status.renewal = {
      source,
      ...(ari?.window ? { suggestedWindow: { start: iso(ari.window.startMs), end: iso(ari.window.endMs) } } : {}),
      ...(ari ? { nextCheck: iso(ari.nextCheckMs) } : {}),
    };
  }
  if (input.state === 'Pending') {
    const kept = input.previous?.state === 'Pending' ? input.previous.lastPendingTimestamp : undefined;
    status.lastPendingTimestamp = kept ?? iso(input.now);
  }
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

/** Go's fmt %v of a time.Time in UTC: "2025-01-01 10:00:00 +0000 UTC". */
export const goTime = (ms: number) =>
  `${new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '')} +0000 UTC`;

/** gardener's Ready message: `certificate (SN 1a:2b:...) valid from <time> to <time>`. */
export function certificateSummary(info: Pick<CertificateInfo, 'serialNumber' | 'notBeforeMs' | 'notAfterMs'>): string {
  return `certificate (SN ${info.serialNumber}) valid from ${goTime(info.notBeforeMs)} to ${goTime(info.notAfterMs)}`;
}
