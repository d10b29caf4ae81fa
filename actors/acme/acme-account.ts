import { createPrivateKey } from 'node:crypto';
import * as acme from 'acme-client';
import { tuneAcmeClient } from './acme-client-tuning.js';
import { describeAcmeError, isAccountMissing } from './acme-errors.js';
import { installTransportErrors } from './acme-transport-errors.js';
import { getJson } from './http-get-json.js';

// acme-client's HTTP client has no timeout of its own: a CA that accepts the connection and never answers would
// hold the issuer's (serialized) turn forever.
acme.axios.defaults.timeout = 30_000;
installTransportErrors(acme.axios);

export interface AcmeAccountSettings {
  directoryUrl: string;
  email: string;
  /** PEM of the account key; it stays in memory of the issuer actor and in its Kubernetes Secret, nowhere else. */
  accountKeyPem: string;
  /** Register the key if it has no account yet (spec.acme.autoRegistration). */
  autoRegistration: boolean;
  /** Known account URL (skips the lookup). */
  accountUrl?: string;
  externalAccountBinding?: { keyId: string; hmacKey: string };
}

export interface AcmeAccount {
  client: acme.Client;
  directoryUrl: string;
  accountUrl: string;
  status: string;
  /** The directory's meta.profiles (name -> description); absent when the CA offers none. */
  profiles?: Record<string, string>;
  /** The directory's renewalInfo (RFC 9773 ARI); absent when the CA has none. */
  renewalInfoUrl?: string;
}

export class AcmeAccountError extends Error {}

/** A new account key as PEM (ECDSA P-256, as ACME CAs accept it everywhere). */
export async function newAccountKeyPem(): Promise<string> {
  return (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
}

/** Refuses keys that are not PEM private keys before they reach the ACME library's less helpful errors. */
export function accountKeyProblem(pem: string): string | undefined {
  try {
    createPrivateKey(pem);
    return undefined;
  } catch (err) {
    return `not a PEM private key (${(err as Error).message})`;
  }
}

/**
 * Opens the ACME account of an issuer: registers it (auto registration) or looks it up by its key (an existing
 * account). Errors are AcmeAccountError with a message for the issuer's status.
 */
export async function openAcmeAccount(s: AcmeAccountSettings): Promise<AcmeAccount> {
  const keyProblem = accountKeyProblem(s.accountKeyPem);
  if (keyProblem) throw new AcmeAccountError(`account key is ${keyProblem}`);
  const directory = await readDirectory(s.directoryUrl);
  const meta = directory.meta ?? {};
  // Asked without a binding, some servers answer in ways acme-client turns into a minute of retries and a TypeError;
  // the directory says up front whether a binding is required.
  if (meta.externalAccountRequired && !s.externalAccountBinding && s.autoRegistration) {
    throw new AcmeAccountError(
      `ACME server ${s.directoryUrl} requires an external account binding; set spec.acme.externalAccountBinding (keyID and keySecretRef with hmacKey)`,
    );
  }
  const client = new acme.Client({
    directoryUrl: s.directoryUrl,
    accountKey: s.accountKeyPem,
    ...(s.accountUrl ? { accountUrl: s.accountUrl } : {}),
    ...(s.externalAccountBinding
      ? { externalAccountBinding: { kid: s.externalAccountBinding.keyId, hmacKey: s.externalAccountBinding.hmacKey } }
      : {}),
    backoffAttempts: 5,
    backoffMin: 200,
    backoffMax: 2000,
  });
  tuneAcmeClient(client);
  try {
    const account = await client.createAccount({
      termsOfServiceAgreed: true,
      contact: s.email ? [`mailto:${s.email}`] : [],
      onlyReturnExisting: !s.autoRegistration,
    });
    return {
      client,
      directoryUrl: s.directoryUrl,
      accountUrl: client.getAccountUrl(),
      status: account.status,
      ...(meta.profiles && Object.keys(meta.profiles).length > 0 ? { profiles: meta.profiles } : {}),
      ...(typeof directory.renewalInfo === 'string' ? { renewalInfoUrl: directory.renewalInfo } : {}),
    };
  } catch (err) {
    if (!s.autoRegistration && isAccountMissing(err)) {
      throw new AcmeAccountError(
        `no account is registered at ${s.directoryUrl} for the given private key; register it or set spec.acme.autoRegistration: true`,
      );
    }
    throw new AcmeAccountError(describeAcmeError(err, s.directoryUrl));
  }
}

interface Directory {
  meta?: { externalAccountRequired?: boolean; termsOfService?: string; profiles?: Record<string, string> };
  renewalInfo?: unknown;
}

/** The directory; also the reachability check, failing fast with a clear error. */
async function readDirectory(directoryUrl: string): Promise<Directory> {
  try {
    const res = await getJson<Directory>(directoryUrl, 15_000);
    if (res.status !== 200 || !res.body)
      throw new AcmeAccountError(
        `ACME server ${directoryUrl} answered ${res.status} without a directory; check spec.acme.server`,
      );
    return res.body;
  } catch (err) {
    if (err instanceof AcmeAccountError) throw err;
    throw new AcmeAccountError(describeAcmeError(err, directoryUrl));
  }
}
