import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { certificatePath } from '../../actors/certificate/certificate-kube.js';
import type { Certificate } from '../../actors/certificate/certificate-spec.js';
import type { KubeList } from '../../actors/kube/kube-object.js';
import { DNSRECORD_FINALIZER, type DnsRecordObject, STANDIN_DNSRECORD_TYPE } from '../env/dnsrecord-companion.js';
import { TestDeployment } from '../support/deployment.js';
import { ObjectTimeline } from '../support/object-timeline.js';
import { eventually } from '../support/test-env.js';

// --use-dnsrecords (gardener's mode for Gardener seeds): challenges go into extensions.gardener.cloud/v1alpha1
// DNSRecords (the CRD of gardener's module, installed by the stack) named by the Certificate's dnsrecord-*
// annotations. The stack's DNSRecord stand-in plays the provider extension: it publishes the values into the DNS
// server pebble validates against, with the extension library's finalizer and status, and completes a deletion only
// when gardener's deletion confirmation is on the record.
const d = new TestDeployment({ pods: 1, args: ['--use-dnsrecords', '--propagation-timeout', '20s'] });
const ISSUER = 'records';
const SECRET = 'dnsrecord-credentials';
const records = () => `/apis/extensions.gardener.cloud/v1alpha1/namespaces/${d.ns}/dnsrecords`;
const provider = (ref = SECRET) => ({
  'cert.gardener.cloud/dnsrecord-provider-type': STANDIN_DNSRECORD_TYPE,
  'cert.gardener.cloud/dnsrecord-secret-ref': ref,
});
let timeline: ObjectTimeline<DnsRecordObject>;

before(async () => {
  await d.start();
  // The provider's credentials, which an extension reads (the stand-in only checks they exist).
  await d.kube.dns.create(`/api/v1/namespaces/${d.ns}/secrets`, {
    metadata: { name: SECRET, namespace: d.ns },
    stringData: { token: 'test' },
  });
  timeline = await new ObjectTimeline<DnsRecordObject>(d.kube.dns, records()).start();
  await d.issuer(ISSUER);
  await d.waitIssuer(ISSUER);
});
after(async () => {
  await timeline?.stop();
  await d.stop();
});

/** The DNSRecords the certificate's order wrote, by their record name. */
const recordsFor = (dnsName: string) => timeline.names().filter((n) => timeline.of(n)[0]?.object.spec.name === dnsName);

test("a Certificate is issued through a DNSRecord of gardener's shape, which is deleted with confirmation afterwards", async () => {
  const domain = `rec.${d.ns}.example.com`;
  await d.certificate(
    'rec',
    { commonName: domain, dnsNames: [`*.${domain}`], issuerRef: { name: ISSUER } },
    provider(`${d.ns}/${SECRET}`),
  );
  await d.waitCertificate('rec', 'Ready', 90_000);
  const [name, ...more] = recordsFor(`_acme-challenge.${domain}`);
  assert.ok(name, 'a DNSRecord was written');
  assert.deepEqual(more, [], 'a wildcard and its base share one DNSRecord');
  await eventually(() => timeline.deletedAt(name), `DNSRecord ${name} to be deleted after issuance`, 30_000);
  const seen = timeline.of(name).map((e) => e.object);
  const written = seen[0]!;
  assert.equal(written.metadata.annotations?.['cert.gardener.cloud/acme-dns-challenge'], 'true');
  assert.deepEqual(written.spec, {
    name: `_acme-challenge.${domain}`,
    recordType: 'TXT',
    type: STANDIN_DNSRECORD_TYPE,
    secretRef: { name: SECRET, namespace: d.ns },
    values: written.spec.values,
    ttl: 20,
  });
  assert.equal(new Set(written.spec.values).size, 2, "the wildcard's and the base's value");
  // The extension took it up (finalizer, Succeeded at its generation) before the CA validated; the deletion
  // completed, which the stand-in only lets happen with gardener's confirmation annotation.
  assert.ok(seen.some((o) => o.metadata.finalizers?.includes(DNSRECORD_FINALIZER)));
  assert.ok(
    seen.some(
      (o) => o.status?.lastOperation?.state === 'Succeeded' && o.status.observedGeneration === o.metadata.generation,
    ),
  );
  assert.equal(seen.at(-1)?.metadata.annotations?.['confirmation.gardener.cloud/deletion'], 'true');
  // No DNSEntry: the dns cluster's audit log has every write; a barrier of our own shows it caught up.
  const audit = () => readFileSync(d.stack.clusters.dns.auditLog, 'utf8');
  await d.kube.dns.create('/api/v1/namespaces/default/configmaps', { metadata: { name: `barrier-rec-${d.id}` } });
  await eventually(() => audit().includes(`barrier-rec-${d.id}`), 'the audit log to catch up', 30_000);
  const entryWrites = audit()
    .split('\n')
    .filter((l) => l.includes('"resource":"dnsentries"') && l.includes(d.ns));
  assert.deepEqual(entryWrites, [], 'no DNSEntry was written');
});

