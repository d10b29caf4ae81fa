import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CERTIFICATES_API } from '../../actors/certificate/certificate-kube.js';
import type { Certificate } from '../../actors/certificate/certificate-spec.js';
import type { KubeList, KubeObject } from '../../actors/kube/kube-object.js';
import { TestDeployment } from '../support/deployment.js';
import { eventually } from '../support/test-env.js';

// Certificates from annotated Ingresses and LoadBalancer Services (the seed's ingress-cert and service-cert
// controllers): created, updated and deleted with their source object, Events on it, other classes left alone.
const d = new TestDeployment({ pods: 2 });
const ISSUER = 'sources';

before(async () => {
  await d.start();
  await d.issuer(ISSUER);
  await d.waitIssuer(ISSUER);
});
after(async () => {
  await d.stop();
});

const ingressPath = (name?: string) =>
  `/apis/networking.k8s.io/v1/namespaces/${d.ns}/ingresses${name ? `/${name}` : ''}`;
const servicePath = (name?: string) => `/api/v1/namespaces/${d.ns}/services${name ? `/${name}` : ''}`;
type Tls = Array<{ hosts: string[]; secretName: string }>;

function createIngress(name: string, annotations: Record<string, string>, tls: Tls): Promise<KubeObject> {
  return d.kube.source.create<KubeObject>(ingressPath(), {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: d.ns, annotations },
    spec: {
      tls,
      rules: [
        {
          host: tls[0]!.hosts[0],
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } }] },
        },
      ],
    },
  });
}

function createService(name: string, annotations: Record<string, string>): Promise<KubeObject> {
  return d.kube.source.create<KubeObject>(servicePath(), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: d.ns, annotations },
    spec: { type: 'LoadBalancer', ports: [{ port: 443, targetPort: 8443, protocol: 'TCP' }], selector: { app: name } },
  });
}

/** The Certificates generated for a source object, by the labels the controller puts on them. */
async function generated(kind: 'ingress' | 'service', name: string): Promise<Certificate[]> {
  const list = await d.kube.source.get<KubeList<Certificate>>(`${CERTIFICATES_API}/namespaces/${d.ns}/certificates`, {
    labelSelector: `cert.gardener.cloud/source-kind=${kind},cert.gardener.cloud/source-name=${name}`,
  });
  return list.items;
}

function waitGenerated(
  kind: 'ingress' | 'service',
  name: string,
  count: number,
  check: (certs: Certificate[]) => boolean = () => true,
): Promise<Certificate[]> {
  return eventually(
    async () => {
      const certs = await generated(kind, name);
      return certs.length === count && check(certs) ? certs : false;
    },
    `${count} certificate(s) for ${kind} ${name}`,
    60_000,
  );
}

async function sourceEvents(
  kind: string,
  name: string,
): Promise<Array<{ type: string; reason: string; message: string }>> {
  const list = await d.kube.source.get<{
    items: Array<{ type: string; reason: string; message: string; involvedObject: { name: string; kind: string } }>;
  }>(`/api/v1/namespaces/${d.ns}/events`);
  return list.items.filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === name);
}

function waitEvent(kind: string, name: string, type: string, pattern: RegExp) {
  return eventually(
    async () => (await sourceEvents(kind, name)).find((e) => e.type === type && pattern.test(e.message)),
    `a ${type} event on ${kind} ${name} matching ${pattern}`,
    60_000,
  );
}

const bySecret = (certs: Certificate[], secret: string) => certs.find((c) => c.spec.secretRef?.name === secret)!;

