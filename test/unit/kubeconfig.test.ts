import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
// The oracle: client-node's own KubeConfig, which the pod no longer loads (see the last test).
import { KubeConfig } from '@kubernetes/client-node';
import {
  loadDefaultKubeconfig,
  loadKubeconfigFile,
  mergeKubeconfigs,
  parseKubeconfig,
} from '../../actors/kube/kubeconfig.js';
import { KubeconfigAuth } from '../../actors/kube/kubeconfig-auth.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubeconfigText(cluster: Record<string, unknown>, user: Record<string, unknown>, current = 'ctx'): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443/', ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': current,
  });
}

/** What matters of the request options after authentication: TLS material, headers, basic auth. */
function authOf(opts: RequestOptions) {
  return {
    ca: opts.ca?.toString(),
    cert: opts.cert?.toString(),
    key: opts.key?.toString(),
    rejectUnauthorized: opts.rejectUnauthorized,
    servername: opts.servername,
    auth: opts.auth,
    headers: opts.headers,
  };
}

async function ours(path: string) {
  const opts: RequestOptions = { headers: { accept: 'application/json' } };
  await new KubeconfigAuth(loadKubeconfigFile(path)).apply(opts);
  return authOf(opts);
}

async function clientNodes(path: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  const opts: RequestOptions = { headers: { accept: 'application/json' } };
  await kc.applyToHTTPSOptions(opts);
  return authOf(opts);
}

function writeConfig(text: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  writeFileSync(join(dir, 'config'), text);
  return join(dir, 'config');
}

const cases: Array<[string, string, Record<string, string>?]> = [
  [
    'inline CA, client certificate and key',
    kubeconfigText(
      { 'certificate-authority-data': b64('CA') },
      { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') },
    ),
  ],
  [
    'certificate files relative to the kubeconfig',
    kubeconfigText(
      { 'certificate-authority': 'pki/ca.crt' },
      { 'client-certificate': 'pki/client.crt', 'client-key': 'pki/client.key' },
    ),
    { 'pki/ca.crt': 'CA-FILE', 'pki/client.crt': 'CERT-FILE', 'pki/client.key': 'KEY-FILE' },
  ],
  ['a bearer token and impersonation', kubeconfigText({}, { token: 'tok', as: 'someone' })],
  ['basic auth', kubeconfigText({}, { username: 'admin', password: 'secret' })],
  [
    'skipped TLS verification and a TLS server name',
    kubeconfigText({ 'insecure-skip-tls-verify': true, 'tls-server-name': 'api.example' }, { token: 't' }),
  ],
  [
    'an exec credential plugin',
    kubeconfigText(
      {},
      {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: process.execPath,
          args: [
            '-e',
            'console.log(JSON.stringify({apiVersion:"client.authentication.k8s.io/v1",kind:"ExecCredential",status:{token:"from-exec"}}))',
          ],
          interactiveMode: 'Never',
        },
      },
    ),
  ],
];

for (const [what, text, files] of cases) {
  test(`a kubeconfig with ${what} authenticates as client-node's KubeConfig does`, async () => {
    const path = writeConfig(text, files);
    const expected = await clientNodes(path);
    assert.deepEqual(await ours(path), expected);
    // Guard against two empty answers agreeing: each case sets something.
    assert.ok(expected.ca || expected.cert || expected.auth || Object.keys(expected.headers ?? {}).length > 1);
  });
}

test("a user's tokenFile (client-go's field, unknown to client-node) is read relative to the kubeconfig", async () => {
  const path = writeConfig(kubeconfigText({}, { tokenFile: 'secrets/token' }), { 'secrets/token': 'from-file' });
  assert.equal(((await ours(path)).headers as Record<string, string>).Authorization, 'Bearer from-file');
});

test('the server comes from the current context, without a trailing slash', () => {
  const path = writeConfig(kubeconfigText({}, {}));
  assert.equal(new KubeconfigAuth(loadKubeconfigFile(path)).server, 'https://127.0.0.1:6443');
});

