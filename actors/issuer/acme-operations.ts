// The ACME calls an issuer performs for its certificates, and the revocations of CertificateRevocations. They run
// inside the issuer actor's turns, one after the other, because the issuer is the only holder of the account key:
// serialized access means one nonce chain and no two requests racing for the account. None of them waits for the CA
// to make progress (polling is the certificate actor's timers), so a turn is a few short HTTP requests.

import type * as acme from 'acme-client';
import type { AcmeAccount } from '../acme/acme-account.js';
import { describeAcmeError } from '../acme/acme-errors.js';
import {
  answerChallenges,
  type ChallengeRecord,
  type OrderProgress,
  readOrder,
  startOrder,
} from '../acme/acme-order.js';
import { fetchRenewalInfo, type RenewalInfo } from '../acme/acme-renewal-info.js';
import { revocationError, revokeCertificate } from '../acme/acme-revoke.js';
import type { DnsChallengeType } from '../acme/dns-challenge-types.js';
import { readCertificateChain } from '../x509/certificate-info.js';

export type AcmeOperation =
  /** challengeType: the issuer's spec.acme.dnsChallenge.type, put in by the issuer actor (dns-01 when absent). */
  | {
      op: 'newOrder';
      names: string[];
      /** ACME profile (the directory's meta.profiles); absent: the CA's default. */
      profile?: string;
      /** ARI certID of the certificate this order renews (RFC 9773 `replaces`). */
      replaces?: string;
      challengeType?: DnsChallengeType;
    }
  /** The CA's suggested renewal window of a certificate (RFC 9773); unauthenticated, needs the directory. */
  | { op: 'renewalInfo'; certId: string }
  | { op: 'readOrder'; orderUrl: string; challengeType?: DnsChallengeType }
  /** Only the order's status: one request, for polling. */
  | { op: 'orderStatus'; orderUrl: string }
  | { op: 'answer'; orderUrl: string; challenges: ChallengeRecord[] }
  /** Sends the CSR of a ready order; answers the order's status afterwards (usually processing or valid). */
  | { op: 'finalize'; orderUrl: string; finalizeUrl?: string; csrPem: string }
  /** Downloads the chain of a valid order; `chain` is absent while the order is still processing. */
  | {
      op: 'download';
      orderUrl: string;
      certificateUrl?: string;
      preferredChain?: string;
      /** --acme-deactivate-authorizations: the order's authorizations, deactivated once the chain is here. */
      deactivate?: string[];
      /**
       * --acme-renewal-info: the new certificate's renewal information in the same call, so the first status write
       * of the certificate already carries it (no second write, no second call).
       */
      renewalInfo?: boolean;
    }
  /**
   * Revokes a certificate this account was issued (a CertificateRevocation): the first certificate of the PEM
   * bundle, kid-signed, without a reason.
   */
  | { op: 'revoke'; certificatePem: string };

export type AcmeResult =
  | {
      ok: true;
      progress?: OrderProgress;
      status?: string;
      chain?: string;
      certificateUrl?: string;
      /** finalize: this call sent the CSR. */
      finalizedNow?: boolean;
      /** newOrder: the CA refused `replaces`, so the order was opened without it (why). */
      replacesRefused?: string;
      renewalInfo?: RenewalInfo;
      /** revoke: the CA had revoked the certificate before this call. */
      alreadyRevoked?: boolean;
    }
  | {
      ok: false;
      error: string;
      /** Worth retrying the same step (network, server busy) rather than failing the order. */
      transient: boolean;
      /** The issuer is missing or not ready: the order waits for it (IssuerReady) rather than failing. */
      unavailable?: boolean;
    };

