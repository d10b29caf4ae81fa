// The decisions of a CertificateRevocation as users see them in its status: which step comes next, which
// certificates count as requested before the qualifying date, when a renewal is complete (including gardener's race
// that is closed here), and the final state and messages, which follow gardener v0.27.0 word for word.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkRevokedDelayMs,
  finishedState,
  goTime,
  isInvolved,
  isRenewed,
  nextStep,
  normalizeStatus,
  oldBackups,
  revocationMessage,
  revokedOutcome,
  secretRevocationFailed,
  wasRequestedBefore,
} from '../../actors/revocation/revocation-rules.js';

const H = 3_600_000;
const q = Date.parse('2026-12-01T10:00:00.500Z');
const ref = (name: string, namespace = 'ns') => ({ name, namespace });
const sref = (name: string, serialNumber: string) => ({ name, namespace: 'kube-system', serialNumber });

test('the steps follow the status: secrets, then certificates, then renewal or revocation, then the end', () => {
  assert.equal(nextStep(undefined, false), 'collect-secrets');
  assert.equal(nextStep({ secrets: { processing: [sref('b', '1')] } }, false), 'collect-certificates');
  const collected = { secrets: { processing: [sref('b', '1')] }, objects: { processing: [ref('c')] } };
  assert.equal(nextStep(collected, true), 'check-renewal');
  assert.equal(nextStep(collected, false), 'revoke');
  const renewed = { secrets: { processing: [sref('b', '1')] }, objects: { renewed: [ref('c')] } };
  assert.equal(nextStep(renewed, true), 'revoke');
  const revoked = { secrets: { revoked: [sref('b', '1')] }, objects: { processing: [ref('c')] } };
  assert.equal(nextStep(revoked, false), 'check-revoked');
  assert.equal(nextStep(revoked, true), 'check-renewal');
  assert.equal(nextStep({ secrets: {}, objects: {} }, false), 'finish');
});

test('requested before the qualifying date: by requestedAt, else notBefore plus an hour and 30 s', () => {
  assert.equal(wasRequestedBefore(0, q - 1, q), true);
  assert.equal(wasRequestedBefore(0, q, q), false);
  assert.equal(wasRequestedBefore(q - H - 30_001, undefined, q), true);
  assert.equal(wasRequestedBefore(q - H - 30_000, undefined, q), false);
});

test('old backups: not revoked, readable, still valid, requested before; serials in colon form, sorted', () => {
  const cert = (serialNumber: string, notAfterMs = q + 90 * 24 * H) => ({
    serialNumber,
    notBeforeMs: q - H,
    notAfterMs,
  });
  const refs = oldBackups(
    [
      { name: 'b-new', namespace: 'kube-system', revoked: false, certificate: cert('0b'), requestedAtMs: q + 1000 },
      { name: 'b-old', namespace: 'kube-system', revoked: false, certificate: cert('fa:3f'), requestedAtMs: q - 1000 },
      { name: 'a-old', namespace: 'kube-system', revoked: false, certificate: cert('1:02'), requestedAtMs: q - 9000 },
      { name: 'revoked', namespace: 'kube-system', revoked: true, certificate: cert('0c'), requestedAtMs: q - 1 },
      { name: 'expired', namespace: 'kube-system', revoked: false, certificate: cert('0d', q - 1), requestedAtMs: 0 },
      { name: 'garbage', namespace: 'kube-system', revoked: false, requestedAtMs: 0 },
    ],
    q,
    q,
  );
  assert.deepEqual(refs, [sref('a-old', '1:02'), sref('b-old', 'fa:3f')]);
});

test("gardener's time in messages: Go's %v in UTC", () => {
  assert.equal(goTime(Date.parse('2026-12-01T10:00:00Z')), '2026-12-01 10:00:00 +0000 UTC');
  assert.equal(goTime(q), '2026-12-01 10:00:00.5 +0000 UTC');
});

test('a Certificate listed in any of the objects lists is involved (its Revoked state is this revocation’s doing)', () => {
  assert.equal(isInvolved(undefined, ref('c')), false);
  assert.equal(isInvolved({ objects: { failed: [ref('c')] } }, ref('c')), true);
  assert.equal(isInvolved({ objects: { renewed: [ref('c')] } }, ref('c')), false);
  assert.equal(isInvolved({ objects: { revoked: [ref('c', 'other')] } }, ref('c')), false);
});

