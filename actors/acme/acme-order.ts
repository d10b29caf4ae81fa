import type * as acme from 'acme-client';

/** One DNS-01 challenge of an order: what must be published where, and where to answer. */
export interface ChallengeRecord {
  domain: string;
  wildcard: boolean;
  /** `_acme-challenge.<domain without *.>` */
  dnsName: string;
  /** The TXT value (digest of the key authorization). Not secret: it is published in DNS. */
  value: string;
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

async function progressOf(client: acme.Client, order: acme.Order): Promise<OrderProgress> {
  const authorizations = await client.getAuthorizations(order);
  const challenges: ChallengeRecord[] = [];
  const problems: string[] = [];
  for (const authz of authorizations) {
    const domain = authz.identifier.value;
    const dns01 = authz.challenges.find((c) => c.type === 'dns-01');
    if (!dns01) {
      problems.push(`the ACME server offers no dns-01 challenge for ${domain}`);
      continue;
    }
    if (authz.status === 'invalid') {
      const err = (dns01 as { error?: { detail?: string } }).error;
      problems.push(
        `validation of ${authz.wildcard ? '*.' : ''}${domain} failed: ${err?.detail ?? 'authorization invalid'}`,
      );
    }
    challenges.push({
      domain: authz.wildcard ? `*.${domain}` : domain,
      wildcard: Boolean(authz.wildcard),
      dnsName: `_acme-challenge.${domain}`,
      value: await client.getChallengeKeyAuthorization(dns01),
      challengeUrl: dns01.url,
      authorizationUrl: authz.url,
      status: authz.status === 'valid' ? 'valid' : dns01.status,
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
 * certificate (RFC 9773) when asked; acme-client posts the fields as they are.
 */
export async function startOrder(
  client: acme.Client,
  names: string[],
  options: { profile?: string; replaces?: string } = {},
): Promise<OrderProgress> {
  const request = { identifiers: names.map((value) => ({ type: 'dns' as const, value })), ...options };
  // The type knows only identifiers, notBefore and notAfter; the CA reads profile and replaces too.
  const order = await client.createOrder(request as Parameters<acme.Client['createOrder']>[0]);
  return progressOf(client, order);
}

/** Reads an existing order by URL: how a re-activated certificate actor continues where its predecessor was. */
export async function readOrder(client: acme.Client, orderUrl: string): Promise<OrderProgress> {
  return progressOf(client, await client.getOrder({ url: orderUrl } as acme.Order));
}

/** Tells the CA the TXT records are in place (only challenges still pending). */
export async function answerChallenges(client: acme.Client, progress: OrderProgress): Promise<void> {
  for (const c of progress.challenges) {
    if (c.status === 'pending')
      await client.completeChallenge({ type: 'dns-01', url: c.challengeUrl, status: 'pending', token: '' });
  }
}
