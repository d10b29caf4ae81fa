// spec.privateKey is optional in every part; the gaps are filled from deployment defaults the way gardener does
// (legobridge CertificatePrivateKeyDefaults.ToKeySpec): algorithm from --default-private-key-algorithm (RSA), size
// from --default-rsa-private-key-size (2048) or --default-ecdsa-private-key-size (256) for that algorithm, encoding
// PKCS1. A size given without an algorithm is checked against the default algorithm, as gardener does.

import type { CertificatePrivateKeySpec } from './certificate-spec.js';
import type { KeyAlgorithm } from './csr.js';

export type KeyEncoding = 'PKCS1' | 'PKCS8';

export interface PrivateKeySettings {
  algorithm: KeyAlgorithm;
  size: number;
  encoding: KeyEncoding;
}

export interface PrivateKeyDefaults {
  algorithm: KeyAlgorithm;
  rsaSize: number;
  ecdsaSize: number;
}

export const GARDENER_PRIVATE_KEY_DEFAULTS: PrivateKeyDefaults = { algorithm: 'RSA', rsaSize: 2048, ecdsaSize: 256 };

export const ALLOWED_KEY_SIZES: Record<KeyAlgorithm, readonly number[]> = {
  // RSA 8192 is left out on purpose, like gardener: generating it takes tens of seconds.
  RSA: [2048, 3072, 4096],
  ECDSA: [256, 384],
};

export type PrivateKeyResolution = { ok: true; settings: PrivateKeySettings } | { ok: false; problems: string[] };

export function resolvePrivateKey(
  spec: CertificatePrivateKeySpec | undefined,
  defaults = GARDENER_PRIVATE_KEY_DEFAULTS,
): PrivateKeyResolution {
  const problems: string[] = [];
  const algorithm = spec?.algorithm ?? defaults.algorithm;
  if (algorithm !== 'RSA' && algorithm !== 'ECDSA') {
    problems.push(`spec.privateKey.algorithm "${String(algorithm)}" is not supported: use "RSA" or "ECDSA"`);
  }
  const encoding = spec?.encoding ?? 'PKCS1';
  if (encoding !== 'PKCS1' && encoding !== 'PKCS8') {
    problems.push(`spec.privateKey.encoding "${String(encoding)}" is not supported: use "PKCS1" or "PKCS8"`);
  }
  if (problems.length > 0) return { ok: false, problems };
  const size = spec?.size ?? (algorithm === 'RSA' ? defaults.rsaSize : defaults.ecdsaSize);
  const allowed = ALLOWED_KEY_SIZES[algorithm];
  if (!allowed.includes(size)) {
    const implied = spec?.algorithm === undefined ? ` (spec.privateKey.algorithm defaults to ${algorithm})` : '';
    return {
      ok: false,
      problems: [`spec.privateKey.size ${size} is not allowed for ${algorithm}${implied}: use ${allowed.join(', ')}`],
    };
  }
  return { ok: true, settings: { algorithm, size, encoding } };
}
