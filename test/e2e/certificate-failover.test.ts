import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { certificatePath } from '../../actors/certificate/certificate-kube.js';
import { installCrds, loadCrds } from '../../actors/kube/install-crds.js';
import { KubeClient } from '../../actors/kube/kube-client.js';
import { type KubeApiServer, startKubeApiServer } from '../env/kube-apiserver.js';
import { repoRoot } from '../env/paths.js';
import { freePort } from '../env/ports.js';
import { ensureServerBinaries } from '../env/server-binaries.js';
import { TestDeployment } from '../support/deployment.js';
import { eventually, sharedStack } from '../support/test-env.js';

test('SIGKILL of the pod holding a certificate in the middle of its order: another pod finishes the same order', async () => {
  // A 4 s additional wait keeps the order in its propagation step long enough to kill the pod that runs it.
  const d = new TestDeployment({ pods: 3, args: ['--precheck-additional-wait', '4s'] });
  await d.start();
  try {
    await d.issuer('kill');
    await d.waitIssuer('kill');
    await d.certificate('victim', {
      commonName: 'victim.example.com',
      dnsNames: ['*.victim.example.com'],
      issuerRef: { name: 'kill' },
      secretName: 'victim-tls',
    });
    const id = `source/${d.ns}/victim`;
    await eventually(
      async () => {
        const s = await d.client.ask<{ work?: { phase: string } }>('certificate', id, { type: 'Describe' }, 5000);
        return s.work?.phase === 'propagation';
      },
      'the order to reach its propagation step',
      60_000,
      50,
    );
    const view = await d.client.admin<{ pod: string }>({ op: 'actor', kind: 'certificate', id });
    const holder = d.pods.find((p) => p.name === view.pod)!;
    assert.ok(holder, `holder ${view.pod} is one of ours`);
    holder.child.kill('SIGKILL');
    await holder.exited();

    const c = await d.waitCertificate('victim', 'Ready', 90_000);
    assert.ok(c.status?.expirationDate);
    assert.equal(d.ordersOf('victim'), 1, 'one ACME order, continued by the new owner');
    const resumed = d.logsOf('victim', 'order resumed');
    assert.ok(resumed.length >= 1 && resumed.every((l) => l.pod !== holder.name), 'resumed on another pod');
    assert.ok(d.logsOf('victim', 'certificate issued').every((l) => l.pod !== holder.name));
  } finally {
    await d.stop();
  }
});

test('an API server restart during issuance: certificates created, changed and deleted while it was down are all handled', async (t) => {
  const stack = sharedStack();
  const binary = (await ensureServerBinaries()).kubeApiserver;
  const dir = mkdtempSync(join(tmpdir(), 'restart-source-'));
  // Two API servers on one etcd prefix: the pods use `main`, which is stopped and restarted; `side` keeps serving
  // the same data, so the test can change things while the pods' server is down.
  const role = `src-${Date.now().toString(36)}`;
  const mainPort = await freePort();
  const servers: KubeApiServer[] = [];
  const start = async (sub: string, port: number) => {
    const s = await startKubeApiServer(binary, role, join(dir, sub), stack.etcd.url, port);
    servers.push(s);
    return s;
  };
  let d: TestDeployment | undefined;
  let side: KubeClient | undefined;
  t.after(async () => {
    await d?.stop();
    side?.close();
    for (const s of servers) await s.process.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const main = await start('main', mainPort);
  const sideServer = await start('side', await freePort());
  const mainAdmin = KubeClient.fromFile(main.kubeconfig);
  await installCrds(mainAdmin, loadCrds(join(repoRoot(), 'deploy', 'crds')));
  mainAdmin.close();
  side = KubeClient.fromFile(sideServer.kubeconfig);
  await eventually(
    () => side!.get(certificatePath('default')).then(() => true),
    'the side server to serve certificates',
    60_000,
  );

  d = new TestDeployment({
    pods: 2,
    clusters: {
      source: {
        server: main.url,
        kubeconfig: main.kubeconfig,
        runtimeKubeconfig: main.runtimeKubeconfig,
        auditLog: main.auditLog,
      },
    },
  });
  await d.start();
  await d.issuer('restart');
  await d.waitIssuer('restart');
  await d.certificate('before', {
    commonName: 'before.example.com',
    issuerRef: { name: 'restart' },
    secretName: 'before-tls',
  });
  await d.certificate('gone', {
    commonName: 'gone.example.com',
    issuerRef: { name: 'restart' },
    secretName: 'gone-tls',
  });
  await d.waitCertificate('before', 'Ready');
  await d.waitCertificate('gone', 'Ready');

  // Mid-issuance: a new certificate, then the pods' API server goes away.
  await d.certificate('during', {
    commonName: 'during.example.com',
    issuerRef: { name: 'restart' },
    secretName: 'during-tls',
  });
  await main.process.stop();

  // While it is down, through the other server: a new certificate, an edit, a deletion.
  const cls = { 'cert.gardener.cloud/class': d.certClass };
  await side.create(certificatePath(d.ns), {
    apiVersion: 'cert.gardener.cloud/v1alpha1',
    kind: 'Certificate',
    metadata: { name: 'while-down', namespace: d.ns, annotations: cls },
    spec: { commonName: 'while-down.example.com', issuerRef: { name: 'restart' }, secretName: 'while-down-tls' },
  });
  await side.mergePatch(certificatePath(d.ns, 'before'), { spec: { dnsNames: ['before-more.example.com'] } });
  await side.delete(certificatePath(d.ns, 'gone'));

  await start('main', mainPort);
  await d.waitCertificate('during', 'Ready', 120_000);
  await d.waitCertificate('while-down', 'Ready', 120_000);
  await d.waitCertificate('before', 'Ready', 120_000, (s) => (s.dnsNames ?? []).includes('before-more.example.com'));
  await d.certificateGone('gone');
  for (const p of d.pods) assert.equal(p.child.exitCode, null, `${p.name} survived the outage`);
});

test('a Secret deleted while no pod runs is issued again when a pod starts (no watch event reported it)', async () => {
  const d = new TestDeployment({ pods: 1 });
  await d.start();
  try {
    await d.issuer('offline');
    await d.waitIssuer('offline');
    await d.certificate('offline-cert', {
      commonName: 'offline.example.com',
      issuerRef: { name: 'offline' },
      secretName: 'offline-tls',
    });
    await d.waitCertificate('offline-cert', 'Ready');
    await d.pods[0]!.stop();
    await d.kube.target.delete(`/api/v1/namespaces/${d.ns}/secrets/offline-tls`);
    await d.startPod();
    await eventually(() => d.secret('offline-tls'), 'the secret to be issued again', 90_000);
    await d.waitCertificate('offline-cert', 'Ready');
    assert.equal(d.ordersOf('offline-cert'), 2);
  } finally {
    await d.stop();
  }
});
