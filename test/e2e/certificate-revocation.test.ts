import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { certificatePath } from '../../actors/certificate/certificate-kube.js';
import type { TlsSecret } from '../../actors/certificate/certificate-secret.js';
import type { Certificate } from '../../actors/certificate/certificate-spec.js';
import { issuerPath } from '../../actors/issuer/issuer-types.js';
import { revocationPath } from '../../actors/revocation/revocation-kube.js';
import type { CertificateRevocation } from '../../actors/revocation/revocation-types.js';
import { readCertificateChain } from '../../actors/x509/certificate-info.js';
import { httpCall } from '../env/http-probe.js';
import { freePort } from '../env/ports.js';
import { TestDeployment } from '../support/deployment.js';
import { eventually } from '../support/test-env.js';

// CertificateRevocation as gardener v0.27.0 has it, against the real stack: certificates revoked at pebble (checked
// through its management interface, by serial), with and without renewing first, older serials found through the
// backups in kube-system, the Certificate Revoked until it is renewed explicitly, gardener's status and messages, the
// error cases, and a revocation that continues on another pod.
// Two pods, each with its own metrics port.
const ports = [await freePort(), await freePort()];
const d = new TestDeployment({ pods: 0 });
const ISSUER = 'revoker';
const REVOKED = 'cert.gardener.cloud/revoked';

before(async () => {
  await d.start();
  for (const port of ports) await d.startPod(['--server-port-http', String(port), '--bind-address-http', '127.0.0.1']);
  await d.issuer(ISSUER);
  await d.waitIssuer(ISSUER);
});
after(async () => {
  await d.stop();
});

const b64 = (s?: string) => Buffer.from(s ?? '', 'base64').toString('utf8');
const compact = (serial: string) => serial.replace(/:/g, '');
const patchCert = (name: string, body: unknown) =>
  d.kube.source.mergePatch<Certificate>(certificatePath(d.ns, name), body);

async function serialIn(secretName: string): Promise<string> {
  const s = await d.secret(secretName);
  assert.ok(s, `secret ${secretName} exists`);
  return readCertificateChain(b64(s.data?.['tls.crt'])).serialNumber;
}

/** What pebble's management interface says about a serial: Valid or Revoked. */
async function statusAtPebble(serial: string): Promise<string> {
  const res = await httpCall(`${d.stack.acme.managementUrl}/cert-status-by-serial/${compact(serial)}`, {
    ca: readFileSync(d.stack.acme.listenerCaPath),
  });
  assert.equal(res.status, 200, `pebble knows serial ${serial}: ${res.body}`);
  return (JSON.parse(res.body) as { Status: string }).Status;
}

async function backups(hash: string): Promise<TlsSecret[]> {
  const list = await d.kube.target.get<{ items: TlsSecret[] }>('/api/v1/namespaces/kube-system/secrets', {
    labelSelector: `cert.gardener.cloud/hash=${hash}`,
  });
  return list.items;
}
const backupOf = async (hash: string, serial: string) =>
  (await backups(hash)).find(
    (b) => b.metadata.labels?.['cert.gardener.cloud/certificate-serialnumber'] === compact(serial),
  );

function revoke(name: string, spec: CertificateRevocation['spec'], deployment = d): Promise<CertificateRevocation> {
  return deployment.kube.source.create<CertificateRevocation>(revocationPath(deployment.ns), {
    apiVersion: 'cert.gardener.cloud/v1alpha1',
    kind: 'CertificateRevocation',
    metadata: { name, namespace: deployment.ns, annotations: deployment.classAnnotations() },
    spec,
  });
}

