// `npm run demo [-- --once]`: the whole system on this machine. Starts the local stack (building the servers on
// the first run), three cert-controller-manager pods and the dns stand-in, applies the examples, shows their
// progress, then prints `kubectl get issuer`, `kubectl get cert -o wide` and `certctl actors`. It keeps running
// (so you can use kubectl, certctl and /metrics against it) until interrupted; `--once` stops after the views.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { connect } from 'nats';
import { runCertctl } from '../../actors/certctl/certctl-commands.js';
import { certificatePath } from '../../actors/certificate/certificate-kube.js';
import type { Certificate } from '../../actors/certificate/certificate-spec.js';
import { type Issuer, issuerPath } from '../../actors/issuer/issuer-types.js';
import { KubeClient } from '../../actors/kube/kube-client.js';
import type { KubeObject } from '../../actors/kube/kube-object.js';
import { ActorClient } from '../../runtime/index.js';
import { TEST_NATS_USERS } from '../env/nats-users.js';
import { repoRoot } from '../env/paths.js';
import { freePort } from '../env/ports.js';
import { type Stack, startStack } from '../env/stack.js';
import { ControllerPod } from '../support/controller-pod.js';
import { kubectlGet } from './kubectl-view.js';

const once = process.argv.includes('--once');
const say = (s: string) => process.stdout.write(`${s}\n`);
const PODS = 3;
const SYSTEM = 'certmgmt';

/** The examples the demo applies: cluster role, file, and a change for the local stack. */
const EXAMPLES: Array<{ role: 'default' | 'source'; file: string }> = [
  { role: 'default', file: 'local/20-issuer-pebble.yaml' },
  { role: 'source', file: 'local/30-cert-simple.yaml' },
  { role: 'source', file: 'local/30-cert-csr.yaml' },
  { role: 'source', file: '40-ingress-echoheaders.yaml' },
  { role: 'source', file: '50-service-loadbalancer.yaml' },
];

// Collection paths of the kinds the examples contain.
const PATHS: Record<string, (ns: string) => string> = {
  Issuer: (ns) => issuerPath(ns),
  Certificate: (ns) => certificatePath(ns),
  Deployment: (ns) => `/apis/apps/v1/namespaces/${ns}/deployments`,
  Service: (ns) => `/api/v1/namespaces/${ns}/services`,
  Ingress: (ns) => `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`,
};

let stack: Stack | undefined;
const pods: ControllerPod[] = [];
const shutdown = async (code: number) => {
  await Promise.all(pods.map((p) => p.stop()));
  await stack?.stop();
  process.exit(code);
};
process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));

try {
  say('[demo] starting the local stack (the first run builds kube-apiserver, etcd and nats-server: about 5 minutes)');
  stack = await startStack({ natsNodes: 3, log: (l) => say(`[demo]   ${l}`) });
  const info = stack.info;
  const kube = {
    default: KubeClient.fromFile(info.clusters.default.kubeconfig),
    source: KubeClient.fromFile(info.clusters.source.kubeconfig),
  };

  const metricsPort = await freePort();
  say(`[demo] starting ${PODS} cert-controller-manager pods on a ${info.nats.urls.length}-node NATS cluster`);
  for (let i = 0; i < PODS; i++) {
    pods.push(
      new ControllerPod(`pod-${i}`, info, [
        '--actor-system',
        SYSTEM,
        '--default-issuer',
        'issuer-local',
        '--precheck-nameservers',
        info.dns.server,
        '--precheck-additional-wait',
        '0s',
        '--lease-duration',
        '5s',
        '--lease-renew-deadline',
        '4s',
        '--lease-retry-period',
        '1500ms',
        ...(i === 0 ? ['--server-port-http', String(metricsPort), '--bind-address-http', '127.0.0.1'] : []),
      ]),
    );
  }
  await Promise.all(pods.map((p) => p.ready()));

  for (const ex of EXAMPLES) {
    const text = readFileSync(join(repoRoot(), 'examples', ex.file), 'utf8').replaceAll(
      'https://127.0.0.1:14000/dir',
      info.acme.directoryUrl,
    );
    for (const doc of yaml.loadAll(text) as KubeObject[]) {
      if (!doc?.kind) continue;
      const path = PATHS[doc.kind];
      if (!path) throw new Error(`the demo does not know where ${doc.kind} objects go (${ex.file})`);
      await kube[ex.role].create(path(doc.metadata.namespace ?? 'default'), doc);
    }
    say(`[demo] applied examples/${ex.file}`);
  }

  // Progress: every change of an issuer's or certificate's state, until all are Ready.
  const seen = new Map<string, string>();
  const started = Date.now();
  let done = false;
  while (!done) {
    const issuers = (await kube.default.get<{ items: Issuer[] }>(issuerPath('default'))).items;
    const certs = (await kube.source.get<{ items: Certificate[] }>(certificatePath('default'))).items;
    for (const o of [
      ...issuers.map((i) => ({
        kind: 'issuer',
        o: i as KubeObject & { status?: { state?: string; message?: string } },
      })),
      ...certs.map((c) => ({
        kind: 'certificate',
        o: c as KubeObject & { status?: { state?: string; message?: string } },
      })),
    ]) {
      const key = `${o.kind}/${o.o.metadata.name}`;
      const line = `${o.o.status?.state ?? 'new'}${o.o.status?.message ? `: ${o.o.status.message}` : ''}`;
      if (seen.get(key) !== line) {
        seen.set(key, line);
        say(`[demo] ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s  ${key.padEnd(40)} ${line}`);
      }
    }
    done = issuers.length > 0 && certs.length >= 4 && [...issuers, ...certs].every((o) => o.status?.state === 'Ready');
    if (!done && Date.now() - started > 180_000)
      throw new Error('not everything became Ready within 3 minutes (see the states above)');
    if (!done) await new Promise((r) => setTimeout(r, 250));
  }

  say('\n$ kubectl get issuer');
  process.stdout.write(await kubectlGet(kube.default, issuerPath('default')));
  say('\n$ kubectl get cert -o wide');
  process.stdout.write(await kubectlGet(kube.source, certificatePath('default'), true));
  const nc = await connect({ servers: info.nats.urls, ...TEST_NATS_USERS.operator });
  const client = await ActorClient.connectViaAdmin(nc, SYSTEM);
  say('\n$ certctl actors');
  process.stdout.write((await runCertctl(client, { cmd: 'actors' }, 10_000, 'default')).text);
  await nc.close();

  if (once) await shutdown(0);
  say(`
[demo] running until Ctrl-C. Try:
  KUBECONFIG=${info.clusters.source.kubeconfig} kubectl get cert -o wide
  KUBECONFIG=${info.clusters.default.kubeconfig} kubectl get issuer
  node dist/bin/certctl.js --nats-servers ${info.nats.urls.join(',')} --nats-user operator --nats-password ${TEST_NATS_USERS.operator.pass} status certificate default/cert-simple
  curl http://127.0.0.1:${metricsPort}/metrics`);
} catch (err) {
  process.stderr.write(`[demo] failed: ${(err as Error).message}\n`);
  await shutdown(1);
}
