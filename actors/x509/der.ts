// Just enough DER to write a PKCS#10 request and to read the few certificate fields the controller needs. Why not
// @peculiar/x509 here: its ASN.1 layer cost about 11 ms of CPU per issued certificate (parsing the chain) and 7 ms
// per CSR in profiles of a 200-certificate burst, on the pod's one event loop; these paths are a few microseconds.
// @peculiar/x509 still reads what users hand us (spec.csr, CA secrets), where generality matters more than speed.

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** A context-specific tag: [n], constructed (EXPLICIT or a structure) or primitive (IMPLICIT of a primitive). */
export const contextTag = (n: number, constructed: boolean) => 0x80 | (constructed ? 0x20 : 0) | n;

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

/** The content octets of an OBJECT IDENTIFIER. */
export function oidBytes(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [];
  const [first = 0, second = 0, ...rest] = arcs;
  for (const arc of [first * 40 + second, ...rest]) {
    const base128: number[] = [arc % 128];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) base128.unshift((v % 128) | 0x80);
    out.push(...base128);
  }
  return Buffer.from(out);
}

export const oid = (dotted: string) => tlv(TAG.OID, oidBytes(dotted));

/** An OBJECT IDENTIFIER's content octets as dotted text. */
export function oidToString(bytes: Buffer): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
    else arcs.push(value);
    value = 0;
  }
  return arcs.join('.');
}

/** One element as read: its tag and where its content lies in the buffer. */
export interface Element {
  tag: number;
  start: number;
  end: number;
}

export function readElement(buf: Buffer, offset: number): Element {
  if (offset + 2 > buf.length) throw new Error('DER: truncated element');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new Error('DER: multi-byte tags are not used in certificates');
  let length = buf[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new Error('DER: unsupported length form');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[start + i]!;
    start += count;
  }
  const end = start + length;
  if (end > buf.length) throw new Error('DER: element runs past its end');
  return { tag, start, end };
}

export function childrenOf(buf: Buffer, parent: Element): Element[] {
  const out: Element[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const child = readElement(buf, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

export const contentOf = (buf: Buffer, e: Element) => buf.subarray(e.start, e.end);

/** UTCTime (YYMMDDHHMMSSZ, years 1950-2049) or GeneralizedTime (YYYYMMDDHHMMSSZ) as epoch milliseconds. */
export function readTime(buf: Buffer, e: Element): number {
  const text = contentOf(buf, e).toString('latin1');
  const m =
    e.tag === TAG.UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m || (e.tag !== TAG.UTC_TIME && e.tag !== TAG.GENERALIZED_TIME)) throw new Error(`DER: not a time: ${text}`);
  let year = Number(m[1]);
  if (e.tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** A directory string (the value of a name attribute) as text. */
export function readString(buf: Buffer, e: Element): string {
  const bytes = contentOf(buf, e);
  if (e.tag === TAG.BMP_STRING) return Buffer.from(bytes).swap16().toString('utf16le');
  if (e.tag === TAG.T61_STRING) return bytes.toString('latin1');
  return bytes.toString('utf8');
}
