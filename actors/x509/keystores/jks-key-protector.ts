// Sun's proprietary JKS key protection (sun.security.provider.KeyProtector), the only key encryption a JKS file
// may use: a SHA-1 keystream over the PKCS#8 key, and a SHA-1 check value that keytool uses to detect a wrong
// password. No npm package writes it, hence these lines.
import { createHash, randomBytes } from 'node:crypto';
import { derNull, objectIdentifier, octetString, sequence } from '../der-writer.js';

const KEY_PROTECTOR_OID = '1.3.6.1.4.1.42.2.17.1.1';
const SALT_BYTES = 20; // one SHA-1 output, as Java's KeyProtector

/**
 * EncryptedPrivateKeyInfo for a PKCS#8 key. `password` is Java's char[] as bytes (UTF-16BE), which is what
 * keytool derives from the password a user types.
 */
export function protectJksKey(pkcs8Der: Buffer, password: Buffer): Buffer {
  const salt = randomBytes(SALT_BYTES);
  const keystream = Buffer.alloc(pkcs8Der.length);
  let digest: Buffer = salt;
  for (let at = 0; at < keystream.length; at += digest.length) {
    digest = sha1(password, digest);
    digest.copy(keystream, at);
  }
  const encrypted = Buffer.alloc(pkcs8Der.length);
  for (let i = 0; i < encrypted.length; i++) encrypted[i] = pkcs8Der[i]! ^ keystream[i]!;
  const check = sha1(password, pkcs8Der);
  const algorithm = sequence(objectIdentifier(KEY_PROTECTOR_OID), derNull());
  return sequence(algorithm, octetString(Buffer.concat([salt, encrypted, check])));
}

export function sha1(...parts: readonly Buffer[]): Buffer {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return hash.digest();
}
