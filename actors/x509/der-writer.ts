// The few DER shapes a PKCS#12 file and a PKCS#10 request are made of. A dozen lines of TLV writing keep the layouts
// readable next to RFC 7292 and RFC 2986 and spare us four more pinned @peculiar/asn1-* packages whose schemas would
// only wrap the same bytes (and, for CSRs, cost 7 ms of event-loop CPU each through @peculiar/x509 and WebCrypto).

export function tlv(tag: number, ...content: readonly Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const sequence = (...content: readonly Buffer[]): Buffer => tlv(0x30, ...content);
export const set = (...content: readonly Buffer[]): Buffer => tlv(0x31, ...content);
export const octetString = (bytes: Buffer): Buffer => tlv(0x04, bytes);
export const derNull = (): Buffer => Buffer.from([0x05, 0x00]);
/** [n] EXPLICIT, constructed: PKCS#7 content and bag values are wrapped like this. */
export const explicit = (n: number, ...content: readonly Buffer[]): Buffer => tlv(0xa0 | n, ...content);
/** [n] IMPLICIT primitive: EncryptedContentInfo's encryptedContent. */
export const implicitPrimitive = (n: number, bytes: Buffer): Buffer => tlv(0x80 | n, bytes);
export const bmpString = (text: string): Buffer => tlv(0x1e, utf16be(text));
export const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
/** A BIT STRING of whole bytes (no unused bits): signatures. */
export const bitString = (bytes: Buffer): Buffer => tlv(0x03, Buffer.from([0]), bytes);

/** A non-negative INTEGER (versions and iteration counts). */
export function integer(value: number): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [];
  // The first two arcs share one subidentifier, base-128 like the rest (2.999 is 1079, two bytes).
  for (const arc of [40 * arcs[0]! + arcs[1]!, ...arcs.slice(2)]) {
    const base128 = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128))
      base128.unshift(0x80 | (rest & 0x7f));
    out.push(...base128);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTF-16 big-endian code units, as Java's char[] and PKCS#12's BMPString lay text out. */
export function utf16be(text: string): Buffer {
  const out = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) out.writeUInt16BE(text.charCodeAt(i), 2 * i);
  return out;
}
