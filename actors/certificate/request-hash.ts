// The label cert.gardener.cloud/hash records what a stored certificate was issued for. A certificate whose request
// hashes the same reuses that Secret instead of ordering again, which spares the CA's rate limits when certificates
// are recreated, renamed, or taken over from gardener's controller. So the hash is byte for byte gardener v0.27.0's
// buildSpecNewHash (pkg/controller/issuer/certificate/reconciler.go): SHA-224 over the raw spec values in spec order,
// each followed by a NUL, the CSR's PEM framed by NULs, the issuer key, and the key type only when it is not the
// deployment's default. Nothing is normalised: gardener hashes what the user wrote, and so must we.
import { createHash } from 'node:crypto';
import type { CertificateSpec } from './certificate-spec.js';
import type { PrivateKeyDefaults } from './private-key-settings.js';

export const HASH_LABEL = 'cert.gardener.cloud/hash';

/** Where an issuer lives: gardener's IssuerKey. Issuers of the default cluster are named without namespace. */
export interface IssuerKey {
  cluster: 'default' | 'target';
  namespace: string;
  name: string;
}

/** gardener's IssuerKey.String(): `<name>` on the default cluster, `target:<namespace>/<name>` on the target. */
export function issuerKeyString(key: IssuerKey): string {
  return key.cluster === 'default' ? key.name : `target:${key.namespace}/${key.name}`;
}

/** legobridge's key types: "2048", "3072", "4096", "P256", "P384"; undefined for a combination it refuses. */
export function keyTypeOf(spec: CertificateSpec['privateKey'], defaults: PrivateKeyDefaults): string | undefined {
  const algorithm = spec?.algorithm ?? defaults.algorithm;
  if (algorithm !== 'RSA' && algorithm !== 'ECDSA') return undefined;
  const size = spec?.size ?? (algorithm === 'RSA' ? defaults.rsaSize : defaults.ecdsaSize);
  if (algorithm === 'RSA') return [2048, 3072, 4096].includes(size) ? String(size) : undefined;
  return size === 256 ? 'P256' : size === 384 ? 'P384' : undefined;
}

/** 56 lower-case hex characters: a valid label value as it is. */
export function requestHash(spec: CertificateSpec, issuer: IssuerKey, keyDefaults: PrivateKeyDefaults): string {
  const h = createHash('sha224');
  const NUL = Buffer.of(0);
  const item = (value: string | Buffer) => {
    h.update(value);
    h.update(NUL);
  };
  if (spec.commonName != null) item(spec.commonName);
  for (const list of [spec.dnsNames, spec.emailAddresses, spec.ipAddresses, spec.uris]) {
    for (const value of list ?? []) item(value);
  }
  if (spec.csr != null) {
    h.update(NUL);
    // spec.csr is base64 of the PEM; gardener hashes the decoded bytes (Go's decoder skips line breaks, as Node's does).
    item(Buffer.from(spec.csr, 'base64'));
  }
  item(issuerKeyString(issuer));
  const keyType = keyTypeOf(spec.privateKey, keyDefaults);
  if (keyType !== undefined && keyType !== keyTypeOf(undefined, keyDefaults)) item(keyType);
  // Not gardener's (it has no profiles): only when set, so every Certificate gardener knows hashes as it does.
  if (spec.profile) item(`profile:${spec.profile}`);
  return h.digest('hex');
}
