import type { KubeObject } from '../kube/kube-object.js';
import type { CaStatusInfo } from './ca-secret.js';

export interface SecretRef {
  name?: string;
  namespace?: string;
}

/** The Issuer custom resource as the CRD defines it (deploy/crds/cert.gardener.cloud_issuers.yaml). */
export interface Issuer extends KubeObject {
  spec: {
    acme?: {
      server?: string;
      email?: string;
      autoRegistration?: boolean;
      privateKeySecretRef?: SecretRef;
      externalAccountBinding?: { keyID?: string; keySecretRef?: SecretRef };
      skipDNSChallengeValidation?: boolean;
      domains?: { include?: string[]; exclude?: string[] };
      precheckNameservers?: string[];
      /** Extension (not in gardener): which DNS challenge the issuer's orders answer (dns-challenge-types.ts). */
      dnsChallenge?: { type?: string };
      /** ACME profile for this issuer's orders (an extension: gardener has none; cert-manager's field). */
      profile?: string;
    };
    ca?: { privateKeySecretRef?: SecretRef };
    selfSigned?: Record<string, never>;
    requestsPerDayQuota?: number;
  };
  status?: IssuerStatus;
}

export interface IssuerStatus {
  observedGeneration?: number;
  state?: 'Pending' | 'Ready' | 'Error' | string;
  /** null in a patch removes it (gardener writes no message when Ready). */
  message?: string | null;
  type?: string;
  /** gardener writes the ACME account (lego's registration: status, contact, ..., accountURL) and secretHash. */
  acme?: {
    status?: string;
    contact?: string[];
    termsOfServiceAgreed?: boolean;
    accountURL?: string;
    secretHash?: string;
    /** Written by earlier versions of this controller. */
    uri?: string;
  } | null;
  /** CA issuers: the CA certificate's validity and subject, as gardener writes it. */
  ca?: CaStatusInfo | null;
  requestsPerDayQuota?: number;
}

export const ISSUERS_API = '/apis/cert.gardener.cloud/v1alpha1';

export function issuerPath(namespace: string, name?: string): string {
  return `${ISSUERS_API}/namespaces/${namespace}/issuers${name ? `/${name}` : ''}`;
}

/** Exactly one of acme, ca, selfSigned; anything else is the user's mistake to name. */
export function issuerTypeProblem(spec: Issuer['spec']): { type?: 'acme' | 'ca' | 'selfSigned'; problem?: string } {
  const types = (['acme', 'ca', 'selfSigned'] as const).filter((t) => spec?.[t] !== undefined && spec?.[t] !== null);
  if (types.length === 1) return { type: types[0] };
  if (types.length === 0)
    return { problem: 'the issuer sets none of spec.acme, spec.ca and spec.selfSigned; set exactly one' };
  return { problem: `the issuer sets ${types.map((t) => `spec.${t}`).join(' and ')}; set exactly one` };
}

/** The secret holding an ACME issuer's account key: the referenced one, or the one auto registration creates. */
export function accountKeySecret(issuer: Issuer): { namespace: string; name: string } {
  const ref = issuer.spec.acme?.privateKeySecretRef;
  return {
    namespace: ref?.namespace || issuer.metadata.namespace || 'default',
    name: ref?.name || `${issuer.metadata.name}-acme-account`,
  };
}

/** "namespace/name" of every Secret the issuer depends on, so a change to one of them can re-check the issuer. */
export function referencedSecrets(issuer: Issuer): string[] {
  const caRef = issuer.spec.ca?.privateKeySecretRef;
  if (caRef?.name) return [`${caRef.namespace || issuer.metadata.namespace || 'default'}/${caRef.name}`];
  if (!issuer.spec.acme) return [];
  const key = accountKeySecret(issuer);
  const out = [`${key.namespace}/${key.name}`];
  const eab = issuer.spec.acme.externalAccountBinding?.keySecretRef;
  if (eab?.name) out.push(`${eab.namespace || issuer.metadata.namespace || 'default'}/${eab.name}`);
  return out;
}
