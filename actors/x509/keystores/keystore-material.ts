// PEM in, DER out: what both keystore formats store. Keys come as the Secret holds them (PKCS#1 "RSA PRIVATE KEY",
// SEC1 "EC PRIVATE KEY" or PKCS#8 "PRIVATE KEY", as cert-manager's DecodePrivateKeyBytes accepts) and are stored
// as unencrypted PKCS#8 inside the store's own protection, like Go's x509.MarshalPKCS8PrivateKey.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { splitPemCertificates } from '../certificate-info.js';

export function privateKeyPkcs8Der(keyPem: string): Buffer {
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey({ key: keyPem, format: 'pem' });
  } catch (err) {
    throw new Error(`the private key (tls.key) is not a readable unencrypted PEM key: ${(err as Error).message}`);
  }
  return key.export({ format: 'der', type: 'pkcs8' });
}

/**
 * The certificates of the given PEM texts in order, each text holding one certificate or a bundle. `what` names
 * their origin for the message ("the certificate chain", "ca.crt").
 */
export function certificateDers(pems: readonly string[], what: string): Buffer[] {
  const blocks = pems.flatMap(splitPemCertificates);
  if (blocks.length === 0) throw new Error(`no "-----BEGIN CERTIFICATE-----" block found in ${what}`);
  return blocks.map((block, i) => {
    try {
      return Buffer.from(new X509Certificate(block).raw);
    } catch (err) {
      throw new Error(`certificate ${i + 1} of ${what} cannot be parsed: ${(err as Error).message}`);
    }
  });
}
