// Just enough DER reading to walk to a certificate's subject and its attributes; the certificate was already
// parsed (and so checked) by node:crypto, so malformed input here is a bug and throws.

export interface DerElement {
  tag: number;
  /** The whole element, header included. */
  der: Buffer;
  content: Buffer;
}

function readElement(buffer: Buffer, offset: number): DerElement {
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
