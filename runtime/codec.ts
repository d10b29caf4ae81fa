import { Packr } from 'msgpackr';

// Plain maps, no records: stored bytes must not depend on a structures table only one process knows.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

/** Upper bound for one envelope; the NATS default max_payload is 1 MB and headers count too. */
export const MAX_ENVELOPE_BYTES = 512 * 1024;

export class CodecError extends Error {
  constructor(
    message: string,
    readonly code: 'undecodable' | 'too-large',
  ) {
    super(message);
    this.name = 'CodecError';
  }
}

export function encode(value: unknown): Uint8Array {
  const bytes = packr.pack(value);
  if (bytes.length > MAX_ENVELOPE_BYTES) {
    throw new CodecError(`message of ${bytes.length} bytes exceeds the ${MAX_ENVELOPE_BYTES}-byte limit`, 'too-large');
  }
  return bytes;
}

export function decode<T = unknown>(bytes: Uint8Array): T {
  if (bytes.length > MAX_ENVELOPE_BYTES) {
    throw new CodecError(`message of ${bytes.length} bytes exceeds the ${MAX_ENVELOPE_BYTES}-byte limit`, 'too-large');
  }
  try {
    return packr.unpack(bytes) as T;
  } catch (err) {
    throw new CodecError(`undecodable msgpack: ${(err as Error).message}`, 'undecodable');
  }
}