async function waitRevocation(
  name: string,
  check: (r: CertificateRevocation) => boolean,
  what: string,
  timeoutMs = 90_000,
  deployment = d,
): Promise<CertificateRevocation> {
  let last: unknown;
  try {
    return await eventually(
      async () => {
        const r = await deployment.kube.source.get<CertificateRevocation>(revocationPath(deployment.ns, name));
        last = r.status;
        return check(r) ? r : false;
      },
      `revocation ${name}: ${what}`,
      timeoutMs,
      200,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last)}`);
  }
}
const applied = (r: CertificateRevocation) => r.status?.revocationApplied !== undefined;

/** cert_management_revoked_certificates summed over the pods: the one holding the source watcher reports it. */
async function revokedMetric(): Promise<number> {
  let sum = 0;
  for (const port of ports) {
    const body = (await httpCall(`http://127.0.0.1:${port}/metrics`)).body;
    const m = /\ncert_management_revoked_certificates (\d+)\n/.exec(body);
    sum += m ? Number(m[1]) : 0;
  }
  return sum;
}
const metricIs = (n: number) => eventually(async () => (await revokedMetric()) === n, `revoked_certificates ${n}`);

test('revoke without renew: the certificate and its renewed predecessor are revoked at the CA, the Certificate is Revoked until renewed explicitly', async () => {
  await d.certificate('plain', {
    commonName: 'revoke-plain.example.com',
    issuerRef: { name: ISSUER },
    secretName: 'plain-tls',
  });
  const issued = await d.waitCertificate('plain', 'Ready');
  const hash = issued.metadata.labels!['cert.gardener.cloud/hash']!;
  const first = await serialIn('plain-tls');
  // Every ACME issuance leaves a backup in kube-system of the target cluster, as gardener keeps them.
  const firstBackup = await eventually(() => backupOf(hash, first), 'the backup of the first certificate');
  assert.equal(firstBackup.metadata.labels?.['cert.gardener.cloud/backup'], 'true');
  assert.equal(firstBackup.metadata.labels?.['cert.gardener.cloud/certificate'], 'true');
  assert.match(firstBackup.metadata.name, new RegExp(`^cert-backup-${ISSUER}-${compact(first).slice(-8)}-`));
  assert.ok(firstBackup.metadata.annotations?.['cert.gardener.cloud/requestedAt']);

  // Renewed once: the first certificate is still valid, only its backup knows it.
  await patchCert('plain', { spec: { renew: true } });
  const second = await eventually(async () => {
    const s = await serialIn('plain-tls');
    const c = await d.getCertificate('plain');
    return s !== first && c.status?.state === 'Ready' && c.status.observedGeneration === c.metadata.generation
      ? s
      : false;
  }, 'the renewed certificate');
  await eventually(() => backupOf(hash, second), 'the backup of the second certificate');
  assert.equal(await statusAtPebble(first), 'Valid');

  await revoke('revoke-plain', { certificateRef: { name: 'plain', namespace: d.ns } });
  const r = await waitRevocation('revoke-plain', applied, 'applied');
  assert.equal(r.status?.state, 'Applied', JSON.stringify(r.status));
  assert.equal(r.status?.message, 'certificate(s) revoked');
  assert.equal(r.status?.observedGeneration, r.metadata.generation);
  assert.ok(Date.parse(r.spec.qualifyingDate ?? '') > 0, 'qualifyingDate defaulted');
  assert.ok(Date.parse(r.status!.revocationApplied!) >= Date.parse(r.spec.qualifyingDate!) - 1000);
  assert.deepEqual(r.status?.objects, { revoked: [{ name: 'plain', namespace: d.ns }] });
  const listed = r.status?.secrets?.revoked ?? [];
  assert.deepEqual(listed.map((s) => s.serialNumber).sort(), [first, second].sort());
  for (const s of listed) {
    assert.equal(s.namespace, 'kube-system');
    assert.match(s.name, new RegExp(`^cert-backup-${ISSUER}-`));
  }
  assert.equal(r.status?.secrets?.failed, undefined);

  // Both serials are revoked at the CA.
  assert.equal(await statusAtPebble(first), 'Revoked');
  assert.equal(await statusAtPebble(second), 'Revoked');
  // The Certificate and its Secrets are marked as gardener marks them.
  const c = await d.waitCertificate('plain', 'Revoked');
  assert.equal(c.status?.message, 'certificate has been revoked');
  assert.deepEqual(
    c.status?.conditions?.map((x) => [x.type, x.status, x.reason]),
    [['Ready', 'False', 'Revoked']],
  );
  assert.equal((await d.secret('plain-tls'))?.metadata.annotations?.[REVOKED], 'true');
  for (const serial of [first, second])
    assert.equal((await backupOf(hash, serial))?.metadata.annotations?.[REVOKED], 'true');
  await metricIs(1);
  assert.equal(d.ordersOf('plain'), 2, 'a revoked certificate is not renewed by itself');

  // An explicit renewal issues a new certificate; its Secret is no longer marked revoked.
  await patchCert('plain', { spec: { renew: true } });
  const renewed = await d.waitCertificate(
    'plain',
    'Ready',
    60_000,
    (s) => s.message?.startsWith('certificate (SN') === true,
  );
  const third = await serialIn('plain-tls');
  assert.ok(![first, second].includes(third));
  assert.equal((await d.secret('plain-tls'))?.metadata.annotations?.[REVOKED], undefined);
  assert.equal(renewed.status?.conditions?.[0]?.reason, 'Ready');
  assert.equal(await statusAtPebble(third), 'Valid');
  await metricIs(0);
});

