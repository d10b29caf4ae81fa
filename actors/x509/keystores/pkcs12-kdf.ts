// The PKCS#12 key derivation (RFC 7292 appendix B.2) with SHA-1, which both pbeWithSHAAnd3-KeyTripleDES-CBC and
// the SHA-1 MAC use. node:crypto has no such KDF (it is not PBKDF2), so it is written out here.
import { createHash } from 'node:crypto';
import { utf16be } from '../der-writer.js';

export const KDF_PURPOSE = { key: 1, iv: 2, mac: 3 } as const;

const HASH_BYTES = 20; // u: SHA-1 output
const BLOCK_BYTES = 64; // v: SHA-1 input block

/**
 * The password as RFC 7292 B.1 wants it: a BMPString with a NUL terminator. Characters beyond the BMP go in as their
 * UTF-16 surrogate pairs, which is what OpenSSL and Java do; go-pkcs12 refuses them, which we do not copy.
 */
export function pkcs12Password(password: string): Buffer {
  return Buffer.concat([utf16be(password), Buffer.alloc(2)]);
}

export function pkcs12Kdf(
  password: Buffer,
  salt: Buffer,
  purpose: number,
  iterations: number,
  outputBytes: number,
): Buffer {
  const diversifier = Buffer.alloc(BLOCK_BYTES, purpose);
  const input = Buffer.concat([repeatToBlocks(salt), repeatToBlocks(password)]);
  const out: Buffer[] = [];
  for (let produced = 0; produced < outputBytes; produced += HASH_BYTES) {
    let a = createHash('sha1').update(diversifier).update(input).digest();
    for (let i = 1; i < iterations; i++) a = createHash('sha1').update(a).digest();
    out.push(a);
    addToEveryBlock(input, repeatToBlocks(a).subarray(0, BLOCK_BYTES));
  }
  return Buffer.concat(out).subarray(0, outputBytes);
}

/** The bytes repeated to fill whole v-byte blocks (none for empty input). */
function repeatToBlocks(bytes: Buffer): Buffer {
  const length = BLOCK_BYTES * Math.ceil(bytes.length / BLOCK_BYTES);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = bytes[i % bytes.length]!;
  return out;
}

/** I_j = (I_j + B + 1) mod 2^(8v) for every block I_j of I, in place. */
function addToEveryBlock(input: Buffer, b: Buffer): void {
  for (let start = 0; start < input.length; start += BLOCK_BYTES) {
    let carry = 1;
    for (let k = BLOCK_BYTES - 1; k >= 0; k--) {
      carry += input[start + k]! + b[k]!;
      input[start + k] = carry & 0xff;
      carry >>= 8;
    }
  }
}
