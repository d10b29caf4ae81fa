// The two collecting steps of a revocation (gardener's collectSecretsRefsAndRepeat and
// collectCertificateRefsAndRepeat): which certificates to revoke (the backups in kube-system of the Certificate's
// request, requested before the qualifying date), and which Certificate objects use them (same hash label, requested
// before the date), which with `renew` are asked to renew first.

import { BACKUP_NAMESPACE } from '../certificate/backup-secret.js';
import { ensureBackupSecret } from '../certificate/backup-secret-kube.js';
import { ANNOTATION_REVOKED } from '../certificate/certificate-secret.js';
import { HASH_LABEL } from '../certificate/request-hash.js';
import { isNotFound } from '../kube/kube-api-error.js';
import { handlesClass } from '../watchers/cert-class.js';
import { apiMessage, certificatesWithHash, getSecret, requestRenewal, secretsWithLabels } from './revocation-kube.js';
import { definiteRefusal } from './revocation-prelude.js';
import {
  type BackupView,
  byName,
  collectedCertificatesMessage,
  goTime,
  oldBackups,
  wasRequestedBefore,
} from './revocation-rules.js';
import { certificateOf, error, pending, requestedAtOf, type StepResult, type StepScope } from './revocation-step.js';
import type { ObjectRef } from './revocation-types.js';

/** The backups to revoke: of the hash of the Secret the Certificate uses now, requested before the date. */
export async function collectSecrets(s: StepScope): Promise<StepResult> {
  const ref = s.cert.spec.secretRef;
  if (!ref?.name) return error('missing secret refernce of certificate');
  const ns = ref.namespace || s.cert.metadata.namespace!;
  let secret: Awaited<ReturnType<typeof getSecret>>;
  try {
    secret = await getSecret(s.env.target, ns, ref.name);
  } catch (err) {
    if (definiteRefusal(err)) return error(`certificate secret: fetching secret failed: ${apiMessage(err)}`);
    throw err;
  }
  const hash = secret.metadata.labels?.[HASH_LABEL];
  if (!hash) return error(`secret has no ${HASH_LABEL} label`);
  // A Secret written before backups existed has none yet (gardener: "for backward compatibility").
  let serialNumber: string;
  try {
    serialNumber = certificateOf(secret).serialNumber;
  } catch (err) {
    return error(`secret backup failed: ${(err as Error).message}`);
  }
  try {
    await ensureBackupSecret(s.env.target, {
      type: secret.type,
      data: secret.data ?? {},
      annotations: secret.metadata.annotations,
      hash,
      serialNumber,
      issuerName: s.issuer.name,
    });
  } catch (err) {
    if (definiteRefusal(err)) return error(`secret backup failed: ${apiMessage(err)}`);
    throw err;
  }
  const backups = await secretsWithLabels(s.env.target, `${HASH_LABEL}=${hash}`, BACKUP_NAMESPACE);
  const views = backups.map((b): BackupView => {
    let certificate: BackupView['certificate'];
    try {
      certificate = certificateOf(b);
    } catch {
      certificate = undefined; // not ours to judge: skipped, as gardener skips undecodable backups
    }
    return {
      name: b.metadata.name,
      namespace: b.metadata.namespace ?? BACKUP_NAMESPACE,
      revoked: b.metadata.annotations?.[ANNOTATION_REVOKED] !== undefined,
      certificate,
      requestedAtMs: requestedAtOf(b),
    };
  });
  const refs = oldBackups(views, s.qualifyingMs, s.ctx.now());
  if (refs.length === 0)
    return error(`find all old secrets failed: no valid secrets found older than ${goTime(s.qualifyingMs)}`);
  return {
    kind: 'status',
    status: pending(s, 'looking up all certificates to process', { secrets: { processing: refs } }),
    afterMs: 1000,
  };
}

/** The Certificate objects of the same request (any namespace, our class) that still use an old certificate. */
export async function collectCertificates(s: StepScope): Promise<StepResult> {
  const classes = s.env.deps.config.certClasses;
  const found: ObjectRef[] = [];
  for (const c of await certificatesWithHash(s.env.source, s.certHash)) {
    const where = `certificate ${c.metadata.namespace}/${c.metadata.name}`;
    if (!handlesClass(classes, c.metadata.annotations) || c.status?.state === 'Revoked') continue;
    // gardener reads spec.secretRef without a check (a nil one would panic there): no Secret, nothing to revoke.
    const ref = c.spec?.secretRef;
    if (!ref?.name) continue;
    let secret: Awaited<ReturnType<typeof getSecret>>;
    try {
      secret = await getSecret(s.env.target, ref.namespace || c.metadata.namespace!, ref.name);
    } catch (err) {
      if (isNotFound(err)) continue;
      if (definiteRefusal(err)) return error(`${where}: fetching secret failed: ${apiMessage(err)}`);
      throw err;
    }
    let info: ReturnType<typeof certificateOf>;
    try {
      info = certificateOf(secret);
    } catch (err) {
      return error(`${where}: ${(err as Error).message}`);
    }
    const requestedAtMs = requestedAtOf(secret);
    if (!wasRequestedBefore(info.notBeforeMs, requestedAtMs, s.qualifyingMs)) continue; // already renewed
    if (s.renew) {
      try {
        if (!(await requestRenewal(s.env.source, c, s.qualifyingMs))) continue;
      } catch (err) {
        if (definiteRefusal(err)) return error(`${where} cannot be updated: ${apiMessage(err)}`);
        throw err;
      }
    }
    found.push({ name: c.metadata.name, namespace: c.metadata.namespace! });
  }
  if (found.length === 0) return error('no certificates found to process');
  const message = collectedCertificatesMessage(found.length, s.renew);
  return { kind: 'status', status: pending(s, message, { objects: { processing: byName(found) } }), afterMs: 1000 };
}
