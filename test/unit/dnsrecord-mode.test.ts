// --use-dnsrecords as gardener v0.27.0 has it (pkg/shared/legobridge/dnsrecordprovider.go, reconciler.go
// createDNSRecordSettings): the provider named by the Certificate's annotations, gardener's messages when one is
// missing, the DNSRecord's shape, gardener's readiness rule, and the annotations a source passes on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildChallengeDnsRecord, dnsRecordSettings } from '../../actors/dns/challenge-dnsrecord.js';
import { challengeStore } from '../../actors/dns/challenge-store.js';
import { ingressCertificates } from '../../actors/sources/ingress-certificates.js';
import { snapshotOf } from '../../actors/sources/source-annotations.js';

const TYPE = 'cert.gardener.cloud/dnsrecord-provider-type';
const REF = 'cert.gardener.cloud/dnsrecord-secret-ref';
const CLASS = 'cert.gardener.cloud/dnsrecord-class';

test("the provider comes from the Certificate's annotations; a missing one is named as gardener names it", () => {
  assert.deepEqual(dnsRecordSettings({ [REF]: 'x' }, 'ns'), {
    problem: `missing annotation ${TYPE} for creating DNSRecord`,
  });
  assert.deepEqual(dnsRecordSettings({ [TYPE]: 'aws-route53' }, 'ns'), {
    problem: `missing annotation ${REF} for creating DNSRecord`,
  });
  assert.deepEqual(dnsRecordSettings({ [TYPE]: 'aws-route53', [REF]: 'creds' }, 'ns'), {
    type: 'aws-route53',
    secretRef: { name: 'creds', namespace: 'ns' },
  });
  assert.deepEqual(dnsRecordSettings({ [TYPE]: 'aws-route53', [REF]: 'garden/creds', [CLASS]: 'garden' }, 'ns'), {
    type: 'aws-route53',
    secretRef: { name: 'creds', namespace: 'garden' },
    class: 'garden',
  });
});

test("the DNSRecord has gardener's shape: name without dot, TXT, type, secretRef, values, ttl, class", () => {
  const r = buildChallengeDnsRecord({
    certificate: { cluster: 'source', namespace: 'default', name: 'c' },
    domain: 'a.example.com',
    recordName: '_acme-challenge.a.example.com.',
    values: ['v1', 'v2', 'v1'],
    namespace: 'dns',
    ttlSeconds: 120,
    settings: { type: 'aws-route53', secretRef: { name: 'creds', namespace: 'garden' }, class: 'garden' },
  });
  assert.equal(r.apiVersion, 'extensions.gardener.cloud/v1alpha1');
  assert.equal(r.kind, 'DNSRecord');
  assert.equal(r.metadata.namespace, 'dns');
  assert.match(r.metadata.name, /^cert--a-example-com-[0-9a-f]{10}$/);
  assert.equal(r.metadata.annotations['cert.gardener.cloud/acme-dns-challenge'], 'true');
  assert.equal(r.metadata.labels['cert.gardener.cloud/acme-dns-challenge'], 'true');
  assert.deepEqual(r.spec, {
    name: '_acme-challenge.a.example.com',
    recordType: 'TXT',
    type: 'aws-route53',
    secretRef: { name: 'creds', namespace: 'garden' },
    values: ['v1', 'v2'],
    ttl: 120,
    class: 'garden',
  });
});

test('a DNSRecord is ready when lastOperation Succeeded at exactly its generation (gardener)', () => {
  const store = challengeStore(true);
  const r = (status: object, generation = 2) =>
    store.view({ metadata: { name: 'r', generation }, spec: { name: 'n', values: ['v'] }, status } as never);
  assert.equal(r({ lastOperation: { state: 'Succeeded' }, observedGeneration: 2 }).ready, true);
  assert.equal(r({ lastOperation: { state: 'Succeeded' }, observedGeneration: 1 }).ready, false);
  assert.equal(r({ lastOperation: { state: 'Processing' } }).ready, false);
  assert.match(r({}).describe, /not processed yet/);
  assert.equal(
    r({ lastOperation: { state: 'Error', description: 'no zone' }, observedGeneration: 2 }).describe,
    'has state Error (no zone)',
  );
});

test('an Ingress passes the DNSRecord annotations on to its Certificates, as gardener does', () => {
  const src = snapshotOf('ingress', {
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: 'u',
      annotations: { 'cert.gardener.cloud/purpose': 'managed', [TYPE]: 'aws-route53', [REF]: 'creds', other: 'x' },
    },
    spec: { tls: [{ hosts: ['a.example.com'], secretName: 'a-tls' }] },
  });
  const cfg = {
    certClass: 'gardencert',
    certClasses: ['gardencert'],
    certTargetClass: 'gardencert',
    targetNamespace: '',
    targetNamePrefix: '',
    concurrency: 2,
    targetsConcurrency: 2,
    resyncPeriodMs: 120_000,
  };
  const [c] = ingressCertificates(src, cfg).certificates;
  assert.equal(c?.metadata.annotations?.[TYPE], 'aws-route53');
  assert.equal(c?.metadata.annotations?.[REF], 'creds');
  assert.equal(c?.metadata.annotations?.[CLASS], undefined);
  assert.equal(c?.metadata.annotations?.other, undefined);
});
