// One ACME issuance as a table of steps: per phase what it does, what answer it waits for, where it goes next and
// how it resumes on another pod. The runner (order-runner.ts) persists the work between steps and carries out what a
// step returns; docs/ARCHITECTURE.md shows the table as a diagram.
//
//   grant -> order -> publish -> await-entries -> propagation -> answer -> validate -> finalize -> download -> done
//     |        ^                                                              |  (invalid: re-read for the reason)
//     |        +--------------------------------------------------------------+
//     +-> sign -> done   (CA and self-signed issuers: no ACME, no DNS)
import type { OrderProgress } from '../../acme/acme-order.js';
import type { RenewalInfo } from '../../acme/acme-renewal-info.js';
import { dnsRecordSettings } from '../../dns/challenge-dnsrecord.js';
import type { AcmeOperation } from '../../issuer/acme-operations.js';
import type { SignReply } from '../../issuer/ca-signing.js';
import type { AcmeReply, GrantReply } from '../../issuer/issuer-messages.js';
import { issuerActorId } from '../../kinds.js';
import { createCsrPem, generatePrivateKey, readCertificateChain } from '../../x509/certificate-info.js';
import { backUpIssuedSecret } from '../backup-secret-kube.js';
import type { OrderPhase } from '../certificate-actor-types.js';
import { identityOf } from '../certificate-env.js';
import { keystoreChanges, keystoreProblem, withKeystoreChanges } from '../certificate-keystores.js';
import { writeSecret } from '../certificate-kube.js';
import { countOrder } from '../certificate-metrics.js';
import { issuedRecord, markReady } from '../certificate-outcome.js';
import { ariRecordOf } from '../certificate-renewal-info.js';
import { cascadeOwners, certificateSecretData } from '../certificate-secret.js';
import { PENDING_MESSAGE } from '../certificate-status.js';
import { writeStatus } from '../certificate-status-writer.js';
import { selfSignedCertificate, signRequestFor } from '../signed-certificates.js';
import { challengeDomains } from './challenges.js';
import { AWAIT_ENTRIES_STEP, PROPAGATION_STEP, PUBLISH_STEP } from './dns-steps.js';
import {
  call,
  continueWith,
  fail,
  go,
  type IssuerReplyMsg,
  type OrderSteps,
  poll,
  retry,
  type StepResult,
  type StepScope,
} from './order-step.js';

const VALIDATION_TIMEOUT_MS = 5 * 60_000;
/** Grants are the only call that waits for nothing at the CA: a short deadline frees a stuck certificate sooner. */
const GRANT_TIMEOUT_MS = 60_000;

/** A step's ACME operation, run by the issuer actor that holds the account. */
const acme = (s: StepScope<OrderPhase>, operation: AcmeOperation): StepResult =>
  call({ type: 'Acme', certificate: s.ctx.id, operation });

/** An issuer reply as an AcmeReply (a failed ask is a transient ACME failure). */
export function acmeReplyOf(msg: IssuerReplyMsg): AcmeReply {
  return msg.error !== undefined ? { ok: false, error: msg.error, transient: true } : (msg.reply as AcmeReply);
}

/** Polling that starts short (pebble and a nearby dns-controller answer in milliseconds) and doubles to `max`. */
function nextPoll(data: { pollDelayMs?: number }, first: number, max: number): number {
  const delay = data.pollDelayMs ?? first;
  data.pollDelayMs = Math.min(max, delay * 2);
  return delay;
}

/** Where an order stands decides the next step (used after newOrder and whenever the order is re-read). */
export function phaseForOrder(progress: OrderProgress): OrderPhase | 'invalid' {
  switch (progress.status) {
    case 'invalid':
      return 'invalid';
    case 'ready':
    case 'processing':
    case 'valid':
      return 'finalize';
    default:
      // A challenge still pending needs its record and its answer, even when others are done: a CA that reuses the
      // valid authorization of a name validated shortly before (Let's Encrypt does for 30 days) hands out orders
      // with some challenges valid and some pending, e.g. when a name is added to a certificate.
      return progress.challenges.some((c) => c.status === 'pending') ? 'publish' : 'validate';
  }
}

const hasKeyFor = (s: StepScope<OrderPhase>) =>
  s.request.csr !== undefined || s.order.key?.orderUrl === s.work.orderUrl;