test('renewed: Ready at the generation carrying ensureRenewedAfter, and the Secret requested after the date', () => {
  const base = {
    ensureRenewedAfterMs: q,
    state: 'Ready',
    generation: 3,
    observedGeneration: 3,
    secret: { notBeforeMs: q - H, requestedAtMs: q + 2000 },
  };
  assert.equal(isRenewed(base, q), true);
  assert.equal(isRenewed({ ...base, ensureRenewedAfterMs: q - 1 }, q), false);
  assert.equal(isRenewed({ ...base, ensureRenewedAfterMs: undefined }, q), false);
  assert.equal(isRenewed({ ...base, state: 'Pending' }, q), false);
  // gardener's race: still Ready with the old certificate, before the actor saw ensureRenewedAfter.
  assert.equal(isRenewed({ ...base, observedGeneration: 2 }, q), false);
  assert.equal(isRenewed({ ...base, secret: { notBeforeMs: q - H, requestedAtMs: q - 60_000 } }, q), false);
  assert.equal(isRenewed({ ...base, secret: undefined }, q), false);
});

test('a failed secret revocation fails a Certificate when none succeeded, or when it is the one it uses', () => {
  const failed = [sref('b1', 'aa:01')];
  assert.equal(secretRevocationFailed(undefined, 'aa:01'), false);
  assert.equal(secretRevocationFailed({ revoked: [sref('b2', 'aa:02')] }, 'aa:01'), false);
  assert.equal(secretRevocationFailed({ failed }, undefined), true);
  assert.equal(secretRevocationFailed({ failed, revoked: [sref('b2', 'aa:02')] }, 'aa:01'), true);
  assert.equal(secretRevocationFailed({ failed, revoked: [sref('b2', 'aa:02')] }, 'aa:02'), false);
  assert.equal(secretRevocationFailed({ failed, revoked: [sref('b2', 'aa:02')] }, undefined), false);
  assert.equal(revokedOutcome('Revoked', true), 'revoked');
  assert.equal(revokedOutcome('Error', false), 'failed');
  assert.equal(revokedOutcome('Ready', true), 'failed');
  assert.equal(revokedOutcome('Ready', false), 'pending');
});

test("gardener's pacing of the revoked check: 5 s, 5 min after an hour, 500 ms when nothing is pending", () => {
  assert.equal(checkRevokedDelayMs(q, q + 1000, 1), 5_000);
  assert.equal(checkRevokedDelayMs(q, q + H + 1, 1), 300_000);
  assert.equal(checkRevokedDelayMs(q, q + H + 1, 0), 500);
});

test('the end: Applied, PartialApplied with its typo, or Error quoting the last message', () => {
  const revoked = { revoked: [sref('b', '1')] };
  assert.deepEqual(finishedState({ secrets: revoked, objects: { revoked: [ref('c')] } }, false), {
    state: 'Applied',
    message: 'certificate(s) revoked',
  });
  assert.deepEqual(finishedState({ secrets: revoked, objects: { renewed: [ref('c')] } }, true), {
    state: 'Applied',
    message: 'certificate renewed and old certificate(s) revoked',
  });
  assert.deepEqual(finishedState({ secrets: revoked, objects: { failed: [ref('c')] } }, false), {
    state: 'PartialApplied',
    message: 'certificate(s) revoked (ony partially successful)',
  });
  const failedMessage = revocationMessage(['certificate revocation failed for backup certificate secret b: boom']);
  assert.equal(
    failedMessage,
    'errors during revocation: certificate revocation failed for backup certificate secret b: boom',
  );
  assert.deepEqual(finishedState({ secrets: { failed: [sref('b', '1')] }, message: failedMessage }, false), {
    state: 'Error',
    message: `revocation of certificate failed: ${failedMessage}`,
  });
  assert.equal(revocationMessage([]), 'certificate(s) successfully revoked');
});

test('the status is written as gardener’s JSON has it: no empty lists, collected sections kept', () => {
  assert.deepEqual(
    normalizeStatus({
      state: 'Pending',
      secrets: { processing: [], revoked: [sref('b', '1')], failed: [] },
      objects: { processing: [], renewed: [] },
    }),
    { state: 'Pending', secrets: { revoked: [sref('b', '1')] }, objects: {} },
  );
});
