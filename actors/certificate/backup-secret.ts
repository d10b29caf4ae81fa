// Backups of ACME-issued certificate Secrets, kept where gardener v0.27.0 keeps them (certificate/backupsecret.go):
// one Secret per issued certificate in kube-system of the target cluster. A renewed certificate's predecessor stays
// valid for weeks after the live Secret stopped holding it; the backup is how a CertificateRevocation still finds
// and revokes it. Pure: backup-secret-kube.ts reads and writes.
import { ALL_KEYSTORE_DATA_KEYS } from '../x509/keystores/keystore-secret-data.js';
import {
  ANNOTATION_REQUESTED_AT,
  ANNOTATION_REVOKED,
  CERTIFICATE_LABEL,
  type TlsSecret,
} from './certificate-secret.js';
import { HASH_LABEL } from './request-hash.js';

export const BACKUP_NAMESPACE = 'kube-system';
const BACKUP_LABEL = 'cert.gardener.cloud/backup';
export const SERIAL_NUMBER_LABEL = 'cert.gardener.cloud/certificate-serialnumber';

/** gardener's compact serial (big.Int.Text(16)): lower-case hex without colons or leading zeros. */
export function compactSerial(serialNumber: string): string {
  return serialNumber
    .replace(/:/g, '')
    .toLowerCase()
    .replace(/^0+(?=.)/, '');
}

/** What a backup is made of: the certificate Secret as written, its request hash and its issuer's name. */
export interface BackupSource {
  type?: string;
  /** base64 Secret data; keystore entries are left out of the copy. */
  data: Readonly<Record<string, string>>;
  annotations?: Readonly<Record<string, string>>;
  hash: string;
  /** The certificate's serial number in either form (colons or compact). */
  serialNumber: string;
  issuerName: string;
}

/** The label selector that finds the backup of one certificate (serial and hash), gardener's idempotency check. */
export const backupSelector = (hash: string, serialNumber: string) =>
  `${SERIAL_NUMBER_LABEL}=${compactSerial(serialNumber)},${HASH_LABEL}=${hash}`;

/** A backup Secret before its creation: the API server completes the name from generateName. */
export interface NewBackupSecret {
  apiVersion: 'v1';
  kind: 'Secret';
  type: string;
  metadata: Omit<TlsSecret['metadata'], 'name'> & { generateName: string };
  data: Record<string, string>;
}

export function backupSecretFor(src: BackupSource): NewBackupSecret {
  const serial = compactSerial(src.serialNumber);
  const data = Object.fromEntries(Object.entries(src.data).filter(([k]) => !ALL_KEYSTORE_DATA_KEYS.includes(k)));
  const annotations: Record<string, string> = {};
  if (src.annotations?.[ANNOTATION_REVOKED] !== undefined) annotations[ANNOTATION_REVOKED] = 'true';
  const requestedAt = src.annotations?.[ANNOTATION_REQUESTED_AT];
  if (requestedAt !== undefined) annotations[ANNOTATION_REQUESTED_AT] = requestedAt;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: src.type ?? 'kubernetes.io/tls',
    metadata: {
      // gardener's name: the issuer and the serial's last 8 digits, then the API server's random suffix.
      generateName: `cert-backup-${src.issuerName}-${serial.slice(-8)}-`,
      namespace: BACKUP_NAMESPACE,
      labels: {
        [HASH_LABEL]: src.hash,
        [CERTIFICATE_LABEL]: 'true',
        [SERIAL_NUMBER_LABEL]: serial,
        [BACKUP_LABEL]: 'true',
      },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    data,
  };
}
