import {
  type DerElement,
  decodeObjectIdentifier,
  derChildren,
  readDirectoryString,
  readElement,
  readTime,
} from './der-reader.js';

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

const COMMON_NAME = '2.5.4.3';
const SUBJECT_ALT_NAME = '2.5.29.17';
const AUTHORITY_KEY_ID = '2.5.29.35';
const VERSION_TAG = 0xa0;
const EXTENSIONS_TAG = 0xa3;
const OCTET_STRING_TAG = 0x04;
const DNS_NAME_TAG = 0x82;
const KEY_IDENTIFIER_TAG = 0x80;

const SHORT_NAMES: Record<string, string> = {
  [COMMON_NAME]: 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'E',
  '0.9.2342.19200300.100.1.25': 'DC',
};

/**
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }; tbsCertificate ::= SEQUENCE {
 * [0] version OPTIONAL, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, [1] [2] unique IDs
 * OPTIONAL, [3] extensions OPTIONAL } (RFC 5280 4.1).
 */
export function readLeafFields(der: Buffer): LeafFields {
  const [tbs] = derChildren(readElement(der, 0).content);
  if (tbs?.tag !== 0x30) throw new Error('not an X.509 certificate');
  const parts = derChildren(tbs.content);
  const fields = parts[0]?.tag === VERSION_TAG ? parts.slice(1) : parts;
  const [serial, , issuer, validity, subject] = fields;
  if (!serial || !issuer || !validity || !subject)
    throw new Error('X.509 certificate is missing its serial, issuer, validity or subject');
  const [notBefore, notAfter] = derChildren(validity.content);
  if (!notBefore || !notAfter) throw new Error('X.509 certificate has no validity period');
  const out: LeafFields = {
    notBeforeMs: readTime(notBefore),
    notAfterMs: readTime(notAfter),
    serialHex: serial.content.toString('hex').replace(/^00(?=[89a-f])/, ''),
    dnsNames: [],
    issuer: nameAttributes(issuer)
      .map(([type, value]) => `${SHORT_NAMES[type] ?? type}=${value}`)
      .join(', '),
  };
  const cn = nameAttributes(subject).find(([type]) => type === COMMON_NAME);
  if (cn) out.commonName = cn[1];
  const extensions = fields.find((e) => e.tag === EXTENSIONS_TAG);
  const list = extensions && derChildren(extensions.content)[0];
  for (const extension of list ? derChildren(list.content) : []) {
    const items = derChildren(extension.content);
    const id = items[0] && decodeObjectIdentifier(items[0].content);
    const value = items.find((e) => e.tag === OCTET_STRING_TAG);
    // Only these two are opened: other extensions' values need not be structures (a key identifier is raw bytes).
    if (!id || !value || (id !== SUBJECT_ALT_NAME && id !== AUTHORITY_KEY_ID)) continue;
    const inner = derChildren(readElement(value.content, 0).content);
    if (id === SUBJECT_ALT_NAME) {
      for (const name of inner) if (name.tag === DNS_NAME_TAG) out.dnsNames.push(name.content.toString('ascii'));
    } else {
      const keyId = inner.find((e) => e.tag === KEY_IDENTIFIER_TAG);
      if (keyId) out.authorityKeyIdHex = keyId.content.toString('hex');
    }
  }
  return out;
}

/** Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value }: [dotted type, text] in order. */
function nameAttributes(name: DerElement): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const rdn of derChildren(name.content))
    for (const attribute of derChildren(rdn.content)) {
      const [type, value] = derChildren(attribute.content);
      if (type && value) out.push([decodeObjectIdentifier(type.content), readDirectoryString(value)]);
    }
  return out;
}
