import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { httpCall } from '../env/http-probe.js';
import { TestDeployment } from '../support/deployment.js';
import { eventually } from '../support/test-env.js';

// The DNS options gardener v0.27.0 has around challenges: followCNAME (the record goes where the
// `_acme-challenge` name points), an issuer's own precheck nameservers (here the deployment's flag points at a
// server that does not answer, so only issuers with their own list can pass), and skipDNSChallengeValidation.
const d = new TestDeployment({
  pods: 1,
  args: ['--precheck-nameservers', '127.0.0.1:9', '--propagation-timeout', '8s', '--precheck-additional-wait', '2s'],
});
const entries = () => `/apis/dns.gardener.cloud/v1alpha1/namespaces/${d.ns}/dnsentries`;
type Entry = { metadata: { name: string }; spec: { dnsName: string } };

before(async () => {
  await d.start();
  await d.issuer('own-ns', { precheckNameservers: [d.stack.dns.server] });
  await d.issuer('flag-ns');
  await d.waitIssuer('own-ns');
  await d.waitIssuer('flag-ns');
});
after(async () => {
  await d.stop();
});

test("an issuer's spec.acme.precheckNameservers replace the flag's; without them the flag's servers are asked", async () => {
  await d.certificate('own', { commonName: 'own-ns.example.com', issuerRef: { name: 'own-ns' } });
  await d.certificate('flag', { commonName: 'flag-ns.example.com', issuerRef: { name: 'flag-ns' } });
  await d.waitCertificate('own', 'Ready', 60_000);
  await d.waitCertificate('flag', 'Error', 60_000, (s) =>
    /TXT records not visible .* 127\.0\.0\.1:9/.test(s.message ?? ''),
  );
});

test('followCNAME: the challenge record is written where _acme-challenge.<domain> points', async () => {
  const mgmt = d.stack.dns.managementUrl;
  assert.ok(mgmt, 'the stand-in lane serves CNAMEs through challtestsrv');
  const res = await httpCall(`${mgmt}/set-cname`, {
    method: 'POST',
    body: JSON.stringify({
      host: '_acme-challenge.alias.example.com.',
      target: '_acme-challenge.delegated.example.net.',
    }),
  });
  assert.equal(res.status, 200, res.body);
  await d.certificate('aliased', { commonName: 'alias.example.com', followCNAME: true, issuerRef: { name: 'own-ns' } });
  const entry = await eventually(
    async () =>
      (await d.kube.dns.get<{ items: Entry[] }>(entries())).items.find((e) => e.spec.dnsName.includes('delegated')) ??
      false,
    'the challenge entry at the CNAME target',
    30_000,
  );
  assert.equal(entry.spec.dnsName, '_acme-challenge.delegated.example.net');
  await d.waitCertificate('aliased', 'Ready', 60_000);
});

test('skipDNSChallengeValidation: no DNSEntry, the challenges are answered at once (a CA that does not look)', async () => {
  const ca = d.stack.acmeExtra!['no-validation']!;
  await d.issuer('no-dns', { server: ca.directoryUrl, skipDNSChallengeValidation: true });
  await d.waitIssuer('no-dns');
  await d.certificate('undns', { commonName: 'undns.example.com', issuerRef: { name: 'no-dns' } });
  await d.waitCertificate('undns', 'Ready', 60_000);
  // The dns cluster's audit log has every write: none for an entry of this certificate. A write of our own, once
  // it shows up there, proves the log has caught up with everything before it.
  const audit = () => readFileSync(d.stack.clusters.dns.auditLog, 'utf8');
  await d.kube.dns.create('/api/v1/namespaces/default/configmaps', { metadata: { name: `barrier-${d.id}` } });
  await eventually(() => audit().includes(`barrier-${d.id}`), 'the audit log to catch up', 30_000);
  const created = audit()
    .split('\n')
    .filter((l) => l.includes('"resource":"dnsentries"') && l.includes('cert--undns-example-com'));
  assert.deepEqual(created, [], 'no challenge entry was written');
  assert.equal(d.ordersOf('undns'), 1);
});
