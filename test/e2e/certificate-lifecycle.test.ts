import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { certificatePath } from '../../actors/certificate/certificate-kube.js';
import type { Certificate } from '../../actors/certificate/certificate-spec.js';
import { readCertificateChain } from '../../actors/x509/certificate-info.js';
import { TestDeployment } from '../support/deployment.js';
import { eventually } from '../support/test-env.js';

// What happens to a certificate after it is first issued: spec edits, `renew: true`, deletion (without
// --cascade-delete the Secret stays), reuse of a stored certificate for the same request without a new order, and
// the reconcile annotation. Two pods.
const d = new TestDeployment({ pods: 2 });
const ISSUER = 'lifecycle';

before(async () => {
  await d.start();
  await d.issuer(ISSUER);
  await d.waitIssuer(ISSUER);
});
after(async () => {
  await d.stop();
});

const b64 = (s?: string) => Buffer.from(s ?? '', 'base64').toString('utf8');
async function leafOf(secretName: string) {
  const s = await d.secret(secretName);
  assert.ok(s, `secret ${secretName} exists`);
  return readCertificateChain(b64(s.data?.['tls.crt']));
}
const patch = (name: string, body: unknown) => d.kube.source.mergePatch<Certificate>(certificatePath(d.ns, name), body);

test('a spec change re-issues the certificate for the new names', async () => {
  await d.certificate('edit', { commonName: 'edit.example.com', issuerRef: { name: ISSUER }, secretName: 'edit-tls' });
  await d.waitCertificate('edit', 'Ready');
  const first = await leafOf('edit-tls');
  assert.deepEqual(first.dnsNames, ['edit.example.com']);
  await patch('edit', { spec: { dnsNames: ['edit-more.example.com'] } });
  const c = await d.waitCertificate('edit', 'Ready', 60_000, (s) =>
    (s.dnsNames ?? []).includes('edit-more.example.com'),
  );
  const second = await leafOf('edit-tls');
  assert.notEqual(second.serialNumber, first.serialNumber);
  assert.deepEqual([...second.dnsNames].sort(), ['edit-more.example.com', 'edit.example.com']);
  assert.equal(c.status?.observedGeneration, c.metadata.generation);
  assert.equal(d.ordersOf('edit'), 2);
});

test('renew: true orders a new certificate and is turned into ensureRenewedAfter', async () => {
  await d.certificate('renew', {
    commonName: 'renew.example.com',
    issuerRef: { name: ISSUER },
    secretName: 'renew-tls',
  });
  await d.waitCertificate('renew', 'Ready');
  const first = await leafOf('renew-tls');
  await patch('renew', { spec: { renew: true } });
  const c = await eventually(
    async () => {
      const cert = await d.getCertificate('renew');
      if (
        cert.spec.renew ||
        !cert.spec.ensureRenewedAfter ||
        cert.status?.state !== 'Ready' ||
        cert.status.observedGeneration !== cert.metadata.generation
      )
        return false;
      const leaf = await leafOf('renew-tls');
      return leaf.serialNumber !== first.serialNumber ? cert : false;
    },
    'the renewed certificate',
    60_000,
  );
  assert.ok(Date.parse(c.spec.ensureRenewedAfter!) > 0);
  assert.equal(d.ordersOf('renew'), 2);
  // A later reconcile of the same generation does not renew again (ensureRenewedAfter is satisfied).
  await patch('renew', { metadata: { labels: { touched: 'yes' } } });
  await d.waitCertificate('renew', 'Ready');
  assert.equal(d.ordersOf('renew'), 2);
});

test('deletion keeps the Secret; a new certificate for the same request reuses it without an order', async () => {
  const spec = { commonName: 'reuse.example.com', dnsNames: ['reuse-alt.example.com'], issuerRef: { name: ISSUER } };
  await d.certificate('reuse-a', { ...spec, secretName: 'reuse-a-tls' });
  await d.waitCertificate('reuse-a', 'Ready');
  const original = await leafOf('reuse-a-tls');
  await d.deleteCertificate('reuse-a');
  await d.certificateGone('reuse-a');
  assert.ok(await d.secret('reuse-a-tls'), 'without --cascade-delete the secret stays');

  // Same request under another name and secret: the stored certificate is copied, no order.
  await d.certificate('reuse-b', { ...spec, secretName: 'reuse-b-tls' });
  await d.waitCertificate('reuse-b', 'Ready');
  assert.equal((await leafOf('reuse-b-tls')).serialNumber, original.serialNumber);
  assert.equal(d.ordersOf('reuse-b'), 0);

  // The same certificate created again finds its own secret.
  await d.certificate('reuse-a', { ...spec, secretName: 'reuse-a-tls' });
  await d.waitCertificate('reuse-a', 'Ready');
  assert.equal((await leafOf('reuse-a-tls')).serialNumber, original.serialNumber);
  assert.equal(d.ordersOf('reuse-a'), 1, 'only the first incarnation ordered');

  // gardener's request hash takes the names as written: another case is another request, ordered anew.
  await d.certificate('reuse-c', {
    commonName: 'reuse.example.com',
    dnsNames: ['REUSE-ALT.example.com'],
    issuerRef: { name: ISSUER },
    secretName: 'reuse-c-tls',
  });
  await d.waitCertificate('reuse-c', 'Ready');
  assert.equal(d.ordersOf('reuse-c'), 1);
});

