import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readCertificateChain } from '../../actors/x509/certificate-info.js';
import { httpCall } from '../env/http-probe.js';
import { TEST_NATS_USERS } from '../env/nats-users.js';
import { freePort } from '../env/ports.js';
import { TestDeployment } from '../support/deployment.js';
import { eventually } from '../support/test-env.js';

// What operators touch on running pods: the HTTP endpoints and metrics, and certctl over NATS as the operator and
// the observer user of nats.conf.
const d = new TestDeployment({ pods: 0 });
const ports: number[] = [];
const certctlBin = fileURLToPath(new URL('../../bin/certctl.js', import.meta.url));
const run = promisify(execFile);

before(async () => {
  await d.start();
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    ports.push(port);
    // Idle actors passivate after 3 s, so the metrics are also scraped with no certificate or issuer actor active.
    await d.startPod([
      '--server-port-http',
      String(port),
      '--bind-address-http',
      '127.0.0.1',
      '--actor-idle-timeout',
      '3s',
    ]);
  }
  await d.issuer('ops');
  await d.waitIssuer('ops');
  await d.certificate('ops-cert', { commonName: 'ops.example.com', issuerRef: { name: 'ops' }, secretName: 'ops-tls' });
  await d.waitCertificate('ops-cert', 'Ready');
});
after(async () => {
  await d.stop();
});