export async function runAcmeOperation(account: AcmeAccount, op: AcmeOperation): Promise<AcmeResult> {
  const client = account.client;
  try {
    switch (op.op) {
      case 'newOrder': {
        const options = { ...(op.profile ? { profile: op.profile } : {}) };
        if (!op.replaces) return { ok: true, progress: await startOrder(client, op.names, options, op.challengeType) };
        try {
          return {
            ok: true,
            progress: await startOrder(client, op.names, { ...options, replaces: op.replaces }, op.challengeType),
          };
        } catch (err) {
          // A CA that will not take this `replaces` (already replaced, unknown to it): an order without it.
          const reason = describeAcmeError(err, account.directoryUrl);
          return {
            ok: true,
            progress: await startOrder(client, op.names, options, op.challengeType),
            replacesRefused: reason,
          };
        }
      }
      case 'renewalInfo': {
        if (!account.renewalInfoUrl)
          return { ok: true, renewalInfo: { ok: false, error: 'the CA offers no renewalInfo' } };
        return { ok: true, renewalInfo: await fetchRenewalInfo(account.renewalInfoUrl, op.certId, Date.now()) };
      }
      case 'readOrder':
        return { ok: true, progress: await readOrder(client, op.orderUrl, op.challengeType) };
      case 'orderStatus': {
        const order = await client.getOrder({ url: op.orderUrl } as acme.Order);
        return { ok: true, status: order.status, ...(order.certificate ? { certificateUrl: order.certificate } : {}) };
      }
      case 'answer':
        await answerChallenges(client, { orderUrl: op.orderUrl, status: 'pending', challenges: op.challenges });
        return { ok: true };
      case 'finalize': {
        if (op.finalizeUrl) {
          // One request when the order is ready, as it should be; otherwise its state says what happened.
          try {
            const order = await client.finalizeOrder(
              { url: op.orderUrl, finalize: op.finalizeUrl } as acme.Order,
              op.csrPem,
            );
            return {
              ok: true,
              status: order.status,
              finalizedNow: true,
              ...(order.certificate ? { certificateUrl: order.certificate } : {}),
            };
          } catch (err) {
            if (!/orderNotReady|not ready|status/i.test((err as Error).message)) throw err;
          }
        }
        let order = await client.getOrder({ url: op.orderUrl } as acme.Order);
        if (order.status !== 'ready')
          return {
            ok: true,
            status: order.status,
            finalizedNow: false,
            ...(order.certificate ? { certificateUrl: order.certificate } : {}),
          };
        order = await client.finalizeOrder(order, op.csrPem);
        return {
          ok: true,
          status: order.status,
          finalizedNow: true,
          ...(order.certificate ? { certificateUrl: order.certificate } : {}),
        };
      }
      case 'download': {
        let chain: string | undefined;
        let status: string = 'valid';
        if (op.certificateUrl) {
          const order = { url: op.orderUrl, status: 'valid', certificate: op.certificateUrl } as acme.Order;
          chain = await client.getCertificate(order, op.preferredChain || undefined);
        } else {
          const order = await client.getOrder({ url: op.orderUrl } as acme.Order);
          status = order.status;
          if (order.status === 'valid') chain = await client.getCertificate(order, op.preferredChain || undefined);
        }
        if (!chain) return { ok: true, status };
        await deactivateAuthorizations(client, op.deactivate ?? []);
        const renewalInfo = op.renewalInfo ? await renewalInfoOf(account, chain) : undefined;
        return { ok: true, status, chain, ...(renewalInfo ? { renewalInfo } : {}) };
      }
      case 'revoke':
        try {
          return { ok: true, ...(await revokeCertificate(client, op.certificatePem)) };
        } catch (err) {
          return { ok: false, error: revocationError(err, account.directoryUrl), transient: isTransient(err) };
        }
    }
  } catch (err) {
    return { ok: false, error: describeAcmeError(err, account.directoryUrl), transient: isTransient(err) };
  }
}

/** The renewal information of a chain's leaf; never fails the download (an answer that failed says why). */
async function renewalInfoOf(account: AcmeAccount, chainPem: string): Promise<RenewalInfo> {
  if (!account.renewalInfoUrl) return { ok: false, error: 'the CA offers no renewalInfo' };
  let certId: string | undefined;
  try {
    certId = readCertificateChain(chainPem).certId;
  } catch (err) {
    return { ok: false, error: `renewalInfo: ${(err as Error).message}` };
  }
  if (!certId) return { ok: false, error: 'renewalInfo: the certificate names no authority key' };
  return fetchRenewalInfo(account.renewalInfoUrl, certId, Date.now());
}

/** A failed deactivation costs nothing but a fresh validation next time: it never fails the download. */
async function deactivateAuthorizations(client: acme.Client, urls: readonly string[]): Promise<void> {
  for (const url of urls) {
    await client.deactivateAuthorization({ url } as acme.Authorization).catch(() => undefined);
  }
}

function isTransient(err: unknown): boolean {
  const e = err as { code?: string; response?: { status?: number }; status?: number };
  const status = e.response?.status ?? e.status;
  if (status !== undefined) return status >= 500 || status === 429;
  return typeof e.code === 'string' && /^(ECONN|ETIMEDOUT|EAI_AGAIN|EPIPE|ENOTFOUND|UND_ERR)/.test(e.code);
}
