// keystore.p12 and truststore.p12 laid out as go-pkcs12 (gardener's library) lays them out, so Java shows the same
// aliases: the key entry as "1" (localKeyID, no friendlyName) and the trusted certificate under its subject.
// Written by hand because node-forge writes RSA keys only and pkijs knows no 3DES PBE (see pkcs12-protection.ts).
import { createHash } from 'node:crypto';
import {
  bmpString,
  explicit,
  implicitPrimitive,
  integer,
  objectIdentifier,
  octetString,
  sequence,
  set,
} from '../der-writer.js';
import { goSubjectString } from './go-subject-name.js';
import { certificateDers, privateKeyPkcs8Der } from './keystore-material.js';
import { pkcs12Password } from './pkcs12-kdf.js';
import { encryptPbe, macData } from './pkcs12-protection.js';

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  /** Oracle's trusted-key-usage attribute: Java treats a certificate bag carrying it as a trusted entry. */
  javaTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

export interface Pkcs12KeystoreInput {
  keyPem: string;
  /** The leaf first, then the rest of the chain (PEM texts, one certificate or a bundle each). */
  chainPems: readonly string[];
  password: string;
}

export interface Pkcs12TruststoreInput {
  caPems: readonly string[];
  password: string;
}

/** The key and the leaf share a localKeyID (SHA-1 of the leaf), which is how readers pair them. */
export function buildPkcs12Keystore(input: Pkcs12KeystoreInput): Buffer {
  const password = pkcs12Password(input.password);
  const certs = certificateDers(input.chainPems, 'the certificate chain');
  const localKeyId = attribute(OID.localKeyId, octetString(createHash('sha1').update(certs[0]!).digest()));
  const certBags = certs.map((der, i) => certBag(der, i === 0 ? [localKeyId] : []));
  const shrouded = encryptPbe(password, privateKeyPkcs8Der(input.keyPem));
  const keyBag = safeBag(OID.shroudedKeyBag, sequence(shrouded.algorithm, octetString(shrouded.ciphertext)), [
    localKeyId,
  ]);
  // As OpenSSL's PKCS12_create and go-pkcs12: certificates encrypted, the already shrouded key in plain Data.
  return pfx(password, [encryptedContentInfo(password, certBags), dataContentInfo([keyBag])]);
}

export function buildPkcs12Truststore(input: Pkcs12TruststoreInput): Buffer {
  const password = pkcs12Password(input.password);
  const trustedForAnything = attribute(OID.javaTrustedKeyUsage, objectIdentifier(OID.anyExtendedKeyUsage));
  const certBags = certificateDers(input.caPems, 'ca.crt').map((der) =>
    certBag(der, [trustedForAnything, attribute(OID.friendlyName, bmpString(goSubjectString(der)))]),
  );
  return pfx(password, [encryptedContentInfo(password, certBags)]);
}

function attribute(oid: string, value: Buffer): Buffer {
  return sequence(objectIdentifier(oid), set(value));
}

function safeBag(bagId: string, value: Buffer, attributes: readonly Buffer[]): Buffer {
  const attributeSet = attributes.length > 0 ? [set(...attributes)] : [];
  return sequence(objectIdentifier(bagId), explicit(0, value), ...attributeSet);
}

function certBag(certificateDer: Buffer, attributes: readonly Buffer[]): Buffer {
  const value = sequence(objectIdentifier(OID.x509Certificate), explicit(0, octetString(certificateDer)));
  return safeBag(OID.certBag, value, attributes);
}

function dataContentInfo(bags: readonly Buffer[]): Buffer {
  return sequence(objectIdentifier(OID.data), explicit(0, octetString(sequence(...bags))));
}

function encryptedContentInfo(password: Buffer, bags: readonly Buffer[]): Buffer {
  const encrypted = encryptPbe(password, sequence(...bags));
  const content = sequence(objectIdentifier(OID.data), encrypted.algorithm, implicitPrimitive(0, encrypted.ciphertext));
  return sequence(objectIdentifier(OID.encryptedData), explicit(0, sequence(integer(0), content)));
}

function pfx(password: Buffer, contentInfos: readonly Buffer[]): Buffer {
  const authenticatedSafe = sequence(...contentInfos);
  return sequence(
    integer(3),
    sequence(objectIdentifier(OID.data), explicit(0, octetString(authenticatedSafe))),
    macData(password, authenticatedSafe),
  );
}
