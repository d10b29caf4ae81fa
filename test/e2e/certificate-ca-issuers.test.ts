import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { after, before, test } from 'node:test';
import { certificatePath } from '../../actors/certificate/certificate-kube.js';
import { issuerPath } from '../../actors/issuer/issuer-types.js';
import type { KubeObject } from '../../actors/kube/kube-object.js';
import { generatePrivateKey, splitPemCertificates } from '../../actors/x509/certificate-info.js';
import { signCertificate } from '../../actors/x509/sign-certificate.js';
import { x509 } from '../../actors/x509/x509.js';
import { TestDeployment } from '../support/deployment.js';
import { loadExample } from '../support/kube.js';
import { eventually, sharedStack } from '../support/test-env.js';
import { keytoolList, opensslPkcs12, scratchDirectory } from '../unit/fixtures/keystore-tools.js';

// CA and self-signed issuers as gardener v0.27.0 has them, on the real stack: the classic bootstrap (a self-signed
// CA Certificate, then a CA Issuer on its Secret), leaves with IP, email and URI SANs that verify up to the CA,
// keystores read back by openssl and keytool with the given password, and every broken CA Secret named.
const d = new TestDeployment({ pods: 1 });
const scratch = scratchDirectory('ca-e2e-');
const DAY = 86_400_000;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const text = (b: string | undefined) => Buffer.from(b ?? '', 'base64').toString('utf8');

interface IssuerView {
  status?: {
    state?: string;
    message?: string;
    type?: string;
    requestsPerDayQuota?: number;
    ca?: { NotAfter?: string; Subject?: { CommonName?: string; Country?: string[] | null } };
  };
}

async function createIssuer(name: string, spec: Record<string, unknown>): Promise<void> {
  await d.kube.default.create(issuerPath(d.ns), {
    apiVersion: 'cert.gardener.cloud/v1alpha1',
    kind: 'Issuer',
    metadata: { name, namespace: d.ns, annotations: d.classAnnotations() },
    spec,
  });
}

