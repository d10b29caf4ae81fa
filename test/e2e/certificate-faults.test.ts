import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import { issuerPath } from '../../actors/issuer/issuer-types.js';
import { privateKeyMatchesCertificate, readCertificateChain } from '../../actors/x509/certificate-info.js';
import { TestDeployment } from '../support/deployment.js';
import { eventually } from '../support/test-env.js';

// What careless operators do to running certificates, and what a user sees: the issuer deleted mid-order and
// recreated. Orders wait 8 s between the records being visible and answering the CA (--precheck-additional-wait),
// so there is time to act while they run.
const b64 = (s?: string) => Buffer.from(s ?? '', 'base64').toString('utf8');
const d = new TestDeployment({ pods: 2, args: ['--precheck-additional-wait', '8s'] });

before(async () => {
  await d.start();
});
after(async () => {
  await d.stop();
});

test('an issuer deleted while orders run: the certificates say so at once, keep their orders, and finish when it is back', async () => {
  await d.issuer('fickle');
  await d.waitIssuer('fickle');
  for (const n of ['f1', 'f2'])
    await d.certificate(n, { commonName: `${n}.fickle.example.com`, issuerRef: { name: 'fickle' } });
  for (const n of ['f1', 'f2']) await d.waitCertificate(n, 'Pending');
  await d.kube.default.delete(issuerPath(d.ns, 'fickle'));
  for (const n of ['f1', 'f2']) {
    await d.waitCertificate(n, 'Error', 30_000, (s) => /issuer .*fickle does not exist/.test(s.message ?? ''));
  }
  const waiting = await d.getCertificate('f1');
  assert.equal(waiting.status?.backoff, undefined, 'no backoff: the cause is the missing issuer');

  await d.issuer('fickle');
  for (const n of ['f1', 'f2']) await d.waitCertificate(n, 'Ready', 90_000);
  // The orders continued: one each (the account secret was kept, so the same account resumed them).
  assert.deepEqual([d.ordersOf('f1'), d.ordersOf('f2')], [1, 1]);
});

test('a challenge entry deleted by someone after it turned Ready is written again; the same order goes through', async () => {
  await d.issuer('steady');
  await d.waitIssuer('steady');
  await d.certificate('lost-entry', { commonName: 'lost-entry.example.com', issuerRef: { name: 'steady' } });
  const entries = `/apis/dns.gardener.cloud/v1alpha1/namespaces/${d.ns}/dnsentries`;
  const entry = await eventually(
    async () => {
      const list = await d.kube.dns.get<{
        items: Array<{ metadata: { name: string }; spec: { dnsName: string }; status?: { state?: string } }>;
      }>(entries);
      return (
        list.items.find(
          (e) => e.spec.dnsName === '_acme-challenge.lost-entry.example.com' && e.status?.state === 'Ready',
        ) ?? false
      );
    },
    'the challenge entry to be Ready',
    30_000,
  );
  // The order now waits out --precheck-additional-wait before it answers the CA: take the entry away.
  await d.kube.dns.delete(`${entries}/${entry.metadata.name}`);
  await d.waitCertificate('lost-entry', 'Ready', 60_000);
  assert.equal(d.ordersOf('lost-entry'), 1, 'no second order, no backoff');
  assert.ok(d.logsOf('lost-entry', 'a challenge entry was deleted; writing it again').length >= 1);
});

test('a tls.key replaced by another valid key is noticed within seconds: a Warning Event, and the certificate is issued again', async () => {
  await d.certificate('tampered', {
    commonName: 'tampered.example.com',
    issuerRef: { name: 'steady' },
    secretName: 'tampered-tls',
  });
  await d.waitCertificate('tampered', 'Ready', 60_000);
  const before = await d.secret('tampered-tls');
  const serial = readCertificateChain(b64(before!.data!['tls.crt'])).serialNumber;
  const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
    type: 'sec1',
    format: 'pem',
  });
  await d.kube.target.mergePatch(`/api/v1/namespaces/${d.ns}/secrets/tampered-tls`, {
    data: { 'tls.key': Buffer.from(otherKey).toString('base64') },
  });
  await eventually(
    async () =>
      (await d.events('tampered')).some(
        (e) =>
          e.type === 'Warning' &&
          /was changed and no longer holds this certificate \(tls\.key does not belong to tls\.crt\)/.test(e.message),
      ),
    'a Warning Event about the changed secret',
    30_000,
  );
  const repaired = await eventually(
    async () => {
      const s = await d.secret('tampered-tls');
      const crt = b64(s?.data?.['tls.crt']);
      return readCertificateChain(crt).serialNumber !== serial &&
        privateKeyMatchesCertificate(b64(s?.data?.['tls.key']), crt)
        ? s
        : false;
    },
    'a new certificate with its own key in the secret',
    60_000,
  );
  assert.ok(repaired);
  assert.equal(d.ordersOf('tampered'), 2);
});
