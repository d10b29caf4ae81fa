// Istio Gateways and Gateway API Gateways to Certificates (the seed's istio-gateways-dns and k8s-gateways-dns):
// which servers and listeners count, how route hosts join them (gardener's own test vectors and its behaviour seen
// against a real API server), what bad input reports, and the pieces the source watcher keeps (route bindings,
// the route index, CRD states).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Certificate } from '../../actors/certificate/certificate-spec.js';
import type { SourceControllerConfig } from '../../actors/config/effective-config.js';
import { parseSourceObjectId, sourceObjectId } from '../../actors/kinds.js';
import type { KubeObject } from '../../actors/kube/kube-object.js';
import { crdState, GATEWAY_APIS } from '../../actors/sources/gateway-apis.js';
import { coveredByAnyWildcard, coveredBySingleWildcard, withRouteHosts } from '../../actors/sources/gateway-hosts.js';
import { istioGatewayCertificates, istioServerHosts } from '../../actors/sources/istio-gateway-certificates.js';
import { k8sGatewayCertificates } from '../../actors/sources/k8s-gateway-certificates.js';
import { ROUTE_BINDINGS } from '../../actors/sources/route-bindings.js';
import {
  certificateName,
  type SourceSnapshot,
  snapshotOf,
  snapshotSignature,
} from '../../actors/sources/source-annotations.js';
import { desiredCertificates } from '../../actors/sources/source-object-actor.js';
import { RouteIndex } from '../../actors/watchers/route-index.js';

const cfg = (over: Partial<SourceControllerConfig> = {}): SourceControllerConfig => ({
  certClass: 'gardencert',
  certClasses: ['gardencert'],
  certTargetClass: 'gardencert',
  targetNamespace: '',
  targetNamePrefix: '',
  concurrency: 2,
  targetsConcurrency: 2,
  resyncPeriodMs: 120_000,
  ...over,
});
const MANAGED = { 'cert.gardener.cloud/purpose': 'managed' };

function istio(
  servers: unknown[],
  annotations: Record<string, string> = MANAGED,
  routeHosts: string[] = [],
  name = 'igw',
): SourceSnapshot {
  return snapshotOf(
    'istio-gateway',
    { metadata: { name, namespace: 'test', uid: 'u-i', annotations }, spec: { selector: { istio: 'x' }, servers } },
    { apiVersion: 'networking.istio.io/v1', routeHosts },
  );
}
function k8s(
  listeners: unknown[],
  annotations: Record<string, string> = MANAGED,
  routeHosts: string[] = [],
  name = 'gw1',
): SourceSnapshot {
  return snapshotOf(
    'k8s-gateway',
    { metadata: { name, namespace: 'test', uid: 'u-k', annotations }, spec: { gatewayClassName: 'c', listeners } },
    { apiVersion: 'gateway.networking.k8s.io/v1', routeHosts },
  );
}
const server = (hosts: string[], credentialName?: string) => ({
  hosts,
  port: { number: 443, name: 'https', protocol: 'HTTPS' },
  ...(credentialName !== undefined ? { tls: { mode: 'SIMPLE', credentialName } } : {}),
});
const listener = (
  name: string,
  hostname: string | undefined,
  refs: unknown[],
  extra: Record<string, unknown> = {},
) => ({
  name,
  port: 443,
  protocol: 'HTTPS',
  ...(hostname ? { hostname } : {}),
  tls: { mode: 'Terminate', certificateRefs: refs },
  ...extra,
});
const secretRef = (name: string, namespace?: string) => ({
  group: '',
  kind: 'Secret',
  name,
  ...(namespace ? { namespace } : {}),
});
const names = (c: Certificate | undefined) => [c?.spec.commonName, ...(c?.spec.dnsNames ?? [])];
const bySecret = (certs: Certificate[], name: string) => certs.find((c) => c.spec.secretRef?.name === name);

