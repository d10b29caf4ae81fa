// Certificates made without ACME, as gardener v0.27.0 makes them: what a CA issuer is asked to sign, and
// self-signed certificates (pki.go NewSelfSignedCertInPEMFormat, certificate.go newSelfSignedCertFromCSRinPEMFormat).
// The private key is generated here, in the certificate actor's memory, and goes only into the Secret.
import { createPublicKey } from 'node:crypto';
import type { SignRequest } from '../issuer/ca-signing.js';
import { generatePrivateKey } from '../x509/certificate-info.js';
import { signCertificate } from '../x509/sign-certificate.js';
import { x509 } from '../x509/x509.js';
import type { NormalizedRequest } from './spec-validation.js';

/** What the CA issuer signs: the request's names (with the commonName among the DNS names unless isCA). */
export function signRequestFor(
  request: NormalizedRequest,
  subjectKey: { csrPem: string } | { keyPem: string },
): SignRequest {
  const cn = request.commonName;
  const dnsNames =
    !request.isCA && cn && !request.specDnsNames.includes(cn) ? [cn, ...request.specDnsNames] : request.specDnsNames;
  return {
    ...('csrPem' in subjectKey
      ? { csrPem: subjectKey.csrPem }
      : { publicKeyPem: createPublicKey(subjectKey.keyPem).export({ format: 'pem', type: 'spki' }).toString() }),
    ...(cn ? { commonName: cn } : {}),
    dnsNames,
    ...request.extraSans,
    isCA: request.isCA,
    durationMs: request.durationMs!,
  };
}

/**
 * A self-signed CA certificate and its new key. With spec.csr the CSR's subject and names are used with a new key of
 * the CSR's type (a certificate cannot be self-signed with a key we do not have), as gardener does.
 */
export async function selfSignedCertificate(
  request: NormalizedRequest,
  nowMs: number,
): Promise<{ certificatePem: string; keyPem: string }> {
  const keyPem = await generatePrivateKey(request.privateKey!);
  const csr = request.csr ? new x509.Pkcs10CertificateRequest(request.csr.pem) : undefined;
  const csrSans = csr ? sansOf(csr) : undefined;
  const template = {
    subject: { commonName: csr ? csr.subjectName.getField('CN')[0] : request.commonName },
    // gardener leaves the commonName out of the DNS names of a self-signed certificate.
    dnsNames: csrSans?.dnsNames ?? request.specDnsNames,
    emailAddresses: csrSans?.emailAddresses ?? request.extraSans.emailAddresses,
    ipAddresses: csrSans?.ipAddresses ?? request.extraSans.ipAddresses,
    uris: csrSans?.uris ?? request.extraSans.uris,
    isCA: true,
    notBeforeMs: nowMs,
    notAfterMs: nowMs + request.durationMs!,
    extKeyUsages: csr ? (['clientAuth', 'serverAuth'] as const) : (['serverAuth'] as const),
  };
  const certificatePem = await signCertificate(
    template,
    createPublicKey(keyPem).export({ format: 'pem', type: 'spki' }).toString(),
    { keyPem },
  );
  return { certificatePem, keyPem };
}

function sansOf(csr: x509.Pkcs10CertificateRequest) {
  const ext = csr.extensions.find((e) => e.type === '2.5.29.17');
  const items = ext ? new x509.SubjectAlternativeNameExtension(ext.rawData).names.items : [];
  const of = (type: string) => items.filter((n) => n.type === type).map((n) => n.value);
  return { dnsNames: of('dns'), emailAddresses: of('email'), ipAddresses: of('ip'), uris: of('url') };
}