async function certctl(
  user: 'operator' | 'observer',
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const u = TEST_NATS_USERS[user];
  try {
    const r = await run(
      process.execPath,
      [
        certctlBin,
        '--nats-servers',
        d.stack.nats.urls.join(','),
        '--nats-user',
        u.user,
        '--actor-system',
        d.system,
        '--issuer-namespace',
        d.ns,
        '--timeout',
        '15s',
        ...args,
      ],
      { env: { ...process.env, CERTCTL_NATS_PASSWORD: u.pass } },
    );
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Sum of a metric's samples over both pods whose labels include `labels`. */
async function metricSum(name: string, labels: Record<string, string> = {}): Promise<number> {
  let sum = 0;
  for (const port of ports) {
    const body = (await httpCall(`http://127.0.0.1:${port}/metrics`)).body;
    for (const line of body.split('\n')) {
      const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
    }
  }
  return sum;
}

test('/healthz, /readyz and /metrics: the seed metric names and the runtime figures after an issuance', async () => {
  for (const port of ports) {
    assert.equal((await httpCall(`http://127.0.0.1:${port}/healthz`)).status, 200);
    assert.equal((await httpCall(`http://127.0.0.1:${port}/readyz`)).status, 200);
    assert.equal((await httpCall(`http://127.0.0.1:${port}/nothing`)).status, 404);
  }
  // gardener's issuer key: the name alone for an issuer of the default cluster.
  const issuer = 'ops';
  assert.equal(await metricSum('cert_management_cert_entries', { issuer, issuertype: 'acme' }), 1);
  assert.equal(
    await metricSum('cert_management_acme_orders', { issuer, success: 'true', dns_challenges: '1', renew: 'false' }),
    1,
  );
  assert.equal(await metricSum('cert_management_acme_account_registrations', { issuer }), 1);
  assert.equal(await metricSum('cert_management_acme_active_dns_challenges', { issuer }), 0);
  const expires = await metricSum('cert_management_cert_object_expire', { namespace: d.ns, name: 'ops-cert' });
  const leaf = readCertificateChain(Buffer.from((await d.secret('ops-tls'))!.data!['tls.crt']!, 'base64').toString());
  assert.equal(expires, Math.floor(leaf.notAfterMs / 1000));
  assert.equal(await metricSum('cert_management_overdue_renewal_certificates'), 0);
  // The whole target cluster's certificate secrets, as gardener counts them (this stack holds other tests' too).
  const labelled = await d.kube.target.get<{ items: unknown[] }>('/api/v1/secrets', {
    labelSelector: 'cert.gardener.cloud/certificate=true',
  });
  await eventually(
    async () => (await metricSum('cert_management_secrets', { classification: 'total' })) === labelled.items.length,
    `cert_management_secrets{classification="total"} to be ${labelled.items.length}`,
    30_000,
  );
  assert.equal(await metricSum('cert_management_revoked_certificates'), 0);
  await eventually(
    async () => (await metricSum('certmgmt_runtime_shards_owned')) === 32,
    'both pods together to own the 32 shards',
    30_000,
  );
  assert.ok((await metricSum('certmgmt_runtime_actors', { kind: 'certificate', status: 'active' })) >= 1);
  assert.ok((await metricSum('certmgmt_runtime_mailbox_depth', { kind: 'certificate' })) >= 0);
});

test('metrics stay complete when the certificate and issuer actors have passivated', async () => {
  await eventually(
    async () => {
      const active = async (kind: string) =>
        (await d.client.admin<{ total: number }>({ op: 'actors', kind, status: 'active' })).total;
      return (await active('certificate')) === 0 && (await active('issuer')) === 0;
    },
    'no certificate or issuer actor active',
    60_000,
  );
  const leaf = readCertificateChain(Buffer.from((await d.secret('ops-tls'))!.data!['tls.crt']!, 'base64').toString());
  assert.equal(
    await metricSum('cert_management_cert_object_expire', { namespace: d.ns, name: 'ops-cert' }),
    Math.floor(leaf.notAfterMs / 1000),
  );
  assert.equal(await metricSum('cert_management_cert_entries', { issuer: 'ops', issuertype: 'acme' }), 1);
  assert.equal(await metricSum('cert_management_acme_account_registrations', { issuer: 'ops' }), 1);
  assert.equal(await metricSum('cert_management_overdue_renewal_certificates'), 0);
});

test('certctl as operator: get, status, quota, actors, actor, renew', async () => {
  const certs = await certctl('operator', 'get', 'certs', '-o', 'json');
  assert.equal(certs.code, 0, certs.stderr);
  const rows = JSON.parse(certs.stdout) as Array<{ name: string; status?: { state?: string; commonName?: string } }>;
  assert.deepEqual(
    rows.map((r) => [r.name, r.status?.state, r.status?.commonName]),
    [['ops-cert', 'Ready', 'ops.example.com']],
  );
  const table = await certctl('operator', 'get', 'certs');
  assert.match(table.stdout, /^NAMESPACE\s+NAME\s+COMMON NAME\s+ISSUER\s+STATUS\s+EXPIRATION_DATE/m);
  assert.match(table.stdout, /ops-cert\s+ops\.example\.com\s+ops\s+Ready/);

  const issuers = await certctl('operator', 'get', 'issuers');
  assert.match(issuers.stdout, new RegExp(`${d.ns}/ops\\s+https://\\S+\\s+ops@example\\.com\\s+Ready\\s+10000`));

  const status = await certctl('operator', 'status', 'certificate', `${d.ns}/ops-cert`);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /State:\s+Ready/);
  assert.match(status.stdout, new RegExp(`Issuer ${d.ns}/ops`));
  assert.match(
    status.stdout,
    new RegExp(
      `Secret ${d.ns}/ops-tls\\n\\s+Exists:\\s+true\\n\\s+Type:\\s+kubernetes.io/tls\\n\\s+Keys:\\s+.*tls.crt`,
    ),
  );
  assert.match(status.stdout, /Normal\s+Ready/);
  assert.doesNotMatch(status.stdout, /BEGIN|PRIVATE/, 'no key material in the walk');

  const quota = await certctl('operator', 'quota', 'ops');
  assert.match(quota.stdout, new RegExp(`${d.ns}/ops\\s+10000\\s+2500\\s+`));

  const actors = await certctl('operator', 'actors');
  for (const p of d.pods) assert.match(actors.stdout, new RegExp(`${p.name}\\s+yes\\s+\\d+`));
  assert.match(actors.stdout, /certificate\s+1\s+0/);
  const one = await certctl('operator', 'actor', 'certificate', `source/${d.ns}/ops-cert`, '-o', 'json');
  assert.equal(JSON.parse(one.stdout).kind, 'certificate');

  const before = readCertificateChain(
    Buffer.from((await d.secret('ops-tls'))!.data!['tls.crt']!, 'base64').toString(),
  ).serialNumber;
  const renew = await certctl('operator', 'renew', `${d.ns}/ops-cert`);
  assert.equal(renew.code, 0, renew.stderr);
  assert.match(renew.stdout, /renewal started/);
  await eventually(
    async () =>
      readCertificateChain(Buffer.from((await d.secret('ops-tls'))!.data!['tls.crt']!, 'base64').toString())
        .serialNumber !== before,
    'the renewed certificate',
    60_000,
  );
  await d.waitCertificate('ops-cert', 'Ready');
});

test('certctl as observer reads, but is refused commands with a clear error; bad usage is refused too', async () => {
  const read = await certctl('observer', 'get', 'certs', '-o', 'json');
  assert.equal(read.code, 0, read.stderr);
  assert.equal((JSON.parse(read.stdout) as unknown[]).length, 1);
  const status = await certctl('observer', 'status', 'certificate', `${d.ns}/ops-cert`);
  assert.equal(status.code, 0, status.stderr);
  const renew = await certctl('observer', 'renew', `${d.ns}/ops-cert`, '--timeout', '3s');
  assert.equal(renew.code, 3, renew.stdout + renew.stderr);
  assert.match(
    renew.stderr,
    /permission denied: NATS user "observer" may not do this \(.*Permissions Violation for Publish to "?cm\w+\.shard\.\d+/i,
  );
  assert.match(renew.stderr, /renewing needs the operator user/);
  const usage = await certctl('operator', 'renew', 'no-slash');
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /the certificate must be NAMESPACE\/NAME/);
  const badPassword = await run(process.execPath, [
    certctlBin,
    '--nats-servers',
    d.stack.nats.urls.join(','),
    '--nats-user',
    'operator',
    '--nats-password',
    'wrong',
    'actors',
  ]).catch((e: { code: number; stderr: string }) => e);
  assert.equal((badPassword as { code: number }).code, 1);
  assert.match((badPassword as { stderr: string }).stderr, /cannot connect to NATS.*(Authorization|AUTHORIZATION)/i);
});