test("wildcards cover hosts as gardener's dns_utils say", () => {
  assert.equal(coveredBySingleWildcard('foo.gardener.cloud', '*.gardener.cloud'), true);
  assert.equal(coveredBySingleWildcard('gardener.cloud', '*.gardener.cloud'), false);
  assert.equal(coveredBySingleWildcard('a.b.gardener.cloud', '*.gardener.cloud'), false);
  assert.equal(coveredBySingleWildcard('foo.gardener.cloud', 'docs.gardener.cloud'), false);
  assert.equal(coveredBySingleWildcard('example.com', '*.gardener.cloud'), false);
  assert.equal(coveredByAnyWildcard('a.b.gardener.cloud', '*.gardener.cloud'), true);
  assert.equal(coveredByAnyWildcard('gardener.cloud', '*.gardener.cloud'), false);
});

test("route hosts join a server or listener by gardener's rule (its handler_test vectors)", () => {
  const routes = ['foo.example.com', 'bar.example.com', 'foo.example.com'];
  assert.deepEqual(withRouteHosts(['*.example.com'], routes, ['*.example.com']), ['*.example.com']);
  assert.deepEqual(withRouteHosts([], routes, []), ['foo.example.com', 'bar.example.com'], 'no names: all join');
  assert.deepEqual(
    withRouteHosts(['*.example.com'], ['foo.example.com', 'sub.bar.example.com', 'app.legacy.io'], ['*.example.com']),
    ['*.example.com', 'sub.bar.example.com'],
  );
  assert.deepEqual(withRouteHosts(['*.legacy.io'], ['foo.example.com', 'app.legacy.io'], ['*.legacy.io']), [
    '*.legacy.io',
  ]);
  assert.deepEqual(withRouteHosts(['a.example.com'], routes, ['a.example.com']), ['a.example.com']);
  // A wildcard route host covering the listener's name joins it.
  assert.deepEqual(withRouteHosts(['a.example.com'], ['*.example.com', 'b.example.com'], ['a.example.com']), [
    'a.example.com',
    '*.example.com',
  ]);
  // Mesh-only names of a VirtualService never make it into a certificate.
  assert.deepEqual(withRouteHosts([], ['reviews', '*', 'vs.example.com'], []), ['vs.example.com']);
});

