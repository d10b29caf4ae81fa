import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { certificatePath } from '../../actors/certificate/certificate-kube.js';
import { issuerPath } from '../../actors/issuer/issuer-types.js';
import type { KubeList } from '../../actors/kube/kube-object.js';
import { countWrites } from '../bench/audit-writes.js';
import type { DnsEntry } from '../env/dns-companion.js';
import { RUNTIME_USER } from '../env/kube-apiserver.js';
import { TestDeployment } from '../support/deployment.js';
import { txtRecords } from '../support/dns-entries.js';
import { eventually } from '../support/test-env.js';

// dns-persist-01 (spec.acme.dnsChallenge.type, our extension of the Issuer): one TXT record per domain at
// `_validation-persist.<domain>` names the CA and the issuer's ACME account. The controller keeps it as a long-lived
// DNSEntry of the issuer; orders only check that it is there, so a renewal writes no DNSEntry at all, and pebble 2.10
// validates the record for real at every order.
const d = new TestDeployment({ pods: 1 });
const ISSUER = 'persist';
const ENTRIES = () => `/apis/dns.gardener.cloud/v1alpha1/namespaces/${d.ns}/dnsentries`;
const CA = 'pebble.letsencrypt.org';
let account = '';

before(async () => {
  await d.start();
  await d.issuer(ISSUER, { dnsChallenge: { type: 'dns-persist-01' } });
  account = (await d.waitIssuer(ISSUER)).status?.acme?.accountURL ?? '';
  assert.ok(account, 'the issuer reports its account URL');
});
after(async () => {
  await d.stop();
});

const persistentEntries = async () =>
  (
    await d.kube.dns.get<KubeList<DnsEntry>>(ENTRIES(), {
      labelSelector: 'cert.gardener.cloud/acme-dns-persist=true',
    })
  ).items;

/** The dns cluster's audit log has caught up with everything written before this call. */
async function auditBarrier(tag: string): Promise<number> {
  const name = `barrier-${tag}-${d.id}`;
  await d.kube.dns.create('/api/v1/namespaces/default/configmaps', { metadata: { name } });
  await eventually(
    () => readFileSync(d.stack.clusters.dns.auditLog, 'utf8').includes(name),
    'the audit log to catch up',
    30_000,
  );
  return Date.now();
}

const serialOf = async (name: string) => (await d.getCertificate(name)).status?.message ?? '';

test('the first order writes the persistent record; it stays; a renewal writes no DNSEntry and passes validation', async () => {
  const domain = `keep.${d.ns}.example.com`;
  await d.certificate('keep', { commonName: domain, issuerRef: { name: ISSUER } });
  await d.waitCertificate('keep', 'Ready', 90_000);
  const [entry, ...others] = await persistentEntries();
  assert.ok(entry, 'a persistent DNSEntry');
  assert.deepEqual(others, []);
  assert.match(entry.metadata.name, /^persist--keep-/);
  assert.deepEqual(entry.spec.text, [`${CA}; accounturi=${account}`]);
  assert.equal(entry.spec.dnsName, `_validation-persist.${domain}`);
  // Not a challenge entry to gardener's (or our) start-up clean-up.
  assert.equal(entry.metadata.annotations?.['cert.gardener.cloud/acme-dns-challenge'], undefined);
  assert.equal(entry.status?.state, 'Ready');
  assert.deepEqual(await txtRecords(d.stack.dns.server, `_validation-persist.${domain}`), entry.spec.text);
  // No per-order entry is left, and the persistent one outlived its order.
  const all = (await d.kube.dns.get<KubeList<DnsEntry>>(ENTRIES())).items.map((e) => e.metadata.name);
  assert.deepEqual(all, [entry.metadata.name]);

  const issued = await serialOf('keep');
  const since = await auditBarrier('renew-start');
  await d.kube.source.mergePatch(certificatePath(d.ns, 'keep'), { spec: { renew: true } });
  await d.waitCertificate('keep', 'Ready', 90_000, (s) => s.message !== issued);
  const until = await auditBarrier('renew-end');
  const writes = countWrites([d.stack.clusters.dns.auditLog], RUNTIME_USER, since, until);
  assert.deepEqual(writes.byResource, {}, 'the renewal wrote nothing into the dns cluster');
  assert.equal(d.ordersOf('keep'), 2, 'a real second order, validated by the CA');
  const [still] = await persistentEntries();
  assert.equal(still?.metadata.generation, entry.metadata.generation, 'the record was not touched');
});

test('a wildcard certificate widens the record to policy=wildcard, and a later base order leaves it so', async () => {
  const domain = `wide.${d.ns}.example.com`;
  await d.certificate('wide', { commonName: domain, dnsNames: [`*.${domain}`], issuerRef: { name: ISSUER } });
  await d.waitCertificate('wide', 'Ready', 90_000);
  const wide = (await persistentEntries()).find((e) => e.spec.dnsName === `_validation-persist.${domain}`);
  assert.deepEqual(wide?.spec.text, [`${CA}; accounturi=${account}; policy=wildcard`]);
  await d.certificate('narrow', { commonName: domain, issuerRef: { name: ISSUER } });
  await d.waitCertificate('narrow', 'Ready', 90_000);
  const later = (await persistentEntries()).find((e) => e.spec.dnsName === `_validation-persist.${domain}`);
  assert.equal(later?.metadata.generation, wide?.metadata.generation);
});

test('a record deleted by someone is written again by the next order', async () => {
  const [keep] = (await persistentEntries()).filter((e) => e.metadata.name.startsWith('persist--keep-'));
  assert.ok(keep);
  await d.kube.dns.delete(`${ENTRIES()}/${keep.metadata.name}`);
  await d.kube.source.mergePatch(certificatePath(d.ns, 'keep'), { spec: { renew: true } });
  await d.waitCertificate('keep', 'Ready', 90_000, () => d.ordersOf('keep') === 3);
  const again = (await persistentEntries()).find((e) => e.metadata.name === keep.metadata.name);
  assert.deepEqual(again?.spec.text, keep.spec.text);
});

test('deleting the Issuer deletes its persistent records (they would go on authorising the account)', async () => {
  assert.ok((await persistentEntries()).length >= 2);
  await d.kube.default.delete(issuerPath(d.ns, ISSUER));
  await eventually(async () => (await persistentEntries()).length === 0, 'the persistent records to go', 60_000);
});
