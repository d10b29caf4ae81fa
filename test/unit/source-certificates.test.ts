// Ingresses and Services to Certificates (the seed's ingress-cert and service-cert controllers): which objects ask,
// what the Certificates look like, how bad annotations are reported, and what the actor would write.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Certificate } from '../../actors/certificate/certificate-spec.js';
import type { SourceControllerConfig } from '../../actors/config/effective-config.js';
import { ingressCertificates } from '../../actors/sources/ingress-certificates.js';
import { serviceCertificates } from '../../actors/sources/service-certificates.js';
import {
  certificateName,
  commonOptions,
  type SourceSnapshot,
  snapshotOf,
  snapshotSignature,
} from '../../actors/sources/source-annotations.js';
import {
  isGeneratedFor,
  mergeInto,
  needsUpdate,
  planSourceCertificates,
} from '../../actors/sources/source-object-actor.js';

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

function ingress(
  annotations: Record<string, string>,
  tls: Array<{ hosts?: string[]; secretName?: string }>,
  extra: { labels?: Record<string, string>; deletionTimestamp?: string } = {},
): SourceSnapshot {
  return snapshotOf('ingress', {
    metadata: { name: 'web', namespace: 'shop', uid: 'u-1', resourceVersion: '7', annotations, ...extra },
    spec: { tls, rules: [{ host: 'a.example.com' }] },
  });
}
function service(annotations: Record<string, string>, type = 'LoadBalancer'): SourceSnapshot {
  return snapshotOf('service', {
    metadata: { name: 'api', namespace: 'shop', uid: 'u-2', annotations },
    spec: { type, ports: [{ port: 443 }] },
  });
}
const MANAGED = { 'cert.gardener.cloud/purpose': 'managed' };

