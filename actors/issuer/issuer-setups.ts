// An issuer's set-up as a table, one row per issuer type: what it reads, what it does before the issuer is Ready,
// what its certificates get, and what status it reports. The issuer actor runs the row of the Issuer's type outside
// its turn (pipeToSelf) and keeps the result in memory: the ACME account client, or the CA key to sign with. Only
// the public part (the `ready` status) travels in messages. docs/ARCHITECTURE.md shows the table.
import type { AcmeAccount } from '../acme/acme-account.js';
import { isNotFound } from '../kube/kube-api-error.js';
import type { KubeClient } from '../kube/kube-client.js';
import { setUpAcmeAccount } from './account-setup.js';
import { type CaMaterial, checkCaSecret } from './ca-secret.js';
import { issuerChallengeType } from './issuer-challenge-type.js';
import type { Issuer, IssuerStatus } from './issuer-types.js';
import { effectiveQuota } from './quota-bucket.js';

export type IssuerType = 'acme' | 'ca' | 'selfSigned';

/** gardener overrides the quota of CA and self-signed issuers with math.MaxInt32: nothing to spare at a CA. */
const UNLIMITED_QUOTA = 2_147_483_647;

/** The public outcome of a set-up: the type's part of the status and what the Ready Event says. */
export interface SetupReady {
  status: Pick<IssuerStatus, 'type' | 'acme' | 'ca'>;
  eventMessage: string;
  accountUrl?: string;
  /** ACME auto registration chose this Secret: it is written back to spec.acme.privateKeySecretRef. */
  recordSecret?: { namespace: string; name: string };
  /** What the ACME CA offers beyond RFC 8555: its profiles (directory meta.profiles) and renewal information. */
  offers?: { profiles?: string[]; renewalInfo: boolean };
}

/** What the issuer keeps in memory once set up. */
export type SetupMaterial =
  | { type: 'acme'; account: AcmeAccount }
  | { type: 'ca'; ca: CaMaterial }
  | { type: 'selfSigned' };

export interface SetupOutcome {
  material: SetupMaterial;
  ready: SetupReady;
}

export interface IssuerSetup {
  reads: string;
  does: string;
  serves: string;
  /** Orders are limited by spec.requestsPerDayQuota (a token per order), and hold per-domain challenge locks. */
  limited: boolean;
  quota(issuer: Issuer, defaultQuota: number): number;
  /** Throws an Error whose message is the status message. */
  setUp(kube: KubeClient, issuer: Issuer, nowMs: number): Promise<SetupOutcome>;
}

/** A profile the CA does not list, named with what it offers. */
export function profileProblem(field: string, profile: string, offered: readonly string[] | undefined): string {
  const offer = offered?.length
    ? `it offers ${offered.map((p) => `"${p}"`).join(', ')}`
    : 'its directory lists no profiles (meta.profiles)';
  return `${field} "${profile}" is not a profile of the ACME server: ${offer}`;
}

export const ISSUER_SETUPS: { readonly [T in IssuerType]: IssuerSetup } = {
  acme: {
    reads: 'the account key Secret (spec.acme.privateKeySecretRef; made with autoRegistration), the EAB Secret',
    does: 'registers or finds the ACME account at spec.acme.server; names a made Secret in the spec',
    serves:
      'ACME orders with DNS challenges (dns-01, or spec.acme.dnsChallenge.type where the CA offers it), one quota token each; every ACME request through this actor (16 in flight)',
    limited: true,
    quota: (issuer, defaultQuota) => effectiveQuota(issuer.spec.requestsPerDayQuota, defaultQuota),
    async setUp(kube, issuer) {
      const challenge = issuerChallengeType(issuer);
      if ('problem' in challenge) throw new Error(challenge.problem);
      const { account, secret } = await setUpAcmeAccount(kube, issuer);
      const profiles = account.profiles ? Object.keys(account.profiles) : undefined;
      const profile = issuer.spec.acme?.profile;
      if (profile && !profiles?.includes(profile))
        throw new Error(profileProblem('spec.acme.profile', profile, profiles));
      const email = issuer.spec.acme?.email;
      const where = `${secret.namespace}/${secret.name}`;
      return {
        material: { type: 'acme', account },
        ready: {
          // gardener's status.acme: the ACME account (lego's registration) and the account secret's hash.
          status: {
            type: 'acme',
            acme: {
              status: account.status,
              ...(email ? { contact: [`mailto:${email}`] } : {}),
              termsOfServiceAgreed: true,
              accountURL: account.accountUrl,
              secretHash: secret.hash,
            },
          },
          eventMessage: secret.created
            ? `ACME account registered; its key is stored in secret ${where}`
            : 'ACME account ready',
          accountUrl: account.accountUrl,
          recordSecret: { namespace: secret.namespace, name: secret.name },
          offers: { ...(profiles ? { profiles } : {}), renewalInfo: account.renewalInfoUrl !== undefined },
        },
      };
    },
  },
  ca: {
    reads: 'the CA Secret (spec.ca.privateKeySecretRef, kubernetes.io/tls with tls.crt and tls.key)',
    does: 'checks that tls.key belongs to the first certificate of tls.crt, which is a CA and not expired; status.ca',
    serves: 'certificates signed here with the CA key, no quota and no DNS',
    limited: false,
    quota: () => UNLIMITED_QUOTA,
    async setUp(kube, issuer, nowMs) {
      const ref = issuer.spec.ca?.privateKeySecretRef;
      if (!ref?.name) throw new Error('`SecretRef` not provided: set spec.ca.privateKeySecretRef.name');
      const namespace = ref.namespace || issuer.metadata.namespace || 'default';
      let secret: { type?: string; data?: Record<string, string> };
      try {
        secret = await kube.get(`/api/v1/namespaces/${namespace}/secrets/${ref.name}`);
      } catch (err) {
        const reason = isNotFound(err) ? `secrets "${ref.name}" not found` : (err as Error).message;
        throw new Error(
          `loading issuer secret failed: ${reason} (spec.ca.privateKeySecretRef ${namespace}/${ref.name})`,
        );
      }
      const check = checkCaSecret(secret, nowMs);
      if (!check.ok) throw new Error(check.message);
      return {
        material: { type: 'ca', ca: check.material },
        ready: {
          status: { type: 'ca', ca: check.material.statusCa },
          eventMessage: `CA ${check.material.statusCa.Subject.CommonName} ready`,
        },
      };
    },
  },
  selfSigned: {
    reads: 'nothing',
    does: 'nothing: Ready at once',
    serves: 'certificates signed by their own key (the certificate actor signs; spec.isCA must be true)',
    limited: false,
    quota: () => UNLIMITED_QUOTA,
    async setUp() {
      return {
        material: { type: 'selfSigned' },
        ready: { status: { type: 'selfSigned' }, eventMessage: 'self-signed issuer ready' },
      };
    },
  },
};
