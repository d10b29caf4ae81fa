// Just enough DER reading for the certificate fields the controller needs: the subject for keystore aliases, and the
// validity, serial, names and authority key id of every issued certificate (leaf-fields.ts). Malformed input throws.
// Why not @peculiar/x509 for issued certificates: its ASN.1 layer cost about 11 ms of event-loop CPU per issued
// certificate in profiles of a 200-certificate burst; a walk over the DER takes microseconds.

export interface DerElement {
  tag: number;
  /** The whole element, header included. */
  der: Buffer;
  content: Buffer;
}

export function readElement(buffer: Buffer, offset: number): DerElement {
  const tag = buffer[offset];
  const first = buffer[offset + 1];
  if (tag === undefined || first === undefined) throw new Error('DER: truncated header');
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (buffer[offset + 2 + i] ?? 0);
    header += count;
  }
  const end = offset + header + length;
  if (end > buffer.length) throw new Error('DER: truncated content');
  return { tag, der: buffer.subarray(offset, end), content: buffer.subarray(offset + header, end) };
}

/** The elements one after another inside a constructed element's content. */
export function derChildren(content: Buffer): DerElement[] {
  const out: DerElement[] = [];
  for (let offset = 0; offset < content.length; ) {
    const element = readElement(content, offset);
    out.push(element);
    offset += element.der.length;
  }
  return out;
}

/** The subject Name (RDNSequence) of a DER certificate. */
export function certificateSubject(certificateDer: Buffer): DerElement {
  const [tbs] = derChildren(readElement(certificateDer, 0).content);
  if (!tbs) throw new Error('DER: certificate without tbsCertificate');
  const fields = derChildren(tbs.content);
  // tbsCertificate: [0] version (absent in v1), serial, signature, issuer, validity, subject, ...
  const subject = fields[fields[0]?.tag === 0xa0 ? 5 : 4];
  if (!subject) throw new Error('DER: certificate without subject');
  return subject;
}

export function decodeObjectIdentifier(content: Buffer): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
    else arcs.push(value);
    value = 0;
  }
  return arcs.join('.');
}

/** UTCTime (YYMMDDHHMMSSZ, years 1950-2049) or GeneralizedTime (YYYYMMDDHHMMSSZ) as epoch milliseconds. */
export function readTime(element: DerElement): number {
  const text = element.content.toString('latin1');
  const utc = element.tag === 0x17;
  const m = utc
    ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
    : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m || (!utc && element.tag !== 0x18)) throw new Error(`DER: not a time: ${text}`);
  let year = Number(m[1]);
  if (utc) year += year < 50 ? 2000 : 1900;
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** A directory string (a name attribute's value) as text: BMPString is UTF-16, TeletexString Latin-1, the rest UTF-8. */
export function readDirectoryString(element: DerElement): string {
  if (element.tag === 0x1e) return Buffer.from(element.content).swap16().toString('utf16le');
  if (element.tag === 0x14) return element.content.toString('latin1');
  return element.content.toString('utf8');
}
