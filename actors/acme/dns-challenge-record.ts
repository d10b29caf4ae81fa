// The TXT record one DNS challenge wants: its name and value, per challenge type. acme-client 5.4 knows only dns-01
// among the DNS types, so dns-account-01's value (the same key authorization digest as dns-01's) is computed as for
// dns-01, and dns-persist-01's (no token; the CA names itself and the account) from the challenge object.
import type * as acme from 'acme-client';
import { persistChallengeValue } from '../dns/persist-record.js';
import { challengeRecordName, type DnsChallengeType } from './dns-challenge-types.js';

/** A challenge of an authorization, as acme-client types it. */
type AcmeChallenge = Parameters<acme.Client['getChallengeKeyAuthorization']>[0];

/** What dns-persist-01 adds to a challenge object. */
interface PersistChallengeFields {
  accounturi?: string;
  'issuer-domain-names'?: string[];
}

export interface DnsChallengeRecord {
  type: DnsChallengeType;
  dnsName: string;
  value: string;
}

/** The record of a challenge of `type` (one of DNS_CHALLENGE_TYPES) for `domain` (without `*.`). */
export async function dnsChallengeRecord(
  client: acme.Client,
  challenge: AcmeChallenge,
  type: DnsChallengeType,
  domain: string,
): Promise<DnsChallengeRecord> {
  const accountUrl = client.getAccountUrl();
  const dnsName = challengeRecordName(type, domain, accountUrl);
  if (type === 'dns-persist-01') {
    const fields = challenge as unknown as PersistChallengeFields;
    const issuerDomainName = fields['issuer-domain-names']?.[0];
    if (!issuerDomainName) throw new Error(`the dns-persist-01 challenge of ${domain} names no issuer-domain-names`);
    // The CA says which account URI it will compare; it is the account URL unless the CA says otherwise.
    return { type, dnsName, value: persistChallengeValue(issuerDomainName, fields.accounturi ?? accountUrl) };
  }
  const value = await client.getChallengeKeyAuthorization({ ...challenge, type: 'dns-01' } as AcmeChallenge);
  return { type, dnsName, value };
}
