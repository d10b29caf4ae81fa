// What the certificate actor needs to know about keys and issued certificates: validity for renewal, names for
// status, whether a stored key still belongs to the stored certificate (a half-written secret must not count as
// ready), and fresh keys and CSRs in the forms the spec asks for.
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject, sign, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import {
  bitString,
  derNull,
  explicit,
  implicitPrimitive,
  integer,
  objectIdentifier,
  octetString,
  sequence,
  set,
  utf8String,
} from './der-writer.js';
import { newRsaKey } from './key-generation-slots.js';
import { readLeafFields } from './leaf-fields.js';

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
const COMMON_NAME = '2.5.4.3';
const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const ECDSA_WITH_SHA384 = '1.2.840.10045.4.3.3';
const CURVES: Record<number, string> = { 256: 'P-256', 384: 'P-384' };

export function splitPemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

function pemBody(block: string): Buffer {
  const base64 = block.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new Error('the certificate PEM block is not base64');
  return Buffer.from(base64, 'base64');
}

/** Reads the leaf (first) certificate of a PEM chain; throws with a readable reason if there is none. */
export function readCertificateChain(pem: string): CertificateInfo {
  const blocks = splitPemCertificates(pem);
  const leafPem = blocks[0];
  if (leafPem === undefined) throw new Error('no "-----BEGIN CERTIFICATE-----" block found in the certificate data');
  const fields = readLeafFields(pemBody(leafPem));
  const info: CertificateInfo = {
    notBeforeMs: fields.notBeforeMs,
    notAfterMs: fields.notAfterMs,
    dnsNames: fields.dnsNames,
    serialNumber: serialNumberToString(fields.serialHex),
    issuer: fields.issuer,
    chainLength: blocks.length,
  };
  if (fields.authorityKeyIdHex) info.certId = certificateId(fields.authorityKeyIdHex, fields.serialHex);
  if (fields.commonName !== undefined) info.commonName = fields.commonName;
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
  let signature: { algorithm: Buffer; hash: string };
  if (privateKey.asymmetricKeyType === 'rsa') {
    signature = { algorithm: sequence(objectIdentifier(SHA256_WITH_RSA), derNull()), hash: 'sha256' };
  } else if (privateKey.asymmetricKeyType === 'ec') {
    const p384 = privateKey.asymmetricKeyDetails?.namedCurve === 'secp384r1';
    signature = {
      algorithm: sequence(objectIdentifier(p384 ? ECDSA_WITH_SHA384 : ECDSA_WITH_SHA256)),
      hash: p384 ? 'sha384' : 'sha256',
    };
  } else {
    throw new Error(`cannot sign a CSR with a ${privateKey.asymmetricKeyType ?? 'unknown'} key: use RSA or ECDSA`);
  }
  // CertificationRequest (RFC 2986): the subject CN, the public key, and an extensionRequest with the DNS SANs.
  const subject =
    first.length <= 64 ? sequence(set(sequence(objectIdentifier(COMMON_NAME), utf8String(first)))) : sequence();
  const generalNames = sequence(...names.map((n) => implicitPrimitive(2, Buffer.from(n, 'ascii'))));
  const extensionRequest = sequence(
    objectIdentifier(EXTENSION_REQUEST),
    set(sequence(sequence(objectIdentifier(SAN_OID), octetString(generalNames)))),
  );
  const info = sequence(
    integer(0),
    subject,
    createPublicKey(privateKey).export({ format: 'der', type: 'spki' }),
    explicit(0, extensionRequest),
  );
  // ECDSA signatures come DER-encoded (r, s) from node, which is what X.509 wants.
  const der = sequence(info, signature.algorithm, bitString(sign(signature.hash, info, privateKey)));
  const base64 = der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n');
  return `-----BEGIN CERTIFICATE REQUEST-----\n${base64}\n-----END CERTIFICATE REQUEST-----\n`;
}
