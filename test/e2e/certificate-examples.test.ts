import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { certificatePath } from '../../actors/certificate/certificate-kube.js';
import type { Certificate } from '../../actors/certificate/certificate-spec.js';
import { type Issuer, issuerPath } from '../../actors/issuer/issuer-types.js';
import { revocationPath } from '../../actors/revocation/revocation-kube.js';
import type { CertificateRevocation } from '../../actors/revocation/revocation-types.js';
import { splitPemCertificates } from '../../actors/x509/certificate-info.js';
import { x509 } from '../../actors/x509/x509.js';
import { TestDeployment } from '../support/deployment.js';
import { loadExample } from '../support/kube.js';
import { eventually } from '../support/test-env.js';

// The seed's examples (issuer, simple certificate, CSR certificate) pointed at pebble, handled by three pods; the
// certificates become Ready through real DNS-01 validation of DNSEntries published by the dns stand-in.
const d = new TestDeployment({ pods: 3 });

before(async () => {
  await d.start();
});
after(async () => {
  await d.stop();
});

/** An example object moved into this deployment's namespace and class, the issuer pointed at pebble. */
function example<T extends Issuer | Certificate>(path: string): T {
  const o = loadExample<T>(path);
  o.metadata.namespace = d.ns;
  o.metadata.annotations = { ...o.metadata.annotations, 'cert.gardener.cloud/class': d.certClass };
  return o;
}

const b64 = (s?: string) => Buffer.from(s ?? '', 'base64').toString('utf8');

