import { childrenOf, contentOf, type Element, oidBytes, readElement, readString, readTime, TAG } from './der.js';

/** The fields of an issued certificate the controller reads, straight from its DER. */
export interface LeafFields {
  notBeforeMs: number;
  notAfterMs: number;
  /** The serial in hex, without the 00 byte DER puts before a positive number whose top bit is set. */
  serialHex: string;
  commonName?: string;
  dnsNames: string[];
  authorityKeyIdHex?: string;
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
  const [serial, , , validity, subject] = fields;
  if (!serial || !validity || !subject) throw new Error('X.509 certificate is missing its serial, validity or subject');
  const [notBefore, notAfter] = childrenOf(der, validity);
  if (!notBefore || !notAfter) throw new Error('X.509 certificate has no validity period');
  const out: LeafFields = {
    notBeforeMs: readTime(der, notBefore),
    notAfterMs: readTime(der, notAfter),
    serialHex: contentOf(der, serial)
      .toString('hex')
      .replace(/^00(?=[89a-f])/, ''),
    dnsNames: [],
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

/** Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value }: the first CN in order. */
function firstCommonName(der: Buffer, name: Element): string | undefined {
  for (const rdn of childrenOf(der, name))
    for (const attribute of childrenOf(der, rdn)) {
      const [type, value] = childrenOf(der, attribute);
      if (type && value && contentOf(der, type).equals(COMMON_NAME)) return readString(der, value);
    }
  return undefined;
}
