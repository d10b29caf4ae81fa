import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { load } from 'js-yaml';
import { CERTIFICATES_API } from '../../actors/certificate/certificate-kube.js';
import type { Certificate } from '../../actors/certificate/certificate-spec.js';
import type { KubeList, KubeObject } from '../../actors/kube/kube-object.js';
import { gardenerModuleDir } from '../env/gardener-controller.js';
import { TestDeployment } from '../support/deployment.js';
import { installGatewayCrds, removeCrds } from '../support/gateway-crds.js';
import { eventually } from '../support/test-env.js';

// Certificates from Istio Gateways and Gateway API Gateways (the seed's istio-gateways-dns and k8s-gateways-dns,
// with watch-gateways-crds): the upstream CRDs are installed into the shared source API server only after the pods
// started, and removed while they run; no pod restarts for it (gardener's exits so that its pod is restarted).
// gardener's example Gateways name no issuer: this deployment's issuer is the default issuer.
const d = new TestDeployment({ pods: 2, args: ['--default-issuer', 'gateways'] });
const ISSUER = 'gateways';
const ISTIO_CRDS = ['gateways.networking.istio.io', 'virtualservices.networking.istio.io'];
const GATEWAY_API_CRDS = ['gateways.gateway.networking.k8s.io', 'httproutes.gateway.networking.k8s.io'];

before(async () => {
  // Whatever an earlier run left: the pods must start without the CRDs.
  await removeCrds(d.kube.source, [...ISTIO_CRDS, ...GATEWAY_API_CRDS]);
  await d.start();
  await d.issuer(ISSUER);
  await d.waitIssuer(ISSUER);
});
after(async () => {
  await d.stop();
  await removeCrds(d.kube.source, [...ISTIO_CRDS, ...GATEWAY_API_CRDS]);
});

const istioPath = (resource: 'gateways' | 'virtualservices', name?: string) =>
  `/apis/networking.istio.io/v1/namespaces/${d.ns}/${resource}${name ? `/${name}` : ''}`;
const gatewayApiPath = (resource: 'gateways' | 'httproutes', name?: string) =>
  `/apis/gateway.networking.k8s.io/v1/namespaces/${d.ns}/${resource}${name ? `/${name}` : ''}`;
const managed = () => ({
  'cert.gardener.cloud/purpose': 'managed',
  'cert.gardener.cloud/class': d.certClass,
  'cert.gardener.cloud/issuer': ISSUER,
});

interface IstioServer {
  hosts: string[];
  credentialName?: string;
}
function istioGateway(name: string, servers: IstioServer[], annotations = managed()): Promise<KubeObject> {
  return d.kube.source.create<KubeObject>(istioPath('gateways'), {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: d.ns, annotations },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: servers.map((s, i) => ({
        hosts: s.hosts,
        port: s.credentialName
          ? { number: 443 + i, name: `https-${i}`, protocol: 'HTTPS' }
          : { number: 80 + i, name: `http-${i}`, protocol: 'HTTP' },
        ...(s.credentialName ? { tls: { mode: 'SIMPLE', credentialName: s.credentialName } } : {}),
      })),
    },
  });
}
function virtualService(name: string, gateways: string[], hosts: string[]): Promise<KubeObject> {
  return d.kube.source.create<KubeObject>(istioPath('virtualservices'), {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: d.ns },
    spec: { gateways, hosts, http: [{ route: [{ destination: { host: 'backend' } }] }] },
  });
}

interface Listener {
  name: string;
  hostname?: string;
  /** Secret names; none: a plain HTTP listener. */
  secrets?: string[];
}
function gatewayApiGateway(name: string, listeners: Listener[], annotations = managed()): Promise<KubeObject> {
  return d.kube.source.create<KubeObject>(gatewayApiPath('gateways'), {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: d.ns, annotations },
    spec: { gatewayClassName: 'test', listeners: listeners.map(toListener) },
  });
}
function toListener(l: Listener, i: number): Record<string, unknown> {
  return {
    name: l.name,
    ...(l.hostname ? { hostname: l.hostname } : {}),
    ...(l.secrets
      ? {
          port: 443,
          protocol: 'HTTPS',
          tls: { mode: 'Terminate', certificateRefs: l.secrets.map((n) => ({ name: n })) },
        }
      : { port: 8000 + i, protocol: 'HTTP' }),
  };
}
function httpRoute(name: string, gateways: string[], hostnames: string[]): Promise<KubeObject> {
  return d.kube.source.create<KubeObject>(gatewayApiPath('httproutes'), {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: d.ns },
    spec: { parentRefs: gateways.map((g) => ({ name: g })), hostnames },
  });
}

