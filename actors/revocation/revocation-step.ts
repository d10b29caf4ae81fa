// What a step of a revocation sees and what it may answer. A step reads and acts (revokes, annotates, asks for
// renewals) and returns the status to write; the runner (revocation-actor.ts) writes it, guarded by the
// resourceVersion the step read, and schedules the next step.
import { ANNOTATION_REQUESTED_AT, type TlsSecret } from '../certificate/certificate-secret.js';
import type { Certificate } from '../certificate/certificate-spec.js';
import type { ControllerDeps } from '../controller-deps.js';
import type { IssuerRefKey } from '../kinds.js';
import type { KubeClient } from '../kube/kube-client.js';
import { type CertificateInfo, readCertificateChain } from '../x509/certificate-info.js';
import type { CertificateRevocation, RevocationCtx, RevocationStatus } from './revocation-types.js';

export interface RevocationEnv {
  deps: ControllerDeps;
  /** CertificateRevocations and Certificates. */
  source: KubeClient;
  /** Certificate Secrets and their backups (kube-system). */
  target: KubeClient;
  /** The source cluster's name in certificate actor ids. */
  cluster: string;
}

export interface StepScope {
  ctx: RevocationCtx;
  env: RevocationEnv;
  cr: CertificateRevocation;
  status: RevocationStatus;
  renew: boolean;
  qualifyingMs: number;
  /** The Certificate named by spec.certificateRef, and its request hash label. */
  cert: Certificate;
  certHash: string;
  issuer: Required<IssuerRefKey>;
}

export type StepResult =
  /** Write this status; run the next step after `afterMs` (undefined: the revocation is over). */
  | { kind: 'status'; status: RevocationStatus; afterMs?: number }
  /** Error with this message (and the status otherwise as it is); retried after a backoff. */
  | { kind: 'error'; message: string }
  /** Nothing to write; look again after `afterMs`. */
  | { kind: 'recheck'; afterMs: number }
  /** Nothing to do (over, or not this deployment's class). */
  | { kind: 'idle' };

export const error = (message: string): StepResult => ({ kind: 'error', message });

/** The Pending status a step moves to, with the generation it saw. */
export const pending = (s: StepScope, message: string, changes: Partial<RevocationStatus>): RevocationStatus => ({
  ...s.status,
  ...changes,
  observedGeneration: s.cr.metadata.generation ?? 0,
  state: 'Pending',
  message,
});

/** The leaf of a Secret's tls.crt; throws with the reason when there is none. */
export function certificateOf(secret: TlsSecret): CertificateInfo {
  const crt = secret.data?.['tls.crt'];
  if (!crt) throw new Error('tls.crt is missing or empty');
  return readCertificateChain(Buffer.from(crt, 'base64').toString('utf8'));
}

/** The Secret's cert.gardener.cloud/requestedAt, if present and readable. */
export function requestedAtOf(secret: TlsSecret): number | undefined {
  const t = Date.parse(secret.metadata.annotations?.[ANNOTATION_REQUESTED_AT] ?? '');
  return Number.isNaN(t) ? undefined : t;
}
