// What a CA issuer puts into the certificates it signs (gardener v0.27.0 legobridge pki.go createCertReq and
// generateCertFromCSR): the requested names, the CA's subject fields (all but CN and serialNumber) next to the
// requested commonName, the CA's own email SANs before the requested ones, clientAuth and serverAuth. With spec.csr
// the CSR's subject and names are used as they are. The CSR's key is the certificate's key; the CA key stays here.
import { goTime } from '../certificate/certificate-status.js';
import { signCertificate } from '../x509/sign-certificate.js';
import { x509 } from '../x509/x509.js';
import type { CaMaterial } from './ca-secret.js';

/** A certificate actor's request to sign (public data only). */
export interface SignRequest {
  /** spec.csr: the subject, every SAN and the key come from the CSR (the requested names are ignored). */
  csrPem?: string;
  /** Otherwise: the certificate's public key (SPKI PEM), which the certificate actor generated. */
  publicKeyPem?: string;
  commonName?: string;
  /** Final DNS SANs (the certificate actor applies the commonName rule). */
  dnsNames: string[];
  emailAddresses: string[];
  ipAddresses: string[];
  uris: string[];
  isCA: boolean;
  durationMs: number;
}

export type SignReply =
  | { ok: true; certificatePem: string; caPem: string }
  | {
      ok: false;
      error: string;
      /** Only a change of the spec (or of the CA) can fix it. */
      invalid?: boolean;
      transient?: boolean;
      /** The issuer is missing or not ready: the certificate waits for IssuerReady. */
      unavailable?: boolean;
    };

export async function signWithCa(ca: CaMaterial, request: SignRequest, nowMs: number): Promise<SignReply> {
  const notAfterMs = nowMs + request.durationMs;
  if (notAfterMs > ca.notAfterMs) {
    return {
      ok: false,
      invalid: true,
      error: `certificate lifetime (${goTime(notAfterMs)}) is longer than the lifetime of the CA certificate (${goTime(ca.notAfterMs)}): shorten spec.duration or renew the CA`,
    };
  }
  let fromCsr: ReturnType<typeof csrContent> | undefined;
  let publicKey: string | Buffer;
  if (request.csrPem) {
    try {
      const csr = new x509.Pkcs10CertificateRequest(request.csrPem);
      if (!(await csr.verify())) return { ok: false, invalid: true, error: 'the CSR signature does not verify' };
      fromCsr = csrContent(csr);
      publicKey = Buffer.from(csr.publicKey.rawData);
    } catch (err) {
      return { ok: false, invalid: true, error: `the CSR cannot be read: ${(err as Error).message}` };
    }
  } else if (request.publicKeyPem) {
    publicKey = request.publicKeyPem;
  } else {
    return { ok: false, invalid: true, error: 'nothing to sign: the request has neither a CSR nor a public key' };
  }
  const template = {
    subject: fromCsr
      ? fromCsr.subject
      : { ...ca.subject, ...(request.commonName ? { commonName: request.commonName } : {}) },
    dnsNames: fromCsr?.dnsNames ?? request.dnsNames,
    emailAddresses: fromCsr?.emailAddresses ?? [...ca.emailAddresses, ...request.emailAddresses],
    ipAddresses: fromCsr?.ipAddresses ?? request.ipAddresses,
    uris: fromCsr?.uris ?? request.uris,
    isCA: request.isCA,
    notBeforeMs: nowMs,
    notAfterMs,
    extKeyUsages: ['clientAuth', 'serverAuth'] as const,
  };
  try {
    const pem = await signCertificate(template, publicKey, {
      keyPem: ca.keyPem,
      caCertPem: ca.certPem,
    });
    return { ok: true, certificatePem: pem, caPem: ca.caBundlePem };
  } catch (err) {
    return { ok: false, invalid: true, error: `signing the certificate failed: ${(err as Error).message}` };
  }
}

function csrContent(csr: x509.Pkcs10CertificateRequest) {
  const field = (oid: string) => csr.subjectName.getField(oid);
  const ext = csr.extensions.find((e) => e.type === '2.5.29.17');
  const san = ext ? new x509.SubjectAlternativeNameExtension(ext.rawData) : undefined;
  const names = (type: string) => san?.names.items.filter((n) => n.type === type).map((n) => n.value) ?? [];
  return {
    subject: {
      country: field('2.5.4.6'),
      province: field('2.5.4.8'),
      locality: field('2.5.4.7'),
      streetAddress: field('2.5.4.9'),
      postalCode: field('2.5.4.17'),
      organization: field('2.5.4.10'),
      organizationalUnit: field('2.5.4.11'),
      commonName: field('CN')[0],
    },
    dnsNames: names('dns'),
    emailAddresses: names('email'),
    ipAddresses: names('ip'),
    uris: names('url'),
  };
}