type SourceKind = 'istio-gateway' | 'k8s-gateway';
async function generated(kind: SourceKind, name: string): Promise<Certificate[]> {
  const list = await d.kube.source.get<KubeList<Certificate>>(`${CERTIFICATES_API}/namespaces/${d.ns}/certificates`, {
    labelSelector: `cert.gardener.cloud/source-kind=${kind},cert.gardener.cloud/source-name=${name}`,
  });
  return list.items;
}
function waitGenerated(
  kind: SourceKind,
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
const bySecret = (certs: Certificate[], secret: string) => certs.find((c) => c.spec.secretRef?.name === secret);
const namesOf = (c: Certificate | undefined) => [c?.spec.commonName, ...(c?.spec.dnsNames ?? [])];
const hasNames = (secret: string, names: string[]) => (certs: Certificate[]) =>
  JSON.stringify(namesOf(bySecret(certs, secret))) === JSON.stringify(names);

async function gatewayEvents(name: string, apiGroup: string): Promise<Array<{ type: string; message: string }>> {
  const list = await d.kube.source.get<{
    items: Array<{ type: string; message: string; involvedObject: { name: string; kind: string; apiVersion: string } }>;
  }>(`/api/v1/namespaces/${d.ns}/events`);
  return list.items.filter(
    (e) =>
      e.involvedObject.kind === 'Gateway' &&
      e.involvedObject.name === name &&
      e.involvedObject.apiVersion.startsWith(`${apiGroup}/`),
  );
}
function waitEvent(name: string, apiGroup: string, type: string, pattern: RegExp) {
  return eventually(
    async () => (await gatewayEvents(name, apiGroup)).find((e) => e.type === type && pattern.test(e.message)),
    `a ${type} event on Gateway ${name} (${apiGroup}) matching ${pattern}`,
    60_000,
  );
}
const ISTIO = 'networking.istio.io';
const GATEWAY_API = 'gateway.networking.k8s.io';

test('Istio CRDs installed after start: a Gateway gets a Ready Certificate per server with credentialName, VirtualService hosts join, host changes update it, deleting the Gateway deletes them', async () => {
  await installGatewayCrds(d.kube.source, 'istio');
  const igw = await istioGateway('shop', [
    { hosts: ['shop.example.com'], credentialName: 'shop-tls' },
    { hosts: ['*'], credentialName: 'shop-any-tls' },
    { hosts: ['plain.example.com'] },
  ]);
  await virtualService('shop-vs', ['shop', 'mesh'], ['vs.shop.example.com', 'reviews']);
  const certs = await waitGenerated('istio-gateway', 'shop', 2, hasNames('shop-any-tls', ['vs.shop.example.com']));
  const shop = bySecret(certs, 'shop-tls')!;
  const any = bySecret(certs, 'shop-any-tls')!;
  assert.deepEqual(shop.spec, {
    commonName: 'shop.example.com',
    secretRef: { name: 'shop-tls', namespace: d.ns },
    issuerRef: { name: ISSUER },
  });
  assert.match(shop.metadata.name, /^shop-gateway-[0-9a-f]{8}$/);
  assert.equal(shop.metadata.annotations?.['cert.gardener.cloud/forward-owner-refs'], 'true');
  assert.deepEqual(
    shop.metadata.ownerReferences?.map((r) => [r.apiVersion, r.kind, r.name, r.uid]),
    [['networking.istio.io/v1', 'Gateway', 'shop', igw.metadata.uid]],
  );
  for (const c of certs) await d.waitCertificate(c.metadata.name, 'Ready');
  assert.ok(await d.secret('shop-tls'));
  assert.ok(await d.secret('shop-any-tls'));
  await waitEvent('shop', ISTIO, 'Normal', new RegExp(`created certificate object ${d.ns}/${shop.metadata.name}`));
  await waitEvent('shop', ISTIO, 'Normal', new RegExp(`certificate ${d.ns}/${any.metadata.name}: certificate \\(SN`));

  // Server hosts changed: the same Certificate is updated and issued again.
  await d.kube.source.mergePatch(istioPath('gateways', 'shop'), {
    spec: {
      servers: [
        {
          hosts: ['shop.example.com', 'www.shop.example.com'],
          port: { number: 443, name: 'https-0', protocol: 'HTTPS' },
          tls: { mode: 'SIMPLE', credentialName: 'shop-tls' },
        },
        {
          hosts: ['*'],
          port: { number: 444, name: 'https-1', protocol: 'HTTPS' },
          tls: { mode: 'SIMPLE', credentialName: 'shop-any-tls' },
        },
      ],
    },
  });
  await d.waitCertificate(shop.metadata.name, 'Ready', 60_000, (s) =>
    (s.dnsNames ?? []).includes('www.shop.example.com'),
  );
  assert.equal((await d.getCertificate(shop.metadata.name)).metadata.uid, shop.metadata.uid);
  await waitEvent('shop', ISTIO, 'Normal', new RegExp(`updated certificate object ${d.ns}/${shop.metadata.name}`));
  // VirtualService hosts changed: the "*" server's Certificate follows.
  await d.kube.source.mergePatch(istioPath('virtualservices', 'shop-vs'), {
    spec: { hosts: ['vs.shop.example.com', 'api.shop.example.com'] },
  });
  await d.waitCertificate(any.metadata.name, 'Ready', 60_000, (s) =>
    (s.dnsNames ?? []).includes('api.shop.example.com'),
  );

  await d.kube.source.delete(istioPath('gateways', 'shop'));
  for (const c of certs) await d.certificateGone(c.metadata.name);
});

test('Gateway API CRDs installed after start: a Certificate per TLS listener, HTTPRoute hostnames for the listener without one; changes and deletion follow', async () => {
  await installGatewayCrds(d.kube.source, 'gateway-api');
  const gw = await gatewayApiGateway('web', [
    { name: 'https-a', hostname: 'a.web.example.com', secrets: ['web-a-tls'] },
    { name: 'https-any', secrets: ['web-any-tls'] },
    { name: 'http' },
  ]);
  await httpRoute('web-route', ['web'], ['r.web.example.com']);
  const certs = await waitGenerated('k8s-gateway', 'web', 2, hasNames('web-any-tls', ['r.web.example.com']));
  const a = bySecret(certs, 'web-a-tls')!;
  const anyHost = bySecret(certs, 'web-any-tls')!;
  // The route's hostname does not fit a.web.example.com: only the listener without hostname takes it.
  assert.deepEqual(namesOf(a), ['a.web.example.com']);
  assert.deepEqual(
    a.metadata.ownerReferences?.map((r) => [r.apiVersion, r.kind, r.name, r.uid]),
    [['gateway.networking.k8s.io/v1', 'Gateway', 'web', gw.metadata.uid]],
  );
  for (const c of certs) await d.waitCertificate(c.metadata.name, 'Ready');
  await waitEvent('web', GATEWAY_API, 'Normal', new RegExp(`created certificate object ${d.ns}/${a.metadata.name}`));
  await waitEvent(
    'web',
    GATEWAY_API,
    'Normal',
    new RegExp(`certificate ${d.ns}/${a.metadata.name}: certificate \\(SN`),
  );

  // Route hostnames changed; a second route; then the listener's hostname changed.
  await d.kube.source.mergePatch(gatewayApiPath('httproutes', 'web-route'), {
    spec: { hostnames: ['r.web.example.com', 's.web.example.com'] },
  });
  await httpRoute('web-route-2', ['web'], ['t.web.example.com']);
  await d.waitCertificate(anyHost.metadata.name, 'Ready', 60_000, (s) =>
    ['s.web.example.com', 't.web.example.com'].every((n) => (s.dnsNames ?? []).includes(n)),
  );
  await d.kube.source.mergePatch(gatewayApiPath('gateways', 'web'), {
    spec: {
      listeners: [
        toListener({ name: 'https-a', hostname: 'b.web.example.com', secrets: ['web-a-tls'] }, 0),
        toListener({ name: 'https-any', secrets: ['web-any-tls'] }, 1),
        toListener({ name: 'http' }, 2),
      ],
    },
  });
  await d.waitCertificate(a.metadata.name, 'Ready', 60_000, (s) => s.commonName === 'b.web.example.com');
  // A route going away takes its hostnames with it.
  await d.kube.source.delete(gatewayApiPath('httproutes', 'web-route-2'));
  await d.waitCertificate(
    anyHost.metadata.name,
    'Ready',
    60_000,
    (s) => !(s.dnsNames ?? []).includes('t.web.example.com'),
  );

  await d.kube.source.delete(gatewayApiPath('gateways', 'web'));
  for (const c of certs) await d.certificateGone(c.metadata.name);
  await d.kube.source.delete(gatewayApiPath('httproutes', 'web-route'));
});

test("a host added to a Gateway whose other host the CA validated shortly before (its authorization reused, as Let's Encrypt does) is issued", async () => {
  const ca = d.stack.acmeExtra?.['authz-reuse'];
  assert.ok(ca, 'the stack has a pebble that reuses authorizations');
  await d.issuer('reuse', { server: ca.directoryUrl });
  await d.waitIssuer('reuse');
  const annotations = { ...managed(), 'cert.gardener.cloud/issuer': 'reuse' };
  await gatewayApiGateway(
    'grow',
    [{ name: 'https', hostname: 'grow.example.com', secrets: ['grow-tls'] }],
    annotations,
  );
  const [cert] = await waitGenerated('k8s-gateway', 'grow', 1);
  await d.waitCertificate(cert!.metadata.name, 'Ready');
  // A second listener serving the same secret: the new order has a valid authorization (grow.example.com) and a
  // pending one; the pending one must still be published and answered.
  await d.kube.source.mergePatch(gatewayApiPath('gateways', 'grow'), {
    spec: {
      listeners: [
        toListener({ name: 'https', hostname: 'grow.example.com', secrets: ['grow-tls'] }, 0),
        toListener({ name: 'https-more', hostname: 'more.grow.example.com', secrets: ['grow-tls'] }, 1),
      ],
    },
  });
  await d.waitCertificate(cert!.metadata.name, 'Ready', 60_000, (s) =>
    (s.dnsNames ?? []).includes('more.grow.example.com'),
  );
  await d.kube.source.delete(gatewayApiPath('gateways', 'grow'));
  await d.certificateGone(cert!.metadata.name);
});

test('bad input is a Warning Event on its Gateway and creates nothing wrong: two certificateRefs, a credentialName in another namespace, a wildcard host naming no domain; the good ones are issued', async () => {
  await gatewayApiGateway('refs', [
    { name: 'two', hostname: 'two.refs.example.com', secrets: ['refs-a', 'refs-b'] },
    { name: 'one', hostname: 'one.refs.example.com', secrets: ['refs-one-tls'] },
  ]);
  await istioGateway('cross', [
    { hosts: ['x.cross.example.com'], credentialName: 'other-ns/cross-tls' },
    { hosts: ['ok.cross.example.com'], credentialName: 'cross-ok-tls' },
  ]);
  await istioGateway('wild', [
    { hosts: ['*'], credentialName: 'wild-tls' },
    { hosts: [`${d.ns}/*`], credentialName: 'wild2-tls' },
  ]);
  // A good Gateway next to them.
  await gatewayApiGateway('fine', [{ name: 'https', hostname: 'fine.example.com', secrets: ['fine-tls'] }]);

  const refs = await waitEvent(
    'refs',
    GATEWAY_API,
    'Warning',
    /spec\.listeners\[0\] \(two\) has 2 tls\.certificateRefs/,
  );
  assert.match(refs.message, /cannot select the secret/);
  const cross = await waitEvent(
    'cross',
    ISTIO,
    'Warning',
    /tls\.credentialName "other-ns\/cross-tls" names a secret in another namespace/,
  );
  assert.match(cross.message, /cert\.gardener\.cloud\/secret-namespace/);
  const wild = await waitEvent(
    'wild',
    ISTIO,
    'Warning',
    /spec\.servers\[0\] \(credentialName wild-tls\) names no host/,
  );
  assert.match(wild.message, /spec\.servers\[1\] \(credentialName wild2-tls\) names no host/);

  const [one] = await waitGenerated('k8s-gateway', 'refs', 1);
  assert.deepEqual([one!.spec.secretRef?.name, namesOf(one)], ['refs-one-tls', ['one.refs.example.com']]);
  const [ok] = await waitGenerated('istio-gateway', 'cross', 1);
  assert.deepEqual([ok!.spec.secretRef?.name, namesOf(ok)], ['cross-ok-tls', ['ok.cross.example.com']]);
  const [fine] = await waitGenerated('k8s-gateway', 'fine', 1);
  for (const c of [one!, ok!, fine!]) await d.waitCertificate(c.metadata.name, 'Ready');
  assert.deepEqual(await generated('istio-gateway', 'wild'), []);

  // Bound to a VirtualService, the "*" servers get its hosts and their Certificates.
  await virtualService('wild-vs', ['wild'], ['vs.wild.example.com']);
  const wildCerts = await waitGenerated('istio-gateway', 'wild', 2);
  for (const c of wildCerts) assert.deepEqual(namesOf(c), ['vs.wild.example.com']);

  for (const name of ['cross', 'wild']) await d.kube.source.delete(istioPath('gateways', name));
  for (const name of ['refs', 'fine']) await d.kube.source.delete(gatewayApiPath('gateways', name));
  await d.kube.source.delete(istioPath('virtualservices', 'wild-vs'));
  for (const c of [one!, ok!, fine!, ...wildCerts]) await d.certificateGone(c.metadata.name);
});

test('CRDs removed while the pods run: routes gone, their hosts go; Gateways gone, their Certificates go; installed again, it all works again without a restart', async () => {
  const podsBefore = d.pods.map((p) => p.name);
  await gatewayApiGateway('keep', [
    { name: 'https', hostname: 'keep.example.com', secrets: ['keep-tls'] },
    { name: 'https-any', secrets: ['keep-any-tls'] },
  ]);
  await httpRoute('keep-route', ['keep'], ['keep-route.example.com', 'keep.example.com']);
  const certs = await waitGenerated(
    'k8s-gateway',
    'keep',
    2,
    hasNames('keep-any-tls', ['keep-route.example.com', 'keep.example.com']),
  );
  await istioGateway('mesh-gw', [{ hosts: ['mesh.example.com'], credentialName: 'mesh-tls' }]);
  const [istioCert] = await waitGenerated('istio-gateway', 'mesh-gw', 1);

  // HTTPRoute CRD removed: its routes are gone with it. The listener without hostname names nothing any more: a
  // Warning, and its Certificate is kept (bad input never deletes); the other Certificate stays as it is.
  await removeCrds(d.kube.source, ['httproutes.gateway.networking.k8s.io']);
  await waitEvent('keep', GATEWAY_API, 'Warning', /spec\.listeners\[1\] \(https-any\) names no host and no HTTPRoute/);
  assert.equal((await generated('k8s-gateway', 'keep')).length, 2);

  // Gateway CRDs removed: the Gateways are gone with them, and so are their Certificates.
  await removeCrds(d.kube.source, ['gateways.gateway.networking.k8s.io', ...ISTIO_CRDS]);
  for (const c of [...certs, istioCert!]) await d.certificateGone(c.metadata.name);

  // Installed again: a new Gateway is served at once.
  await installGatewayCrds(d.kube.source, 'gateway-api');
  await installGatewayCrds(d.kube.source, 'istio');
  await gatewayApiGateway('again', [{ name: 'https', hostname: 'again.example.com', secrets: ['again-tls'] }]);
  await httpRoute('again-route', ['again'], ['again.example.com']);
  await istioGateway('again-istio', [{ hosts: ['again-istio.example.com'], credentialName: 'again-istio-tls' }]);
  const [again] = await waitGenerated('k8s-gateway', 'again', 1);
  const [againIstio] = await waitGenerated('istio-gateway', 'again-istio', 1);
  for (const c of [again!, againIstio!]) await d.waitCertificate(c.metadata.name, 'Ready');
  assert.deepEqual(
    d.pods.map((p) => p.name),
    podsBefore,
  );
  assert.ok(
    d.pods.every((p) => p.child.exitCode === null),
    'no pod exited',
  );
});

test('a Gateway CRD that stops serving v1: the watches move to v1beta1 and the owner references follow, and back', async () => {
  const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gateways.gateway.networking.k8s.io';
  type Crd = KubeObject & { spec: { versions: Array<{ name: string; served: boolean }> } };
  const serveV1 = async (served: boolean) => {
    const crd = await d.kube.source.get<Crd>(crdPath);
    crd.spec.versions = crd.spec.versions.map((v) => (v.name === 'v1' ? { ...v, served } : v));
    await d.kube.source.replace(crdPath, crd);
  };
  const ownerApiVersion = (c: Certificate) => c.metadata.ownerReferences?.[0]?.apiVersion;
  await gatewayApiGateway('moving', [{ name: 'https', hostname: 'moving.example.com', secrets: ['moving-tls'] }]);
  const [cert] = await waitGenerated('k8s-gateway', 'moving', 1);
  assert.equal(ownerApiVersion(cert!), 'gateway.networking.k8s.io/v1');
  await serveV1(false);
  await waitGenerated('k8s-gateway', 'moving', 1, ([c]) => ownerApiVersion(c!) === 'gateway.networking.k8s.io/v1beta1');
  // Still followed at the new version: a change reaches the Certificate.
  await d.kube.source.mergePatch(`/apis/gateway.networking.k8s.io/v1beta1/namespaces/${d.ns}/gateways/moving`, {
    metadata: { annotations: { 'cert.gardener.cloud/commonname': 'cn.moving.example.com' } },
  });
  await waitGenerated(
    'k8s-gateway',
    'moving',
    1,
    hasNames('moving-tls', ['cn.moving.example.com', 'moving.example.com']),
  );
  await serveV1(true);
  await waitGenerated('k8s-gateway', 'moving', 1, ([c]) => ownerApiVersion(c!) === 'gateway.networking.k8s.io/v1');
  const [again] = await generated('k8s-gateway', 'moving');
  assert.equal(again!.metadata.uid, cert!.metadata.uid, 'the same Certificate all along');
  await d.kube.source.delete(gatewayApiPath('gateways', 'moving'));
  await d.certificateGone(cert!.metadata.name);
});

test("gardener's example Gateways (examples/40-gateway-*.yaml, as users apply them) get the Certificates its README describes", async () => {
  const examples = join(await gardenerModuleDir(), 'examples');
  const example = (file: string): KubeObject => {
    const o = load(readFileSync(join(examples, file), 'utf8')) as KubeObject;
    o.metadata.namespace = d.ns;
    o.metadata.annotations = { ...o.metadata.annotations, ...d.classAnnotations() };
    return o;
  };
  // Both are called my-gateway: one name, two kinds of Gateway, two Certificates.
  await d.kube.source.create(gatewayApiPath('gateways'), example('40-gateway-gateway-api.yaml'));
  await d.kube.source.create(istioPath('gateways'), example('40-gateway-istio.yaml'));
  const [k8s] = await waitGenerated('k8s-gateway', 'my-gateway', 1);
  const [istio] = await waitGenerated('istio-gateway', 'my-gateway', 1);
  assert.deepEqual(k8s!.spec, { commonName: 'foo.example.com', secretRef: { name: 'my-tls-secret', namespace: d.ns } });
  // The server without tls.credentialName is ignored; "bookinfo-namespace/" is not part of the name.
  assert.deepEqual(istio!.spec, { commonName: '*.example2.com', secretRef: { name: 'my-secret', namespace: d.ns } });
  assert.notEqual(k8s!.metadata.name, istio!.metadata.name);
  for (const c of [k8s!, istio!]) await d.waitCertificate(c.metadata.name, 'Ready');
  await d.kube.source.delete(gatewayApiPath('gateways', 'my-gateway'));
  await d.kube.source.delete(istioPath('gateways', 'my-gateway'));
  for (const c of [k8s!, istio!]) await d.certificateGone(c.metadata.name);
});
