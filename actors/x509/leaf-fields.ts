import {
  childrenOf,
  contentOf,
  type Element,
  oidBytes,
  oidToString,
  readElement,
  readString,
  readTime,
  TAG,
} from './der.js';

/** The fields of an issued certificate the controller reads, straight from its DER. */
export interface LeafFields {
  notBeforeMs: number;
  notAfterMs: number;
  /** The serial in hex, without the 00 byte DER puts before a positive number whose top bit is set. */
  serialHex: string;
  commonName?: string;
  dnsNames: string[];
  authorityKeyIdHex?: string;
  /** The issuer's name, "CN=..., O=..." in the certificate's order. */
  issuer: string;
}

const COMMON_NAME = oidBytes('2.5.4.3');
const SUBJECT_ALT_NAME = oidBytes('2.5.29.17');
const AUTHORITY_KEY_ID = oidBytes('2.5.29.35');
const VERSION_TAG = 0xa0;
const EXTENSIONS_TAG = 0xa3;
const DNS_NAME_TAG = 0x82;
const KEY_IDENTIFIER_TAG = 0x80;

/**
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }; tbsCertificate ::= SEQUENCE {
 * [0] version OPTIONAL, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, [1] [2] unique IDs
 * OPTIONAL, [3] extensions OPTIONAL } (RFC 5280 4.1).
 */
export function readLeafFields(der: Buffer): LeafFields {
  const certificate = readElement(der, 0);
  const [tbs] = childrenOf(der, certificate);
  if (!tbs || tbs.tag !== TAG.SEQUENCE) throw new Error('not an X.509 certificate');
  const parts = childrenOf(der, tbs);
  const fields = parts[0]?.tag === VERSION_TAG ? parts.slice(1) : parts;
  const [serial, , issuer, validity, subject] = fields;
  if (!serial || !issuer || !validity || !subject)
    throw new Error('X.509 certificate is missing its serial, issuer, validity or subject');
  const [notBefore, notAfter] = childrenOf(der, validity);
  if (!notBefore || !notAfter) throw new Error('X.509 certificate has no validity period');
  const out: LeafFields = {
    notBeforeMs: readTime(der, notBefore),
    notAfterMs: readTime(der, notAfter),
    serialHex: contentOf(der, serial)
      .toString('hex')
      .replace(/^00(?=[89a-f])/, ''),
    dnsNames: [],
    issuer: formatName(der, issuer),
  };
  const cn = firstCommonName(der, subject);
  if (cn !== undefined) out.commonName = cn;
  const extensions = fields.find((e) => e.tag === EXTENSIONS_TAG);
  const list = extensions && childrenOf(der, extensions)[0];
  for (const extension of list ? childrenOf(der, list) : []) {
    const items = childrenOf(der, extension);
    const id = items[0];
    const value = items.find((e) => e.tag === TAG.OCTET_STRING);
    if (!id || !value) continue;
    const inner = readElement(der, value.start);
    if (contentOf(der, id).equals(SUBJECT_ALT_NAME)) {
      for (const name of childrenOf(der, inner))
        if (name.tag === DNS_NAME_TAG) out.dnsNames.push(contentOf(der, name).toString('ascii'));
    } else if (contentOf(der, id).equals(AUTHORITY_KEY_ID)) {
      const keyId = childrenOf(der, inner).find((e) => e.tag === KEY_IDENTIFIER_TAG);
      if (keyId) out.authorityKeyIdHex = contentOf(der, keyId).toString('hex');
    }
  }
  return out;
}

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'E',
  '0.9.2342.19200300.100.1.25': 'DC',
};

/** A Name for people to read (status, certctl): its attributes in order, unknown types as dotted OIDs. */
function formatName(der: Buffer, name: Element): string {
  const parts: string[] = [];
  for (const rdn of childrenOf(der, name))
    for (const attribute of childrenOf(der, rdn)) {
      const [type, value] = childrenOf(der, attribute);
      if (!type || !value) continue;
      const dotted = oidToString(contentOf(der, type));
      parts.push(`${SHORT_NAMES[dotted] ?? dotted}=${readString(der, value)}`);
    }
  return parts.join(', ');
}

/** Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value }: the first CN in order. */
function firstCommonName(der: Buffer, name: Element): string | undefined {
  for (const rdn of childrenOf(der, name))
    for (const attribute of childrenOf(der, rdn)) {
      const [type, value] = childrenOf(der, attribute);
      if (type && value && contentOf(der, type).equals(COMMON_NAME)) return readString(der, value);
    }
  return undefined;
}
