// keystore.jks and truststore.jks as gardener writes them (keystore-go): the key under alias "certificate" with its
// whole chain, trusted certificates under "ca"; key entry and store share the one password.
// Format (sun.security.provider.JavaKeyStore): magic 0xFEEDFEED, version 2, entry count, the entries, then SHA-1
// over password, the text "Mighty Aphrodite" and everything before it.
import { utf16be } from '../der-writer.js';
import { protectJksKey, sha1 } from './jks-key-protector.js';
import { certificateDers, privateKeyPkcs8Der } from './keystore-material.js';

export const JKS_KEY_ALIAS = 'certificate';
export const JKS_CA_ALIAS = 'ca';

const MAGIC = 0xfeedfeed;
const VERSION = 2;
const PRIVATE_KEY_ENTRY = 1;
const TRUSTED_CERT_ENTRY = 2;
/** Java's own type name; keystore-go writes "X509", which Java accepts as an alias of the same factory. */
const CERT_TYPE = 'X.509';

export interface JksKeystoreInput {
  keyPem: string;
  /** The leaf first, then the rest of the chain (PEM texts, one certificate or a bundle each). */
  chainPems: readonly string[];
  /** Trusted entries next to the key; gardener puts the first certificate of ca.crt here. */
  caPems?: readonly string[];
  password: string;
  /** The entries' creation date keytool shows; now unless given. */
  createdAt?: Date;
}

export interface JksTruststoreInput {
  caPems: readonly string[];
  password: string;
  createdAt?: Date;
}

export function buildJksKeystore(input: JksKeystoreInput): Buffer {
  const password = utf16be(input.password);
  const created = input.createdAt ?? new Date();
  const chain = certificateDers(input.chainPems, 'the certificate chain');
  const keyEntry = [
    u32(PRIVATE_KEY_ENTRY),
    javaUtf(JKS_KEY_ALIAS),
    u64(created.getTime()),
    lengthPrefixed(protectJksKey(privateKeyPkcs8Der(input.keyPem), password)),
    u32(chain.length),
    ...chain.flatMap(certificate),
  ];
  const cas = input.caPems && input.caPems.length > 0 ? certificateDers(input.caPems, 'ca.crt') : [];
  return keystore(password, [Buffer.concat(keyEntry), ...trustedEntries(cas, created)]);
}

export function buildJksTruststore(input: JksTruststoreInput): Buffer {
  const password = utf16be(input.password);
  return keystore(password, trustedEntries(certificateDers(input.caPems, 'ca.crt'), input.createdAt ?? new Date()));
}

/** "ca", then "ca-2", "ca-3" ... should more than one certificate be trusted. */
function trustedEntries(cas: readonly Buffer[], created: Date): Buffer[] {
  return cas.map((der, i) =>
    Buffer.concat([
      u32(TRUSTED_CERT_ENTRY),
      javaUtf(i === 0 ? JKS_CA_ALIAS : `${JKS_CA_ALIAS}-${i + 1}`),
      u64(created.getTime()),
      ...certificate(der),
    ]),
  );
}

function keystore(password: Buffer, entries: readonly Buffer[]): Buffer {
  const body = Buffer.concat([u32(MAGIC), u32(VERSION), u32(entries.length), ...entries]);
  return Buffer.concat([body, sha1(password, Buffer.from('Mighty Aphrodite', 'utf8'), body)]);
}

function certificate(der: Buffer): Buffer[] {
  return [javaUtf(CERT_TYPE), lengthPrefixed(der)];
}

/** DataOutputStream.writeUTF; our aliases and type names are ASCII, where modified UTF-8 is plain UTF-8. */
function javaUtf(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function lengthPrefixed(bytes: Buffer): Buffer {
  return Buffer.concat([u32(bytes.length), bytes]);
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

function u64(value: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(BigInt(value));
  return out;
}
