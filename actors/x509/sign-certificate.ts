// Signs a certificate locally, for CA and self-signed issuers, with the template gardener v0.27.0 uses
// (pkg/shared/legobridge/pki.go generateCertFromCSR, NewSelfSignedCertInPEMFormat): BasicConstraints always present
// and critical, key usages by key type and isCA, the subject key identifier only on CA certificates (SHA-256 of the
// public key, truncated to 20 bytes, as Go 1.25+ makes it), the authority key identifier from the signing CA.
import { createHash, createPrivateKey, createPublicKey, type KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { x509 } from './x509.js';

/** Subject attributes in the order Go writes them (pkix.Name.ToRDNSequence). */
export interface SubjectFields {
  country?: string[];
  province?: string[];
  locality?: string[];
  streetAddress?: string[];
  postalCode?: string[];
  organization?: string[];
  organizationalUnit?: string[];
  commonName?: string;
}

const SUBJECT_OIDS: ReadonlyArray<[keyof SubjectFields, string]> = [
  ['country', '2.5.4.6'],
  ['province', '2.5.4.8'],
  ['locality', '2.5.4.7'],
  ['streetAddress', '2.5.4.9'],
  ['postalCode', '2.5.4.17'],
  ['organization', '2.5.4.10'],
  ['organizationalUnit', '2.5.4.11'],
  ['commonName', '2.5.4.3'],
];

export interface CertificateTemplate {
  subject: SubjectFields;
  dnsNames: readonly string[];
  emailAddresses: readonly string[];
  ipAddresses: readonly string[];
  uris: readonly string[];
  isCA: boolean;
  notBeforeMs: number;
  notAfterMs: number;
  /** Hex; random 128 bits when absent. */
  serialNumber?: string;
  extKeyUsages: ReadonlyArray<'serverAuth' | 'clientAuth'>;
}

/** Who signs: a CA (its certificate and key), or the certificate's own key (self-signed). */
export interface SigningKey {
  keyPem: string;
  /** The CA certificate; absent for a self-signed certificate. */
  caCertPem?: string;
}

/** A random serial in [1, 2^128), as hex (gardener draws from [0, 2^128); zero is not a valid serial). */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f; // positive as a DER INTEGER without a leading zero byte
  if (bytes.every((b) => b === 0)) bytes[15] = 1;
  return bytes.toString('hex');
}

/** Signs the public key (SPKI PEM or DER) into a certificate; returns its PEM. */
export async function signCertificate(
  template: CertificateTemplate,
  publicKey: string | Buffer,
  signer: SigningKey,
): Promise<string> {
  const subjectKey =
    typeof publicKey === 'string'
      ? createPublicKey(publicKey)
      : createPublicKey({ key: publicKey, format: 'der', type: 'spki' });
  const signingKey = createPrivateKey(signer.keyPem);
  const { importParams, signingAlgorithm } = algorithmsOf(signingKey);
  const cryptoKey = await webcrypto.subtle.importKey(
    'pkcs8',
    signingKey.export({ format: 'der', type: 'pkcs8' }),
    importParams,
    false,
    ['sign'],
  );
  const ca = signer.caCertPem ? new x509.X509Certificate(signer.caCertPem) : undefined;
  const subject = subjectName(template.subject);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(template.isCA, undefined, true),
    new x509.KeyUsagesExtension(keyUsages(subjectKey, template.isCA), true),
    new x509.ExtendedKeyUsageExtension(
      template.extKeyUsages.map((u) => x509.ExtendedKeyUsage[u]),
      false,
    ),
  ];
  const subjectKeyId = template.isCA ? subjectKeyIdentifier(subjectKey) : undefined;
  if (subjectKeyId) extensions.push(new x509.SubjectKeyIdentifierExtension(subjectKeyId));
  // Go names the signing CA's key (its SKI) unless the certificate is issued to the CA's own name.
  const authorityKeyId = ca?.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  if (ca && authorityKeyId && new x509.Name(subject).toString() !== ca.subject) {
    extensions.push(new x509.AuthorityKeyIdentifierExtension(authorityKeyId));
  }
  const names = sanEntries(template);
  if (names.length > 0) {
    // Go marks the SAN extension critical exactly when the subject is empty (RFC 5280 4.2.1.6).
    extensions.push(new x509.SubjectAlternativeNameExtension(names, subject.length === 0));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: template.serialNumber ?? randomSerialNumber(),
    subject,
    issuer: ca ? ca.subjectName : subject,
    notBefore: new Date(template.notBeforeMs),
    notAfter: new Date(template.notAfterMs),
    publicKey: new Uint8Array(subjectKey.export({ format: 'der', type: 'spki' })),
    signingKey: cryptoKey,
    signingAlgorithm,
    extensions,
  });
  return cert.toString('pem');
}

function subjectName(fields: SubjectFields): x509.JsonName {
  const out: x509.JsonName = [];
  for (const [field, oid] of SUBJECT_OIDS) {
    const value = fields[field];
    const values = typeof value === 'string' ? (value === '' ? [] : [value]) : (value ?? []);
    for (const v of values) out.push({ [oid]: [v] });
  }
  return out;
}

function sanEntries(t: CertificateTemplate): x509.JsonGeneralName[] {
  return [
    ...t.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...t.emailAddresses.map((value) => ({ type: 'email' as const, value })),
    ...t.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
    ...t.uris.map((value) => ({ type: 'url' as const, value })),
  ];
}

/** digitalSignature, keyEncipherment for RSA keys (key transport), keyCertSign for CAs. No cRLSign, as gardener. */
function keyUsages(subjectKey: KeyObject, isCA: boolean): x509.KeyUsageFlags {
  let flags = x509.KeyUsageFlags.digitalSignature;
  if (subjectKey.asymmetricKeyType === 'rsa') flags |= x509.KeyUsageFlags.keyEncipherment;
  if (isCA) flags |= x509.KeyUsageFlags.keyCertSign;
  return flags;
}

/** RFC 7093 method 1 with SHA-256: the first 160 bits of the hash of the subjectPublicKey BIT STRING's bytes. */
function subjectKeyIdentifier(key: KeyObject): string {
  let bits: Buffer;
  if (key.asymmetricKeyType === 'rsa') bits = key.export({ format: 'der', type: 'pkcs1' });
  else {
    const jwk = key.export({ format: 'jwk' });
    bits = Buffer.concat([Buffer.of(0x04), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  }
  return createHash('sha256').update(bits).digest().subarray(0, 20).toString('hex');
}

/** The signature algorithm follows the signing key, as Go chooses it. */
function algorithmsOf(key: KeyObject): {
  importParams: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams;
  signingAlgorithm: webcrypto.Algorithm | webcrypto.EcdsaParams;
} {
  if (key.asymmetricKeyType === 'rsa') {
    return {
      importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5' },
    };
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const namedCurve = curve === 'secp384r1' ? 'P-384' : curve === 'secp521r1' ? 'P-521' : 'P-256';
    const hash = namedCurve === 'P-384' ? 'SHA-384' : namedCurve === 'P-521' ? 'SHA-512' : 'SHA-256';
    return {
      importParams: { name: 'ECDSA', namedCurve },
      signingAlgorithm: { name: 'ECDSA', hash } as webcrypto.EcdsaParams,
    };
  }
  throw new Error(`cannot sign with a ${key.asymmetricKeyType ?? 'unknown'} key: use RSA or ECDSA`);
}