test("without the provider annotations the Certificate is Error with gardener's message; adding them issues it", async () => {
  await d.certificate('bare', { commonName: `bare.${d.ns}.example.com`, issuerRef: { name: ISSUER } });
  await d.waitCertificate(
    'bare',
    'Error',
    60_000,
    (s) => s.message === 'missing annotation cert.gardener.cloud/dnsrecord-provider-type for creating DNSRecord',
  );
  assert.equal(d.ordersOf('bare'), 0, 'checked before an ACME order is opened');
  await d.kube.source.mergePatch(certificatePath(d.ns, 'bare'), {
    metadata: { annotations: { 'cert.gardener.cloud/dnsrecord-provider-type': STANDIN_DNSRECORD_TYPE } },
  });
  // gardener.cloud/operation: reconcile retries at once instead of after the backoff.
  await d.kube.source.mergePatch(certificatePath(d.ns, 'bare'), {
    metadata: { annotations: { 'gardener.cloud/operation': 'reconcile' } },
  });
  await d.waitCertificate(
    'bare',
    'Error',
    60_000,
    (s) => s.message === 'missing annotation cert.gardener.cloud/dnsrecord-secret-ref for creating DNSRecord',
  );
  await d.kube.source.mergePatch(certificatePath(d.ns, 'bare'), {
    metadata: { annotations: { ...provider(), 'gardener.cloud/operation': 'reconcile' } },
  });
  await d.waitCertificate('bare', 'Ready', 90_000);
});

test('a DNSRecord no provider extension serves fails the order after --propagation-timeout, saying so', async () => {
  await d.certificate(
    'unserved',
    { commonName: `unserved.${d.ns}.example.com`, issuerRef: { name: ISSUER } },
    { ...provider(), 'cert.gardener.cloud/dnsrecord-class': 'elsewhere' },
  );
  const c = await d.waitCertificate('unserved', 'Error', 90_000, (s) =>
    /challenge DNS records were not published within 20s/.test(s.message ?? ''),
  );
  assert.match(c.status?.message ?? '', /DNSRecord .* is not processed yet \(no provider extension has taken it up\)/);
  const [name] = recordsFor(`_acme-challenge.unserved.${d.ns}.example.com`);
  assert.equal(timeline.of(name!)[0]?.object.spec.class, 'elsewhere');
  await eventually(() => timeline.deletedAt(name!), 'the failed order to delete its DNSRecord', 30_000);
});

test("an Ingress's dnsrecord annotations reach its Certificate, which is issued through a DNSRecord", async () => {
  const host = `web.${d.ns}.example.com`;
  await d.kube.source.create(`/apis/networking.k8s.io/v1/namespaces/${d.ns}/ingresses`, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: 'web',
      namespace: d.ns,
      annotations: {
        'cert.gardener.cloud/purpose': 'managed',
        'cert.gardener.cloud/class': d.certClass,
        'cert.gardener.cloud/issuer': `${d.ns}/${ISSUER}`,
        ...provider(),
      },
    },
    spec: {
      tls: [{ hosts: [host], secretName: 'web-tls' }],
      rules: [
        {
          host,
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }],
          },
        },
      ],
    },
  });
  const cert = await eventually(
    async () =>
      (
        await d.kube.source.get<KubeList<Certificate>>(certificatePath(d.ns), {
          labelSelector: 'cert.gardener.cloud/source-kind=ingress,cert.gardener.cloud/source-name=web',
        })
      ).items[0] ?? false,
    'the Ingress to get its Certificate',
    60_000,
  );
  assert.equal(cert.metadata.annotations?.['cert.gardener.cloud/dnsrecord-provider-type'], STANDIN_DNSRECORD_TYPE);
  assert.equal(cert.metadata.annotations?.['cert.gardener.cloud/dnsrecord-secret-ref'], SECRET);
  await d.waitCertificate(cert.metadata.name, 'Ready', 90_000);
  assert.equal(recordsFor(`_acme-challenge.${host}`).length, 1);
});