test('a kubeconfig that cannot be used says why', () => {
  assert.throws(() => loadKubeconfigFile(writeConfig(kubeconfigText({}, {}, ''))), /has no current-context/);
  assert.throws(
    () => loadKubeconfigFile(writeConfig(kubeconfigText({}, {}, 'other'))),
    /"other" is not among its contexts/,
  );
  const noCluster = JSON.stringify({
    contexts: [{ name: 'x', context: { cluster: 'gone', user: 'u' } }],
    'current-context': 'x',
  });
  assert.throws(() => loadKubeconfigFile(writeConfig(noCluster)), /unknown cluster "gone"/);
  const empty = mkdtempSync(join(tmpdir(), 'nohome-'));
  assert.throws(() => loadDefaultKubeconfig({ HOME: empty }, join(empty, 'no-sa')), /no kubeconfig: give --kubeconfig/);
});

test('KUBECONFIG with several files merges as client-go does: the first name and the first current context win', () => {
  const first = parseKubeconfig(kubeconfigText({ server: 'https://first:1' }, { token: 'a' }), '/');
  const second = parseKubeconfig(
    JSON.stringify({
      clusters: [
        { name: 'c', cluster: { server: 'https://second:2' } },
        { name: 'd', cluster: { server: 'https://d:3' } },
      ],
      contexts: [{ name: 'other', context: { cluster: 'd', user: 'u' } }],
      'current-context': 'other',
    }),
    '/',
  );
  const merged = mergeKubeconfigs([first, second]);
  assert.equal(merged.currentContext, 'ctx');
  assert.deepEqual(
    merged.clusters.map((c) => c.server),
    ['https://first:1', 'https://d:3'],
  );
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfigs-'));
  writeFileSync(join(dir, 'a'), JSON.stringify({ clusters: [], users: [], contexts: [] }));
  writeFileSync(join(dir, 'b'), kubeconfigText({ server: 'https://from-b:4' }, {}));
  const selected = loadDefaultKubeconfig({ KUBECONFIG: `${join(dir, 'a')}:${join(dir, 'b')}` });
  assert.equal(selected.cluster.server, 'https://from-b:4');
});

test('in a pod without a kubeconfig the service account is used, its token read from the file', async () => {
  const sa = mkdtempSync(join(tmpdir(), 'sa-'));
  writeFileSync(join(sa, 'token'), 'sa-token');
  writeFileSync(join(sa, 'ca.crt'), 'SA-CA');
  const empty = mkdtempSync(join(tmpdir(), 'nohome-'));
  const env = { HOME: empty, KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' };
  const auth = new KubeconfigAuth(loadDefaultKubeconfig(env, sa));
  assert.equal(auth.server, 'https://[fd00::1]:443');
  const opts: RequestOptions = {};
  await auth.apply(opts);
  assert.equal(opts.ca?.toString(), 'SA-CA');
  assert.equal((opts.headers as Record<string, string>).Authorization, 'Bearer sa-token');
});

test("the pod does not load client-node's index or its generated API clients", () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const trace = join(mkdtempSync(join(tmpdir(), 'trace-')), 'modules');
  writeFileSync(trace, '');
  execFileSync(
    process.execPath,
    [
      '--import',
      join(here, '../support/module-trace/register.js'),
      join(here, '../../bin/cert-controller-manager.js'),
      '--help',
    ],
    { env: { ...process.env, MODULE_TRACE_FILE: trace }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const urls = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  const clientNode = urls.filter((u) => u.includes('/@kubernetes/client-node/'));
  // The trace works: the pod does load client-node's kubeconfig parsing.
  assert.ok(
    clientNode.some((u) => u.endsWith('/dist/config_types.js')),
    `no client-node module traced: ${urls.length} urls`,
  );
  assert.deepEqual(
    clientNode.filter((u) => u.includes('/dist/gen/') || u.endsWith('/dist/index.js') || u.endsWith('/dist/config.js')),
    [],
  );
});
