// The Secret label cert.gardener.cloud/hash records what a stored certificate was issued for. A certificate whose
// request hashes the same may take over that secret instead of ordering again (gardener: findSecretByHashLabel),
// which spares the CA's rate limits when certificates are recreated or renamed. So the hash must cover everything
// that makes two certificates interchangeable, and nothing that does not (order of dnsNames, letter case,
// defaults spelled out or left implicit).
//
// Gardener's buildSpecNewHash (certificate/reconciler.go) hashes CN, dnsNames in spec order, CSR, issuer key and a
// non-default key type with SHA-224. We hash the normalised request instead, sorted, and also cover key encoding,
// isCA, duration and preferredChain: a secret with a PKCS8 key or another chain is not a valid reuse for a
// certificate asking for PKCS1 or a different chain.
import { createHash } from 'node:crypto';
import type { PrivateKeySettings } from './private-key-settings.js';
import type { NormalizedRequest } from './spec-validation.js';

export interface IssuerIdentity {
  /** "default" (the cluster issuers live on), kept so a future second issuer cluster cannot collide. */
  cluster: string;
  namespace: string;
  name: string;
}

export interface RequestHashInput {
  issuer: IssuerIdentity;
  commonName?: string;
  dnsNames: readonly string[];
  csrDerBase64?: string;
  privateKey?: PrivateKeySettings;
  isCA?: boolean;
  durationMs?: number;
  preferredChain?: string;
}

export const HASH_LABEL = 'cert.gardener.cloud/hash';

/** 56 lower-case hex characters (SHA-224, like gardener): a valid label value as it is. */
export function requestHash(input: RequestHashInput): string {
  const canonical = [
    'v1',
    `issuer=${input.issuer.cluster}/${input.issuer.namespace}/${input.issuer.name}`,
    // The common name is hashed on its own because it decides the subject, which sorting the SANs would hide.
    `cn=${input.commonName?.toLowerCase() ?? ''}`,
    `names=${[...new Set(input.dnsNames.map((n) => n.toLowerCase()))].sort().join(',')}`,
    `csr=${input.csrDerBase64 ?? ''}`,
    `key=${input.privateKey ? `${input.privateKey.algorithm}-${input.privateKey.size}-${input.privateKey.encoding}` : ''}`,
    `ca=${input.isCA === true}`,
    `duration=${input.durationMs ?? ''}`,
    `chain=${input.preferredChain ?? ''}`,
  ];
  // NUL separators: no field value can contain one, so different inputs cannot concatenate to the same text.
  return createHash('sha224').update(canonical.join('\0')).digest('hex');
}

export function requestHashOf(request: NormalizedRequest, issuer: IssuerIdentity): string {
  const input: RequestHashInput = { issuer, dnsNames: request.dnsNames, isCA: request.isCA };
  if (request.commonName !== undefined) input.commonName = request.commonName;
  if (request.csr) input.csrDerBase64 = request.csr.derBase64;
  if (request.privateKey) input.privateKey = request.privateKey;
  if (request.durationMs !== undefined) input.durationMs = request.durationMs;
  if (request.preferredChain !== undefined) input.preferredChain = request.preferredChain;
  return requestHash(input);
}
