// The CertificateRevocation resource (deploy/crds/cert.gardener.cloud_certificaterevocations.yaml, gardener v0.27.0
// types.go), and the revocation actor's messages and persisted state. Its status is the revocation's whole progress:
// the actor keeps nothing else that matters, so any pod continues where the status says.
import type { ActorContext } from '../../runtime/index.js';
import type { KubeObject } from '../kube/kube-object.js';

export interface ObjectRef {
  name: string;
  namespace: string;
}

/** A certificate Secret (a backup in kube-system) and the serial of its certificate, colon form. */
export interface SecretRefWithSerial {
  name: string;
  namespace: string;
  serialNumber: string;
}

export interface ObjectStatuses {
  processing?: ObjectRef[];
  renewed?: ObjectRef[];
  revoked?: ObjectRef[];
  failed?: ObjectRef[];
}

export interface SecretStatuses {
  processing?: SecretRefWithSerial[];
  revoked?: SecretRefWithSerial[];
  failed?: SecretRefWithSerial[];
}

export type RevocationState = 'Pending' | 'Error' | 'Applied' | 'PartialApplied';

export interface RevocationStatus {
  observedGeneration?: number;
  state?: RevocationState | string;
  message?: string;
  /** Absent until the secrets are collected; gardener's "nil" decides the next step. */
  objects?: ObjectStatuses;
  secrets?: SecretStatuses;
  /** Set when the revocation is over (whatever its outcome): nothing happens afterwards. */
  revocationApplied?: string;
}

export interface CertificateRevocation extends KubeObject {
  spec: {
    certificateRef?: Partial<ObjectRef>;
    renew?: boolean;
    /** RFC 3339; defaulted to the time the controller first sees the revocation (a spec update, as gardener). */
    qualifyingDate?: string;
  };
  status?: RevocationStatus;
}

export type RevocationMsg =
  /** The revocation was created or its spec or annotations changed (from the source watcher). */
  | { type: 'Observed' }
  | { type: 'Deleted' }
  /** The next step is due (a durable reminder: a pod dying mid-revocation delays it, never loses it). */
  | { type: 'Step' }
  /** What the actor knows, for operators (a query: read-only). */
  | { type: 'Describe' };

export interface RevocationActorState {
  /** Consecutive steps that ended in Error, for the retry backoff. */
  failures?: number;
}

export type RevocationCtx = ActorContext<RevocationActorState, RevocationMsg>;