test('a deleted Secret is issued again', async () => {
  await d.certificate('restore', {
    commonName: 'restore.example.com',
    issuerRef: { name: ISSUER },
    secretName: 'restore-tls',
  });
  await d.waitCertificate('restore', 'Ready');
  await d.kube.target.delete(`/api/v1/namespaces/${d.ns}/secrets/restore-tls`);
  await eventually(() => d.secret('restore-tls'), 'the secret to be written again', 60_000);
  await d.waitCertificate('restore', 'Ready');
  assert.equal(d.ordersOf('restore'), 2);
});

test('a certificate waiting for a missing issuer is issued once the issuer exists; the reconcile annotation retries at once', async () => {
  await d.certificate('late', {
    commonName: 'late.example.com',
    issuerRef: { name: 'late-issuer' },
    secretName: 'late-tls',
  });
  const failed = await d.waitCertificate('late', 'Error');
  assert.match(failed.status?.message ?? '', /issuer .*late-issuer does not exist/);
  assert.ok(failed.status?.backoff?.recheckAfter, 'backoff is reported');
  await d.waitEvent('late', (e) => e.type === 'Warning' && /late-issuer does not exist/.test(e.message));

  // The annotation makes the controller try again now (and it removes the annotation).
  const before = failed.status!.conditions![0]!.message;
  await patch('late', { metadata: { annotations: { 'gardener.cloud/operation': 'reconcile' } } });
  await eventually(
    async () => !(await d.getCertificate('late')).metadata.annotations?.['gardener.cloud/operation'],
    'the annotation to be removed',
    30_000,
  );
  assert.equal((await d.getCertificate('late')).status?.message, before);

  await d.issuer('late-issuer');
  await d.waitIssuer('late-issuer');
  await patch('late', { metadata: { annotations: { 'gardener.cloud/operation': 'reconcile' } } });
  await d.waitCertificate('late', 'Ready', 60_000);
});

test('two certificates validating the same domain take turns: the second orders after the first is issued', async () => {
  await Promise.all([
    d.certificate('shared-a', {
      commonName: 'shared.example.com',
      dnsNames: ['a.shared.example.com'],
      issuerRef: { name: ISSUER },
      secretName: 'shared-a-tls',
    }),
    d.certificate('shared-b', {
      commonName: 'shared.example.com',
      dnsNames: ['b.shared.example.com'],
      issuerRef: { name: ISSUER },
      secretName: 'shared-b-tls',
    }),
  ]);
  await d.waitCertificate('shared-a', 'Ready');
  await d.waitCertificate('shared-b', 'Ready');
  const at = (name: string, msg: string) => Number(d.logsOf(name, msg)[0]?.time);
  const [first, second] =
    at('shared-a', 'order created') < at('shared-b', 'order created')
      ? ['shared-a', 'shared-b']
      : ['shared-b', 'shared-a'];
  assert.ok(
    at(second, 'order created') >= at(first, 'certificate issued'),
    'the second order started only after the first certificate was issued',
  );
  assert.equal(d.ordersOf('shared-a'), 1);
  assert.equal(d.ordersOf('shared-b'), 1);
});

test('two issuers validating the same domain at once: both certificates are issued (a name held by another entry waits its turn)', async () => {
  await d.issuer(`${ISSUER}-second`);
  await d.waitIssuer(`${ISSUER}-second`);
  await Promise.all([
    d.certificate('cross-a', {
      commonName: 'cross.example.com',
      issuerRef: { name: ISSUER },
      secretName: 'cross-a-tls',
    }),
    d.certificate('cross-b', {
      commonName: 'cross.example.com',
      issuerRef: { name: `${ISSUER}-second` },
      secretName: 'cross-b-tls',
    }),
  ]);
  await d.waitCertificate('cross-a', 'Ready', 120_000);
  await d.waitCertificate('cross-b', 'Ready', 120_000);
  assert.deepEqual([d.ordersOf('cross-a'), d.ordersOf('cross-b')], [1, 1]);
});
