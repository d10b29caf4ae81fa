import type * as acme from 'acme-client';
import { dnsChallengeRecord } from './dns-challenge-record.js';
import { chooseDnsChallenge, type DnsChallengeType, isDnsChallengeType } from './dns-challenge-types.js';

/** One DNS challenge of an order: what must be published where, and where to answer. */
export interface ChallengeRecord {
  domain: string;
  wildcard: boolean;
  /** The TXT record's name (dns-challenge-types.ts), e.g. `_acme-challenge.<domain without *.>` for dns-01. */
  dnsName: string;
  /**
   * The TXT value (dns-01, dns-account-01: digest of the key authorization; dns-persist-01: the CA and the account).
   * Not secret: it is published in DNS.
   */
  value: string;
  /** The challenge type; absent: dns-01 (states persisted before other types existed). */
  type?: DnsChallengeType;
  challengeUrl: string;
  authorizationUrl: string;
  status: string;
}

/** What a certificate actor persists before each external step, so another pod can resume the same order. */
export interface OrderProgress {
  orderUrl: string;
  status: 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';
  challenges: ChallengeRecord[];
  /** Why the order or one of its authorizations is invalid. */
  problem?: string;
  /** Where to send the CSR, and where the certificate is once issued: known URLs spare a request each. */
  finalizeUrl?: string;
  certificateUrl?: string;
}

async function progressOf(
  client: acme.Client,
  order: acme.Order,
  preferred?: DnsChallengeType,
): Promise<OrderProgress> {
  const authorizations = await client.getAuthorizations(order);
  const challenges: ChallengeRecord[] = [];
  const problems: string[] = [];
  for (const authz of authorizations) {
    const domain = authz.identifier.value;
    // The issuer's challenge type where the CA offers it for this authorization, dns-01 otherwise.
    const challenge = chooseDnsChallenge(authz.challenges, preferred);
    if (!challenge) {
      problems.push(`the ACME server offers no dns-01 challenge for ${domain}`);
      continue;
    }
    if (authz.status === 'invalid') {
      const err = (challenge as { error?: { detail?: string } }).error;
      problems.push(
        `validation of ${authz.wildcard ? '*.' : ''}${domain} failed: ${err?.detail ?? 'authorization invalid'}`,
      );
    }
    const type = isDnsChallengeType(challenge.type) ? challenge.type : 'dns-01';
    const record = await dnsChallengeRecord(client, challenge, type, domain);
    challenges.push({
      domain: authz.wildcard ? `*.${domain}` : domain,
      wildcard: Boolean(authz.wildcard),
      dnsName: record.dnsName,
      value: record.value,
      ...(type !== 'dns-01' ? { type } : {}),
      challengeUrl: challenge.url,
      authorizationUrl: authz.url,
      status: authz.status === 'valid' ? 'valid' : challenge.status,
    });
  }
  const orderError = (order as { error?: { detail?: string } }).error?.detail;
  const problem = problems.length
    ? problems.join('; ')
    : order.status === 'invalid'
      ? (orderError ?? 'order is invalid')
      : undefined;
  return {
    orderUrl: order.url,
    status: order.status,
    challenges,
    ...(problem ? { problem } : {}),
    ...(order.finalize ? { finalizeUrl: order.finalize } : {}),
    ...(order.certificate ? { certificateUrl: order.certificate } : {}),
  };
}

/**
 * Opens a new order for the names (one ACME call plus one per authorization), in an ACME profile and replacing a
 * certificate (RFC 9773) when asked; acme-client posts the fields as they are. challengeType picks the DNS challenge
 * each authorization is answered with (dns-01 when absent).
 */
export async function startOrder(
  client: acme.Client,
  names: string[],
  options: { profile?: string; replaces?: string } = {},
  challengeType?: DnsChallengeType,
): Promise<OrderProgress> {
  const request = { identifiers: names.map((value) => ({ type: 'dns' as const, value })), ...options };
  // The type knows only identifiers, notBefore and notAfter; the CA reads profile and replaces too.
  const order = await client.createOrder(request as Parameters<acme.Client['createOrder']>[0]);
  return progressOf(client, order, challengeType);
}

/** Reads an existing order by URL: how a re-activated certificate actor continues where its predecessor was. */
export async function readOrder(
  client: acme.Client,
  orderUrl: string,
  challengeType?: DnsChallengeType,
): Promise<OrderProgress> {
  return progressOf(client, await client.getOrder({ url: orderUrl } as acme.Order), challengeType);
}

/**
 * Tells the CA the TXT records are in place (only challenges still pending; the POST is the same for every type).
 * The statuses come from the actor's persisted progress, so a pod that resumes an order its predecessor answered
 * just before dying sees them as pending; a CA refusing the answer then (pebble: "Cannot update challenge with
 * status valid") is asked for the authorization, and a challenge no longer pending counts as answered.
 */
export async function answerChallenges(client: acme.Client, progress: OrderProgress): Promise<void> {
  for (const c of progress.challenges) {
    if (c.status !== 'pending') continue;
    try {
      await client.completeChallenge({ type: 'dns-01', url: c.challengeUrl, status: 'pending', token: '' });
    } catch (err) {
      if (!(await answeredAlready(client, c))) throw err;
    }
  }
}

async function answeredAlready(client: acme.Client, c: ChallengeRecord): Promise<boolean> {
  const [authz] = await client
    .getAuthorizations({ authorizations: [c.authorizationUrl] } as acme.Order)
    .catch(() => [] as acme.Authorization[]);
  if (!authz) return false;
  const challenge = authz.challenges.find((ch) => ch.url === c.challengeUrl);
  return authz.status !== 'pending' || (challenge !== undefined && challenge.status !== 'pending');
}