test('Istio: one Certificate per server with credentialName; hosts lose their namespace; VirtualService hosts join', () => {
  const gw = istio(
    [
      server(['*/foo.example.com', './bar.example.com', 'ns/*', 'a/b/c'], 'cred1'),
      server(['*'], 'cred2'),
      server(['plain.example.com']),
      { ...server(['pt.example.com']), tls: { mode: 'PASSTHROUGH', credentialName: 'pt' } },
      { ...server(['multi.example.com']), tls: { credentialNames: ['m1', 'm2'] } },
    ],
    MANAGED,
    ['vs.example.com', 'reviews', 'foo.example.com', 'sub.foo.example.com'],
  );
  const r = istioGatewayCertificates(gw, cfg());
  assert.deepEqual(r.problems, ['spec.servers[0]: host "a/b/c" is not "host" or "namespace/host": left out']);
  assert.equal(r.complete, true);
  assert.deepEqual(
    r.certificates.map((c) => c.spec.secretRef?.name),
    ['cred1', 'cred2', 'pt'],
    'no tls, or credentialNames only: no certificate; the mode is not looked at (gardener)',
  );
  // `ns/*` names no host (gardener keeps "*" as a name); no VirtualService host fits foo or bar.example.com.
  assert.deepEqual(names(bySecret(r.certificates, 'cred1')), ['foo.example.com', 'bar.example.com']);
  // A "*" server takes every bound VirtualService host, short mesh names left out.
  assert.deepEqual(names(bySecret(r.certificates, 'cred2')), [
    'vs.example.com',
    'foo.example.com',
    'sub.foo.example.com',
  ]);
  const c = bySecret(r.certificates, 'cred1')!;
  assert.deepEqual(c.spec.secretRef, { name: 'cred1', namespace: 'test' });
  assert.match(c.metadata.name, /^igw-gateway-[0-9a-f]{8}$/);
  assert.deepEqual(c.metadata.labels, {
    'cert.gardener.cloud/source-kind': 'istio-gateway',
    'cert.gardener.cloud/source-namespace': 'test',
    'cert.gardener.cloud/source-name': 'igw',
  });
  assert.deepEqual(c.metadata.annotations, {
    'cert.gardener.cloud/class': 'gardencert',
    'cert.gardener.cloud/source-object': 'istio-gateway/test/igw',
    'cert.gardener.cloud/forward-owner-refs': 'true',
  });
  assert.deepEqual(c.metadata.ownerReferences, [
    { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', name: 'igw', uid: 'u-i', controller: true },
  ]);
  assert.deepEqual(istioServerHosts(['*', 'ns/', '', 'x/y.example.com', 'a/b/c']), {
    names: ['y.example.com'],
    unreadable: ['a/b/c'],
  });
});

test('Istio: the secret-namespace annotation places every secret; dnsnames and commonname as for Ingresses', () => {
  const servers = [server(['*/a.example.com', 'ns2/c.example.com', 'd.example.com'], 'tls')];
  const placed = istioGatewayCertificates(
    istio(servers, { ...MANAGED, 'cert.gardener.cloud/secret-namespace': 'istio-system' }),
    cfg(),
  );
  assert.deepEqual(placed.certificates[0]!.spec.secretRef, { name: 'tls', namespace: 'istio-system' });
  assert.equal(placed.certificates[0]!.metadata.namespace, 'test', 'the Certificate stays with its Gateway');
  const listed = istioGatewayCertificates(
    istio(servers, { ...MANAGED, 'cert.gardener.cloud/dnsnames': 'a.example.com,c.example.com' }),
    cfg(),
  );
  assert.deepEqual(names(listed.certificates[0]), ['a.example.com', 'c.example.com']);
  const cn = istioGatewayCertificates(
    istio(servers, { ...MANAGED, 'cert.gardener.cloud/commonname': 'cn.example.com' }),
    cfg(),
  );
  assert.deepEqual(names(cn.certificates[0]), ['cn.example.com', 'a.example.com', 'c.example.com', 'd.example.com']);
  // The dns controller's annotation is not read on Gateways.
  const dns = istioGatewayCertificates(
    istio(servers, { ...MANAGED, 'dns.gardener.cloud/dnsnames': 'x.example.com' }),
    cfg(),
  );
  assert.deepEqual(names(dns.certificates[0]), ['a.example.com', 'c.example.com', 'd.example.com']);
});

test('Istio bad input: a credentialName in another namespace, a "*" server without VirtualService hosts', () => {
  const r = istioGatewayCertificates(
    istio([
      server(['x.example.com'], 'other/cred3'),
      server(['*'], 'wild'),
      server(['ns/*'], 'wild2'),
      server(['ok.example.com'], 'ok'),
    ]),
    cfg(),
  );
  assert.deepEqual(
    r.certificates.map((c) => names(c)),
    [['ok.example.com']],
    'the good server still gets its certificate',
  );
  assert.equal(r.complete, false, 'nothing is deleted while the Gateway has bad entries');
  assert.equal(r.problems.length, 3);
  assert.match(
    r.problems[0]!,
    /^spec\.servers\[0\]: tls\.credentialName "other\/cred3" names a secret in another namespace/,
  );
  assert.match(r.problems[0]!, /cert\.gardener\.cloud\/secret-namespace/);
  assert.match(
    r.problems[1]!,
    /^spec\.servers\[1\] \(credentialName wild\) names no host and no VirtualService bound to the Gateway adds one: no certificate for secret test\/wild/,
  );
  assert.match(r.problems[2]!, /^spec\.servers\[2\] \(credentialName wild2\) names no host/);
  // Managed, but nothing to put a certificate in.
  const none = istioGatewayCertificates(istio([server(['a.example.com'])]), cfg());
  assert.deepEqual(none, {
    certificates: [],
    problems: ['the Gateway asks for managed certificates but has no server with tls.credentialName'],
    complete: true,
  });
  const empty = istioGatewayCertificates(
    istio([server(['a.example.com'], 'a')], { ...MANAGED, 'cert.gardener.cloud/dnsnames': '' }),
    cfg(),
  );
  assert.deepEqual(empty.certificates, []);
  assert.equal(empty.complete, false);
  assert.match(empty.problems[0]!, /annotation cert\.gardener\.cloud\/dnsnames names no domain/);
});

test('Gateway API: one Certificate per HTTPS/TLS listener with one Secret; HTTPRoute hostnames where they fit (gardener, live run)', () => {
  const gw = k8s(
    [
      listener('a', 'a.example.com', [secretRef('foo')]),
      listener('b', 'b.example.com', [secretRef('b1'), secretRef('b2')]),
      listener('c', undefined, [secretRef('c', 'other')]),
      listener('d', 'd.example.com', [{ group: '', kind: 'ConfigMap', name: 'd' }]),
      listener('e', '*.e.example.com', [secretRef('e')]),
      { name: 'http', port: 80, protocol: 'HTTP', hostname: 'http.example.com' },
      listener('pt', 'pt.example.com', [secretRef('pt')], { protocol: 'TLS', tls: { mode: 'Passthrough' } }),
      listener('tls', 'tls.example.com', [secretRef('tls')], { protocol: 'TLS' }),
    ],
    MANAGED,
    ['r.example.com', 'x.e.example.com', 'y.z.e.example.com', '*.e.example.com'],
  );
  const r = k8sGatewayCertificates(gw, cfg());
  assert.deepEqual(r.problems, [
    'spec.listeners[1] (b) has 2 tls.certificateRefs: cannot select the secret for storing the certificate; give exactly one',
    'spec.listeners[3] (d): tls.certificateRefs[0] is ConfigMap, not a core Secret: cannot store the certificate in it',
  ]);
  assert.equal(r.complete, false);
  assert.deepEqual(
    r.certificates.map((c) => [c.spec.secretRef, names(c)]),
    [
      [{ name: 'foo', namespace: 'test' }, ['a.example.com']],
      [{ name: 'c', namespace: 'other' }, ['r.example.com', 'x.e.example.com', 'y.z.e.example.com', '*.e.example.com']],
      [{ name: 'e', namespace: 'test' }, ['*.e.example.com', 'y.z.e.example.com']],
      [{ name: 'tls', namespace: 'test' }, ['tls.example.com']],
    ],
  );
  assert.deepEqual(r.certificates[0]!.metadata.ownerReferences, [
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: 'gw1', uid: 'u-k', controller: true },
  ]);
  assert.equal(r.certificates[0]!.metadata.annotations!['cert.gardener.cloud/source-object'], 'k8s-gateway/test/gw1');
});

