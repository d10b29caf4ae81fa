import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newAccountKeyPem, openAcmeAccount } from '../../actors/acme/acme-account.js';
import { issuerPath } from '../../actors/issuer/issuer-types.js';
import { TestDeployment } from '../support/deployment.js';
import { eventually } from '../support/test-env.js';

// Issuer variants seen from the certificates: an existing account, external account binding, the request quota,
// the default issuer with domain ranges, and cascade delete. Two pods, --cascade-delete, a default issuer limited
// to *.ranged.example.
const d = new TestDeployment({
  pods: 2,
  args: ['--default-issuer', 'fallback', '--default-issuer-domain-ranges', 'ranged.example', '--cascade-delete'],
});
const b64 = (s: string) => Buffer.from(s).toString('base64');

before(async () => {
  await d.start();
});
after(async () => {
  await d.stop();
});

test('an issuer with an existing account (autoRegistration false) issues certificates', async () => {
  const keyPem = await newAccountKeyPem();
  await openAcmeAccount({
    directoryUrl: d.stack.acme.directoryUrl,
    email: 'pre@example.com',
    accountKeyPem: keyPem,
    autoRegistration: true,
  });
  await d.kube.default.create(`/api/v1/namespaces/${d.ns}/secrets`, {
    metadata: { name: 'existing-key', namespace: d.ns },
    data: { privateKey: b64(keyPem) },
  });
  await d.issuer('existing', {
    autoRegistration: false,
    privateKeySecretRef: { name: 'existing-key', namespace: d.ns },
  });
  await d.waitIssuer('existing');
  await d.certificate('existing-cert', { commonName: 'existing.example.com', issuerRef: { name: 'existing' } });
  const c = await d.waitCertificate('existing-cert', 'Ready');
  assert.equal(c.status?.issuerRef?.name, 'existing');
  // Without secretName the secret gets a generated name, written back to spec.secretRef as gardener does.
  assert.match(c.spec.secretRef?.name ?? '', /^existing-cert-[0-9a-f]{8}$/);
  assert.ok(await d.secret(c.spec.secretRef!.name!));
});

test('an issuer with external account binding issues certificates', async () => {
  const eab = d.stack.acmeEab!;
  const [keyId, hmac] = Object.entries(eab.keys)[0]!;
  await d.kube.default.create(`/api/v1/namespaces/${d.ns}/secrets`, {
    metadata: { name: 'eab-hmac', namespace: d.ns },
    data: { hmacKey: b64(hmac) },
  });
  await d.issuer('eab', {
    server: eab.directoryUrl,
    externalAccountBinding: { keyID: keyId, keySecretRef: { name: 'eab-hmac', namespace: d.ns } },
  });
  await d.waitIssuer('eab');
  await d.certificate('eab-cert', { commonName: 'eab.example.com', issuerRef: { name: 'eab' }, secretName: 'eab-tls' });
  await d.waitCertificate('eab-cert', 'Ready');
});

test('quota: an exhausted issuer leaves certificates Waiting with a clear message, reuse is free, a raised quota lets them through', async () => {
  // 4 per day: a burst of one, the next token in six hours.
  await d.issuer('tight', {}, { requestsPerDayQuota: 4 });
  await d.waitIssuer('tight');
  await d.certificate('q1', { commonName: 'q1.example.com', issuerRef: { name: 'tight' }, secretName: 'q1-tls' });
  await d.waitCertificate('q1', 'Ready');
  await d.certificate('q2', { commonName: 'q2.example.com', issuerRef: { name: 'tight' }, secretName: 'q2-tls' });
  const waiting = await d.waitCertificate('q2', 'Waiting');
  assert.match(
    waiting.status?.message ?? '',
    /request quota of issuer "tight" is exhausted \(4 certificate requests per day, at most 1 at once\); retrying at \d{4}-\d\d-\d\dT.*spec\.requestsPerDayQuota/,
  );
  const retryAt = Date.parse(/retrying at (\S+?)\./.exec(waiting.status!.message!)![1]!);
  assert.ok(retryAt > Date.now() + 5 * 3600_000, 'the next token is hours away');

  // A certificate for the same request as q1 reuses its secret: no order, no token.
  await d.certificate('q1-copy', {
    commonName: 'q1.example.com',
    issuerRef: { name: 'tight' },
    secretName: 'q1-copy-tls',
  });
  await d.waitCertificate('q1-copy', 'Ready');
  assert.equal(d.ordersOf('q1-copy'), 0, 'reused: no order');
  assert.equal((await d.getCertificate('q2')).status?.state, 'Waiting');

  // Raising the quota wakes the waiting certificate (the refill rate is now 10 per second).
  await d.kube.default.mergePatch(issuerPath(d.ns, 'tight'), { spec: { requestsPerDayQuota: 864000 } });
  await d.waitCertificate('q2', 'Ready', 60_000);
  assert.equal(d.ordersOf('q2'), 1);
});

