// spec.csr lets a user keep the private key to themselves. We check it fully before ordering: an ACME CA answers a
// bad CSR only at finalize time, after the DNS challenges (and a quota token) have been spent.
import { createPublicKey } from 'node:crypto';
import { x509 } from '../x509/x509.js';
import { checkDomainName } from './domain-names.js';

export type KeyAlgorithm = 'RSA' | 'ECDSA';

export interface PublicKeyInfo {
  algorithm: KeyAlgorithm;
  /** RSA modulus bits, or the ECDSA curve size (256 for P-256, 384 for P-384). */
  size: number;
}

export interface CsrInfo {
  /** The CSR as PEM, whatever form spec.csr used; this is what is sent to the CA. */
  pem: string;
  /** base64 of the DER bytes: a canonical form for hashing, independent of PEM line wrapping. */
  derBase64: string;
  commonName?: string;
  /** DNS SANs, lower-cased, in CSR order (repeats kept so the caller can report them). */
  dnsNames: string[];
  publicKey: PublicKeyInfo;
}

export type CsrParse = { ok: true; csr: CsrInfo } | { ok: false; problems: string[] };

const SAN_OID = '2.5.29.17';
const CSR_LABELS = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
const EC_CURVES: Record<string, number> = { prime256v1: 256, secp384r1: 384 };

/**
 * Decodes, verifies and reads spec.csr (base64 of a PEM CSR as the CRD says; raw PEM is accepted too). `acmeRules`:
 * names must be DNS names and other SANs are refused (DNS-01 proves nothing else); CA and self-signed issuers take
 * the CSR's subject and SANs as they are.
 */
export async function parseCsr(value: string, field = 'spec.csr', acmeRules = true): Promise<CsrParse> {
  const fail = (...problems: string[]): CsrParse => ({ ok: false, problems });
  const pemText = toPemText(value);
  if (typeof pemText !== 'string') return fail(`${field} ${pemText.problem}`);
  const block = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pemText);
  if (!block) return fail(`${field} is not PEM: expected a block starting with "-----BEGIN CERTIFICATE REQUEST-----"`);
  const label = block[1] ?? '';
  if (!CSR_LABELS.has(label)) {
    const hint = label.includes('PRIVATE KEY') ? ' Never put a private key into a Certificate; rotate that key.' : '';
    return fail(`${field} holds a PEM "${label}" block, not a "CERTIFICATE REQUEST".${hint}`);
  }
  const der = Buffer.from((block[2] ?? '').replace(/\s+/g, ''), 'base64');
  let req: InstanceType<typeof x509.Pkcs10CertificateRequest>;
  try {
    req = new x509.Pkcs10CertificateRequest(der);
  } catch (e) {
    return fail(`${field} is not a valid PKCS#10 certificate request (${(e as Error).message})`);
  }
  let verified = false;
  try {
    verified = await req.verify();
  } catch {
    verified = false; // a mangled signature can fail to decode instead of failing to verify; same meaning
  }
  if (!verified) return fail(`${field}: the CSR signature does not verify; create the CSR again with its private key`);

  const problems: string[] = [];
  const publicKey = readPublicKey(req, field, problems);
  const cn = req.subjectName.getField('CN')[0];
  let commonName: string | undefined;
  if (cn !== undefined && cn !== '') {
    const c = acmeRules ? checkDomainName(cn, `${field} subject CN`) : { ok: true as const, name: cn };
    if (c.ok) commonName = c.name;
    else problems.push(c.problem);
  }
  const dnsNames: string[] = [];
  const unsupported: string[] = [];
  let sans: ReadonlyArray<{ type: string; value: string }> = [];
  try {
    const ext = req.extensions.find((e) => e.type === SAN_OID);
    if (ext)
      sans = (
        ext instanceof x509.SubjectAlternativeNameExtension
          ? ext
          : new x509.SubjectAlternativeNameExtension(ext.rawData)
      ).names.items;
  } catch (e) {
    // @peculiar/x509 refuses otherName, X.400 and EDI names; none of them can be validated by DNS-01 either.
    problems.push(
      `${field} has a subject alternative name that cannot be read (${(e as Error).message}): only DNS names are supported`,
    );
  }
  for (const [i, san] of sans.entries()) {
    if (san.type === 'dns') {
      const c = acmeRules
        ? checkDomainName(san.value, `${field} DNS SAN #${i + 1}`)
        : { ok: true as const, name: san.value };
      if (c.ok) dnsNames.push(c.name);
      else problems.push(c.problem);
    } else if (acmeRules) {
      unsupported.push(`${san.type === 'url' ? 'uri' : san.type} "${san.value}"`);
    }
  }
  if (unsupported.length > 0) {
    problems.push(
      `${field} requests ${unsupported.join(', ')}: only DNS names are supported, because ACME DNS-01 ` +
        'challenges can only prove control of DNS names; remove IP, email and URI SANs from the CSR',
    );
  }
  if (acmeRules && commonName === undefined && dnsNames.length === 0 && problems.length === 0) {
    problems.push(`${field} names no domain: set the subject CN or a DNS subject alternative name`);
  }
  if (problems.length > 0 || publicKey === undefined) return { ok: false, problems };
  const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE REQUEST-----\n`;
  const info: CsrInfo = { pem, derBase64: der.toString('base64'), dnsNames, publicKey };
  if (commonName !== undefined) info.commonName = commonName;
  return { ok: true, csr: info };
}

function toPemText(value: string): string | { problem: string } {
  const trimmed = value.trim();
  if (trimmed === '') return { problem: 'is empty: give the base64 of a PEM certificate request' };
  if (trimmed.startsWith('-----BEGIN')) return trimmed;
  const compact = trimmed.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    return { problem: 'is neither base64 nor PEM: encode the PEM CSR with "base64 -w0 my.csr"' };
  }
  const decoded = Buffer.from(compact, 'base64');
  const text = decoded.toString('latin1');
  if (text.includes('-----BEGIN')) return text;
  if (decoded[0] === 0x30)
    return { problem: 'is base64 of DER bytes: encode the PEM form instead ("openssl req -outform PEM")' };
  return { problem: 'decodes from base64 but is not PEM: expected "-----BEGIN CERTIFICATE REQUEST-----"' };
}

function readPublicKey(
  req: InstanceType<typeof x509.Pkcs10CertificateRequest>,
  field: string,
  problems: string[],
): PublicKeyInfo | undefined {
  const key = createPublicKey({ key: Buffer.from(req.publicKey.rawData), format: 'der', type: 'spki' });
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    const size = details.modulusLength ?? 0;
    // Public CAs refuse RSA keys below 2048 bits (Let's Encrypt: "key too small").
    if (size < 2048) problems.push(`${field} uses an RSA key of ${size} bits: use at least 2048 bits`);
    return { algorithm: 'RSA', size };
  }
  if (key.asymmetricKeyType === 'ec') {
    const size = EC_CURVES[details.namedCurve ?? ''];
    if (size !== undefined) return { algorithm: 'ECDSA', size };
    problems.push(`${field} uses the EC curve ${details.namedCurve ?? 'unknown'}: use P-256 or P-384`);
    return undefined;
  }
  problems.push(
    `${field} uses a ${key.asymmetricKeyType ?? 'unknown'} key: use an RSA (2048+ bits) or ECDSA (P-256, P-384) key`,
  );
  return undefined;
}
