// Go's pkix.Name.String() of a certificate's subject. Gardener's truststore.p12 (go-pkcs12 EncodeTrustStore) names
// its entry with it, and Java shows that friendlyName, lowercased, as the alias: users see "cn=test ca,o=gardener".
// Go regroups the attributes it knows (all O values become one RDN, CN and SERIALNUMBER keep their last value),
// puts unknown ones first, prints the sequence reversed, and shows unknown values as #hex of their re-encoding.
import { certificateSubject, type DerElement, decodeObjectIdentifier, derChildren } from '../der-reader.js';
import { tlv } from '../der-writer.js';

const KNOWN: ReadonlyArray<readonly [oid: string, name: string]> = [
  // Go's ToRDNSequence order; the string reverses it.
  ['2.5.4.6', 'C'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.7', 'L'],
  ['2.5.4.9', 'STREET'],
  ['2.5.4.17', 'POSTALCODE'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.3', 'CN'],
  ['2.5.4.5', 'SERIALNUMBER'],
];
const SINGLE_VALUED = new Set(['2.5.4.3', '2.5.4.5']);

interface Attribute {
  oid: string;
  value: DerElement;
}

export function goSubjectString(certificateDer: Buffer): string {
  const attributes = derChildren(certificateSubject(certificateDer).content)
    .flatMap((rdn) => derChildren(rdn.content))
    .map((atv): Attribute => {
      const [type, value] = derChildren(atv.content);
      if (!type || !value) throw new Error('DER: attribute without type or value');
      return { oid: decodeObjectIdentifier(type.content), value };
    });
  const rdns: string[][] = attributes
    .filter((a) => !KNOWN.some(([oid]) => oid === a.oid))
    .map((a) => [`${a.oid}=#${goMarshalString(decodeString(a.value)).toString('hex')}`]);
  for (const [oid, name] of KNOWN) {
    let values = attributes.filter((a) => a.oid === oid).map((a) => decodeString(a.value));
    if (SINGLE_VALUED.has(oid)) values = values.slice(-1).filter((v) => v !== '');
    if (values.length > 0) rdns.push(values.map((v) => `${name}=${escapeValue(v)}`));
  }
  return rdns
    .reverse()
    .map((rdn) => rdn.join('+'))
    .join(',');
}

/** Go's x509 parser accepts only these string types in names (it refuses the certificate otherwise). */
function decodeString(value: DerElement): string {
  switch (value.tag) {
    case 0x14: // T61String, read as Latin-1 like Go and BoringSSL
      return value.content.toString('latin1');
    case 0x1e: {
      // BMPString; Go drops a trailing NUL terminator. Copied first: swap16 works in place.
      const units = Buffer.from(value.content).swap16().toString('utf16le');
      return units.endsWith('\0') ? units.slice(0, -1) : units;
    }
    default: // UTF8String, PrintableString, IA5String, NumericString
      return value.content.toString('utf8');
  }
}

/** encoding/asn1's Marshal of a Go string: PrintableString when every character allows it, else UTF8String. */
function goMarshalString(value: string): Buffer {
  const printable = /^[A-Za-z0-9'()+,\-./:=? ]*$/.test(value);
  return tlv(printable ? 0x13 : 0x0c, Buffer.from(value, 'utf8'));
}

function escapeValue(value: string): string {
  let out = '';
  const last = value.length - 1;
  for (let i = 0; i <= last; i++) {
    const c = value[i]!;
    const special = ',+"\\<>;'.includes(c) || (c === ' ' && (i === 0 || i === last)) || (c === '#' && i === 0);
    out += special ? `\\${c}` : c;
  }
  return out;
}
