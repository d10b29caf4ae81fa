// The revoking step (gardener's revokeOldCertificateSecrets): each collected backup is revoked at the CA by the
// issuer actor, which holds the ACME account, and annotated revoked; then every Secret of the request that holds one
// of those certificates (the live ones in any namespace) is annotated too, which the certificate actors see as
// state Revoked. A step repeated after its status write was lost finds its backups annotated (or the CA saying
// "already revoked") and ends the same.
import { ANNOTATION_REVOKED, type TlsSecret } from '../certificate/certificate-secret.js';
import { HASH_LABEL } from '../certificate/request-hash.js';
import type { AcmeReply } from '../issuer/issuer-messages.js';
import { CERTIFICATE_KIND, certificateId, ISSUER_KIND, issuerActorId } from '../kinds.js';
import { apiMessage, getSecret, markRevoked, secretsWithLabels } from './revocation-kube.js';
import { definiteRefusal } from './revocation-prelude.js';
import { revocationMessage } from './revocation-rules.js';
import { certificateOf, error, pending, type StepResult, type StepScope } from './revocation-step.js';
import type { SecretRefWithSerial } from './revocation-types.js';

const ISSUER_ASK_TIMEOUT_MS = 60_000;

/** A revocation the issuer could not even try: its account is not set up (gardener: no registration user). */
class IssuerUnavailable extends Error {}

/** One certificate revoked by the issuer actor that holds the account which was issued it. */
async function revokeAtCa(s: StepScope, certificatePem: string): Promise<AcmeReply> {
  const reply = await s.ctx.ask<AcmeReply>(
    ISSUER_KIND,
    issuerActorId(s.issuer),
    {
      type: 'Acme',
      // On behalf of the Certificate whose certificates these are (an issuer that is not ready wakes it later).
      certificate: certificateId(s.env.cluster, s.cert.metadata.namespace!, s.cert.metadata.name),
      operation: { op: 'revoke', certificatePem },
    },
    ISSUER_ASK_TIMEOUT_MS,
  );
  if (!reply.ok && reply.unavailable) throw new IssuerUnavailable(reply.error);
  return reply;
}

export async function revokeSecrets(s: StepScope): Promise<StepResult> {
  const errors: string[] = [];
  const revoked: SecretRefWithSerial[] = [];
  const failed: SecretRefWithSerial[] = [];
  const serials = new Set<string>();
  for (const ref of s.status.secrets?.processing ?? []) {
    let secret: TlsSecret;
    try {
      secret = await getSecret(s.env.target, ref.namespace, ref.name);
    } catch (err) {
      // gardener builds this message from the Secret it failed to load, and panics; the ref has the name.
      if (!definiteRefusal(err)) throw err;
      errors.push(`cannot load backup certificate secret: ${ref.name}: ${apiMessage(err)}`);
      failed.push(ref);
      continue;
    }
    let serialNumber: string;
    try {
      serialNumber = certificateOf(secret).serialNumber;
    } catch (err) {
      errors.push(`cannot decode backup certificate secret ${ref.name}: ${(err as Error).message}`);
      failed.push(ref);
      continue;
    }
    if (secret.metadata.annotations?.[ANNOTATION_REVOKED] === undefined) {
      const pem = Buffer.from(secret.data?.['tls.crt'] ?? '', 'base64').toString('utf8');
      let reply: AcmeReply;
      try {
        reply = await revokeAtCa(s, pem);
      } catch (err) {
        if (err instanceof IssuerUnavailable)
          return error(`cannot restore registration user from issuer: ${err.message}`);
        throw err;
      }
      if (!reply.ok) {
        errors.push(`certificate revocation failed for backup certificate secret ${ref.name}: ${reply.error}`);
        failed.push(ref);
        continue;
      }
      s.ctx.log.info(
        { backup: `${ref.namespace}/${ref.name}`, serial: serialNumber, alreadyRevoked: reply.alreadyRevoked === true },
        'certificate revoked',
      );
    }
    serials.add(serialNumber);
    revoked.push(ref);
    try {
      await markRevoked(s.env.target, secret, () => true);
    } catch (err) {
      errors.push(`updating backup certificate secret ${ref.name} failed: ${apiMessage(err)}`);
    }
  }

  const marking = await markSecretsOfSerials(s, serials);
  if (marking.length > 0)
    errors.push(`marking certificate secret as revoked failed: multiple errors: ${marking.join('; ')}`);

  if (!s.renew) {
    // gardener enqueues the Certificates here; the target watcher reports the annotation to them as well.
    for (const ref of s.status.objects?.processing ?? [])
      s.ctx.tell(CERTIFICATE_KIND, certificateId(s.env.cluster, ref.namespace, ref.name), {
        type: 'SecretChanged',
        deleted: false,
      });
  }
  const secrets = { revoked, failed };
  return { kind: 'status', status: pending(s, revocationMessage(errors), { secrets }), afterMs: 1000 };
}

/** Annotates every Secret of the Certificate's request holding a revoked certificate; the errors, if any. */
async function markSecretsOfSerials(s: StepScope, serials: ReadonlySet<string>): Promise<string[]> {
  if (serials.size === 0) return [];
  const holds = (secret: TlsSecret) => {
    try {
      return serials.has(certificateOf(secret).serialNumber);
    } catch {
      return false;
    }
  };
  const errors: string[] = [];
  let secrets: TlsSecret[];
  try {
    secrets = await secretsWithLabels(s.env.target, `${HASH_LABEL}=${s.certHash}`);
  } catch (err) {
    return [apiMessage(err)];
  }
  for (const secret of secrets) {
    if (secret.metadata.annotations?.[ANNOTATION_REVOKED] !== undefined || !holds(secret)) continue;
    await markRevoked(s.env.target, secret, holds).catch((err: unknown) => errors.push(apiMessage(err)));
  }
  return errors;
}
