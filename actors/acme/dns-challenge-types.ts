// The DNS challenge types an issuer may ask for (spec.acme.dnsChallenge.type, an extension of gardener's Issuer), and
// where each one wants its TXT record. dns-01 (RFC 8555) is gardener's; the two newer ones are what pebble 2.10
// validates:
// - dns-account-01 (draft-ietf-acme-dns-account-label): the record sits under a label derived from the account URL,
//   `_<label>._acme-challenge.<domain>`, so several accounts (issuers, controllers) can validate one domain at once;
// - dns-persist-01 (draft-ietf-acme-dns-persist): one long-lived record `_validation-persist.<domain>` names the CA
//   and the account; it stays, so renewals write nothing to DNS.
import { createHash } from 'node:crypto';

export const DNS_CHALLENGE_TYPES = ['dns-01', 'dns-account-01', 'dns-persist-01'] as const;
export type DnsChallengeType = (typeof DNS_CHALLENGE_TYPES)[number];

export function isDnsChallengeType(t: unknown): t is DnsChallengeType {
  return (DNS_CHALLENGE_TYPES as readonly unknown[]).includes(t);
}

/** The challenge of an authorization an order answers: the type asked for when the CA offers it, else dns-01. */
export function chooseDnsChallenge<C extends { type: string }>(
  offered: readonly C[],
  preferred: DnsChallengeType = 'dns-01',
): C | undefined {
  return offered.find((c) => c.type === preferred) ?? offered.find((c) => c.type === 'dns-01');
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32 without padding, lower case. */
function base32Lower(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** dns-account-01's account label: base32 (lower case) of the first 10 bytes of SHA-256(account URL), 16 characters. */
export function accountLabel(accountUrl: string): string {
  return base32Lower(createHash('sha256').update(accountUrl).digest().subarray(0, 10));
}

/** Where a challenge of the type wants its TXT record for `domain` (the authorization's name, without `*.`). */
export function challengeRecordName(type: DnsChallengeType, domain: string, accountUrl: string): string {
  switch (type) {
    case 'dns-01':
      return `_acme-challenge.${domain}`;
    case 'dns-account-01':
      return `_${accountLabel(accountUrl)}._acme-challenge.${domain}`;
    case 'dns-persist-01':
      return `_validation-persist.${domain}`;
  }
}
