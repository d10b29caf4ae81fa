// How our PKCS#12 files are encrypted and authenticated: go-pkcs12's LegacyDES profile.
//
// Gardener writes pkcs12.Encode / EncodeTrustStore, i.e. go-pkcs12's LegacyRC2: certificate bags under
// pbeWithSHAAnd40BitRC2-CBC, the key under pbeWithSHAAnd3-KeyTripleDES-CBC, both 2048 iterations with 8-byte salts,
// and an HMAC-SHA-1 MAC with 1 iteration. We cannot write RC2: Node 20's OpenSSL 3 refuses 'rc2-40-cbc' without the
// legacy provider (ERR_OSSL_EVP_UNSUPPORTED), and OpenSSL 3 cannot read such files without -legacy either. So the
// certificate bags use 3DES too; key bag, iterations, salts and MAC stay as gardener's. This is LegacyDES (OpenSSL's
// -descert): OpenSSL 3 reads it without -legacy and every Java release reads it, which the stronger PBES2/AES
// profile (Modern2023) does not promise before Java 12. The files are only as strong as the password.
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { derNull, integer, objectIdentifier, octetString, sequence } from '../der-writer.js';
import { KDF_PURPOSE, pkcs12Kdf } from './pkcs12-kdf.js';

export const PKCS12_PROFILE = {
  /** pbeWithSHAAnd3-KeyTripleDES-CBC, for the key bag and the certificate bags. */
  encryptionOid: '1.2.840.113549.1.12.1.3',
  encryptionIterations: 2048,
  macDigestOid: '1.3.14.3.2.26', // SHA-1
  macIterations: 1,
  saltBytes: 8,
} as const;

export interface Encrypted {
  /** AlgorithmIdentifier { pbeWithSHAAnd3-KeyTripleDES-CBC, PBEParameter { salt, iterations } }. */
  algorithm: Buffer;
  ciphertext: Buffer;
}

/** `password` is the BMPString form from pkcs12Password. */
export function encryptPbe(password: Buffer, plaintext: Buffer): Encrypted {
  const salt = randomBytes(PKCS12_PROFILE.saltBytes);
  const iterations = PKCS12_PROFILE.encryptionIterations;
  const key = pkcs12Kdf(password, salt, KDF_PURPOSE.key, iterations, 24);
  const iv = pkcs12Kdf(password, salt, KDF_PURPOSE.iv, iterations, 8);
  const cipher = createCipheriv('des-ede3-cbc', key, iv);
  return {
    algorithm: sequence(
      objectIdentifier(PKCS12_PROFILE.encryptionOid),
      sequence(octetString(salt), integer(iterations)),
    ),
    ciphertext: Buffer.concat([cipher.update(plaintext), cipher.final()]),
  };
}

/** MacData over the AuthenticatedSafe's octets. */
export function macData(password: Buffer, authenticatedSafe: Buffer): Buffer {
  const salt = randomBytes(PKCS12_PROFILE.saltBytes);
  const key = pkcs12Kdf(password, salt, KDF_PURPOSE.mac, PKCS12_PROFILE.macIterations, 20);
  const mac = createHmac('sha1', key).update(authenticatedSafe).digest();
  const digestInfo = sequence(sequence(objectIdentifier(PKCS12_PROFILE.macDigestOid), derNull()), octetString(mac));
  // iterations is INTEGER DEFAULT 1, which DER leaves out (as go-pkcs12 does).
  const iterations = PKCS12_PROFILE.macIterations === 1 ? [] : [integer(PKCS12_PROFILE.macIterations)];
  return sequence(digestInfo, octetString(salt), ...iterations);
}