test('an annotated Ingress gets a Ready Certificate per tls entry; editing hosts updates it; removing the annotation or the Ingress deletes them', async () => {
  const managed = {
    'cert.gardener.cloud/purpose': 'managed',
    'cert.gardener.cloud/class': d.certClass,
    'cert.gardener.cloud/issuer': `${d.ns}/${ISSUER}`,
  };
  const ingress = await createIngress('shop', managed, [
    { hosts: ['shop.example.com', 'www.shop.example.com'], secretName: 'shop-tls' },
    { hosts: ['api.shop.example.com'], secretName: 'shop-api-tls' },
  ]);
  const certs = await waitGenerated('ingress', 'shop', 2);
  const shop = bySecret(certs, 'shop-tls');
  const api = bySecret(certs, 'shop-api-tls');
  assert.deepEqual([shop.spec.commonName, shop.spec.dnsNames], ['shop.example.com', ['www.shop.example.com']]);
  assert.deepEqual([api.spec.commonName, api.spec.dnsNames ?? []], ['api.shop.example.com', []]);
  assert.deepEqual(shop.spec.issuerRef, { namespace: d.ns, name: ISSUER });
  assert.equal(shop.metadata.annotations?.['cert.gardener.cloud/class'], d.certClass);
  assert.deepEqual(
    shop.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid]),
    [['Ingress', 'shop', ingress.metadata.uid]],
  );
  for (const c of certs) await d.waitCertificate(c.metadata.name, 'Ready');
  assert.ok(await d.secret('shop-tls'), 'secret shop-tls in the target cluster');
  assert.ok(await d.secret('shop-api-tls'), 'secret shop-api-tls in the target cluster');
  await waitEvent('Ingress', 'shop', 'Normal', new RegExp(`created certificate object ${d.ns}/${shop.metadata.name}`));
  // The certificate's Ready reaches the Ingress too.
  await waitEvent(
    'Ingress',
    'shop',
    'Normal',
    new RegExp(`certificate ${d.ns}/${shop.metadata.name}: certificate \\(SN [0-9a-f:]+\\) valid from`),
  );

  // Other hosts for one entry: its Certificate is updated (same object) and issued again; the other stays as it is.
  await d.kube.source.mergePatch(ingressPath('shop'), {
    spec: {
      tls: [
        { hosts: ['shop.example.com', 'new.shop.example.com'], secretName: 'shop-tls' },
        { hosts: ['api.shop.example.com'], secretName: 'shop-api-tls' },
      ],
    },
  });
  await d.waitCertificate(shop.metadata.name, 'Ready', 60_000, (s) =>
    (s.dnsNames ?? []).includes('new.shop.example.com'),
  );
  const updated = await d.getCertificate(shop.metadata.name);
  assert.equal(updated.metadata.uid, shop.metadata.uid);
  assert.deepEqual(updated.spec.dnsNames, ['new.shop.example.com']);
  assert.equal((await d.getCertificate(api.metadata.name)).metadata.generation, api.metadata.generation);
  await waitEvent('Ingress', 'shop', 'Normal', new RegExp(`updated certificate object ${d.ns}/${shop.metadata.name}`));

  // The annotation removed: both Certificates are deleted (the Secrets stay: no --cascade-delete).
  await d.kube.source.mergePatch(ingressPath('shop'), {
    metadata: { annotations: { 'cert.gardener.cloud/purpose': null } },
  });
  await d.certificateGone(shop.metadata.name);
  await d.certificateGone(api.metadata.name);
  await waitEvent('Ingress', 'shop', 'Normal', new RegExp(`deleted certificate object ${d.ns}/${api.metadata.name}`));
  assert.ok(await d.secret('shop-tls'));

  // Annotated again: the Certificates come back (and find their Secrets); the Ingress deleted: they go.
  await d.kube.source.mergePatch(ingressPath('shop'), { metadata: { annotations: managed } });
  const again = await waitGenerated('ingress', 'shop', 2);
  for (const c of again) await d.waitCertificate(c.metadata.name, 'Ready');
  await d.kube.source.delete(ingressPath('shop'));
  for (const c of again) await d.certificateGone(c.metadata.name);
});

test('an Ingress of another class is ignored', async () => {
  await createIngress(
    'foreign',
    { 'cert.gardener.cloud/purpose': 'managed', 'cert.gardener.cloud/class': `other-${d.id}` },
    [{ hosts: ['foreign.example.com'], secretName: 'foreign-tls' }],
  );
  // Created after it, watched after it: once this one has its Certificate, the foreign one has been passed over.
  await createIngress(
    'after',
    {
      'cert.gardener.cloud/purpose': 'managed',
      'cert.gardener.cloud/class': d.certClass,
      'cert.gardener.cloud/issuer': ISSUER,
    },
    [{ hosts: ['after.example.com'], secretName: 'after-tls' }],
  );
  const [mine] = await waitGenerated('ingress', 'after', 1);
  await d.waitCertificate(mine!.metadata.name, 'Ready');
  assert.deepEqual(await generated('ingress', 'foreign'), []);
  assert.deepEqual(await sourceEvents('Ingress', 'foreign'), []);
  await d.kube.source.delete(ingressPath('after'));
  await d.certificateGone(mine!.metadata.name);
});

