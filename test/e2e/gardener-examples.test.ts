import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { load, loadAll } from 'js-yaml';
import { certificatePath } from '../../actors/certificate/certificate-kube.js';
import type { TlsSecret } from '../../actors/certificate/certificate-secret.js';
import type { Certificate } from '../../actors/certificate/certificate-spec.js';
import { GARDENER_PRIVATE_KEY_DEFAULTS } from '../../actors/certificate/private-key-settings.js';
import { requestHash } from '../../actors/certificate/request-hash.js';
import { type Issuer, issuerPath } from '../../actors/issuer/issuer-types.js';
import type { KubeObject } from '../../actors/kube/kube-object.js';
import { readCertificateChain } from '../../actors/x509/certificate-info.js';
import { gardenerModuleDir } from '../env/gardener-controller.js';
import { TestDeployment } from '../support/deployment.js';
import { keyPem, makeSelfSignedPem } from '../unit/fixtures/x509-fixtures.js';

// gardener cert-management v0.27.0's own examples/ (from its module, as users apply them), pointed at pebble and
// moved into this deployment's namespace and class; then every field a user or a script reads on the objects.
// The example Ingress and Service name no issuer: the example issuer is the default issuer here.
const d = new TestDeployment({ pods: 2, args: ['--default-issuer', 'issuer-staging'] });
let examples: string;

before(async () => {
  examples = join(await gardenerModuleDir(), 'examples');
  await d.start();
});
after(async () => {
  await d.stop();
});

function example<T extends KubeObject>(file: string): T {
  const o = load(readFileSync(join(examples, file), 'utf8')) as T & { spec?: { secretRef?: { namespace?: string } } };
  o.metadata.namespace = d.ns;
  o.metadata.annotations = { ...(o.metadata.annotations ?? {}), ...d.classAnnotations() };
  if (o.spec?.secretRef) o.spec.secretRef.namespace = d.ns;
  return o;
}
const b64 = (s?: string) => Buffer.from(s ?? '', 'base64').toString('utf8');
const issuerKey = { cluster: 'default', namespace: '', name: 'issuer-staging' } as const;