test('an annotated Ingress gets one Certificate per tls secret, named by its hosts, owned by the Ingress', () => {
  const r = ingressCertificates(
    ingress(MANAGED, [
      { hosts: ['a.example.com', 'b.example.com'], secretName: 'ab-tls' },
      { hosts: ['c.example.com'], secretName: 'c-tls' },
    ]),
    cfg(),
  );
  assert.deepEqual(r.problems, []);
  assert.equal(r.complete, true);
  assert.equal(r.certificates.length, 2);
  const [ab, c] = r.certificates as [Certificate, Certificate];
  // spec.secretRef always, as gardener generates it.
  const ref = (name: string) => ({ name, namespace: 'shop' });
  assert.deepEqual(ab.spec, { commonName: 'a.example.com', dnsNames: ['b.example.com'], secretRef: ref('ab-tls') });
  assert.deepEqual(c.spec, { commonName: 'c.example.com', secretRef: ref('c-tls') });
  assert.equal(ab.metadata.annotations?.['cert.gardener.cloud/forward-owner-refs'], 'true');
  assert.equal(ab.metadata.namespace, 'shop');
  assert.match(ab.metadata.name, /^web-ingress-[0-9a-f]{8}$/);
  assert.notEqual(ab.metadata.name, c.metadata.name);
  assert.deepEqual(ab.metadata.labels, {
    'cert.gardener.cloud/source-kind': 'ingress',
    'cert.gardener.cloud/source-namespace': 'shop',
    'cert.gardener.cloud/source-name': 'web',
  });
  assert.deepEqual(ab.metadata.annotations, {
    'cert.gardener.cloud/class': 'gardencert',
    'cert.gardener.cloud/source-object': 'ingress/shop/web',
    'cert.gardener.cloud/forward-owner-refs': 'true',
  });
  assert.deepEqual(ab.metadata.ownerReferences, [
    { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web', uid: 'u-1', controller: true },
  ]);
});

test('only managed Ingresses (annotation, or the Cert-Broker label) of our classes ask; a deleted one asks for nothing', () => {
  const tls = [{ hosts: ['a.example.com'], secretName: 'a-tls' }];
  assert.equal(ingressCertificates(ingress({}, tls), cfg()).certificates.length, 0);
  assert.equal(
    ingressCertificates(ingress({ 'cert.gardener.cloud/purpose': 'unmanaged' }, tls), cfg()).certificates.length,
    0,
  );
  assert.equal(
    ingressCertificates(ingress({}, tls, { labels: { 'garden.sapcloud.io/purpose': 'managed-cert' } }), cfg())
      .certificates.length,
    1,
  );
  // Class: none = gardencert; another class is not ours; the Certificates carry the target class.
  assert.equal(
    ingressCertificates(ingress({ ...MANAGED, 'cert.gardener.cloud/class': 'other' }, tls), cfg()).certificates.length,
    0,
  );
  const mine = ingressCertificates(
    ingress({ ...MANAGED, 'cert.gardener.cloud/class': 'blue' }, tls),
    cfg({ certClass: 'blue', certClasses: ['blue', 'green'], certTargetClass: 'red' }),
  );
  assert.equal(mine.certificates[0]!.metadata.annotations!['cert.gardener.cloud/class'], 'red');
  assert.equal(
    ingressCertificates(ingress(MANAGED, tls), cfg({ certClass: 'blue', certClasses: ['blue'] })).certificates.length,
    0,
  );
  const deleted = ingressCertificates(ingress(MANAGED, tls, { deletionTimestamp: '2025-01-01T00:00:00Z' }), cfg());
  assert.deepEqual(deleted, { certificates: [], problems: [], complete: true });
});

test('commonname goes first; dnsnames replaces the hosts; a first name over 64 characters is no common name', () => {
  const tls = [{ hosts: ['a.example.com', 'b.example.com'], secretName: 'ab-tls' }];
  const cn = ingressCertificates(
    ingress({ ...MANAGED, 'cert.gardener.cloud/commonname': 'b.example.com' }, tls),
    cfg(),
  );
  assert.deepEqual(
    [cn.certificates[0]!.spec.commonName, cn.certificates[0]!.spec.dnsNames],
    ['b.example.com', ['a.example.com']],
  );
  const dns = ingressCertificates(
    ingress(
      {
        ...MANAGED,
        'cert.gardener.cloud/dnsnames': 'x.example.com, y.example.com',
        'cert.gardener.cloud/commonname': 'w.example.com',
      },
      tls,
    ),
    cfg(),
  );
  assert.deepEqual(
    [dns.certificates[0]!.spec.commonName, dns.certificates[0]!.spec.dnsNames],
    ['w.example.com', ['x.example.com', 'y.example.com']],
  );
  const long = `${'l'.repeat(60)}.example.com`;
  const l = ingressCertificates(ingress(MANAGED, [{ hosts: [long, 'short.example.com'], secretName: 'l-tls' }]), cfg());
  assert.equal(l.certificates[0]!.spec.commonName, undefined);
  assert.deepEqual(l.certificates[0]!.spec.dnsNames, [long, 'short.example.com']);
});

test('tls entries sharing a secret share a Certificate; entries without secret or hosts are reported', () => {
  const r = ingressCertificates(
    ingress(MANAGED, [
      { hosts: ['a.example.com'], secretName: 'tls' },
      { hosts: ['b.example.com', 'a.example.com'], secretName: 'tls' },
      { hosts: ['c.example.com'] },
    ]),
    cfg(),
  );
  assert.equal(r.certificates.length, 1);
  assert.deepEqual(r.certificates[0]!.spec.dnsNames, ['b.example.com']);
  assert.match(r.problems.join('\n'), /spec\.tls\[2\] \(hosts c\.example\.com\) has no secretName/);
  assert.equal(r.complete, true);
  const empty = ingressCertificates(
    ingress(MANAGED, [
      { hosts: [], secretName: 'e-tls' },
      { hosts: ['a.example.com'], secretName: 'a-tls' },
    ]),
    cfg(),
  );
  assert.equal(empty.certificates.length, 1);
  assert.match(empty.problems.join('\n'), /secret e-tls has no hosts/);
  assert.equal(empty.complete, false, 'an existing certificate for e-tls is kept');
  assert.match(ingressCertificates(ingress(MANAGED, []), cfg()).problems[0] ?? '', /no spec\.tls entries/);
});

test('target namespace and name prefix: the Secret stays next to the Ingress, no cross-namespace owner', () => {
  const r = ingressCertificates(
    ingress(MANAGED, [{ hosts: ['a.example.com'], secretName: 'a-tls' }]),
    cfg({ targetNamespace: 'certs', targetNamePrefix: 'Shop-' }),
  );
  const c = r.certificates[0]!;
  assert.equal(c.metadata.namespace, 'certs');
  assert.match(c.metadata.name, /^shop-web-ingress-[0-9a-f]{8}$/);
  assert.deepEqual(c.spec.secretRef, { name: 'a-tls', namespace: 'shop' });
  assert.equal(c.spec.secretName, undefined);
  assert.equal(c.metadata.ownerReferences, undefined);
  assert.equal(c.metadata.labels!['cert.gardener.cloud/source-namespace'], 'shop');
});

test('optional annotations become spec fields; bad ones are named and left out', () => {
  const good = commonOptions({
    'cert.gardener.cloud/issuer': 'garden/acme',
    'cert.gardener.cloud/follow-cname': 'true',
    'cert.gardener.cloud/secret-labels': 'team=web, tier=prod',
    'cert.gardener.cloud/preferred-chain': 'ISRG Root X1',
    'cert.gardener.cloud/private-key-algorithm': 'ecdsa',
    'cert.gardener.cloud/private-key-size': '384',
    'cert.gardener.cloud/private-key-encoding': 'PKCS8',
    'cert.gardener.cloud/renew-before': '240h',
  });
  assert.deepEqual(good.problems, []);
  assert.deepEqual(good.spec, {
    issuerRef: { namespace: 'garden', name: 'acme' },
    followCNAME: true,
    secretLabels: { team: 'web', tier: 'prod' },
    preferredChain: 'ISRG Root X1',
    privateKey: { algorithm: 'ECDSA', size: 384, encoding: 'PKCS8' },
    renewBefore: '240h',
  });
  assert.deepEqual(
    commonOptions({ 'cert.gardener.cloud/issuer': 'acme', 'cert.gardener.cloud/follow-cname': 'false' }).spec,
    { issuerRef: { name: 'acme' } },
  );

  const bad = commonOptions({
    'cert.gardener.cloud/issuer': 'a/b/c',
    'cert.gardener.cloud/follow-cname': 'yes',
    'cert.gardener.cloud/secret-labels': 'team, bad key=x, ok=1',
    'cert.gardener.cloud/private-key-algorithm': 'DSA',
    'cert.gardener.cloud/private-key-size': 'big',
    'cert.gardener.cloud/private-key-encoding': 'DER',
    'cert.gardener.cloud/renew-before': '30d',
  });
  assert.deepEqual(bad.spec, { secretLabels: { ok: '1' } });
  const text = bad.problems.join('\n');
  for (const re of [
    /issuer "a\/b\/c"/,
    /follow-cname "yes"/,
    /"team" is not key=value/,
    /label key "bad key"/,
    /private-key-algorithm "DSA"/,
    /private-key-size "big"/,
    /private-key-encoding "DER"/,
    /renew-before "30d" is invalid/,
  ]) {
    assert.match(text, re);
  }
  assert.match(commonOptions({ 'cert.gardener.cloud/renew-before': '1m' }).problems[0] ?? '', /at least 5m/);
  assert.match(
    commonOptions({ 'cert.gardener.cloud/private-key-algorithm': 'RSA', 'cert.gardener.cloud/private-key-size': '256' })
      .problems[0] ?? '',
    /not allowed for RSA/,
  );
  // Without an algorithm the size is left to the Certificate (checked there against the deployment's default).
  assert.deepEqual(commonOptions({ 'cert.gardener.cloud/private-key-size': '384' }).spec, {
    privateKey: { size: 384 },
  });
});

test('a LoadBalancer Service with secretname and dnsnames gets one Certificate; bad ones are reported', () => {
  const r = serviceCertificates(
    service({
      'cert.gardener.cloud/secretname': 'api-tls',
      'dns.gardener.cloud/dnsnames': 'api.example.com,api2.example.com',
      'cert.gardener.cloud/issuer': 'acme',
    }),
    cfg(),
  );
  assert.deepEqual(r.problems, []);
  const c = r.certificates[0]!;
  assert.deepEqual(c.spec, {
    commonName: 'api.example.com',
    dnsNames: ['api2.example.com'],
    secretRef: { name: 'api-tls', namespace: c.metadata.namespace },
    issuerRef: { name: 'acme' },
  });
  assert.match(c.metadata.name, /^api-service-[0-9a-f]{8}$/);
  assert.equal(c.metadata.ownerReferences![0]!.kind, 'Service');

  // cert.gardener.cloud/dnsnames wins over the dns controller's; a commonname alone is enough; another secret namespace.
  const both = serviceCertificates(
    service({
      'cert.gardener.cloud/secretname': 's',
      'dns.gardener.cloud/dnsnames': 'dns.example.com',
      'cert.gardener.cloud/dnsnames': 'cert.example.com',
    }),
    cfg(),
  );
  assert.equal(both.certificates[0]!.spec.commonName, 'cert.example.com');
  const cnOnly = serviceCertificates(
    service({
      'cert.gardener.cloud/secretname': 's',
      'cert.gardener.cloud/commonname': 'cn.example.com',
      'cert.gardener.cloud/secret-namespace': 'vault',
    }),
    cfg(),
  );
  assert.deepEqual(cnOnly.certificates[0]!.spec, {
    commonName: 'cn.example.com',
    secretRef: { name: 's', namespace: 'vault' },
  });

  const noNames = serviceCertificates(service({ 'cert.gardener.cloud/secretname': 'api-tls' }), cfg());
  assert.deepEqual([noNames.certificates.length, noNames.complete], [0, false]);
  assert.match(noNames.problems[0] ?? '', /no domain names: set annotation dns\.gardener\.cloud\/dnsnames/);
  assert.match(
    serviceCertificates(service({ 'cert.gardener.cloud/secretname': 'x', 'dns.gardener.cloud/dnsnames': '*' }), cfg())
      .problems[0] ?? '',
    /no domain names/,
  );
  assert.match(
    serviceCertificates(
      service({ 'cert.gardener.cloud/secretname': ' ', 'dns.gardener.cloud/dnsnames': 'a.example.com' }),
      cfg(),
    ).problems[0] ?? '',
    /secretname is empty/,
  );
  const clusterIp = serviceCertificates(
    service({ 'cert.gardener.cloud/secretname': 'x', 'dns.gardener.cloud/dnsnames': 'a.example.com' }, 'ClusterIP'),
    cfg(),
  );
  assert.deepEqual([clusterIp.certificates.length, clusterIp.complete], [0, true]);
  assert.match(clusterIp.problems[0] ?? '', /of type ClusterIP/);
  // Not asking at all: no secretname annotation, or not our class.
  assert.deepEqual(serviceCertificates(service({ 'dns.gardener.cloud/dnsnames': 'a.example.com' }), cfg()), {
    certificates: [],
    problems: [],
    complete: true,
  });
  assert.equal(
    serviceCertificates(
      service({
        'cert.gardener.cloud/secretname': 'x',
        'dns.gardener.cloud/dnsnames': 'a.example.com',
        'cert.gardener.cloud/class': 'other',
      }),
      cfg(),
    ).certificates.length,
    0,
  );
});

test('routing signature: status, rules and resourceVersion do not count; tls, annotations and the purpose label do', () => {
  const base = {
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: 'u',
      resourceVersion: '1',
      annotations: MANAGED as Record<string, string>,
    },
    spec: { tls: [{ hosts: ['a.example.com'], secretName: 't' }], rules: [] },
  };
  const sig = (o: typeof base & Record<string, unknown>) => snapshotSignature(snapshotOf('ingress', o));
  const s0 = sig(base);
  assert.equal(
    sig({
      ...base,
      metadata: { ...base.metadata, resourceVersion: '2' },
      status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    }),
    s0,
  );
  assert.equal(sig({ ...base, spec: { ...base.spec, rules: [{ host: 'z' }] as never[] } }), s0);
  assert.equal(
    sig({
      ...base,
      metadata: {
        ...base.metadata,
        annotations: { ...MANAGED, 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      },
    }),
    s0,
  );
  assert.notEqual(sig({ ...base, spec: { ...base.spec, tls: [{ hosts: ['b.example.com'], secretName: 't' }] } }), s0);
  assert.notEqual(sig({ ...base, metadata: { ...base.metadata, annotations: {} } }), s0);
  assert.notEqual(
    sig({
      ...base,
      metadata: { ...base.metadata, labels: { 'garden.sapcloud.io/purpose': 'managed-cert' } } as typeof base.metadata,
    }),
    s0,
  );
});

test('certificate names are deterministic, valid and distinct per secret', () => {
  const a = certificateName('', 'web', 'ingress', { namespace: 'shop', name: 'a' });
  assert.equal(a, certificateName('', 'web', 'ingress', { namespace: 'shop', name: 'a' }));
  assert.notEqual(a, certificateName('', 'web', 'ingress', { namespace: 'shop', name: 'b' }));
  const long = certificateName('-Pre_', 'x'.repeat(300), 'service', { namespace: 'n', name: 's' });
  assert.ok(long.length <= 253);
  assert.match(long, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
});

test('plan: create what is missing, update what differs, delete what is no longer asked for (not on bad input)', () => {
  const desired = ingressCertificates(
    ingress(MANAGED, [
      { hosts: ['a.example.com'], secretName: 'a-tls' },
      { hosts: ['b.example.com'], secretName: 'b-tls' },
    ]),
    cfg(),
  );
  const [a, b] = desired.certificates as [Certificate, Certificate];
  // As read back from the API server: status, uid, finalizer, a user's extra spec field and label.
  const stored = (c: Certificate, spec = c.spec): Certificate => ({
    ...c,
    metadata: {
      ...c.metadata,
      uid: `uid-${c.metadata.name}`,
      resourceVersion: '5',
      finalizers: ['cert.gardener.cloud/cert-controller-manager'],
      labels: { ...c.metadata.labels, extra: 'x' },
    },
    spec: { ...spec, ensureRenewedAfter: '2025-01-01T00:00:00Z' },
    status: { state: 'Ready' },
  });
  assert.equal(needsUpdate(stored(a), a), false, 'server-side additions are no difference');
  const stale = stored(a, { ...a.spec, commonName: 'old.example.com' });
  const obsolete = stored({ ...a, metadata: { ...a.metadata, name: 'web-ingress-00000000' } });
  const plan = planSourceCertificates(desired, [stale, obsolete]);
  assert.deepEqual(
    plan.create.map((c) => c.metadata.name),
    [b.metadata.name],
  );
  assert.deepEqual(
    plan.update.map((u) => u.current.metadata.name),
    [a.metadata.name],
  );
  assert.deepEqual(
    plan.remove.map((c) => c.metadata.name),
    ['web-ingress-00000000'],
  );
  const merged = mergeInto(stale, a);
  assert.equal(merged.spec.commonName, 'a.example.com');
  assert.equal(merged.spec.ensureRenewedAfter, '2025-01-01T00:00:00Z', 'fields the source does not control are kept');
  assert.equal(merged.metadata.resourceVersion, '5', 'the replace is guarded by resourceVersion');
  assert.equal(merged.metadata.labels!.extra, 'x');
  assert.equal((merged as { status?: unknown }).status, undefined);
  // An option removed from the annotations is removed from the spec.
  assert.ok(needsUpdate(stored(a, { ...a.spec, followCNAME: true }), a));

  assert.deepEqual(planSourceCertificates({ ...desired, complete: false }, [stale, obsolete]).remove, []);
  const deleting = { ...obsolete, metadata: { ...obsolete.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } };
  assert.deepEqual(planSourceCertificates({ certificates: [], problems: [], complete: true }, [deleting]).remove, []);
});

test("Certificates of another class are another deployment's", () => {
  const c = ingressCertificates(ingress(MANAGED, [{ hosts: ['a.example.com'], secretName: 'a-tls' }]), cfg())
    .certificates[0]!;
  assert.ok(isGeneratedFor(c, 'ingress/shop/web', cfg()));
  assert.ok(!isGeneratedFor(c, 'ingress/shop/other', cfg()));
  assert.ok(
    !isGeneratedFor(c, 'ingress/shop/web', cfg({ certClass: 'blue', certClasses: ['blue'], certTargetClass: 'blue' })),
  );
});
