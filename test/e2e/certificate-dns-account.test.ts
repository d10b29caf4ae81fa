import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { accountLabel } from '../../actors/acme/dns-challenge-types.js';
import type { DnsEntry } from '../env/dns-companion.js';
import { type DnsRecordObject, STANDIN_DNSRECORD_TYPE } from '../env/dnsrecord-companion.js';
import { TestDeployment } from '../support/deployment.js';
import { ObjectTimeline } from '../support/object-timeline.js';

// dns-account-01 (spec.acme.dnsChallenge.type, our extension of the Issuer): the record is
// `_<label>._acme-challenge.<domain>`, the label derived from the ACME account URL, so two accounts (two issuers,
// or two controllers) validate one domain at the same time without touching each other's record. pebble 2.10
// validates it for real against the stack's DNS server.
//
// The real dns-controller-manager (v0.48.0) refuses such names (only a leading "_" is allowed) and so does the
// stand-in: through DNSEntries the certificate fails at once, saying so. Through DNSRecords (a provider extension
// may accept any TXT name; the stand-in does) it works, which the concurrent test shows.
const records = new TestDeployment({
  pods: 1,
  // The additional wait keeps both orders' records published for a while: they must overlap in time.
  args: ['--use-dnsrecords', '--precheck-additional-wait', '3s'],
});
const entries = new TestDeployment({ pods: 1 });
const SECRET = 'dnsrecord-credentials';
const provider = {
  'cert.gardener.cloud/dnsrecord-provider-type': STANDIN_DNSRECORD_TYPE,
  'cert.gardener.cloud/dnsrecord-secret-ref': SECRET,
};
let timeline: ObjectTimeline<DnsRecordObject>;

before(async () => {
  await Promise.all([records.start(), entries.start()]);
  await records.kube.dns.create(`/api/v1/namespaces/${records.ns}/secrets`, {
    metadata: { name: SECRET, namespace: records.ns },
    stringData: { token: 'test' },
  });
  timeline = await new ObjectTimeline<DnsRecordObject>(
    records.kube.dns,
    `/apis/extensions.gardener.cloud/v1alpha1/namespaces/${records.ns}/dnsrecords`,
  ).start();
  for (const name of ['first', 'second']) await records.issuer(name, { dnsChallenge: { type: 'dns-account-01' } });
  await entries.issuer('entries', { dnsChallenge: { type: 'dns-account-01' } });
  for (const name of ['first', 'second']) await records.waitIssuer(name);
  await entries.waitIssuer('entries');
});
after(async () => {
  await timeline?.stop();
  await Promise.all([records.stop(), entries.stop()]);
});

test('two issuers validate one domain at the same time, each at its own account-scoped record', async () => {
  const domain = `shared.${records.ns}.example.com`;
  await Promise.all(
    ['first', 'second'].map((issuer) =>
      records.certificate(`by-${issuer}`, { commonName: domain, issuerRef: { name: issuer } }, provider),
    ),
  );
  await Promise.all(['first', 'second'].map((issuer) => records.waitCertificate(`by-${issuer}`, 'Ready', 90_000)));
  const published: Array<{ name: string; from: number; to: number }> = [];
  for (const issuer of ['first', 'second']) {
    const account = (await records.waitIssuer(issuer)).status?.acme?.accountURL;
    assert.ok(account, `issuer ${issuer} reports its account URL`);
    const recordName = `_${accountLabel(account)}._acme-challenge.${domain}`;
    const name = timeline.names().find((n) => timeline.of(n)[0]?.object.spec.name === recordName);
    assert.ok(name, `a DNSRecord for ${recordName} (issuer ${issuer})`);
    const from = timeline.firstAt(
      name,
      (o) => o.status?.lastOperation?.state === 'Succeeded' && o.status.observedGeneration === o.metadata.generation,
    );
    const to = timeline.deletedAt(name) ?? Date.now();
    assert.ok(from !== undefined, `${recordName} was published`);
    published.push({ name: recordName, from, to });
  }
  const [a, b] = published as [(typeof published)[0], (typeof published)[0]];
  assert.notEqual(a.name, b.name, 'each account has its own record name');
  assert.ok(
    Math.max(a.from, b.from) < Math.min(a.to, b.to),
    `both records were published at once: ${JSON.stringify(published)}`,
  );
  assert.equal(records.ordersOf('by-first') + records.ordersOf('by-second'), 2);
});

test('through DNSEntries the dns-account-01 name is refused (Invalid) and the certificate says so at once', async () => {
  const domain = `entry.${entries.ns}.example.com`;
  await entries.certificate('via-entry', { commonName: domain, issuerRef: { name: 'entries' } });
  const c = await entries.waitCertificate('via-entry', 'Error', 60_000);
  assert.match(
    c.status?.message ?? '',
    new RegExp(
      `DNSEntry ${entries.ns}/cert--.* \\(_[a-z2-7]{16}\\._acme-challenge\\.${domain.replaceAll('.', '\\.')}\\) is Invalid: invalid dnsName`,
    ),
  );
  const list = await entries.kube.dns.get<{ items: DnsEntry[] }>(
    `/apis/dns.gardener.cloud/v1alpha1/namespaces/${entries.ns}/dnsentries`,
  );
  assert.deepEqual(list.items, [], 'the failed order deleted its entry');
});