test("gardener's example issuer and certificates: objects, status and Secrets as gardener writes them", async () => {
  const issuer = example<Issuer>('20-issuer-staging.yaml');
  issuer.spec.acme!.server = d.stack.acme.directoryUrl;
  issuer.spec.acme!.privateKeySecretRef!.namespace = d.ns;
  await d.kube.default.create(issuerPath(d.ns), issuer);
  const ready = await d.waitIssuer('issuer-staging');
  assert.equal(ready.status?.type, 'acme');
  assert.equal(ready.status?.message, undefined);
  assert.equal(ready.status?.requestsPerDayQuota, 10000);
  assert.match(ready.status?.acme?.accountURL ?? '', /^https:\/\//);

  // 30-cert-csr.yaml is left out: its spec.csr is a placeholder ("...") that the API server refuses.
  const files = ['30-cert-simple.yaml', '30-cert-wildcard.yaml'];
  const specs = new Map<string, Certificate>();
  for (const f of files) {
    const c = example<Certificate>(f);
    specs.set(c.metadata.name, c);
    await d.kube.source.create(certificatePath(d.ns), c);
  }
  for (const [name, sent] of specs) {
    const c = await d.waitCertificate(name, 'Ready', 120_000);
    const st = c.status!;
    // Status: the spec's names as written (the common name is not repeated), the issuer, gardener's message.
    assert.equal(st.commonName, sent.spec.commonName, name);
    assert.deepEqual(st.dnsNames, sent.spec.dnsNames, name);
    assert.deepEqual(st.issuerRef, { cluster: 'default', name: 'issuer-staging', namespace: d.ns }, name);
    assert.match(st.message ?? '', /^certificate \(SN [0-9a-f:]+\) valid from .+ \+0000 UTC to .+ \+0000 UTC$/, name);
    assert.deepEqual(
      st.conditions?.map((x) => [x.type, x.status, x.reason, x.message]),
      [['Ready', 'True', 'Ready', '']],
      name,
    );
    assert.equal(st.observedGeneration, c.metadata.generation, name);
    // The Certificate: gardener's hash label and validity annotations, spec.secretRef as given, no finalizer.
    assert.equal(
      c.metadata.labels?.['cert.gardener.cloud/hash'],
      requestHash(sent.spec, issuerKey, GARDENER_PRIVATE_KEY_DEFAULTS),
      name,
    );
    assert.equal(c.metadata.annotations?.['cert.gardener.cloud/not-before'], st.issuanceDate, name);
    assert.equal(c.metadata.annotations?.['cert.gardener.cloud/not-after'], st.expirationDate, name);
    assert.deepEqual(c.spec.secretRef, sent.spec.secretRef, name);
    assert.deepEqual(c.metadata.finalizers ?? [], [], name);
    // The Secret.
    const secret = (await d.kube.target.get<TlsSecret>(
      `/api/v1/namespaces/${d.ns}/secrets/${sent.spec.secretRef!.name}`,
    ))!;
    assert.equal(secret.type, 'kubernetes.io/tls', name);
    assert.deepEqual(Object.keys(secret.data ?? {}).sort(), ['ca.crt', 'tls.crt', 'tls.key'], name);
    assert.deepEqual(secret.metadata.labels, {
      'cert.gardener.cloud/hash': c.metadata.labels?.['cert.gardener.cloud/hash'],
      'cert.gardener.cloud/certificate': 'true',
    });
    assert.deepEqual(Object.keys(secret.metadata.annotations ?? {}), ['cert.gardener.cloud/requestedAt'], name);
    // RFC 3339 with milliseconds (gardener writes whole seconds; both parse the other's).
    assert.match(
      secret.metadata.annotations!['cert.gardener.cloud/requestedAt']!,
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
    );
    assert.equal(secret.metadata.ownerReferences, undefined, 'no owner without --cascade-delete');
    const leaf = readCertificateChain(b64(secret.data!['tls.crt']));
    assert.equal(Date.parse(st.expirationDate!), Math.floor(leaf.notAfterMs / 1000) * 1000, name);
  }
  const wildcard = await d.getCertificate('cert-wildcard');
  assert.equal(wildcard.status?.dnsNames, undefined, 'a commonName alone: no dnsNames in status');
});

test("gardener's example Ingress and Service get their Certificates, with spec.secretRef as gardener generates it", async () => {
  const ingress = example<KubeObject & { spec: Record<string, unknown> }>('40-ingress-echoheaders.yaml');
  const service = example<KubeObject & { spec: Record<string, unknown> }>('40-service-loadbalancer.yaml');
  await d.kube.source.create(`/apis/networking.k8s.io/v1/namespaces/${d.ns}/ingresses`, ingress);
  await d.kube.source.create(`/api/v1/namespaces/${d.ns}/services`, service);
  for (const [kind, secret] of [
    ['ingress', 'cert-echoheaders'],
    ['service', 'test-service-secret'],
  ] as const) {
    const generated = await d.eventuallyGenerated(kind, secret);
    assert.deepEqual(generated.spec.secretRef, { name: secret, namespace: d.ns });
    assert.equal(generated.metadata.annotations?.['cert.gardener.cloud/forward-owner-refs'], 'true');
    await d.waitCertificate(generated.metadata.name, 'Ready', 120_000);
    assert.ok(await d.secret(secret), `secret ${secret}`);
  }
});

test('a Secret gardener issued is reused after the switch: no ACME order, the same certificate', async () => {
  // Made the way gardener makes it: its hash label from gardener's algorithm (inputs: commonName
  // gardener-made.example.com, dnsNames [www.gardener-made.example.com], issuer key "issuer-staging", default key
  // type: sha224 of "gardener-made.example.com\0www.gardener-made.example.com\0issuer-staging\0"), certificate=true,
  // requestedAt, type kubernetes.io/tls.
  const hash = 'cd419c87e9f64186c1fdc8a00ac580b68c89e95c4ceaf800041095f5';
  const spec = {
    commonName: 'gardener-made.example.com',
    dnsNames: ['www.gardener-made.example.com'],
    issuerRef: { name: 'issuer-staging' },
    secretRef: { name: 'gardener-made-secret', namespace: d.ns },
  };
  assert.equal(requestHash(spec, issuerKey, GARDENER_PRIVATE_KEY_DEFAULTS), hash);
  const now = Date.now();
  const certPem = await makeSelfSignedPem({
    cn: spec.commonName,
    dnsNames: [spec.commonName, ...spec.dnsNames],
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + 89 * 86_400_000),
    serialNumber: '0bad5eed',
  });
  const requestedAt = new Date(now - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await d.kube.target.create(`/api/v1/namespaces/${d.ns}/secrets`, {
    metadata: {
      name: 'gardener-made-secret',
      namespace: d.ns,
      labels: { 'cert.gardener.cloud/hash': hash, 'cert.gardener.cloud/certificate': 'true' },
      annotations: { 'cert.gardener.cloud/requestedAt': requestedAt },
    },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': Buffer.from(certPem).toString('base64'),
      'tls.key': Buffer.from(await keyPem('p256')).toString('base64'),
      'ca.crt': '',
    },
  });
  await d.kube.source.create(certificatePath(d.ns), {
    apiVersion: 'cert.gardener.cloud/v1alpha1',
    kind: 'Certificate',
    metadata: {
      name: 'gardener-made',
      namespace: d.ns,
      annotations: d.classAnnotations(),
      labels: { 'cert.gardener.cloud/hash': hash },
    },
    spec,
  });
  const c = await d.waitCertificate('gardener-made', 'Ready');
  assert.equal(d.ordersOf('gardener-made'), 0, 'reused, not ordered again');
  assert.match(c.status?.message ?? '', /^certificate \(SN ba:d5:ee:d\) valid from /);
  const secret = await d.secret('gardener-made-secret');
  assert.equal(b64(secret!.data!['tls.crt']).trim(), certPem.trim());
});