test('a LoadBalancer Service with secretname and dnsnames gets a Ready Certificate with its optional settings; deleting the Service deletes it', async () => {
  await createService('api', {
    'cert.gardener.cloud/class': d.certClass,
    'cert.gardener.cloud/secretname': 'svc-api-tls',
    'dns.gardener.cloud/dnsnames': 'svc.example.com, svc2.example.com',
    'cert.gardener.cloud/issuer': ISSUER,
    'cert.gardener.cloud/private-key-algorithm': 'ECDSA',
    'cert.gardener.cloud/private-key-size': '384',
    'cert.gardener.cloud/renew-before': '240h',
    'cert.gardener.cloud/secret-labels': 'team=web,tier=prod',
  });
  const [cert] = await waitGenerated('service', 'api', 1);
  assert.deepEqual(cert!.spec, {
    commonName: 'svc.example.com',
    dnsNames: ['svc2.example.com'],
    secretRef: { name: 'svc-api-tls', namespace: d.ns },
    issuerRef: { name: ISSUER },
    privateKey: { algorithm: 'ECDSA', size: 384 },
    renewBefore: '240h',
    secretLabels: { team: 'web', tier: 'prod' },
  });
  await d.waitCertificate(cert!.metadata.name, 'Ready');
  const secret = await d.secret('svc-api-tls');
  assert.equal(secret?.metadata.labels?.team, 'web');
  assert.equal(secret?.metadata.labels?.tier, 'prod');
  assert.match(Buffer.from(secret?.data?.['tls.key'] ?? '', 'base64').toString(), /BEGIN EC PRIVATE KEY/);
  await waitEvent('Service', 'api', 'Normal', /created certificate object/);

  await d.kube.source.delete(servicePath('api'));
  await d.certificateGone(cert!.metadata.name);
});

test('bad input on a Service is a Warning Event on it: no dnsnames means no Certificate; an invalid renew-before is left out', async () => {
  await createService('nonames', {
    'cert.gardener.cloud/class': d.certClass,
    'cert.gardener.cloud/secretname': 'nonames-tls',
  });
  const warning = await waitEvent('Service', 'nonames', 'Warning', /no domain names/);
  assert.match(warning.message, /dns\.gardener\.cloud\/dnsnames/);
  assert.deepEqual(await generated('service', 'nonames'), []);

  await createService('badrenew', {
    'cert.gardener.cloud/class': d.certClass,
    'cert.gardener.cloud/secretname': 'badrenew-tls',
    'cert.gardener.cloud/dnsnames': 'badrenew.example.com',
    'cert.gardener.cloud/issuer': ISSUER,
    'cert.gardener.cloud/renew-before': 'soon',
  });
  await waitEvent('Service', 'badrenew', 'Warning', /renew-before "soon" is invalid/);
  const [cert] = await waitGenerated('service', 'badrenew', 1);
  assert.equal(cert!.spec.renewBefore, undefined);
  await d.waitCertificate(cert!.metadata.name, 'Ready');

  // Fixed: the Certificate follows; nothing else broke on the way.
  await d.kube.source.mergePatch(servicePath('nonames'), {
    metadata: {
      annotations: { 'dns.gardener.cloud/dnsnames': 'nonames.example.com', 'cert.gardener.cloud/issuer': ISSUER },
    },
  });
  const [fixed] = await waitGenerated('service', 'nonames', 1);
  await d.waitCertificate(fixed!.metadata.name, 'Ready');
  for (const name of ['nonames', 'badrenew']) await d.kube.source.delete(servicePath(name));
  await d.certificateGone(fixed!.metadata.name);
  await d.certificateGone(cert!.metadata.name);
});

test('a generated Certificate deleted by hand comes back; changes made while no pod runs are caught up at start', async () => {
  const managed = {
    'cert.gardener.cloud/purpose': 'managed',
    'cert.gardener.cloud/class': d.certClass,
    'cert.gardener.cloud/issuer': ISSUER,
  };
  await createIngress('gone', managed, [{ hosts: ['gone.example.com'], secretName: 'gone-tls' }]);
  await createIngress('unmarked', managed, [{ hosts: ['unmarked.example.com'], secretName: 'unmarked-tls' }]);
  const [gone] = await waitGenerated('ingress', 'gone', 1);
  const [unmarked] = await waitGenerated('ingress', 'unmarked', 1);
  await d.waitCertificate(gone!.metadata.name, 'Ready');

  await d.deleteCertificate(gone!.metadata.name);
  await waitGenerated(
    'ingress',
    'gone',
    1,
    ([c]) => c!.metadata.uid !== gone!.metadata.uid && !c!.metadata.deletionTimestamp,
  );

  // No pod runs while one Ingress is deleted and the other stops asking: the next pod's watcher finds their
  // Certificates after its first list and has them deleted.
  await Promise.all(d.pods.map((p) => p.stop()));
  await d.kube.source.delete(ingressPath('gone'));
  await d.kube.source.mergePatch(ingressPath('unmarked'), {
    metadata: { annotations: { 'cert.gardener.cloud/purpose': null } },
  });
  await d.startPod();
  await waitGenerated('ingress', 'gone', 0);
  await waitGenerated('ingress', 'unmarked', 0);
  await d.certificateGone(unmarked!.metadata.name);
});
