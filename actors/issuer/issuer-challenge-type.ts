// spec.acme.dnsChallenge.type (our extension of gardener's Issuer): which DNS challenge the issuer's orders answer.
// Absent means dns-01, as gardener has it. The CRD's enum refuses other values; this check names the field when
// the CRD in a cluster is an older copy without the enum.
import { DNS_CHALLENGE_TYPES, type DnsChallengeType, isDnsChallengeType } from '../acme/dns-challenge-types.js';
import type { AcmeOperation } from './acme-operations.js';
import type { Issuer } from './issuer-types.js';

export function issuerChallengeType(issuer: Issuer): { type: DnsChallengeType } | { problem: string } {
  const type = issuer.spec.acme?.dnsChallenge?.type;
  if (type === undefined || type === '') return { type: 'dns-01' };
  if (isDnsChallengeType(type)) return { type };
  return {
    problem: `spec.acme.dnsChallenge.type "${type}" is not supported: use one of ${DNS_CHALLENGE_TYPES.join(', ')}`,
  };
}

/**
 * An order's operation with the issuer's challenge type: it picks the challenges when the order is opened or read
 * again (the certificate actor asks without one; the issuer is where the type is configured).
 */
export function withChallengeType(op: AcmeOperation, issuer: Issuer | undefined): AcmeOperation {
  if ((op.op !== 'newOrder' && op.op !== 'readOrder') || op.challengeType || !issuer) return op;
  const challenge = issuerChallengeType(issuer);
  return 'type' in challenge && challenge.type !== 'dns-01' ? { ...op, challengeType: challenge.type } : op;
}