test('the seed examples: issuer Ready, simple and CSR certificates Ready with verified secrets', async () => {
  const issuer = example<Issuer>('20-issuer-staging.yaml');
  issuer.spec.acme!.server = d.stack.acme.directoryUrl;
  issuer.spec.acme!.privateKeySecretRef = { name: 'issuer-staging-secret', namespace: d.ns };
  await d.kube.default.create(issuerPath(d.ns), issuer);

  const simple = example<Certificate>('30-cert-simple.yaml');
  const csr = example<Certificate>('30-cert-csr.yaml');
  await d.kube.source.create(certificatePath(d.ns), simple);
  await d.kube.source.create(certificatePath(d.ns), csr);

  await d.waitIssuer('issuer-staging');
  const ready = await d.waitCertificate('cert-simple', 'Ready', 90_000);
  const st = ready.status!;
  assert.equal(st.commonName, 'cert1.mydomain.com');
  // As gardener: status.dnsNames are spec.dnsNames (the commonName is not repeated).
  assert.deepEqual(st.dnsNames, simple.spec.dnsNames);
  assert.equal(st.issuerRef?.name, 'issuer-staging');
  assert.ok(st.expirationDate && st.issuanceDate && st.renewalDate, JSON.stringify(st));
  assert.equal(st.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  assert.deepEqual(ready.metadata.finalizers ?? [], [], 'no finalizer, as gardener');
  assert.match(
    st.message ?? '',
    /^certificate \(SN [0-9a-f:]+\) valid from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC to /,
  );
  // gardener's marks on the Certificate: the hash label, the validity annotations, spec.secretRef written back.
  const hash = ready.metadata.labels?.['cert.gardener.cloud/hash'] ?? '';
  assert.match(hash, /^[0-9a-f]{56}$/);
  assert.equal(ready.metadata.annotations?.['cert.gardener.cloud/not-after'], st.expirationDate);
  assert.equal(ready.metadata.annotations?.['cert.gardener.cloud/not-before'], st.issuanceDate);
  assert.equal(ready.spec.secretRef?.namespace, d.ns);

  // The Secret: a kubernetes.io/tls with the full chain up to pebble's root, and the key of the leaf.
  const secretName = ready.spec.secretRef?.name;
  assert.ok(secretName, JSON.stringify(ready.spec));
  const secret = (await d.secret(secretName!))!;
  assert.equal(secret.type, 'kubernetes.io/tls');
  assert.equal(secret.metadata.labels?.['cert.gardener.cloud/hash'], hash);
  assert.equal(secret.metadata.labels?.['cert.gardener.cloud/certificate'], 'true');
  const chain = splitPemCertificates(b64(secret.data?.['tls.crt'])).map((p) => new X509Certificate(p));
  assert.ok(chain.length >= 2, 'leaf and intermediate');
  const leaf = chain[0]!;
  assert.ok(
    leaf.checkPrivateKey(await import('node:crypto').then((c) => c.createPrivateKey(b64(secret.data?.['tls.key'])))),
  );
  const root = new X509Certificate(readFileSync(d.stack.acme.rootCaPath));
  for (let i = 0; i < chain.length - 1; i++) assert.ok(chain[i]!.verify(chain[i + 1]!.publicKey), `chain link ${i}`);
  assert.ok(chain[chain.length - 1]!.verify(root.publicKey), 'top of the chain is signed by pebble root');
  assert.equal(
    b64(secret.data?.['ca.crt']).trim(),
    chain
      .slice(1)
      .map((c) => c.toString().trim())
      .join('\n'),
  );
  const san = new x509.X509Certificate(leaf.raw).getExtension(x509.SubjectAlternativeNameExtension);
  assert.deepEqual(san?.names.items.map((n) => n.value).sort(), [
    'cert1-bar.mydomain.com',
    'cert1-foo.mydomain.com',
    'cert1.mydomain.com',
  ]);
  // An RSA 2048 key in PKCS1 form: the defaults.
  assert.match(b64(secret.data?.['tls.key']), /^-----BEGIN RSA PRIVATE KEY-----/);

  // The CSR certificate: names from the CSR, no private key (the user keeps it).
  const csrReady = await d.waitCertificate('cert-csr', 'Ready', 90_000);
  assert.deepEqual([...(csrReady.status!.dnsNames ?? [])].sort(), ['cert1-foo.mydomain.com', 'cert1.mydomain.com']);
  const csrSecretName = csrReady.spec.secretRef!.name!;
  const csrSecret = (await d.secret(csrSecretName))!;
  assert.equal(b64(csrSecret.data?.['tls.key']), '');
  assert.ok(splitPemCertificates(b64(csrSecret.data?.['tls.crt'])).length >= 2);

  // Challenge entries are removed after issuance.
  await eventually(
    async () => {
      const list = await d.kube.dns.get<{ items: unknown[] }>(
        `/apis/dns.gardener.cloud/v1alpha1/namespaces/${d.ns}/dnsentries`,
      );
      return list.items.length === 0;
    },
    'challenge entries to be deleted',
    30_000,
  );
  // gardener's reason for every certificate event; the message is the status message.
  await d.waitEvent('cert-simple', (e) => e.type === 'Normal' && e.reason === 'reconcile' && e.message === st.message);
});

test('the revocation example revokes cert-simple: Applied, the Certificate Revoked', async () => {
  await d.waitCertificate('cert-simple', 'Ready', 90_000);
  const revocation = loadExample<CertificateRevocation>('50-certificate-revocation.yaml');
  revocation.metadata.namespace = d.ns;
  revocation.metadata.annotations = { 'cert.gardener.cloud/class': d.certClass };
  revocation.spec.certificateRef = { name: 'cert-simple', namespace: d.ns };
  await d.kube.source.create(revocationPath(d.ns), revocation);
  const applied = await eventually(
    async () => {
      const r = await d.kube.source.get<CertificateRevocation>(revocationPath(d.ns, revocation.metadata.name));
      return r.status?.revocationApplied ? r : false;
    },
    'the revocation to be applied',
    90_000,
  );
  assert.equal(applied.status?.state, 'Applied', JSON.stringify(applied.status));
  assert.deepEqual(applied.status?.objects, { revoked: [{ name: 'cert-simple', namespace: d.ns }] });
  await d.waitCertificate('cert-simple', 'Revoked');
});
