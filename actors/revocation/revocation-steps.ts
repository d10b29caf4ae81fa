// The revocation workflow as one table, like the certificate order's (order/order-steps.ts): per step what it does,
// when the status asks for it (revocation-rules.ts nextStep, gardener's order of checks), where it can lead, and its
// handler. There is no volatile data per step: every step starts from the CertificateRevocation's status as stored,
// which is why a revocation continues on any pod after a failover by simply running the step the status asks for.
import { checkRenewal, checkRevoked, finish } from './revocation-check.js';
import { collectCertificates, collectSecrets } from './revocation-collect.js';
import { revokeSecrets } from './revocation-revoke.js';
import type { RevocationStep } from './revocation-rules.js';
import type { StepResult, StepScope } from './revocation-step.js';

export interface RevocationStepDef {
  /** What the step reads and writes. */
  does: string;
  /** The status that selects it (nextStep). */
  when: string;
  /** The steps the status it writes can select next; 'end' when the revocation is finished. */
  next: readonly (RevocationStep | 'end')[];
  /** polls: how many times in a row this activation ran the step (check-renewal backs off with it). */
  run(scope: StepScope, polls: number): Promise<StepResult> | StepResult;
}

export const REVOCATION_STEPS: Record<RevocationStep, RevocationStepDef> = {
  'collect-secrets': {
    does: "lists the backups in kube-system of the Certificate's current Secret requested before qualifyingDate (their serials)",
    when: 'status.secrets is not set yet',
    next: ['collect-certificates'],
    run: (s) => collectSecrets(s),
  },
  'collect-certificates': {
    does: 'lists the Certificates that use one of those certificates (the same Secret hash)',
    when: 'status.objects is not set yet',
    next: ['check-renewal', 'revoke', 'check-revoked', 'finish'],
    run: (s) => collectCertificates(s),
  },
  'check-renewal': {
    does: 'renew: true: asks each Certificate to renew (the reconcile annotation) and waits until it is Ready with a certificate requested after qualifyingDate',
    when: 'renew and status.objects.processing is not empty',
    next: ['check-renewal', 'revoke', 'finish'],
    run: (s, polls) => checkRenewal(s, 1000 * 2 ** Math.max(0, polls - 1)),
  },
  revoke: {
    does: "revokes each collected serial at the CA through its issuer actor's ACME account, and marks the backup revoked",
    when: 'status.secrets.processing is not empty',
    next: ['revoke', 'check-revoked', 'finish'],
    run: (s) => revokeSecrets(s),
  },
  'check-revoked': {
    does: 'without renew: waits until each Certificate reports Revoked',
    when: 'not renew and status.objects.processing is not empty',
    next: ['check-revoked', 'finish'],
    run: (s) => checkRevoked(s),
  },
  finish: {
    does: "writes gardener's final state (Applied, PartialApplied or Error), its message and revocationApplied",
    when: 'nothing is processing any more',
    next: ['end'],
    run: (s) => finish(s),
  },
};