test('revoke with renew: the Certificate is renewed first, then the old certificate is revoked', async () => {
  await d.certificate('renewing', {
    commonName: 'revoke-renew.example.com',
    issuerRef: { name: ISSUER },
    secretName: 'renewing-tls',
  });
  const issued = await d.waitCertificate('renewing', 'Ready');
  const hash = issued.metadata.labels!['cert.gardener.cloud/hash']!;
  const old = await serialIn('renewing-tls');
  await eventually(() => backupOf(hash, old), 'the backup of the certificate');

  await revoke('revoke-renewing', { certificateRef: { name: 'renewing', namespace: d.ns }, renew: true });
  const r = await waitRevocation('revoke-renewing', applied, 'applied');
  assert.equal(r.status?.state, 'Applied', JSON.stringify(r.status));
  assert.equal(r.status?.message, 'certificate renewed and old certificate(s) revoked');
  assert.deepEqual(r.status?.objects, { renewed: [{ name: 'renewing', namespace: d.ns }] });
  assert.deepEqual(
    r.status?.secrets?.revoked?.map((s) => s.serialNumber),
    [old],
  );

  // The new certificate serves, the old one is revoked at the CA.
  const c = await d.waitCertificate('renewing', 'Ready');
  assert.equal(Date.parse(c.spec.ensureRenewedAfter!), Date.parse(r.spec.qualifyingDate!));
  const current = await serialIn('renewing-tls');
  assert.notEqual(current, old);
  assert.equal(await statusAtPebble(old), 'Revoked');
  assert.equal(await statusAtPebble(current), 'Valid');
  assert.equal((await d.secret('renewing-tls'))?.metadata.annotations?.[REVOKED], undefined);
  assert.equal((await backupOf(hash, old))?.metadata.annotations?.[REVOKED], 'true');
  const fresh = await eventually(() => backupOf(hash, current), 'the backup of the new certificate');
  assert.equal(fresh.metadata.annotations?.[REVOKED], undefined);
  assert.equal(d.ordersOf('renewing'), 2);
});