/** Every object of a multi-document example, moved like `example` does. */
function examples_<T extends KubeObject>(file: string): T[] {
  return (loadAll(readFileSync(join(examples, file), 'utf8')) as T[])
    .filter((o) => o)
    .map((o) => {
      const moved = o as T & { spec?: { secretRef?: { namespace?: string }; issuerRef?: { namespace?: string } } };
      moved.metadata.namespace = d.ns;
      moved.metadata.annotations = { ...(moved.metadata.annotations ?? {}), ...d.classAnnotations() };
      if (moved.spec?.secretRef) moved.spec.secretRef.namespace = d.ns;
      if (moved.spec?.issuerRef?.namespace) moved.spec.issuerRef.namespace = d.ns;
      return moved;
    });
}

test("gardener's CA, self-signed and keystore examples: the self-signed CA signs through the CA issuer", async () => {
  const [selfSigned] = examples_<Issuer>('20-issuer-selfsigned.yaml');
  await d.kube.default.create(issuerPath(d.ns), selfSigned);
  const [caCert] = examples_<Certificate>('30-cert-selfsigned.yaml');
  // As in gardener, the CA issuer's certificates default to 180 days and may not outlive the CA, while a self-signed
  // CA defaults to 90 days: the examples work together once the CA lives longer (here one year).
  caCert.spec.duration = '8760h';
  await d.kube.source.create(certificatePath(d.ns), caCert);
  const root = await d.waitCertificate('cert-selfsigned', 'Ready', 60_000);
  const rootSecret = (await d.secret(root.spec.secretRef!.name!))!;

  // 20-issuer-ca.yaml with its placeholders filled from the self-signed CA.
  const [caSecret, caIssuer] = examples_<KubeObject & { data?: Record<string, string> }>('20-issuer-ca.yaml') as [
    KubeObject & { data: Record<string, string> },
    Issuer,
  ];
  caSecret.data = { 'tls.crt': rootSecret.data!['tls.crt']!, 'tls.key': rootSecret.data!['tls.key']! };
  caIssuer.spec.ca!.privateKeySecretRef!.namespace = d.ns;
  await d.kube.default.create(`/api/v1/namespaces/${d.ns}/secrets`, caSecret);
  await d.kube.default.create(issuerPath(d.ns), caIssuer);
  const ready = await d.waitIssuer('issuer-ca');
  assert.equal(ready.status?.type, 'ca');
  assert.equal(ready.status?.requestsPerDayQuota, 2147483647);

  const [leafCert] = examples_<Certificate>('30-cert-ca.yaml');
  await d.kube.source.create(certificatePath(d.ns), leafCert);
  await d.waitCertificate('cert-ca', 'Ready', 60_000);
  const leafSecret = (await d.secret('cert-ca-secret'))!;
  const leaf = readCertificateChain(b64(leafSecret.data!['tls.crt']));
  assert.deepEqual(leaf.dnsNames, ['cert1.mydomain.com', 'cert1.my-other-domain.com']);
  assert.equal(leaf.chainLength, 2);
  assert.equal(b64(leafSecret.data!['ca.crt']).trim(), b64(rootSecret.data!['tls.crt']).trim());

  // The keystore example names no issuer: the default issuer (ACME) serves it.
  const [ksCert, ksSecret] = examples_<KubeObject>('30-cert-simple-with-keystores.yaml');
  await d.kube.target.create(`/api/v1/namespaces/${d.ns}/secrets`, ksSecret);
  await d.kube.source.create(certificatePath(d.ns), ksCert);
  // It names the Secret of 30-cert-simple.yaml, applied above: two Certificates would rewrite it in turn forever, so
  // the younger one is refused until it gets its own.
  await d.waitCertificate('cert-simple-with-keystores', 'Error', 60_000, (st) =>
    /secret .*\/cert-simple-secret is the secret of certificate .*cert-simple already/.test(st.message ?? ''),
  );
  await d.kube.source.mergePatch(certificatePath(d.ns, 'cert-simple-with-keystores'), {
    spec: { secretRef: { name: 'cert-keystores-secret', namespace: d.ns } },
  });
  await d.waitCertificate('cert-simple-with-keystores', 'Ready', 120_000);
  const stored = (await d.secret('cert-keystores-secret'))!;
  assert.deepEqual(Object.keys(stored.data ?? {}).sort(), [
    'ca.crt',
    'keystore.jks',
    'keystore.p12',
    'tls.crt',
    'tls.key',
    'truststore.jks',
    'truststore.p12',
  ]);
  assert.equal(d.ordersOf('cert-ca') + d.ordersOf('cert-selfsigned'), 0, 'no ACME order for CA and self-signed');
});