const keyGone = 'the private key of the finalized order is gone (the pod that held it stopped)';
/** The key of a certificate being signed without ACME is held under this name (there is no order URL). */
const SIGN_KEY = 'sign';

/**
 * Writes the issued certificate (PEM entries and the keystores spec.keystores asks for) into its Secret and moves to
 * done. A keystore that cannot be built does not hold up the certificate: done reports it instead of Ready.
 */
async function storeCertificate(
  s: StepScope<OrderPhase>,
  pem: { chainPem: string; keyPem: string; caPem?: string },
  /** ACME: the CA's renewal information about this certificate, asked with the download (--acme-renewal-info). */
  renewalInfo?: RenewalInfo,
): Promise<StepResult> {
  const { work, request } = s;
  const cert = s.ctx.state.cert!;
  const requestedAtMs = work.startedAt;
  let data = certificateSecretData(pem.chainPem, pem.keyPem, pem.caPem);
  let keystoreIssue: string | undefined;
  try {
    const changes = await keystoreChanges(s.env, cert.spec.keystores, work.secret.namespace, data, true, s.ctx.now());
    data = withKeystoreChanges(data, changes);
    keystoreIssue = keystoreProblem(changes);
  } catch (err) {
    return retry(`reading the keystore password secrets failed: ${(err as Error).message}`, true);
  }
  const write = {
    namespace: work.secret.namespace,
    name: work.secret.name,
    hash: work.hash,
    data,
    requestedAtMs,
    extraLabels: request.secretLabels,
    ownerReferences: s.config.cascadeDelete ? cascadeOwners(cert) : undefined,
  };
  let secretResourceVersion: string | undefined;
  try {
    secretResourceVersion = await writeSecret(s.env.target, write, work.secretExists);
  } catch (err) {
    const where = `secret ${work.secret.namespace}/${work.secret.name} of the target cluster`;
    return retry(`storing the certificate in ${where} failed: ${(err as Error).message}`, true);
  }
  // An ACME certificate: its backup, so a CertificateRevocation can still revoke it once it is renewed (gardener keeps
  // none for CA and self-signed certificates, which cannot be revoked). Made in `done`, after the Ready status: in a
  // burst it waits behind other certificates' Secrets (the low lane), where it took the place of half of them.
  if ((work.issuerType ?? 'acme') === 'acme') s.order.backup = { write, issuerName: work.issuer.name };
  const issuerType = work.issuerType ?? 'acme';
  const where = {
    secret: work.secret,
    hash: work.hash,
    issuer: work.issuer,
    requestedAtMs,
    secretResourceVersion,
    issuerType,
  };
  const info = readCertificateChain(pem.chainPem);
  const ari =
    renewalInfo && info.certId ? ariRecordOf(s.ctx, s.env, info.serialNumber, renewalInfo, undefined) : undefined;
  const stored = issuedRecord(s.config, info, where, request, ari);
  delete s.order.key;
  return continueWith('done', { stored, keystoreProblem: keystoreIssue });
}

