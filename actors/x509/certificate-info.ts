// What the certificate actor needs to know about keys and issued certificates: validity for renewal, names for
// status, whether a stored key still belongs to the stored certificate (a half-written secret must not count as
// ready), and fresh keys and CSRs in the forms the spec asks for.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  webcrypto,
  X509Certificate,
} from 'node:crypto';
import { promisify } from 'node:util';
import { newRsaKey } from './key-generation-slots.js';
import { x509 } from './x509.js';

export type KeyAlgorithm = 'RSA' | 'ECDSA';
export type KeyEncoding = 'PKCS1' | 'PKCS8';

export interface KeyRequest {
  algorithm: KeyAlgorithm;
  size: number;
  encoding: KeyEncoding;
}

export interface CertificateInfo {
  notBeforeMs: number;
  notAfterMs: number;
  commonName?: string;
  dnsNames: string[];
  /** Hex with colons, as gardener prints it in status.message ("certificate (SN 3:a1:...) valid from ..."). */
  serialNumber: string;
  issuer: string;
  /** Certificates in the PEM chain, leaf included. */
  chainLength: number;
  /** RFC 9773's certID (authority key identifier and serial), when the leaf names its issuer's key. */
  certId?: string;
}

const SAN_OID = '2.5.29.17';
const CURVES: Record<number, string> = { 256: 'P-256', 384: 'P-384' };

export function splitPemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

/** Reads the leaf (first) certificate of a PEM chain; throws with a readable reason if there is none. */
export function readCertificateChain(pem: string): CertificateInfo {
  const blocks = splitPemCertificates(pem);
  const leafPem = blocks[0];
  if (leafPem === undefined) throw new Error('no "-----BEGIN CERTIFICATE-----" block found in the certificate data');
  const leaf = new x509.X509Certificate(leafPem);
  const ext = leaf.extensions.find((e) => e.type === SAN_OID);
  const san =
    ext instanceof x509.SubjectAlternativeNameExtension
      ? ext
      : ext
        ? new x509.SubjectAlternativeNameExtension(ext.rawData)
        : undefined;
  const info: CertificateInfo = {
    notBeforeMs: leaf.notBefore.getTime(),
    notAfterMs: leaf.notAfter.getTime(),
    dnsNames: san ? san.names.items.filter((n) => n.type === 'dns').map((n) => n.value) : [],
    serialNumber: serialNumberToString(leaf.serialNumber),
    issuer: leaf.issuer,
    chainLength: blocks.length,
  };
  const aki = leaf.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId;
  if (aki) info.certId = certificateId(aki, leaf.serialNumber);
  const cn = leaf.subjectName.getField('CN')[0];
  if (cn !== undefined) info.commonName = cn;
  return info;
}

/**
 * RFC 9773's certID: base64url(authority key identifier) "." base64url(serial). The serial is its minimal unsigned
 * bytes, which is what pebble and Boulder look certificates up by (RFC 9773 adds a 0x00 before a serial whose first
 * bit is set; pebble then finds no order to replace, so about one certificate in 256 would lose `replaces`).
 */
export function certificateId(authorityKeyIdHex: string, serialHex: string): string {
  const b64 = (hex: string) => Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
  return `${b64(authorityKeyIdHex)}.${b64(serialHex.replace(/^(00)+(?=..)/, ''))}`;
}

/** Gardener's SerialNumberToString: hex without leading zeros, a colon before every pair counted from the left. */
export function serialNumberToString(hex: string): string {
  const digits = hex.toLowerCase().replace(/^0+/, '') || '0';
  return digits.match(/.{1,2}/g)?.join(':') ?? digits;
}

/** False for any key that cannot be read or belongs to another certificate; never throws. */
export function privateKeyMatchesCertificate(keyPem: string, certPem: string): boolean {
  try {
    const leaf = splitPemCertificates(certPem)[0];
    if (leaf === undefined) return false;
    return new X509Certificate(leaf).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * A new private key as PEM. PKCS1 means the algorithm-specific form, as in gardener: "RSA PRIVATE KEY" for RSA and
 * SEC1 "EC PRIVATE KEY" for ECDSA; PKCS8 is "PRIVATE KEY". Asynchronous because RSA 4096 takes long enough to
 * stall an actor's event loop.
 */
export async function generatePrivateKey(request: KeyRequest): Promise<string> {
  if (request.algorithm === 'RSA') {
    if (![2048, 3072, 4096].includes(request.size))
      throw new Error(`RSA key size ${request.size} is not supported: use 2048, 3072 or 4096`);
    const privateKey = await newRsaKey(request.size);
    return exportKey(privateKey, request.encoding === 'PKCS8' ? 'pkcs8' : 'pkcs1');
  }
  const namedCurve = CURVES[request.size];
  if (namedCurve === undefined) throw new Error(`ECDSA key size ${request.size} is not supported: use 256 or 384`);
  const { privateKey } = await generateKeyPairAsync('ec', { namedCurve });
  return exportKey(privateKey, request.encoding === 'PKCS8' ? 'pkcs8' : 'sec1');
}

function exportKey(key: KeyObject, type: 'pkcs1' | 'pkcs8' | 'sec1'): string {
  return key.export({ format: 'pem', type }).toString();
}

/**
 * A CSR for the names, signed with the given key (any of the encodings above). The first name becomes the subject
 * CN when it fits X.509's 64-character limit, as lego does with EnableCommonName; every name is a DNS SAN.
 */
export async function createCsrPem(names: readonly string[], keyPem: string): Promise<string> {
  const first = names[0];
  if (first === undefined) throw new Error('a CSR needs at least one name');
  const privateKey = createPrivateKey(keyPem);
  const der = (k: KeyObject, type: 'pkcs8' | 'spki') => k.export({ format: 'der', type });
  let importAlg: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams;
  let signingAlgorithm: webcrypto.Algorithm | webcrypto.EcdsaParams;
  if (privateKey.asymmetricKeyType === 'rsa') {
    importAlg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    signingAlgorithm = { name: 'RSASSA-PKCS1-v1_5' };
  } else if (privateKey.asymmetricKeyType === 'ec') {
    const curve = privateKey.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'P-384' : 'P-256';
    importAlg = { name: 'ECDSA', namedCurve: curve };
    signingAlgorithm = { name: 'ECDSA', hash: curve === 'P-384' ? 'SHA-384' : 'SHA-256' } as webcrypto.EcdsaParams;
  } else {
    throw new Error(`cannot sign a CSR with a ${privateKey.asymmetricKeyType ?? 'unknown'} key: use RSA or ECDSA`);
  }
  const keys = {
    privateKey: await webcrypto.subtle.importKey('pkcs8', der(privateKey, 'pkcs8'), importAlg, false, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', der(createPublicKey(privateKey), 'spki'), importAlg, true, [
      'verify',
    ]),
  };
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    ...(first.length <= 64 ? { name: [{ CN: [first] }] } : {}),
    keys: keys as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[0]['keys'],
    signingAlgorithm,
    extensions: [new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns' as const, value })))],
  });
  return csr.toString('pem');
}