test('errors: a missing Certificate, one without hash label, and one of a non-ACME issuer get gardener’s messages; a revocation waiting for its Certificate goes on once it exists', async () => {
  // A Certificate and an Issuer of another class: no actor of this deployment touches them.
  const foreign = { 'cert.gardener.cloud/class': `${d.certClass}-other` };
  await d.kube.default.create(issuerPath(d.ns), {
    apiVersion: 'cert.gardener.cloud/v1alpha1',
    kind: 'Issuer',
    metadata: { name: 'ca-issuer', namespace: d.ns, annotations: foreign },
    spec: { ca: { privateKeySecretRef: { name: 'ca-secret', namespace: d.ns } } },
  });
  for (const [name, labels] of [
    ['ca-cert', { 'cert.gardener.cloud/hash': 'a'.repeat(56) }],
    ['unhashed', {}],
  ] as const)
    await d.kube.source.create(certificatePath(d.ns), {
      apiVersion: 'cert.gardener.cloud/v1alpha1',
      kind: 'Certificate',
      metadata: { name, namespace: d.ns, annotations: foreign, labels },
      spec: { commonName: `${name}.example.com`, issuerRef: { name: 'ca-issuer' } },
    });

  const cases: Array<[string, string, string]> = [
    ['revoke-missing', 'late', 'certificates.cert.gardener.cloud "late" not found'],
    ['revoke-unhashed', 'unhashed', 'certificate has no cert.gardener.cloud/hash label'],
    ['revoke-ca', 'ca-cert', 'certificate revocation only supported for issuers of type ACME'],
  ];
  // The one waiting for its Certificate qualifies certificates requested within the next hour (an explicit date).
  const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
  for (const [name, certificate] of cases)
    await revoke(name, {
      certificateRef: { name: certificate, namespace: d.ns },
      ...(name === 'revoke-missing' ? { qualifyingDate: inAnHour } : {}),
    });
  for (const [name, , message] of cases) {
    const r = await waitRevocation(name, (x) => x.status?.state === 'Error', 'Error');
    assert.equal(r.status?.message, message);
    assert.equal(r.status?.revocationApplied, undefined, 'an error is retried, not final');
  }

  // gardener retries failed revocations: once the Certificate exists and is issued, the revocation completes.
  await d.certificate('late', {
    commonName: 'revoke-late.example.com',
    issuerRef: { name: ISSUER },
    secretName: 'late-tls',
  });
  await d.waitCertificate('late', 'Ready');
  const serial = await serialIn('late-tls');
  const r = await waitRevocation('revoke-missing', applied, 'applied after the certificate appeared', 120_000);
  assert.equal(r.status?.state, 'Applied', JSON.stringify(r.status));
  assert.equal(r.spec.qualifyingDate, inAnHour, 'an explicit qualifyingDate is kept');
  assert.equal(await statusAtPebble(serial), 'Revoked');
  await d.waitCertificate('late', 'Revoked');
});

test('a revocation survives its pod: stopped while it waits for the renewal, it finishes on another pod', async () => {
  const e = new TestDeployment({ pods: 1 });
  await e.start();
  try {
    // One request per day: the first issuance takes the only token, so the renewal waits until the quota is raised.
    await e.issuer('scarce', {}, { requestsPerDayQuota: 1 });
    await e.waitIssuer('scarce');
    await e.certificate('slow', {
      commonName: 'revoke-slow.example.com',
      issuerRef: { name: 'scarce' },
      secretName: 'slow-tls',
    });
    await e.waitCertificate('slow', 'Ready');
    const s = await e.secret('slow-tls');
    const old = readCertificateChain(b64(s?.data?.['tls.crt'])).serialNumber;

    await revoke('revoke-slow', { certificateRef: { name: 'slow', namespace: e.ns }, renew: true }, e);
    const waiting = await waitRevocation(
      'revoke-slow',
      (r) => r.status?.message === 'renewing certificate for 1 certificate objects',
      'waiting for the renewal',
      60_000,
      e,
    );
    assert.deepEqual(waiting.status?.objects?.processing, [{ name: 'slow', namespace: e.ns }]);
    await e.waitCertificate('slow', 'Waiting');

    const [first] = e.pods;
    await first!.stop();
    const second = await e.startPod();
    await e.kube.default.mergePatch(issuerPath(e.ns, 'scarce'), { spec: { requestsPerDayQuota: 864_000 } });

    const r = await waitRevocation('revoke-slow', applied, 'applied on the second pod', 120_000, e);
    assert.equal(r.status?.state, 'Applied', JSON.stringify(r.status));
    assert.deepEqual(r.status?.objects, { renewed: [{ name: 'slow', namespace: e.ns }] });
    const done = (l: Record<string, unknown>) =>
      l.msg === 'revocation finished' && l.id === `source/${e.ns}/revoke-slow`;
    assert.ok(second.lines.some(done), 'the second pod finished it');
    assert.ok(!first!.lines.some(done));
    const url = `${e.stack.acme.managementUrl}/cert-status-by-serial/${compact(old)}`;
    const res = await httpCall(url, { ca: readFileSync(e.stack.acme.listenerCaPath) });
    assert.equal((JSON.parse(res.body) as { Status: string }).Status, 'Revoked');
  } finally {
    await e.stop();
  }
});
