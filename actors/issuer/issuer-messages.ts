// What certificate actors ask of an issuer actor, and what it answers. Nothing here carries key material: CSRs,
// challenge values and certificate chains are public.
import type { AcmeOperation, AcmeResult } from './acme-operations.js';
import type { SignRequest } from './ca-signing.js';
import type { SetupReady } from './issuer-setups.js';
import type { Issuer } from './issuer-types.js';

export type IssuerRequest =
  /** Permission to run one order: a quota token and the challenge domains. Idempotent for the same hash. */
  | {
      type: 'Grant';
      certificate: string;
      hash: string;
      domains: string[];
      /**
       * Counts the certificate's orders for this request (0: the first): a repeated ask of the same attempt is the
       * same grant, a new attempt (an order started again after its key was lost) costs a new token.
       */
      attempt?: number;
      /** spec.renewBefore: refused before any token is spent when it exceeds what this issuer's certificates live. */
      renewBeforeMs?: number;
      /** spec.profile: refused before any token is spent when the CA does not offer it. */
      profile?: string;
    }
  /** The order ended (issued, failed or abandoned): free its domains. */
  | {
      type: 'Release';
      certificate: string;
      /** The order ended with a certificate of this lifetime (notAfter - notBefore): the issuer remembers it. */
      lifetimeMs?: number;
    }
  /** A certificate waits for this issuer to exist and be ready (it is told IssuerReady then). */
  | { type: 'Watch'; certificate: string }
  | { type: 'Acme'; certificate: string; operation: AcmeOperation }
  /** A CA issuer signs the certificate's CSR with its CA key (which never leaves the issuer actor). */
  | { type: 'Sign'; certificate: string; request: SignRequest }
  /** Quota and grants, for operators (a query: read-only). */
  | { type: 'Quota' }
  /** Status, account and quota with the Issuer's Events, for operators (a query: read-only). */
  | { type: 'Describe' };

/** The issuer's say in an order's DNS challenges (spec.acme.precheckNameservers, skipDNSChallengeValidation). */
export interface IssuerDnsSettings {
  precheckNameservers?: string[];
  skipDNSChallengeValidation?: boolean;
}

export type GrantReply =
  | {
      granted: true;
      issuerType: 'acme' | 'ca' | 'selfSigned';
      dns: IssuerDnsSettings;
      /** The ACME profile to order in: the certificate's, else the issuer's spec.acme.profile. */
      profile?: string;
      /** The CA offers renewal information (RFC 9773): a renewal order may name what it replaces. */
      renewalInfo?: boolean;
    }
  | { granted: false; reason: 'quota'; retryAt: number; message: string }
  | { granted: false; reason: 'busy' | 'not-ready' | 'missing'; message: string }
  /** The request cannot be served as specified (e.g. renewBefore longer than the certificates live). */
  | { granted: false; reason: 'invalid'; message: string };

export type AcmeReply = AcmeResult;

export interface QuotaReply {
  issuer: string;
  requestsPerDayQuota: number;
  tokens: number;
  activeGrants: number;
}

export type IssuerMsg =
  | { type: 'Observed'; issuer: Issuer }
  | { type: 'Deleted' }
  /** A Secret the issuer references was created, changed or deleted. */
  | { type: 'SecretChanged' }
  /** Try the account set-up again after a failure (a server may come back). */
  | { type: 'Retry' }
  /** The set-up of this generation succeeded (ISSUER_SETUPS); its material (account, CA key) stays in memory. */
  | { type: 'SetUpDone'; generation: number; ready: SetupReady }
  | { type: 'SetUpFailed'; generation: number; message: string }
  | IssuerRequest;
