// Which keystore entries the certificate Secret should gain or lose for its Certificate's spec.keystores, as
// gardener's updateKeystoresToSecret decides: a format not asked for (absent, create: false) loses both entries; a
// truststore exists exactly when ca.crt is not empty; stores already there are kept until the certificate is
// re-issued (every encoding has fresh salts, so rebuilding on each reconcile would rewrite the Secret forever).
// Pure: the caller reads the password Secrets and writes the result.
import { splitPemCertificates } from '../certificate-info.js';
import { buildJksKeystore, buildJksTruststore } from './jks.js';
import { type KeystoresRequest, keystorePassword, type PasswordSecrets } from './keystore-password.js';
import { buildPkcs12Keystore, buildPkcs12Truststore } from './pkcs12.js';

export const KEYSTORE_DATA_KEYS = {
  jks: { keystore: 'keystore.jks', truststore: 'truststore.jks' },
  pkcs12: { keystore: 'keystore.p12', truststore: 'truststore.p12' },
} as const;

/** All four, e.g. to strip them from a backup copy as gardener does. */
export const ALL_KEYSTORE_DATA_KEYS: readonly string[] = Object.values(KEYSTORE_DATA_KEYS).flatMap((k) => [
  k.keystore,
  k.truststore,
]);

export interface KeystoreSecretDataInput {
  keystores: KeystoresRequest | undefined;
  /** The certificate Secret's PEM entries: tls.key, tls.crt (leaf first) and ca.crt ('' when absent). */
  material: { keyPem: string; chainPem: string; caPem: string };
  /** The Secret's data as it is now (base64); only which keystore entries are present and non-empty matters. */
  current: Readonly<Record<string, string>>;
  /** True when the material is new (issued, renewed, copied): existing stores then hold the old certificate. */
  rebuild: boolean;
  /** Namespace of the certificate Secret: where the password Secrets are read, and named in messages. */
  secretNamespace: string;
  passwordSecrets: PasswordSecrets;
  nowMs: number;
}

export interface KeystoreSecretData {
  /** Entries to add or replace, base64 like Secret data. */
  set: Record<string, string>;
  /** Keystore entries present now that must go. */
  remove: string[];
  /** One message per format that could not be written, for status.message and an Event. */
  problems: string[];
}

interface Format {
  field: keyof KeystoresRequest;
  label: 'JKS' | 'PKCS#12';
  keys: { keystore: string; truststore: string };
  keystore(material: KeystoreSecretDataInput['material'], password: string, createdAt: Date): Buffer;
  truststore(caPems: string[], password: string, createdAt: Date): Buffer;
}

const FORMATS: readonly Format[] = [
  {
    field: 'jks',
    label: 'JKS',
    keys: KEYSTORE_DATA_KEYS.jks,
    // The key entry holds tls.crt's chain; next to it, the first certificate of ca.crt as trusted entry "ca".
    keystore: (m, password, createdAt) =>
      buildJksKeystore({ keyPem: m.keyPem, chainPems: [m.chainPem], caPems: firstCa(m.caPem), password, createdAt }),
    truststore: (caPems, password, createdAt) => buildJksTruststore({ caPems, password, createdAt }),
  },
  {
    field: 'pkcs12',
    label: 'PKCS#12',
    keys: KEYSTORE_DATA_KEYS.pkcs12,
    keystore: (m, password) => buildPkcs12Keystore({ keyPem: m.keyPem, chainPems: pkcs12Chain(m), password }),
    truststore: (caPems, password) => buildPkcs12Truststore({ caPems, password }),
  },
];

export function keystoreSecretData(input: KeystoreSecretDataInput): KeystoreSecretData {
  const out: KeystoreSecretData = { set: {}, remove: [], problems: [] };
  const present = (key: string) => (input.current[key] ?? '') !== '';
  const remove = (...keys: string[]) => out.remove.push(...keys.filter(present));
  const needsTruststore = input.material.caPem.trim() !== '';
  for (const format of FORMATS) {
    const spec = input.keystores?.[format.field];
    const { keystore, truststore } = format.keys;
    if (!spec?.create) {
      remove(keystore, truststore);
      continue;
    }
    if (!input.rebuild && present(keystore) && present(truststore) === needsTruststore) continue;
    const password = keystorePassword(
      format.label,
      spec.passwordSecretRef,
      input.secretNamespace,
      input.passwordSecrets,
    );
    const encoded = password.ok ? encode(format, input, password.password, needsTruststore) : password;
    if (!encoded.ok) {
      out.problems.push(encoded.problem);
      // Stores of the previous certificate must not outlive it next to a new tls.crt.
      if (input.rebuild) remove(keystore, truststore);
      continue;
    }
    out.set[keystore] = encoded.keystore.toString('base64');
    if (encoded.truststore) out.set[truststore] = encoded.truststore.toString('base64');
    else remove(truststore);
  }
  return out;
}

type Encoded = { ok: true; keystore: Buffer; truststore?: Buffer } | { ok: false; problem: string };

function encode(format: Format, input: KeystoreSecretDataInput, password: string, withTruststore: boolean): Encoded {
  const createdAt = new Date(input.nowMs);
  let step = 'truststore';
  try {
    const truststore = withTruststore
      ? format.truststore(firstCa(input.material.caPem), password, createdAt)
      : undefined;
    step = 'keystore';
    const keystore = format.keystore(input.material, password, createdAt);
    return truststore ? { ok: true, keystore, truststore } : { ok: true, keystore };
  } catch (err) {
    return { ok: false, problem: `encoding ${format.label} ${step} failed: ${(err as Error).message}` };
  }
}

/** Gardener's truststores and JKS "ca" entry take only the first certificate of ca.crt. */
function firstCa(caPem: string): string[] {
  return splitPemCertificates(caPem).slice(0, 1);
}

/**
 * go-pkcs12 gets tls.crt's chain plus all of ca.crt, so a CA already in tls.crt is stored twice; we store it once.
 */
function pkcs12Chain(m: KeystoreSecretDataInput['material']): string[] {
  const chain = splitPemCertificates(m.chainPem);
  const seen = new Set(chain.map(pemBody));
  return [...chain, ...splitPemCertificates(m.caPem).filter((pem) => !seen.has(pemBody(pem)))];
}

const pemBody = (pem: string) => pem.replace(/\s+/g, '');