async function waitIssuerStatus(name: string, check: (s: NonNullable<IssuerView['status']>) => boolean) {
  let last: unknown;
  try {
    return await eventually(
      async () => {
        const i = await d.kube.default.get<IssuerView>(issuerPath(d.ns, name));
        last = i.status;
        return i.status && check(i.status) ? i.status : false;
      },
      `issuer ${name}`,
      60_000,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last)}`);
  }
}

async function tlsSecret(
  name: string,
  data: Record<string, string>,
  type = 'kubernetes.io/tls',
  kube = d.kube.default,
) {
  await kube.create(`/api/v1/namespaces/${d.ns}/secrets`, { metadata: { name }, type, data });
}

/** A CA certificate made outside the controller (as an operator brings one). */
async function externalCa(options: { isCA?: boolean; notAfterMs?: number } = {}) {
  const keyPem = await generatePrivateKey({ algorithm: 'ECDSA', size: 256, encoding: 'PKCS1' });
  const now = Date.now();
  const certPem = await signCertificate(
    {
      subject: { organization: ['Example Ops'], commonName: 'External CA' },
      dnsNames: [],
      emailAddresses: [],
      ipAddresses: [],
      uris: [],
      isCA: options.isCA ?? true,
      notBeforeMs: now - 2 * DAY,
      notAfterMs: options.notAfterMs ?? now + 365 * DAY,
      extKeyUsages: ['serverAuth'],
    },
    createPublicKey(keyPem).export({ format: 'pem', type: 'spki' }) as string,
    { keyPem },
  );
  return { keyPem, certPem };
}

before(async () => {
  await d.start();
  await createIssuer('selfsigned', { selfSigned: {} });
});
after(async () => {
  await d.stop();
  scratch.remove();
});

test('bootstrap: a self-signed CA Certificate, a CA Issuer on its Secret, a leaf with every SAN verifying up to it', async () => {
  const ss = await waitIssuerStatus('selfsigned', (s) => s.state === 'Ready');
  assert.equal(ss.type, 'selfSigned');
  assert.equal(ss.requestsPerDayQuota, 2147483647);

  await d.certificate('root-ca', {
    commonName: 'Example Root CA',
    isCA: true,
    issuerRef: { name: 'selfsigned', namespace: d.ns },
    secretRef: { name: 'root-ca' },
    privateKey: { algorithm: 'ECDSA', size: 384 },
  });
  await d.waitCertificate('root-ca', 'Ready', 60_000);
  const root = (await d.secret('root-ca'))!;
  const rootPem = text(root.data?.['tls.crt']);
  assert.equal(text(root.data?.['ca.crt']), rootPem, 'a self-signed certificate is its own ca.crt');
  const rootCert = new x509.X509Certificate(rootPem);
  assert.equal(rootCert.subject, 'CN=Example Root CA');
  assert.equal(rootCert.getExtension(x509.BasicConstraintsExtension)?.ca, true);
  assert.ok(await rootCert.verify({ publicKey: rootCert.publicKey, signatureOnly: true }));
  // 90 days by default
  assert.equal(Math.round((rootCert.notAfter.getTime() - rootCert.notBefore.getTime()) / DAY), 90);
  assert.equal(d.ordersOf('root-ca'), 0, 'no ACME order');

  // The CA Issuer reads the CA from the default cluster (the Secret copied there, as an operator would).
  await tlsSecret('issuer-ca-secret', { 'tls.crt': root.data!['tls.crt']!, 'tls.key': root.data!['tls.key']! });
  await createIssuer('issuer-ca', { ca: { privateKeySecretRef: { name: 'issuer-ca-secret', namespace: d.ns } } });
  const ca = await waitIssuerStatus('issuer-ca', (s) => s.state === 'Ready');
  assert.equal(ca.type, 'ca');
  assert.equal(ca.requestsPerDayQuota, 2147483647);
  assert.equal(ca.ca?.Subject?.CommonName, 'Example Root CA');
  assert.equal(ca.ca?.NotAfter, rootCert.notAfter.toISOString().replace('.000Z', 'Z'));
  // Go's null for an empty list is a removed key after a merge patch: absent either way.
  assert.equal(ca.ca?.Subject?.Country ?? null, null);

  await d.certificate('leaf', {
    commonName: 'leaf.example.com',
    dnsNames: ['alt.example.com'],
    ipAddresses: ['10.1.2.3', '2001:db8::7'],
    emailAddresses: ['ops@example.com'],
    uris: ['spiffe://example.com/ns/leaf'],
    duration: '1440h',
    issuerRef: { name: 'issuer-ca' },
  });
  const leafCert = await d.waitCertificate('leaf', 'Ready', 60_000);
  const secret = (await d.secret(leafCert.spec.secretRef!.name!))!;
  const chain = splitPemCertificates(text(secret.data?.['tls.crt']));
  assert.equal(chain.length, 2, 'tls.crt: the leaf, then ca.crt');
  assert.equal(text(secret.data?.['ca.crt']).trim(), chain[1]!.trim());
  const leaf = new x509.X509Certificate(chain[0]!);
  const built = await new x509.X509ChainBuilder({ certificates: [rootCert] }).build(leaf);
  assert.deepEqual(
    [...built].map((c) => c.subject),
    ['CN=leaf.example.com', 'CN=Example Root CA'],
  );
  assert.ok(await leaf.verify({ publicKey: rootCert.publicKey }));
  const san = leaf.getExtension(x509.SubjectAlternativeNameExtension)!;
  assert.deepEqual(
    san.names.items.map((n) => `${n.type}:${n.value}`),
    [
      'dns:leaf.example.com',
      'dns:alt.example.com',
      'email:ops@example.com',
      'ip:10.1.2.3',
      'ip:2001:db8::7',
      'url:spiffe://example.com/ns/leaf',
    ],
  );
  assert.equal(Math.round((leaf.notAfter.getTime() - leaf.notBefore.getTime()) / DAY), 60);
  // RSA 2048 (the default key) gets keyEncipherment; a leaf is no CA.
  assert.equal(
    leaf.getExtension(x509.KeyUsagesExtension)?.usages,
    x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
  );
  assert.equal(leaf.getExtension(x509.BasicConstraintsExtension)?.ca, false);
  assert.ok(new X509Certificate(chain[0]!).checkPrivateKey(createPrivateKey(text(secret.data?.['tls.key']))));
  assert.equal(d.ordersOf('leaf'), 0, 'no ACME order');
});

test('keystores: JKS and PKCS#12 read back with the password, added and removed without a new certificate', async () => {
  await tlsSecret('keystore-secret', { password: b64('pass') }, 'Opaque', d.kube.target);
  const ext = await externalCa();
  await tlsSecret('ks-ca-secret', { 'tls.crt': b64(ext.certPem), 'tls.key': b64(ext.keyPem) });
  await createIssuer('ks-ca', { ca: { privateKeySecretRef: { name: 'ks-ca-secret', namespace: d.ns } } });
  await waitIssuerStatus('ks-ca', (s) => s.state === 'Ready');
  const passwordSecretRef = { secretName: 'keystore-secret', key: 'password' };
  for (const [name, issuerRef] of [
    ['ks-ca-cert', { name: 'ks-ca' }],
    ['ks-acme-cert', undefined],
  ] as const) {
    if (!issuerRef) {
      await d.issuer('ks-acme');
      await d.waitIssuer('ks-acme');
    }
    await d.certificate(name, {
      commonName: `${name}.example.com`,
      issuerRef: issuerRef ?? { name: 'ks-acme' },
      secretRef: { name: `${name}-secret` },
      keystores: { jks: { create: true, passwordSecretRef }, pkcs12: { create: true, passwordSecretRef } },
    });
    await d.waitCertificate(name, 'Ready', 90_000);
    const secret = (await d.secret(`${name}-secret`))!;
    const data = secret.data!;
    assert.deepEqual(Object.keys(data).sort(), [
      'ca.crt',
      'keystore.jks',
      'keystore.p12',
      'tls.crt',
      'tls.key',
      'truststore.jks',
      'truststore.p12',
    ]);
    const file = (key: string) => scratch.file(Buffer.from(data[key]!, 'base64'));
    const p12 = opensslPkcs12(file('keystore.p12'), 'pass');
    assert.equal(p12.keys.length, 1);
    assert.ok(p12.certificates[0]!.equals(Buffer.from(new X509Certificate(text(data['tls.crt'])).raw)));
    assert.equal(opensslPkcs12(file('truststore.p12'), 'pass').certificates.length, 1);
    const jks = keytoolList(file('keystore.jks'), 'pass');
    assert.deepEqual(jks.map((e) => `${e.alias}:${e.type}`).sort(), [
      'ca:trustedCertEntry',
      'certificate:PrivateKeyEntry',
    ]);
    assert.deepEqual(
      keytoolList(file('truststore.jks'), 'pass').map((e) => e.alias),
      ['ca'],
    );
  }

  // Dropping the JKS store from the spec removes its entries; the certificate stays the same.
  const before = (await d.secret('ks-ca-cert-secret'))!.data!;
  const cert = await d.getCertificate('ks-ca-cert');
  await d.kube.source.mergePatch(`/apis/cert.gardener.cloud/v1alpha1/namespaces/${d.ns}/certificates/ks-ca-cert`, {
    spec: { keystores: { jks: null, pkcs12: { create: true, passwordSecretRef } } },
  });
  await d.waitCertificate(
    'ks-ca-cert',
    'Ready',
    60_000,
    (_s, c) => (c.metadata.generation ?? 0) > (cert.metadata.generation ?? 0),
  );
  const afterData = await eventually(
    async () => {
      const data = (await d.secret('ks-ca-cert-secret'))!.data!;
      return data['keystore.jks'] === undefined ? data : false;
    },
    'keystore.jks removed',
    30_000,
  );
  assert.equal(afterData['truststore.jks'], undefined);
  assert.equal(afterData['tls.crt'], before['tls.crt'], 'no new certificate');
  assert.equal(afterData['keystore.p12'], before['keystore.p12'], 'a store still asked for is kept as it is');
});

test('every broken CA Secret puts the Issuer into Error, naming what is wrong', async () => {
  const good = await externalCa();
  const notCa = await externalCa({ isCA: false });
  const expired = await externalCa({ notAfterMs: Date.now() - DAY });
  const other = await externalCa();
  const cases: Array<[string, Record<string, string> | undefined, string, RegExp]> = [
    ['missing', undefined, 'kubernetes.io/tls', /^loading issuer secret failed: secrets "ca-missing" not found/],
    [
      'opaque',
      { 'tls.crt': b64(good.certPem), 'tls.key': b64(good.keyPem) },
      'Opaque',
      /^secret is not of type kubernetes\.io\/tls/,
    ],
    // The API server insists on both keys of a kubernetes.io/tls Secret, but not that they hold anything.
    [
      'nocrt',
      { 'tls.crt': '', 'tls.key': b64(good.keyPem) },
      'kubernetes.io/tls',
      /`tls\.crt` data not found in secret/,
    ],
    [
      'mismatch',
      { 'tls.crt': b64(good.certPem), 'tls.key': b64(other.keyPem) },
      'kubernetes.io/tls',
      /^private key does not match certificate/,
    ],
    [
      'notca',
      { 'tls.crt': b64(notCa.certPem), 'tls.key': b64(notCa.keyPem) },
      'kubernetes.io/tls',
      /^certificate is not a CA/,
    ],
    [
      'expired',
      { 'tls.crt': b64(expired.certPem), 'tls.key': b64(expired.keyPem) },
      'kubernetes.io/tls',
      /^certificate is expired/,
    ],
    [
      'badkey',
      { 'tls.crt': b64(good.certPem), 'tls.key': b64('garbage') },
      'kubernetes.io/tls',
      /decoding pem block for private key failed/,
    ],
  ];
  for (const [name, data, type] of cases) {
    if (data) await tlsSecret(`ca-${name}`, data, type);
    await createIssuer(`bad-${name}`, { ca: { privateKeySecretRef: { name: `ca-${name}`, namespace: d.ns } } });
  }
  await createIssuer('bad-noref', { ca: {} });
  for (const [name, , , pattern] of cases) {
    const s = await waitIssuerStatus(`bad-${name}`, (st) => st.state === 'Error' && pattern.test(st.message ?? ''));
    assert.equal(s.type, 'ca');
  }
  await waitIssuerStatus('bad-noref', (s) => s.state === 'Error' && /`SecretRef` not provided/.test(s.message ?? ''));

  // A certificate of a broken issuer waits, saying why; fixing the Secret makes both Ready.
  await d.certificate('waits-for-ca', { commonName: 'waits.example.com', issuerRef: { name: 'bad-missing' } });
  await d.waitCertificate('waits-for-ca', 'Pending', 60_000, (s) => /ca-missing" not found/.test(s.message ?? ''));
  await tlsSecret('ca-missing', { 'tls.crt': b64(good.certPem), 'tls.key': b64(good.keyPem) });
  await waitIssuerStatus('bad-missing', (s) => s.state === 'Ready');
  await d.waitCertificate('waits-for-ca', 'Ready', 60_000);
});

test('CA-type rules: no self-signed certificate without isCA; a CA certificate may not outlive its CA', async () => {
  await d.certificate('ss-no-ca', { commonName: 'no-ca', issuerRef: { name: 'selfsigned', namespace: d.ns } });
  await d.waitCertificate('ss-no-ca', 'Error', 60_000, (s) =>
    (s.message ?? '').includes("self signed certificates must set 'spec.isCA: true'"),
  );
  const short = await externalCa({ notAfterMs: Date.now() + 100 * DAY });
  await tlsSecret('short-ca-secret', { 'tls.crt': b64(short.certPem), 'tls.key': b64(short.keyPem) });
  await createIssuer('short-ca', { ca: { privateKeySecretRef: { name: 'short-ca-secret', namespace: d.ns } } });
  await waitIssuerStatus('short-ca', (s) => s.state === 'Ready');
  // The default duration (180 days) is longer than the CA lives: refused, with both dates.
  await d.certificate('too-long', { commonName: 'too-long.example.com', issuerRef: { name: 'short-ca' } });
  await d.waitCertificate('too-long', 'Error', 60_000, (s) =>
    /certificate lifetime \(.*\) is longer than the lifetime of the CA certificate/.test(s.message ?? ''),
  );
  await d.certificate('fits', { commonName: 'fits.example.com', duration: '1440h', issuerRef: { name: 'short-ca' } });
  await d.waitCertificate('fits', 'Ready', 60_000);
});

test("this project's examples/: the private CA bootstrap in one cluster, as a user applies it", async () => {
  // One cluster for issuers, certificates and secrets (the common deployment): the root CA's Secret is the CA
  // issuer's Secret, nothing copied.
  const shared = sharedStack();
  const one = shared.clusters.default;
  const single = new TestDeployment({ pods: 1, clusters: { source: one, dns: one, target: one } });
  await single.start();
  try {
    const move = <T extends KubeObject>(file: string): T => {
      const o = loadExample<T>(file) as T & {
        spec: {
          issuerRef?: { namespace?: string };
          secretRef?: { namespace?: string };
          ca?: { privateKeySecretRef?: { namespace?: string } };
        };
      };
      o.metadata.namespace = single.ns;
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), ...single.classAnnotations() };
      if (o.spec.issuerRef?.namespace) o.spec.issuerRef.namespace = single.ns;
      if (o.spec.secretRef) o.spec.secretRef.namespace = single.ns;
      if (o.spec.ca?.privateKeySecretRef) o.spec.ca.privateKeySecretRef.namespace = single.ns;
      return o;
    };
    await single.kube.default.create(issuerPath(single.ns), move('20-issuer-selfsigned.yaml'));
    await single.kube.source.create(certificatePath(single.ns), move('30-cert-selfsigned-ca.yaml'));
    await single.waitCertificate('root-ca', 'Ready', 60_000);
    await single.kube.default.create(issuerPath(single.ns), move('20-issuer-ca.yaml'));
    await single.waitIssuer('issuer-ca');
    await single.kube.source.create(certificatePath(single.ns), move('30-cert-ca.yaml'));
    await single.waitCertificate('cert-ca', 'Ready', 60_000);
    const secret = (await single.secret('cert-ca-secret'))!;
    const leaf = new x509.X509Certificate(splitPemCertificates(text(secret.data?.['tls.crt']))[0]!);
    const rootPem = text((await single.secret('root-ca-secret'))!.data?.['tls.crt']);
    assert.ok(await leaf.verify({ publicKey: new x509.X509Certificate(rootPem).publicKey }));
    const sans = leaf.getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((n) => n.type);
    assert.deepEqual([...new Set(sans)], ['dns', 'email', 'ip', 'url']);
  } finally {
    await single.stop();
  }
});