test('the default issuer serves certificates without issuerRef inside its domain ranges, and refuses others with a reason', async () => {
  await d.issuer('fallback');
  await d.waitIssuer('fallback');
  await d.certificate('in-range', { commonName: 'www.ranged.example', dnsNames: ['*.api.ranged.example'] });
  const ok = await d.waitCertificate('in-range', 'Ready');
  assert.equal(ok.status?.issuerRef?.name, 'fallback');
  await d.certificate('out-of-range', { commonName: 'www.elsewhere.example' });
  const refused = await d.waitCertificate('out-of-range', 'Error');
  assert.match(
    refused.status?.message ?? '',
    /"www\.elsewhere\.example" is outside the domain ranges of the default issuer "fallback" \(ranged\.example\)/,
  );
});

test('with --cascade-delete, deleting a certificate deletes its secret', async () => {
  await d.certificate('cascade', {
    commonName: 'cascade.example.com',
    issuerRef: { name: 'existing' },
    secretName: 'cascade-tls',
  });
  const c = await d.waitCertificate('cascade', 'Ready');
  const owned = await d.secret('cascade-tls');
  assert.deepEqual(
    owned?.metadata.ownerReferences?.map((o) => [o.apiVersion, o.kind, o.name, o.uid]),
    [['cert.gardener.cloud/v1alpha1', 'Certificate', 'cascade', c.metadata.uid]],
    'owned by its Certificate, as --cascade-delete asks',
  );
  await d.deleteCertificate('cascade');
  await d.certificateGone('cascade');
  await eventually(async () => (await d.secret('cascade-tls')) === undefined, 'the secret to be deleted', 30_000);
});

test('without domain ranges the default issuer serves any domain', async () => {
  const other = new TestDeployment({ pods: 1, args: ['--default-issuer', 'any'] });
  await other.start();
  try {
    await other.issuer('any');
    await other.waitIssuer('any');
    await other.certificate('anything', { commonName: 'whatever.example.net' });
    const c = await other.waitCertificate('anything', 'Ready');
    assert.equal(c.status?.issuerRef?.name, 'any');
  } finally {
    await other.stop();
  }
});

test('an Issuer of another class is left to its own controller: no status from this deployment', async () => {
  await d.kube.default.create(issuerPath(d.ns), {
    apiVersion: 'cert.gardener.cloud/v1alpha1',
    kind: 'Issuer',
    metadata: { name: 'foreign', namespace: d.ns, annotations: { 'cert.gardener.cloud/class': 'someone-else' } },
    spec: { acme: { server: d.stack.acme.directoryUrl, email: 'x@example.com', autoRegistration: true } },
  });
  // Created after it and of our class: once this one is Ready, the watcher has seen both.
  await d.issuer('ours-after-foreign');
  await d.waitIssuer('ours-after-foreign');
  const foreign = await d.kube.default.get<{ status?: unknown; spec: { acme: { privateKeySecretRef?: unknown } } }>(
    issuerPath(d.ns, 'foreign'),
  );
  assert.equal(foreign.status, undefined);
  assert.equal(foreign.spec.acme.privateKeySecretRef, undefined, 'no account was registered for it');
});