test('Gateway API: options from annotations; listeners sharing a secret share its Certificate; no names, no certificate', () => {
  const r = k8sGatewayCertificates(
    k8s([listener('b', 'b.example.com', [secretRef('s')])], {
      ...MANAGED,
      'cert.gardener.cloud/commonname': 'a.example.com',
      'cert.gardener.cloud/dnsnames': 'c.example.com,d.example.com',
      'cert.gardener.cloud/issuer': 'test-issuer',
      'cert.gardener.cloud/private-key-algorithm': 'ECDSA',
      'cert.gardener.cloud/private-key-size': '384',
      'cert.gardener.cloud/secret-labels': 'a=b, c=bar42',
      'cert.gardener.cloud/secret-namespace': 'ignored',
    }),
    cfg(),
  );
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.certificates[0]!.spec, {
    commonName: 'a.example.com',
    dnsNames: ['c.example.com', 'd.example.com'],
    secretRef: { name: 's', namespace: 'test' },
    issuerRef: { name: 'test-issuer' },
    privateKey: { algorithm: 'ECDSA', size: 384 },
    secretLabels: { a: 'b', c: 'bar42' },
  });
  const shared = k8sGatewayCertificates(
    k8s([listener('one', 'one.example.com', [secretRef('s')]), listener('two', 'two.example.com', [secretRef('s')])]),
    cfg(),
  );
  assert.deepEqual(shared.certificates.map(names), [['one.example.com', 'two.example.com']]);
  const nameless = k8sGatewayCertificates(k8s([listener('x', undefined, [secretRef('x')])]), cfg());
  assert.deepEqual(nameless.certificates, []);
  assert.equal(nameless.complete, false);
  assert.match(
    nameless.problems[0]!,
    /^spec\.listeners\[0\] \(x\) names no host and no HTTPRoute bound to the Gateway adds one/,
  );
  const zero = k8sGatewayCertificates(k8s([listener('z', 'z.example.com', [])]), cfg());
  assert.match(zero.problems[0]!, /^spec\.listeners\[0\] \(z\) has no tls\.certificateRefs/);
  // Of another class, not managed, being deleted: nothing asked for, nothing reported.
  for (const gw of [
    k8s([listener('a', 'a.example.com', [secretRef('a')])], { ...MANAGED, 'cert.gardener.cloud/class': 'other' }),
    k8s([listener('a', 'a.example.com', [secretRef('a')])], {}),
  ])
    assert.deepEqual(k8sGatewayCertificates(gw, cfg()), { certificates: [], problems: [], complete: true });
});

