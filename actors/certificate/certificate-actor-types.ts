// The certificate actor's persisted state and messages. Persisted state holds no key material: the private key of a
// certificate lives in the activation's memory from CSR to Secret, and in the Secret.
import type { ActorContext } from '../../runtime/index.js';
import type { ChallengeRecord } from '../acme/acme-order.js';
import type { AcmeReply, IssuerDnsSettings } from '../issuer/issuer-messages.js';
import type { Certificate, CertificateStatus } from './certificate-spec.js';
import type { AriRecord, RenewalSource } from './renewal-plan.js';

/** Steps of one issuance; the state is persisted between them, so another pod continues at the same step. */
export type OrderPhase =
  | 'grant' // waiting for the issuer's permission (quota token, domain locks)
  | 'order' // open the ACME order (or re-read it when resuming)
  | 'publish' // write the challenge DNSEntries
  | 'await-entries' // until the dns-controller reports them Ready
  | 'propagation' // until the TXT records answer at the precheck nameservers, then the additional wait
  | 'answer' // tell the CA to validate
  | 'validate' // until the order is ready
  | 'finalize' // key, CSR, finalize
  | 'download' // chain, Secret
  | 'sign' // CA and self-signed issuers: key, certificate signed without ACME, Secret
  | 'done'; // status Ready, entries deleted, grant released

export interface OrderWork {
  phase: OrderPhase;
  generation: number;
  hash: string;
  /** The issuer (its cluster 'default' when absent: states persisted before target issuers existed). */
  issuer: { cluster?: 'default' | 'target'; namespace: string; name: string };
  /** The issuer's type when the work started ('acme' when absent: states persisted before other types existed). */
  issuerType?: 'acme' | 'ca' | 'selfSigned';
  /** Order identifiers, commonName first. */
  names: string[];
  secret: { namespace: string; name: string };
  /** Whether the stored Secret is known to exist (an update instead of a create). */
  secretExists: boolean;
  /** The order renews a valid certificate that is due (cert_management_acme_orders' renew label). */
  renewal?: boolean;
  /** The issuer's DNS settings when it granted the order (kept, so a resumed order checks the same servers). */
  dns?: IssuerDnsSettings;
  /** The ACME profile the issuer granted the order in. */
  profile?: string;
  /** RFC 9773 certID of the certificate this order renews (sent as `replaces`). */
  replaces?: string;
  /** followCNAME: where each challenge record's name points (the records are written there; key: challenges.ts cnameKey). */
  cnameTargets?: Record<string, string>;
  startedAt: number;
  /** Orders started again for this work after a lost key (0 when absent): each new attempt is a new quota grant. */
  attempt?: number;
  /** When the current phase began: timeouts of waiting phases count from here. */
  since: number;
  orderUrl?: string;
  finalizeUrl?: string;
  /** Known once the order is valid. */
  certificateUrl?: string;
  challenges?: ChallengeRecord[];
  /** Names of the challenge objects (DNSEntries, or DNSRecords with --use-dnsrecords) the order publishes. */
  entries?: string[];
  /**
   * Those of `entries` that are an issuer's persistent dns-persist-01 records: in the issuer's record namespace, and
   * kept when the order ends.
   */
  keptEntries?: string[];
  /** Set in `done`: what was stored, for the status. */
  stored?: IssuedRecord;
  /** spec.keystores could not be written with the certificate: the status says so instead of Ready. */
  keystoreProblem?: string;
}

export interface IssuedRecord {
  secret: { namespace: string; name: string };
  hash: string;
  notBeforeMs: number;
  notAfterMs: number;
  renewalAtMs: number;
  /** What renewalAtMs follows: the CA's renewal information, or the spec's rule. */
  renewalSource?: RenewalSource;
  /** The CA's renewal information for this certificate (ACME issuers that offer it). */
  ari?: AriRecord;
  /** RFC 9773 certID: names this certificate to the CA (renewalInfo, and `replaces` of its renewal). */
  certId?: string;
  /** The type of the issuer it came from ('acme' when absent: states from before other types existed). */
  issuerType?: 'acme' | 'ca' | 'selfSigned';
  serialNumber: string;
  commonName?: string;
  dnsNames: string[];
  /** The issuer (its cluster 'default' when absent: states persisted before target issuers existed). */
  issuer: { cluster?: 'default' | 'target'; namespace: string; name: string };
  requestedAtMs?: number;
  /** The Secret's resourceVersion after our write or check: a change event with another one is someone else's edit. */
  secretResourceVersion?: string;
}

export interface CertificateActorState {
  /** The object as last observed (metadata and spec; status is ours and kept separately). */
  cert?: Certificate;
  /** The last status this actor wrote: the base of the next patch, so an unchanged status costs no write. */
  status?: CertificateStatus;
  work?: OrderWork;
  issued?: IssuedRecord;
  /** Consecutive failures of `failedGeneration`; a new generation starts at 0. */
  failures?: number;
  failedGeneration?: number;
  retryAt?: number;
  /** generation|reconcile-annotation last reconciled, so our own status echoes do nothing. */
  reconciledKey?: string;
}

export type CertificateMsg =
  | { type: 'Observed'; cert: Certificate }
  | { type: 'Deleted' }
  | { type: 'Advance' }
  /** A challenge DNSEntry of this certificate changed (from the dns watcher). */
  | {
      type: 'EntryChanged';
      name: string;
      state?: string;
      /** status.observedGeneration is the entry's generation. */
      current: boolean;
      /** The entry was deleted (by someone else while the order needs it). */
      deleted?: boolean;
    }
  /** The stored Secret changed or vanished (from the target watcher). */
  | { type: 'SecretChanged'; hash?: string; deleted: boolean; resourceVersion?: string }
  /** The issuer became ready or freed a domain. */
  | { type: 'IssuerReady' }
  /** The issuer was deleted (or cannot serve): the running order waits for it. */
  | { type: 'IssuerUnavailable'; message: string }
  /** Backoff or quota wait over. */
  | { type: 'Recheck' }
  /** The outcome of a call to the issuer actor, made outside the turn (pipeToSelf). */
  | {
      type: 'IssuerReply';
      token: number;
      phase: OrderPhase;
      reply?: unknown;
      error?: string;
      /** When the answer came back (this pod's clock): the debug log splits a call's time with it. */
      answeredAt?: number;
    }
  /** A turn met a transient error (an API server or the network down): try the same again. */
  | { type: 'Retry' }
  /** The renewal date came. */
  | { type: 'Renew' }
  /** Time to ask the CA for the certificate's renewal information again (RFC 9773). */
  | { type: 'CheckRenewalInfo' }
  /** The renewal information of the certificate with this serial (from the issuer actor). */
  | { type: 'RenewalInfoReply'; serialNumber: string; reply?: AcmeReply; error?: string }
  /** Periodic re-check from the source watcher (the seed's resync period): fixes whatever no event reported. */
  | { type: 'Resync' }
  /** Re-arms the resume reminder while an order runs (brings the order back on another pod if this one dies). */
  | { type: 'Resume' }
  /** An operator asked for renewal now (certctl renew). */
  | { type: 'RenewNow' }
  /** What the actor knows, for operators (a query: read-only). */
  | { type: 'Describe' }
  /** Describe plus the DNSEntries, Secret metadata and Events around it (a query: read-only). */
  | { type: 'Status' };

export type CertCtx = ActorContext<CertificateActorState, CertificateMsg>;