export const ORDER_STEPS: OrderSteps = {
  grant: {
    does: 'asks the issuer for a quota token and the locks of the challenge domains',
    awaits: 'Grant: granted; quota (with the time of the next token); busy, not ready or missing (the issuer wakes us)',
    next: ['order', 'sign'],
    resume: 'repeat',
    stage: 0,
    initial: () => ({ waits: 0 }),
    start: (s) =>
      call(
        {
          type: 'Grant',
          certificate: s.ctx.id,
          hash: s.work.hash,
          ...(s.work.attempt ? { attempt: s.work.attempt } : {}),
          domains: challengeDomains(s.work.names),
          renewBeforeMs: s.request.renewBeforeMs,
          profile: s.request.profile,
        },
        GRANT_TIMEOUT_MS,
      ),
    async onReply(s, msg) {
      if (msg.error !== undefined) return retry(msg.error, true);
      const reply = msg.reply as GrantReply;
      const { work, ctx, env } = s;
      // The stored certificate (renewal) stays visible while a new one is ordered, as gardener shows it.
      const issued = ctx.state.issued;
      const names = { issuer: work.issuer, certificate: issued, renewalAtMs: issued?.renewalAtMs };
      if (reply.granted) {
        if (reply.issuerType !== (work.issuerType ?? 'acme')) {
          return fail(
            `issuer ${work.issuer.namespace}/${work.issuer.name} is of type ${reply.issuerType} now; reconciling again`,
          );
        }
        // Signing without ACME takes milliseconds: no Pending status for it.
        if (reply.issuerType !== 'acme') return continueWith('sign');
        // --use-dnsrecords: the Certificate must name its DNS provider, checked before an order is opened (gardener).
        const records = s.config.dns.useDnsRecords && !reply.dns.skipDNSChallengeValidation;
        const settings = records && dnsRecordSettings(ctx.state.cert?.metadata.annotations, identityOf(ctx).namespace);
        if (settings && 'problem' in settings) return fail(settings.problem);
        await writeStatus(ctx, env, { ...names, state: 'Pending', message: PENDING_MESSAGE });
        // A renewal names the certificate it replaces, where the CA keeps renewal information and it is ours.
        const sameIssuer =
          issued && issuerActorId(issued.issuer) === issuerActorId(work.issuer) && issued.hash === work.hash;
        const replaces = work.renewal && reply.renewalInfo && sameIssuer ? issued.certId : undefined;
        return go('order', { dns: reply.dns, profile: reply.profile, replaces });
      }
      if (reply.reason === 'invalid') return { kind: 'fail', message: reply.message, spec: true };
      if (reply.reason === 'quota') {
        await writeStatus(ctx, env, { ...names, state: 'Waiting', message: reply.message });
        await ctx.setReminder('recheck', reply.retryAt, { type: 'Recheck' });
        return { kind: 'park' };
      }
      // Not ready, missing or busy: the issuer tells us (IssuerReady); the poll is the fallback.
      s.data.waits += 1;
      await writeStatus(ctx, env, {
        ...names,
        state: reply.reason === 'missing' ? 'Error' : 'Pending',
        message: reply.message,
      });
      return poll(Math.min(600_000, 15_000 * 2 ** Math.min(s.data.waits - 1, 6)));
    },
  },

  order: {
    does: 'opens the ACME order, or re-reads it by URL when one exists; starts generating the private key (ready by finalize)',
    awaits: 'the order: its URL, finalize URL and challenges (persisted before anything else happens)',
    next: ['publish', 'validate', 'finalize'],
    resume: 'reread',
    stage: 0,
    initial: () => ({}),
    start: (s) =>
      acme(
        s,
        s.work.orderUrl
          ? { op: 'readOrder', orderUrl: s.work.orderUrl }
          : { op: 'newOrder', names: s.work.names, profile: s.work.profile, replaces: s.work.replaces },
      ),
    onReply(s, msg) {
      const r = acmeReplyOf(msg);
      if (!r.ok) return retry(`ACME order: ${r.error}`, r.transient);
      const progress = r.progress!;
      const phase = phaseForOrder(progress);
      if (phase === 'invalid') return fail(`ACME order failed: ${progress.problem ?? 'order invalid'}`);
      s.ctx.log.info(
        {
          order: progress.orderUrl,
          names: s.work.names,
          ...(s.work.profile ? { profile: s.work.profile } : {}),
          ...(s.work.replaces && !r.replacesRefused ? { replaces: s.work.replaces } : {}),
        },
        s.work.orderUrl ? 'order resumed' : 'order created',
      );
      if (r.replacesRefused)
        s.ctx.log.warn({ replaces: s.work.replaces, reason: r.replacesRefused }, 'replaces refused');
      // The key is made while the challenges run; finalize takes it.
      if (s.request.privateKey && s.order.pendingKey?.orderUrl !== progress.orderUrl) {
        const pem = generatePrivateKey(s.request.privateKey);
        pem.catch(() => undefined); // finalize generates again if this failed
        s.order.pendingKey = { orderUrl: progress.orderUrl, pem };
      }
      return go(phase, {
        orderUrl: progress.orderUrl,
        challenges: progress.challenges,
        finalizeUrl: progress.finalizeUrl,
      });
    },
  },

  publish: PUBLISH_STEP,
  'await-entries': AWAIT_ENTRIES_STEP,
  propagation: PROPAGATION_STEP,

  answer: {
    does: 'tells the CA to validate the challenges',
    awaits: 'the CA accepting the answers',
    next: ['validate'],
    resume: 'reread',
    stage: 1,
    initial: () => ({}),
    start: (s) => acme(s, { op: 'answer', orderUrl: s.work.orderUrl!, challenges: s.work.challenges ?? [] }),
    onReply(_s, msg) {
      const r = acmeReplyOf(msg);
      if (!r.ok) return retry(`answering the ACME challenges failed: ${r.error}`, r.transient);
      return go('validate', {}, 20);
    },
  },

  validate: {
    does: "polls the order's status until the CA has validated every challenge",
    awaits: 'order status ready (or processing/valid), polled from 20 ms doubling to 1 s; at most 5 minutes',
    next: ['finalize', 'order'],
    resume: 'reread',
    stage: 2,
    initial: () => ({}),
    start: (s) => acme(s, { op: 'orderStatus', orderUrl: s.work.orderUrl! }),
    onReply(s, msg) {
      const r = acmeReplyOf(msg);
      if (!r.ok) return retry(`reading the ACME order failed: ${r.error}`, r.transient);
      // Invalid: only now are the details worth a full read (which authorization failed, and why).
      if (r.status === 'invalid') return go('order');
      if (r.status === 'ready' || r.status === 'processing' || r.status === 'valid') {
        return continueWith('finalize', r.certificateUrl ? { certificateUrl: r.certificateUrl } : {});
      }
      const waited = s.ctx.now() - s.work.since;
      if (waited > VALIDATION_TIMEOUT_MS) {
        return fail(`the ACME server did not validate the challenges within ${VALIDATION_TIMEOUT_MS / 60_000} minutes`);
      }
      // Still pending long after the answer: the answer may have been lost; re-reading the order answers again.
      if (waited > 10_000 && (s.data.pollDelayMs ?? 0) >= 1_000) return go('order');
      return poll(nextPoll(s.data, 20, 1_000));
    },
  },

  finalize: {
    does: "takes the private key made in memory since the order opened (the spec's algorithm, size and encoding) or spec.csr, and sends the CSR",
    awaits: 'the order processing or valid; pending means the CA wants validation again',
    next: ['download', 'validate'],
    resume: 'reread',
    stage: 3,
    initial: () => ({}),
    async start(s) {
      const { request, work, order } = s;
      let csrPem: string;
      if (request.csr) {
        csrPem = request.csr.pem;
      } else {
        if (order.key?.orderUrl !== work.orderUrl) {
          const pendingKey = order.pendingKey;
          const pending = pendingKey && pendingKey.orderUrl === work.orderUrl ? pendingKey.pem : undefined;
          const pem = await (pending ?? generatePrivateKey(request.privateKey!)).catch(() =>
            generatePrivateKey(request.privateKey!),
          );
          order.key = { orderUrl: work.orderUrl!, pem };
          delete order.pendingKey;
        }
        csrPem = await createCsrPem(work.names, order.key!.pem);
      }
      return acme(s, { op: 'finalize', orderUrl: work.orderUrl!, finalizeUrl: work.finalizeUrl, csrPem });
    },
    onReply(s, msg) {
      const r = acmeReplyOf(msg);
      if (!r.ok) return retry(`finalizing the ACME order failed: ${r.error}`, r.transient);
      if (r.status === 'invalid') return fail('the ACME server refused to finalize the order (order invalid)');
      if (r.status === 'pending') return go('validate');
      if (!r.finalizedNow && !s.request.csr) {
        return { kind: 'restart', why: 'the order was finalized by an earlier activation whose private key is gone' };
      }
      const known = r.certificateUrl ? { certificateUrl: r.certificateUrl } : {};
      return r.status === 'valid' ? continueWith('download', known) : go('download', known, 20);
    },
  },

  download: {
    does: "downloads the chain (with the CA's renewal information for it) and writes the kubernetes.io/tls Secret into the target cluster",
    awaits: 'the chain (polled while the order is processing); the Secret write',
    next: ['done'],
    resume: 'reread',
    stage: 3,
    initial: () => ({}),
    start(s) {
      if (!hasKeyFor(s)) return { kind: 'restart', why: keyGone };
      const { work, request } = s;
      return acme(s, {
        op: 'download',
        orderUrl: work.orderUrl!,
        certificateUrl: work.certificateUrl,
        preferredChain: request.preferredChain,
        deactivate: s.config.acmeDeactivateAuthorizations
          ? [...new Set((work.challenges ?? []).map((c) => c.authorizationUrl))]
          : undefined,
        // The renewal information of the new certificate comes with it: Ready is then written once, with the window.
        ...(s.config.renewalInfo.enabled ? { renewalInfo: true } : {}),
      });
    },
    async onReply(s, msg) {
      const r = acmeReplyOf(msg);
      const { work, order } = s;
      if (!r.ok) return retry(`downloading the certificate failed: ${r.error}`, r.transient);
      if (r.status === 'invalid') return fail('the ACME order became invalid while the certificate was being issued');
      if (!r.chain) {
        if (s.ctx.now() - work.since > VALIDATION_TIMEOUT_MS)
          return fail('the ACME server did not issue the certificate in time');
        return poll(nextPoll(s.data, 20, 1_000));
      }
      if (!hasKeyFor(s)) return { kind: 'restart', why: keyGone };
      return storeCertificate(s, { chainPem: r.chain, keyPem: order.key?.pem ?? '' }, r.renewalInfo);
    },
  },

  sign: {
    does: 'CA and self-signed issuers: generates the key in memory (or takes spec.csr); the CA issuer signs it (self-signed: the key signs itself); writes the Secret',
    awaits: 'the signed certificate from the CA issuer (self-signed: nothing)',
    next: ['done'],
    resume: 'repeat',
    stage: 3,
    initial: () => ({}),
    async start(s) {
      const { request, work, order } = s;
      if (work.issuerType === 'selfSigned') {
        const signed = await selfSignedCertificate(request, s.ctx.now());
        // ca.crt of a self-signed certificate is the certificate itself (gardener).
        return storeCertificate(s, {
          chainPem: signed.certificatePem,
          keyPem: signed.keyPem,
          caPem: signed.certificatePem,
        });
      }
      if (request.csr)
        return call({
          type: 'Sign',
          certificate: s.ctx.id,
          request: signRequestFor(request, { csrPem: request.csr.pem }),
        });
      order.key = { orderUrl: SIGN_KEY, pem: await generatePrivateKey(request.privateKey!) };
      return call({ type: 'Sign', certificate: s.ctx.id, request: signRequestFor(request, { keyPem: order.key.pem }) });
    },
    async onReply(s, msg) {
      if (msg.error !== undefined) return retry(msg.error, true);
      const r = msg.reply as SignReply;
      if (!r.ok) {
        if (r.invalid) return { kind: 'fail', message: `obtaining certificate failed: ${r.error}`, spec: true };
        return retry(`obtaining certificate failed: ${r.error}`, r.transient ?? true);
      }
      if (!s.request.csr && s.order.key?.orderUrl !== SIGN_KEY)
        return { kind: 'restart', why: 'the private key is gone' };
      // tls.crt is the certificate followed by ca.crt (the CA and its intermediates), as gardener writes it.
      return storeCertificate(s, {
        chainPem: `${r.certificatePem.trim()}\n${r.caPem}`,
        keyPem: s.order.key?.pem ?? '',
        caPem: r.caPem,
      });
    },
  },

  done: {
    does: "the Certificate's record and status Ready (its Event after it), renewal reminder, the Secret's backup copy; the runner then deletes the order's challenge records (dns-persist-01's stay) and releases the grant",
    awaits: 'nothing',
    next: [],
    resume: 'repeat',
    stage: 4,
    initial: () => ({}),
    async start(s) {
      const stored = s.work.stored!;
      await markReady(s.ctx, s.env, stored, s.work.keystoreProblem);
      const backup = s.order.backup;
      delete s.order.backup;
      if (backup) await backUpIssuedSecret(s.env.target.inLowLane(), s.ctx.log, backup.write, backup.issuerName);
      // Resumed here by another activation: the Secret data went with the pod that wrote it.
      else if ((s.work.issuerType ?? 'acme') === 'acme')
        s.ctx.log.warn(
          { secret: stored.secret },
          'no backup of this certificate: the pod that stored it stopped first',
        );
      const secret = `${stored.secret.namespace}/${stored.secret.name}`;
      s.ctx.log.info({ secret, ms: s.ctx.now() - s.work.startedAt }, 'certificate issued');
      countOrder(s.work, true);
      return { kind: 'finished' };
    },
  },
};
