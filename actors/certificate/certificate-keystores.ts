// spec.keystores in a certificate Secret: which JKS and PKCS#12 entries it gains or loses (keystore-secret-data.ts
// decides), with the password Secrets read from the certificate Secret's namespace of the target cluster, as
// gardener reads them. A store that cannot be written is a problem for the status, never a lost certificate.

import { keystorePasswordSecretNames } from '../x509/keystores/keystore-password.js';
import {
  ALL_KEYSTORE_DATA_KEYS,
  type KeystoreSecretData,
  keystoreSecretData,
} from '../x509/keystores/keystore-secret-data.js';
import type { CertEnv } from './certificate-env.js';
import { getSecret } from './certificate-kube.js';
import type { CertificateSpec } from './certificate-spec.js';

const text = (b64: string | undefined) => Buffer.from(b64 ?? '', 'base64').toString('utf8');

/**
 * The keystore entries to set and remove for Secret `data` (base64). `rebuild`: the PEM entries are new (issued or
 * copied), so stores already there belong to the previous certificate.
 */
export async function keystoreChanges(
  env: CertEnv,
  keystores: CertificateSpec['keystores'],
  secretNamespace: string,
  data: Readonly<Record<string, string>>,
  rebuild: boolean,
  nowMs: number,
): Promise<KeystoreSecretData> {
  const decide = (passwordSecrets: ReadonlyMap<string, Readonly<Record<string, string>>>) =>
    keystoreSecretData({
      keystores,
      material: { keyPem: text(data['tls.key']), chainPem: text(data['tls.crt']), caPem: text(data['ca.crt']) },
      current: data,
      rebuild,
      secretNamespace,
      passwordSecrets,
      nowMs,
    });
  // Without passwords first: when every store asked for is there already, no password Secret needs reading.
  const withoutPasswords = decide(new Map());
  if (withoutPasswords.problems.length === 0) return withoutPasswords;
  const passwordSecrets = new Map<string, Record<string, string>>();
  for (const name of keystorePasswordSecretNames(keystores)) {
    const secret = await getSecret(env.target, secretNamespace, name);
    if (secret) passwordSecrets.set(name, secret.data ?? {});
  }
  return decide(passwordSecrets);
}

/** `data` with the changes applied. */
export function withKeystoreChanges(
  data: Readonly<Record<string, string>>,
  changes: KeystoreSecretData,
): Record<string, string> {
  const out = { ...data, ...changes.set };
  for (const key of changes.remove) delete out[key];
  return out;
}

/** The PEM entries alone: a copy from another Secret leaves that Secret's stores behind. */
export function withoutKeystores(data: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).filter(([key]) => !ALL_KEYSTORE_DATA_KEYS.includes(key)));
}

export const keystoreProblem = (changes: KeystoreSecretData) =>
  changes.problems.length > 0 ? changes.problems.join('; ') : undefined;
