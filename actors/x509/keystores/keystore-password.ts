// The keystore password named by spec.keystores.<format>.passwordSecretRef. Gardener reads it from the namespace of
// the certificate Secret (not the Certificate's); an empty password is allowed. Gardener uses the bytes as they are,
// we read them as UTF-8 text, which is what Java and OpenSSL make of a password a user types. The error texts are
// gardener's, so a user sees the same status message; we add a reason where gardener's would be empty.

/**
 * One format's part of spec.keystores. The same shape as certificate-spec.ts's KeystoreSpec, declared here so the
 * x509 layer does not import from the certificate actor above it.
 */
export interface KeystoreRequest {
  create: boolean;
  passwordSecretRef: { secretName: string; key?: string };
}

export interface KeystoresRequest {
  jks?: KeystoreRequest;
  pkcs12?: KeystoreRequest;
}

/** Password Secrets by name, their data base64 as the API returns it; a name not in the map was not found. */
export type PasswordSecrets = ReadonlyMap<string, Readonly<Record<string, string>>>;

export type PasswordLookup = { ok: true; password: string } | { ok: false; problem: string };

export function keystorePassword(
  format: 'JKS' | 'PKCS#12',
  ref: KeystoreRequest['passwordSecretRef'],
  secretNamespace: string,
  secrets: PasswordSecrets,
): PasswordLookup {
  const key = ref.key ?? '';
  const where = `${secretNamespace}/${ref.secretName}`;
  const failed = (reason: string): PasswordLookup => ({
    ok: false,
    problem: `loading ${format} password from data key ${key} of secret ${where} failed: ${reason}`,
  });
  if (key === '') {
    return failed('passwordSecretRef.key is empty: set it to the data key of the secret that holds the password');
  }
  const data = secrets.get(ref.secretName);
  if (data === undefined) return failed(`secrets "${ref.secretName}" not found`);
  const encoded = data[key];
  if (encoded === undefined) return failed(`key ${key} not found in secret`);
  try {
    return { ok: true, password: new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(encoded, 'base64')) };
  } catch {
    // Java and OpenSSL take the password as text; bytes that are no UTF-8 could never be typed to open the store.
    return failed(`the value of key ${key} is not UTF-8 text`);
  }
}

/** The Secrets the caller has to read (in the certificate Secret's namespace) before asking for keystore data. */
export function keystorePasswordSecretNames(keystores: KeystoresRequest = {}): string[] {
  const names = [keystores.jks, keystores.pkcs12]
    .filter((spec): spec is KeystoreRequest => spec?.create === true)
    .map((spec) => spec.passwordSecretRef.secretName);
  return [...new Set(names)];
}
