// The Certificate resource as deploy/crds/cert.gardener.cloud_certificates.yaml defines it. The API server enforces
// the schema's types and enums; everything else (names, combinations, durations) is checked in spec-validation.ts.
import type { KubeObject } from '../kube/kube-object.js';

export interface ObjectRef {
  name: string;
  namespace?: string;
}

export interface CertificatePrivateKeySpec {
  algorithm?: 'RSA' | 'ECDSA';
  size?: number;
  encoding?: 'PKCS1' | 'PKCS8';
}

export interface KeystoreSpec {
  create: boolean;
  passwordSecretRef: { secretName: string; key?: string };
}

export interface CertificateSpec {
  commonName?: string;
  dnsNames?: string[];
  /** base64 of a PEM CSR (the CRD's `format: byte`). */
  csr?: string;
  issuerRef?: ObjectRef;
  secretName?: string;
  secretRef?: { name?: string; namespace?: string };
  secretLabels?: Record<string, string>;
  renew?: boolean;
  /** Go duration, e.g. "720h". */
  renewBefore?: string;
  /** Renew when this percentage of the lifetime is left (an extension: cert-manager's field). */
  renewBeforePercentage?: number;
  /** ACME profile (an extension; default the issuer's spec.acme.profile). */
  profile?: string;
  /** RFC 3339 time. */
  ensureRenewedAfter?: string;
  followCNAME?: boolean;
  preferredChain?: string;
  privateKey?: CertificatePrivateKeySpec;
  keystores?: { jks?: KeystoreSpec; pkcs12?: KeystoreSpec };
  isCA?: boolean;
  /** Go duration, e.g. "2160h". */
  duration?: string;
  emailAddresses?: string[];
  ipAddresses?: string[];
  uris?: string[];
}

export interface CertificateBackoff {
  observedGeneration?: number;
  recheckAfter: string;
  recheckInterval: string;
}

export interface CertificateStatus {
  observedGeneration?: number;
  state?: string;
  message?: string;
  lastPendingTimestamp?: string;
  commonName?: string;
  dnsNames?: string[];
  issuerRef?: { cluster?: string; name: string; namespace?: string };
  issuanceDate?: string;
  renewalDate?: string;
  /** Where renewalDate comes from (an extension): the CA's renewal information or the spec's rule. */
  renewal?: { source: string; suggestedWindow?: { start: string; end: string }; nextCheck?: string };
  expirationDate?: string;
  backoff?: CertificateBackoff;
  conditions?: Array<{
    type: string;
    status: 'True' | 'False' | 'Unknown';
    observedGeneration?: number;
    lastTransitionTime: string;
    reason: string;
    message: string;
  }>;
}

export interface Certificate extends KubeObject {
  spec: CertificateSpec;
  status?: CertificateStatus;
}