test('the two kinds of Gateway get different Certificate names for one name and secret; the actor dispatches by kind', () => {
  const secret = { namespace: 'test', name: 'tls' };
  const a = certificateName('', 'web', 'istio-gateway', secret);
  const b = certificateName('', 'web', 'k8s-gateway', secret);
  assert.match(a, /^web-gateway-[0-9a-f]{8}$/);
  assert.match(b, /^web-gateway-[0-9a-f]{8}$/);
  assert.notEqual(a, b);
  assert.match(certificateName('', 'web', 'ingress', secret), /^web-ingress-/);
  const gw = k8s([listener('a', 'a.example.com', [secretRef('a')])]);
  assert.deepEqual(desiredCertificates('k8s-gateway', gw, cfg()), k8sGatewayCertificates(gw, cfg()));
  const ig = istio([server(['a.example.com'], 'a')]);
  assert.deepEqual(desiredCertificates('istio-gateway', ig, cfg()), istioGatewayCertificates(ig, cfg()));
  assert.deepEqual(parseSourceObjectId(sourceObjectId('k8s-gateway', 'ns', 'gw')), {
    kind: 'k8s-gateway',
    namespace: 'ns',
    name: 'gw',
  });
  assert.equal(parseSourceObjectId('gateway/ns/gw'), undefined);
});

test('a snapshot keeps what decides the Certificates: route hosts and the served version count, status does not', () => {
  const obj = (status: unknown) => ({
    metadata: { name: 'g', namespace: 'n', uid: 'u', resourceVersion: '5', annotations: MANAGED },
    spec: {
      listeners: [
        {
          name: 'a',
          protocol: 'HTTPS',
          hostname: 'a.example.com',
          port: 443,
          tls: { certificateRefs: [{ name: 's' }] },
        },
      ],
    },
    status,
  });
  const at = (routeHosts: string[], apiVersion = 'gateway.networking.k8s.io/v1', status: unknown = {}) =>
    snapshotSignature(snapshotOf('k8s-gateway', obj(status), { apiVersion, routeHosts }));
  assert.equal(at([]), at([], undefined, { conditions: [{ type: 'Programmed' }] }));
  assert.notEqual(at([]), at(['r.example.com']));
  assert.notEqual(at([]), at([], 'gateway.networking.k8s.io/v1beta1'));
  const snap = snapshotOf('k8s-gateway', obj({}), { apiVersion: 'gateway.networking.k8s.io/v1', routeHosts: [] });
  assert.deepEqual(snap.spec, {
    listeners: [{ name: 'a', protocol: 'HTTPS', hostname: 'a.example.com', tls: { certificateRefs: [{ name: 's' }] } }],
  });
});

