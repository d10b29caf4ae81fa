// Revoking a certificate at the CA as gardener v0.27.0 does it (lego's Certificate.Revoke): a request signed with the
// account key (kid), carrying the first certificate of the bundle and no reason. acme-client sends exactly that, but
// unlike lego it would also send a CA certificate at the head of a bundle, so that is refused here first.
import { X509Certificate } from 'node:crypto';
import type * as acme from 'acme-client';
import { splitPemCertificates } from '../x509/certificate-info.js';
import { describeAcmeError } from './acme-errors.js';

/** A bundle that must not be sent: no CA has to tell us. */
class RevocationRefused extends Error {}

// pebble: "Certificate has already been revoked."; Boulder: "Certificate already revoked".
const ALREADY_REVOKED = /already (been )?revoked|alreadyRevoked/i;

/** Revokes the bundle's first certificate; `alreadyRevoked` when the CA had revoked it before. */
export async function revokeCertificate(client: acme.Client, bundlePem: string): Promise<{ alreadyRevoked: boolean }> {
  const first = splitPemCertificates(bundlePem)[0];
  if (first === undefined)
    throw new RevocationRefused('no "-----BEGIN CERTIFICATE-----" block found in the certificate data');
  let isCa: boolean;
  try {
    isCa = new X509Certificate(first).ca;
  } catch (err) {
    throw new RevocationRefused(`the certificate cannot be read: ${(err as Error).message}`);
  }
  if (isCa) throw new RevocationRefused('certificate bundle starts with a CA certificate');
  try {
    await client.revokeCertificate(first);
    return { alreadyRevoked: false };
  } catch (err) {
    // A revocation step repeated after its outcome was lost (a pod died before the status write) finds the
    // certificate revoked: that is what it wanted.
    if (ALREADY_REVOKED.test((err as Error).message ?? '')) return { alreadyRevoked: true };
    throw err;
  }
}

/** The reason a revocation failed, for the CertificateRevocation's status. */
export function revocationError(err: unknown, directoryUrl: string): string {
  if (err instanceof RevocationRefused) return err.message;
  // Network failures get the adapter's usual advice; the CA's own refusals are quoted as they are (acme-client's
  // message is the problem's detail, which describeAcmeError would mistake for a TLS failure when it names a
  // "certificate").
  if ((err as { code?: unknown }).code !== undefined) return describeAcmeError(err, directoryUrl);
  return `ACME server ${directoryUrl} refused the revocation: ${(err as Error).message ?? String(err)}`;
}
