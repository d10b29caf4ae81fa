import { createHash } from 'node:crypto';
import { type AcmeAccount, AcmeAccountError, newAccountKeyPem, openAcmeAccount } from '../acme/acme-account.js';
import { isNotFound } from '../kube/kube-api-error.js';
import type { KubeClient } from '../kube/kube-client.js';
import { accountKeySecret, type Issuer, type SecretRef } from './issuer-types.js';

interface Secret {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  data?: Record<string, string>;
}

export interface AccountOutcome {
  account: AcmeAccount;
  /** Where the account key lives (created when auto registration had no secret yet), and its gardener hash. */
  secret: { namespace: string; name: string; created: boolean; hash: string };
}

/**
 * gardener's CalcSecretHash of the account secret (status.acme.secretHash): SHA-224 over the data keys in sorted
 * order, each key, a NUL and its value. gardener compares it to skip a registration that did not change.
 */
export function accountSecretHash(data: Record<string, string> | undefined): string {
  const h = createHash('sha224');
  for (const key of Object.keys(data ?? {}).sort()) {
    h.update(key);
    h.update(Buffer.of(0));
    h.update(Buffer.from(data![key]!, 'base64'));
  }
  return h.digest('hex');
}

const secretPath = (ns: string, name?: string) => `/api/v1/namespaces/${ns}/secrets${name ? `/${name}` : ''}`;

async function readSecret(kube: KubeClient, ns: string, name: string): Promise<Secret | undefined> {
  try {
    return await kube.get<Secret>(secretPath(ns, name));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function refOf(ref: SecretRef | undefined, issuer: Issuer, fallbackName: string): { namespace: string; name: string } {
  return { namespace: ref?.namespace || issuer.metadata.namespace || 'default', name: ref?.name || fallbackName };
}

/**
 * Everything an ACME issuer needs before it can serve: the account key from its secret in the default cluster (made and
 * stored when auto registration finds none), the external account binding key, and the registered account. The key
 * goes from the Secret into memory and to the CA, nowhere else; errors are AcmeAccountError with a status message.
 */
export async function setUpAcmeAccount(kube: KubeClient, issuer: Issuer): Promise<AccountOutcome> {
  const acme = issuer.spec.acme!;
  const auto = acme.autoRegistration === true;
  const ref = accountKeySecret(issuer);
  let secret = await readSecret(kube, ref.namespace, ref.name);
  let created = false;
  if (!secret && !auto) {
    throw new AcmeAccountError(
      `secret ${ref.namespace}/${ref.name} with the account key (spec.acme.privateKeySecretRef) does not exist; create it with key privateKey, or set spec.acme.autoRegistration: true`,
    );
  }
  const keyB64 = secret?.data?.privateKey;
  if (secret && !keyB64) {
    throw new AcmeAccountError(`secret ${ref.namespace}/${ref.name} has no data key privateKey (the PEM account key)`);
  }
  let keyPem = keyB64 ? Buffer.from(keyB64, 'base64').toString('utf8') : '';
  if (!secret) {
    keyPem = await newAccountKeyPem();
    secret = await kube.create<Secret>(secretPath(ref.namespace), {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        name: ref.name,
        namespace: ref.namespace,
        labels: { 'cert.gardener.cloud/issuer': issuer.metadata.name },
        // As gardener: the key belongs to its Issuer and goes with it.
        ownerReferences: [
          {
            apiVersion: 'cert.gardener.cloud/v1alpha1',
            kind: 'Issuer',
            name: issuer.metadata.name,
            uid: issuer.metadata.uid ?? '',
          },
        ],
      },
      data: { privateKey: Buffer.from(keyPem).toString('base64') },
    });
    created = true;
  }
  let eab: { keyId: string; hmacKey: string } | undefined;
  if (acme.externalAccountBinding) {
    const eref = refOf(acme.externalAccountBinding.keySecretRef, issuer, '');
    if (!eref.name || !acme.externalAccountBinding.keyID)
      throw new AcmeAccountError('spec.acme.externalAccountBinding needs keyID and keySecretRef.name');
    const eSecret = await readSecret(kube, eref.namespace, eref.name);
    const hmac = eSecret?.data?.hmacKey;
    if (!hmac)
      throw new AcmeAccountError(
        `secret ${eref.namespace}/${eref.name} for the external account binding does not exist or has no data key hmacKey`,
      );
    eab = { keyId: acme.externalAccountBinding.keyID, hmacKey: Buffer.from(hmac, 'base64').toString('utf8') };
  }
  const account = await openAcmeAccount({
    directoryUrl: acme.server ?? '',
    email: acme.email ?? '',
    accountKeyPem: keyPem,
    // A key we just generated has no account yet; otherwise the issuer's setting decides.
    autoRegistration: auto || created,
    ...(eab ? { externalAccountBinding: eab } : {}),
  });
  return { account, secret: { ...ref, created, hash: accountSecretHash(secret.data) } };
}