test('routes bind to Gateways as gardener reads them: VirtualService gateways, HTTPRoute parentRefs', () => {
  const vs = (gateways: string[]): KubeObject & { spec: Record<string, unknown> } => ({
    metadata: { name: 'vs', namespace: 'apps' },
    spec: { gateways, hosts: ['vs.example.com', 'reviews'] },
  });
  const istioBinding = ROUTE_BINDINGS['istio-gateway'];
  assert.deepEqual(istioBinding.gatewaysOf(vs(['igw', 'mesh', 'istio-system/shared', 'a/b/c'])), [
    'apps/igw',
    'istio-system/shared',
  ]);
  assert.deepEqual(istioBinding.hostsOf(vs([])), ['vs.example.com', 'reviews']);
  const route = {
    metadata: { name: 'r', namespace: 'apps' },
    spec: {
      parentRefs: [
        { name: 'gw' },
        { name: 'shared', namespace: 'infra', sectionName: 'https' },
        { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'full' },
        { group: '', kind: 'Service', name: 'mesh-svc' },
        { kind: 'ListenerSet', name: 'ls' },
      ],
      hostnames: ['r.example.com'],
    },
  };
  assert.deepEqual(ROUTE_BINDINGS['k8s-gateway'].gatewaysOf(route), ['apps/gw', 'infra/shared', 'apps/full']);
  assert.deepEqual(ROUTE_BINDINGS['k8s-gateway'].hostsOf(route), ['r.example.com']);
});

test('the route index: a change names the Gateways it touches; hosts come in list order of the routes', () => {
  const index = new RouteIndex();
  assert.deepEqual(index.set('b/r2', ['ns/gw'], ['two.example.com']), ['ns/gw']);
  assert.deepEqual(index.set('a-b/r3', ['ns/gw'], ['three.example.com']), ['ns/gw']);
  assert.deepEqual(index.set('a/r1', ['ns/gw', 'ns/other', 'ns/gw'], ['one.example.com']), ['ns/gw', 'ns/other']);
  // "a-b/r3" < "a/r1" byte by byte, as etcd lists them.
  assert.deepEqual(index.hostsFor('ns/gw'), ['three.example.com', 'one.example.com', 'two.example.com']);
  assert.deepEqual(index.set('a/r1', ['ns/third'], ['one.example.com']), ['ns/gw', 'ns/other', 'ns/third']);
  assert.deepEqual(index.hostsFor('ns/other'), []);
  assert.deepEqual(index.delete('b/r2'), ['ns/gw']);
  assert.deepEqual(index.delete('b/r2'), []);
  assert.deepEqual(index.hostsFor('ns/gw'), ['three.example.com']);
  index.clear();
  assert.deepEqual(index.hostsFor('ns/third'), []);
});

test('a CRD is read at the most preferred version it serves; one being deleted or not established is not read', () => {
  const r = GATEWAY_APIS['istio-gateway'].gateways;
  const crd = (versions: Array<[string, boolean]>, established = true, deletionTimestamp?: string) => ({
    metadata: { name: r.crd, ...(deletionTimestamp ? { deletionTimestamp } : {}) },
    spec: {
      group: r.group,
      names: { plural: r.resource },
      versions: versions.map(([name, served]) => ({ name, served })),
    },
    status: { conditions: [{ type: 'Established', status: established ? 'True' : 'False' }] },
  });
  assert.deepEqual(crdState(undefined, r), { state: 'absent' });
  assert.deepEqual(crdState(crd([['v1', true]], true, '2026-01-01T00:00:00Z'), r), { state: 'absent' });
  assert.deepEqual(crdState(crd([['v1', true]], false), r), { state: 'pending', why: 'not established yet' });
  assert.deepEqual(
    crdState(
      crd([
        ['v1alpha3', true],
        ['v1beta1', true],
        ['v1', true],
      ]),
      r,
    ),
    { state: 'served', version: 'v1' },
  );
  assert.deepEqual(
    crdState(
      crd([
        ['v1alpha3', true],
        ['v1', false],
      ]),
      r,
    ),
    { state: 'served', version: 'v1alpha3' },
  );
  assert.deepEqual(crdState(crd([['v2', true]]), r), {
    state: 'pending',
    why: 'served at v2, none of v1, v1beta1, v1alpha3',
  });
});
