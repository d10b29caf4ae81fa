// A CA issuer's Secret (spec.ca.privateKeySecretRef): checked as gardener v0.27.0 checks it (ca/handler.go
// validateSecretCA, legobridge cakeypair.go), first failure wins, with gardener's message first and what to fix after
// it; and what status.ca shows of the CA certificate (gardener's RawCertInfo JSON). Pure: the actor reads the Secret.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { splitPemCertificates } from '../x509/certificate-info.js';
import type { SubjectFields } from '../x509/sign-certificate.js';
import { x509 } from '../x509/x509.js';

export interface CaSecret {
  type?: string;
  data?: Record<string, string>;
}

/** What the issuer keeps in memory to sign with. The key never leaves the issuer actor's activation. */
export interface CaMaterial {
  certPem: string;
  keyPem: string;
  /** ca.crt of issued certificates: the CA, then the intermediates of tls.crt (self-signed roots left out). */
  caBundlePem: string;
  notAfterMs: number;
  subject: SubjectFields;
  emailAddresses: string[];
  /** status.ca as gardener writes it. */
  statusCa: CaStatusInfo;
}

/** gardener's status.ca: Go's JSON of NotBefore, NotAfter and the subject (empty lists as null). */
export interface CaStatusInfo {
  NotBefore: string;
  NotAfter: string;
  Subject: {
    Country: string[] | null;
    Organization: string[] | null;
    OrganizationalUnit: string[] | null;
    Locality: string[] | null;
    Province: string[] | null;
    StreetAddress: string[] | null;
    PostalCode: string[] | null;
    SerialNumber: string;
    CommonName: string;
  };
}

export type CaSecretCheck = { ok: true; material: CaMaterial } | { ok: false; message: string };

const EXTRACT = 'extracting CA Keypair from secret failed';

export function checkCaSecret(secret: CaSecret, nowMs: number): CaSecretCheck {
  const failed = (message: string): CaSecretCheck => ({ ok: false, message });
  if (secret.type !== 'kubernetes.io/tls') {
    return failed(
      `secret is not of type kubernetes.io/tls (it is ${secret.type || 'Opaque'}): store the CA as a Secret of type kubernetes.io/tls with tls.crt and tls.key`,
    );
  }
  const crt = decode(secret.data?.['tls.crt']);
  if (crt === undefined) return failed(`${EXTRACT}: \`tls.crt\` data not found in secret`);
  const blocks = splitPemCertificates(crt);
  if (blocks.length === 0)
    return failed(`${EXTRACT}: no certificate found in PEM data for tls.crt (expected "-----BEGIN CERTIFICATE-----")`);
  let certs: x509.X509Certificate[];
  try {
    certs = blocks.map((pem) => new x509.X509Certificate(pem));
  } catch (err) {
    return failed(`${EXTRACT}: parsing certificate failed: ${(err as Error).message}`);
  }
  const keyText = decode(secret.data?.['tls.key']);
  if (keyText === undefined) return failed(`${EXTRACT}: \`tls.key\` data not found in secret`);
  const keyPem = keyText.match(/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/)?.[0];
  if (keyPem === undefined) {
    return failed(
      `${EXTRACT}: decoding pem block for private key failed (expected a "PRIVATE KEY", "RSA PRIVATE KEY" or "EC PRIVATE KEY" block in tls.key)`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    return failed(`${EXTRACT}: decoding private key failed: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec') {
    return failed(
      `check private key failed: unknown private key type: ${key.asymmetricKeyType ?? 'unknown'} (use an RSA or ECDSA key)`,
    );
  }
  const ca = certs[0]!;
  const caPublic = createPublicKey(blocks[0]!);
  if (!samePublicKey(caPublic, createPublicKey(key))) {
    return failed(
      'private key does not match certificate: tls.key must be the key of the first certificate in tls.crt',
    );
  }
  if (ca.getExtension(x509.BasicConstraintsExtension)?.ca !== true) {
    return failed('certificate is not a CA: the first certificate of tls.crt needs basicConstraints CA:TRUE');
  }
  if (ca.notAfter.getTime() < nowMs) {
    return failed(`certificate is expired (not after ${ca.notAfter.toISOString()}): renew the CA certificate`);
  }
  // ca.crt of issued certificates: the signing CA, then the chain above it without self-signed roots (gardener).
  const intermediates = certs.slice(1).filter((c) => c.subject !== c.issuer);
  const caBundlePem = [ca, ...intermediates].map((c) => `${c.toString('pem')}\n`).join('');
  return {
    ok: true,
    material: {
      certPem: blocks[0]!,
      keyPem: key.export({ format: 'pem', type: 'pkcs8' }).toString(),
      caBundlePem,
      notAfterMs: ca.notAfter.getTime(),
      subject: subjectOf(ca),
      emailAddresses: emailSans(ca),
      statusCa: statusInfo(ca),
    },
  };
}

function decode(b64: string | undefined): string | undefined {
  if (b64 === undefined || b64 === '') return undefined;
  return Buffer.from(b64, 'base64').toString('utf8');
}

/** gardener compares the RSA modulus or the EC point; the SPKI bytes compare both at once. */
function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return a.export({ format: 'der', type: 'spki' }).equals(b.export({ format: 'der', type: 'spki' }));
}

const FIELD_OIDS = {
  country: '2.5.4.6',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  locality: '2.5.4.7',
  province: '2.5.4.8',
  streetAddress: '2.5.4.9',
  postalCode: '2.5.4.17',
} as const;

/** The subject fields gardener copies from the CA into the certificates it signs (all but CN and serialNumber). */
function subjectOf(cert: x509.X509Certificate): SubjectFields {
  const out: SubjectFields = {};
  for (const [field, oid] of Object.entries(FIELD_OIDS) as Array<[keyof typeof FIELD_OIDS, string]>) {
    const values = cert.subjectName.getField(oid);
    if (values.length > 0) out[field] = values;
  }
  return out;
}

function emailSans(cert: x509.X509Certificate): string[] {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  return san ? san.names.items.filter((n) => n.type === 'email').map((n) => n.value) : [];
}

/** Go's time.Time JSON (RFC 3339, fractional seconds only when not zero). */
const goJsonTime = (d: Date) => d.toISOString().replace(/\.000Z$/, 'Z');

function statusInfo(cert: x509.X509Certificate): CaStatusInfo {
  const list = (oid: string) => {
    const values = cert.subjectName.getField(oid);
    return values.length > 0 ? values : null;
  };
  return {
    NotBefore: goJsonTime(cert.notBefore),
    NotAfter: goJsonTime(cert.notAfter),
    Subject: {
      Country: list(FIELD_OIDS.country),
      Organization: list(FIELD_OIDS.organization),
      OrganizationalUnit: list(FIELD_OIDS.organizationalUnit),
      Locality: list(FIELD_OIDS.locality),
      Province: list(FIELD_OIDS.province),
      StreetAddress: list(FIELD_OIDS.streetAddress),
      PostalCode: list(FIELD_OIDS.postalCode),
      // gardener: the certificate's serial in upper-case hex, not the subject's serialNumber attribute.
      SerialNumber: cert.serialNumber.replace(/^0+(?=.)/, '').toUpperCase(),
      CommonName: cert.subjectName.getField('CN')[0] ?? '',
    },
  };
}
