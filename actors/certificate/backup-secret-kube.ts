// Backups of certificate Secrets (backup-secret.ts) in kube-system of the target cluster: made after every write of an
// ACME-issued certificate Secret, and by a CertificateRevocation for a Secret that has none (written before backups
// existed). Making one never fails the write it follows: errors are logged, as gardener does.
import type { Logger } from 'pino';
import type { KubeClient } from '../kube/kube-client.js';
import type { KubeList } from '../kube/kube-object.js';
import { readCertificateChain } from '../x509/certificate-info.js';
import { BACKUP_NAMESPACE, type BackupSource, backupSecretFor, backupSelector } from './backup-secret.js';
import { ANNOTATION_REQUESTED_AT, requestedAtValue, type SecretWrite, type TlsSecret } from './certificate-secret.js';

/** The parts of a certificate Secret write a backup copies (the Secret as it was written). */
export type WrittenSecret = Pick<SecretWrite, 'namespace' | 'name' | 'hash' | 'data' | 'requestedAtMs'>;

const backupsPath = `/api/v1/namespaces/${BACKUP_NAMESPACE}/secrets`;

/** Creates the backup unless one of the same serial and hash exists; answers where it is either way. */
export async function ensureBackupSecret(
  kube: KubeClient,
  src: BackupSource,
): Promise<{ ref: { namespace: string; name: string }; created: boolean }> {
  const existing = await kube.get<KubeList<TlsSecret>>(backupsPath, {
    labelSelector: backupSelector(src.hash, src.serialNumber),
  });
  const found = existing.items[0];
  if (found) return { ref: { namespace: BACKUP_NAMESPACE, name: found.metadata.name }, created: false };
  const created = await kube.create<TlsSecret>(backupsPath, backupSecretFor(src));
  return { ref: { namespace: BACKUP_NAMESPACE, name: created.metadata.name }, created: true };
}

/** After an ACME-issued certificate was written into its Secret: the backup gardener makes after every such write. */
export async function backUpIssuedSecret(
  kube: KubeClient,
  log: Logger,
  write: WrittenSecret,
  issuerName: string,
): Promise<void> {
  try {
    const crt = write.data['tls.crt'];
    if (!crt) return;
    const { serialNumber } = readCertificateChain(Buffer.from(crt, 'base64').toString('utf8'));
    const annotations =
      write.requestedAtMs !== undefined
        ? { [ANNOTATION_REQUESTED_AT]: requestedAtValue(write.requestedAtMs) }
        : undefined;
    const { ref, created } = await ensureBackupSecret(kube, {
      data: write.data,
      annotations,
      hash: write.hash,
      serialNumber,
      issuerName,
    });
    if (created) log.info({ backup: `${ref.namespace}/${ref.name}` }, 'created backup secret');
  } catch (err) {
    log.warn(
      { secret: `${write.namespace}/${write.name}` },
      `Backup of secret ${write.namespace}/${write.name} failed: ${(err as Error).message}`,
    );
  }
}
