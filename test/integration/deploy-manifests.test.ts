// deploy/ is what operators apply with `kubectl apply -k deploy`. There is no kubectl or kustomize here, so this test
// builds the kustomization the way kustomize does (resources, nested kustomizations, generators, namespace) and has a
// real API server check every object with a server-side apply dry run: a typo, a wrong apiVersion or an invalid field
// fails here with the API server's message instead of at the operator's first apply.

import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import yaml from 'js-yaml';
import { KubeApiError, type KubeStatus } from '../../actors/kube/kube-api-error.js';
import { APPLY_PATCH, type KubeClient, readBody } from '../../actors/kube/kube-client.js';
import { repoRoot } from '../env/paths.js';
import type { ClusterRole as StackRole } from '../env/stack.js';
import { adminClient, deleteIfExists } from '../support/kube.js';
import { eventually } from '../support/test-env.js';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}
/** An object whose fields the assertions below walk freely; a wrong path fails the test with a TypeError. */
// biome-ignore lint/suspicious/noExplicitAny: the assertions walk manifests of every kind; a wrong path fails the test.
type Loose = Obj & Record<string, any>;

const DEPLOY = join(repoRoot(), 'deploy');
const NAMESPACE = 'cert-management';
const SA_USER = `system:serviceaccount:${NAMESPACE}:cert-controller-manager`;

// Every kind deploy/ may contain. A kind missing here fails the test: nothing is skipped without a check.
const KINDS: Record<string, { apiVersion: string; resource: string; namespaced: boolean }> = {
  Namespace: { apiVersion: 'v1', resource: 'namespaces', namespaced: false },
  ServiceAccount: { apiVersion: 'v1', resource: 'serviceaccounts', namespaced: true },
  Service: { apiVersion: 'v1', resource: 'services', namespaced: true },
  ConfigMap: { apiVersion: 'v1', resource: 'configmaps', namespaced: true },
  Secret: { apiVersion: 'v1', resource: 'secrets', namespaced: true },
  ClusterRole: { apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'clusterroles', namespaced: false },
  ClusterRoleBinding: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    resource: 'clusterrolebindings',
    namespaced: false,
  },
  Role: { apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'roles', namespaced: true },
  RoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'rolebindings', namespaced: true },
  Deployment: { apiVersion: 'apps/v1', resource: 'deployments', namespaced: true },
  StatefulSet: { apiVersion: 'apps/v1', resource: 'statefulsets', namespaced: true },
  PodDisruptionBudget: { apiVersion: 'policy/v1', resource: 'poddisruptionbudgets', namespaced: true },
  CustomResourceDefinition: {
    apiVersion: 'apiextensions.k8s.io/v1',
    resource: 'customresourcedefinitions',
    namespaced: false,
  },
};

function objectPath(obj: Obj): string {
  const k = KINDS[obj.kind];
  if (!k)
    throw new Error(
      `${obj.kind} ${obj.metadata?.name}: kind not in this test's table; add it so the object is checked`,
    );
  assert.equal(obj.apiVersion, k.apiVersion, `${obj.kind} ${obj.metadata.name}: apiVersion`);
  if (k.namespaced) assert.ok(obj.metadata.namespace, `${obj.kind} ${obj.metadata.name} has no namespace`);
  const base = k.apiVersion === 'v1' ? '/api/v1' : `/apis/${k.apiVersion}`;
  return `${base}${k.namespaced ? `/namespaces/${obj.metadata.namespace}` : ''}/${k.resource}/${obj.metadata.name}`;
}

// ---- kustomize, the subset deploy/ uses. Any other field fails: the emulation must not silently diverge. ----

interface Generator {
  name: string;
  namespace?: string;
  files?: string[];
  envs?: string[];
  literals?: string[];
  type?: string;
}
interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  configMapGenerator?: Generator[];
  secretGenerator?: Generator[];
  generatorOptions?: { disableNameSuffixHash?: boolean };
}
const KUSTOMIZATION_FIELDS = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'resources',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
]);
const GENERATOR_FIELDS = new Set(['name', 'namespace', 'files', 'envs', 'literals', 'type']);
// Kubernetes' rule for env var names, which kustomize applies to env file keys.
const ENV_KEY = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** kustomize's env file format: `key=value` lines, value verbatim after the first `=`; blank lines and `#` lines skipped. */
function parseEnvFile(text: string, file: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.replace(/\r$/, '').trimStart();
      if (line === '' || line.startsWith('#')) return;
      const eq = line.indexOf('=');
      const key = eq < 0 ? line : line.slice(0, eq);
      assert.match(key, ENV_KEY, `${file}:${i + 1}: invalid key`);
      out.push([key, eq < 0 ? '' : line.slice(eq + 1)]);
    });
  return out;
}

function generate(dir: string, kind: 'ConfigMap' | 'Secret', g: Generator, noHash: boolean): Obj {
  for (const f of Object.keys(g))
    assert.ok(GENERATOR_FIELDS.has(f), `${kind} generator ${g.name}: field ${f} is not emulated by this test`);
  // The hash suffix is kustomize's own algorithm; the manifests refer to fixed names, so require it off.
  assert.ok(noHash, 'generatorOptions.disableNameSuffixHash must be true (the workloads refer to fixed names)');
  const pairs: Array<[string, string]> = [];
  for (const e of g.envs ?? []) pairs.push(...parseEnvFile(readFileSync(join(dir, e), 'utf8'), e));
  for (const l of g.literals ?? []) {
    const eq = l.indexOf('=');
    assert.ok(eq > 0, `literal ${l}: expected key=value`);
    const v = l.slice(eq + 1);
    pairs.push([
      l.slice(0, eq),
      v.length >= 2 && v[0] === v[v.length - 1] && (v[0] === '"' || v[0] === "'") ? v.slice(1, -1) : v,
    ]);
  }
  for (const f of g.files ?? []) {
    const eq = f.indexOf('=');
    pairs.push(
      eq > 0
        ? [f.slice(0, eq), readFileSync(join(dir, f.slice(eq + 1)), 'utf8')]
        : [basename(f), readFileSync(join(dir, f), 'utf8')],
    );
  }
  const keys = pairs.map(([k]) => k);
  assert.equal(new Set(keys).size, keys.length, `${kind} ${g.name}: duplicate keys ${keys.join(', ')}`);
  const metadata = { name: g.name, ...(g.namespace ? { namespace: g.namespace } : {}) };
  if (kind === 'ConfigMap') return { apiVersion: 'v1', kind, metadata, data: Object.fromEntries(pairs) };
  return {
    apiVersion: 'v1',
    kind,
    metadata,
    type: g.type ?? 'Opaque',
    data: Object.fromEntries(pairs.map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

function kustomize(dir: string): Obj[] {
  const k = yaml.load(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  for (const f of Object.keys(k))
    assert.ok(KUSTOMIZATION_FIELDS.has(f), `${dir}/kustomization.yaml: field ${f} is not emulated by this test`);
  assert.equal(k.apiVersion, 'kustomize.config.k8s.io/v1beta1');
  assert.equal(k.kind, 'Kustomization');
  const objs: Obj[] = [];
  for (const r of k.resources ?? []) {
    const p = join(dir, r);
    if (statSync(p).isDirectory()) objs.push(...kustomize(p));
    else objs.push(...(yaml.loadAll(readFileSync(p, 'utf8')) as Array<Obj | null>).filter((o): o is Obj => o != null));
  }
  const noHash = k.generatorOptions?.disableNameSuffixHash === true;
  for (const g of k.configMapGenerator ?? []) objs.push(generate(dir, 'ConfigMap', g, noHash));
  for (const g of k.secretGenerator ?? []) objs.push(generate(dir, 'Secret', g, noHash));
  // kustomize sets (and overrides) metadata.namespace on namespaced kinds only; unknown kinds fail later anyway.
  if (k.namespace) for (const o of objs) if (KINDS[o.kind]?.namespaced !== false) o.metadata.namespace = k.namespace;
  const ids = objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  assert.deepEqual(
    ids.filter((id, i) => ids.indexOf(id) !== i),
    [],
    'kustomize refuses duplicate objects',
  );
  return objs;
}

function loadFile(rel: string): Obj[] {
  return (yaml.loadAll(readFileSync(join(DEPLOY, rel), 'utf8')) as Array<Obj | null>).filter(
    (o): o is Obj => o != null,
  );
}

/** Server-side apply; returns the API server's warnings (PodSecurity reports violations of pod templates that way). */
async function apply(
  client: KubeClient,
  obj: Obj,
  dryRun: boolean,
  headers?: Record<string, string>,
): Promise<string[]> {
  const path = objectPath(obj);
  const { res } = await client.open('PATCH', path, {
    body: JSON.stringify(obj),
    contentType: APPLY_PATCH,
    query: { fieldManager: 'deploy-test', force: true, dryRun: dryRun ? 'All' : undefined },
    timeoutMs: 30_000,
    ...(headers ? { headers } : {}),
  });
  const body = await readBody(res);
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    let parsed: KubeStatus;
    try {
      parsed = JSON.parse(body) as KubeStatus;
    } catch {
      parsed = { message: body.slice(0, 500) };
    }
    throw KubeApiError.from('PATCH', path, status, parsed);
  }
  const w = res.headers.warning;
  return w === undefined ? [] : Array.isArray(w) ? w : [w];
}

const objects = kustomize(DEPLOY);
const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
const one = (kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind} ${name} is in the kustomization`);
  return o as Loose;
};

const clients = new Map<StackRole, KubeClient>();
const client = (role: StackRole) => clients.get(role) ?? clients.set(role, adminClient(role)).get(role)!;
const cleanup: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
  for (const c of clients.values()) c.close();
});

const namespaceObj = () => loadFile('namespace.yaml').find((o) => o.kind === 'Namespace')!;

test('every object of the kustomization is accepted by the API server (server-side apply, dry run)', async () => {
  const kinds = new Set(objects.map((o) => o.kind));
  for (const k of [
    'Namespace',
    'ServiceAccount',
    'CustomResourceDefinition',
    'Deployment',
    'StatefulSet',
    'ConfigMap',
    'Secret',
    'PodDisruptionBudget',
    'Service',
    'ClusterRole',
    'Role',
  ]) {
    assert.ok(kinds.has(k), `the kustomization has a ${k}`);
  }
  const unknown = objects.filter((o) => !KINDS[o.kind]).map((o) => `${o.kind} ${o.metadata?.name}`);
  assert.deepEqual(unknown, [], 'kinds this test cannot map to a resource path');
  const kube = client('default');
  // Namespaced dry runs need the namespace to exist; it is the one object created for real (apply is idempotent).
  const ns = one('Namespace', NAMESPACE);
  await apply(kube, ns, false);
  const refused: string[] = [];
  const warned: string[] = [];
  for (const obj of objects) {
    try {
      const warnings = await apply(kube, obj, true);
      if (warnings.length > 0) warned.push(`${obj.kind} ${obj.metadata.name}: ${warnings.join('; ')}`);
    } catch (err) {
      refused.push(`${obj.kind} ${obj.metadata.name}: ${(err as Error).message}`);
    }
  }
  assert.deepEqual(refused, [], 'objects refused by the API server');
  assert.deepEqual(warned, [], 'API server warnings (e.g. PodSecurity "restricted" violations)');
});

test('deploy/nats/nats.conf is a byte-for-byte copy of the repository nats.conf', () => {
  assert.ok(
    readFileSync(join(DEPLOY, 'nats', 'nats.conf')).equals(readFileSync(join(repoRoot(), 'nats.conf'))),
    'deploy/nats/nats.conf differs from nats.conf: copy it again (cp nats.conf deploy/nats/nats.conf)',
  );
  assert.equal(one('ConfigMap', 'nats-config').data['nats.conf'], readFileSync(join(repoRoot(), 'nats.conf'), 'utf8'));
});

test('the runtime Deployment: 3 replicas, probes, resources, anti-affinity, a PDB over its pods, env it refers to', () => {
  const d = one('Deployment', 'cert-controller-manager');
  assert.equal(d.spec.replicas, 3);
  const pod = d.spec.template.spec;
  const [c] = pod.containers;
  assert.equal(c.image, 'cert-controller-manager:0.1.0');
  assert.deepEqual(c.command, ['node', 'dist/bin/cert-controller-manager.js']);
  assert.equal(c.livenessProbe.httpGet.path, '/healthz');
  assert.equal(c.readinessProbe.httpGet.path, '/readyz');
  assert.ok(
    c.ports.some(
      (p: { name: string; containerPort: number }) =>
        p.name === c.livenessProbe.httpGet.port && p.containerPort === 8080,
    ),
  );
  assert.ok(c.args.includes('--server-port-http=8080'));
  assert.deepEqual(c.resources, { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } });
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(pod.securityContext.runAsNonRoot, true);
  const terms = pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
  assert.ok(
    terms.some(
      (t: Loose) =>
        t.podAffinityTerm.topologyKey === 'kubernetes.io/hostname' && selects(t.podAffinityTerm.labelSelector, d),
    ),
  );
  assert.equal(pod.serviceAccountName, one('ServiceAccount', 'cert-controller-manager').metadata.name);
  const pdb = byKind('PodDisruptionBudget').find(
    (p: Loose) => p.metadata.namespace === d.metadata.namespace && selects(p.spec.selector, d),
  ) as Loose | undefined;
  assert.ok(pdb, 'a PodDisruptionBudget selects the runtime pods');
  assert.equal(pdb.spec.minAvailable, 2);
  // $(VAR) in args must be defined in env, and every secret/config reference must be generated with that key.
  for (const m of (c.args as string[]).join(' ').matchAll(/\$\(([A-Z_][A-Z0-9_]*)\)/g)) {
    assert.ok(
      c.env.some((e: { name: string }) => e.name === m[1]),
      `args use $(${m[1]}) but env does not define it`,
    );
  }
  assertRefsResolve(d);
});

test('the NATS StatefulSet: 3 replicas, storage, every variable nats.conf reads, headless Service, PDB', () => {
  const s = one('StatefulSet', 'nats');
  assert.equal(s.spec.replicas, 3);
  assert.equal(s.spec.volumeClaimTemplates.length, 1);
  assert.equal(s.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '10Gi');
  const [c] = s.spec.template.spec.containers;
  assert.equal(c.image, 'nats:2.12.4-alpine');
  assert.match(c.readinessProbe.httpGet.path, /^\/healthz\?js-enabled-only=true$/);
  const conf = readFileSync(join(DEPLOY, 'nats', 'nats.conf'), 'utf8').replace(/#.*$/gm, '');
  const vars = new Set([...conf.matchAll(/\$([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]));
  assert.ok(vars.has('NATS_SERVER_NAME'));
  for (const v of ['NATS_RUNTIME_PASSWORD', 'NATS_OPERATOR_PASSWORD', 'NATS_OBSERVER_PASSWORD']) vars.add(v);
  const env = new Set((c.env as Array<{ name: string }>).map((e) => e.name));
  assert.deepEqual(
    [...vars].filter((v) => !env.has(v)),
    [],
    'variables nats.conf needs that the NATS container does not set',
  );
  const svc = one('Service', s.spec.serviceName);
  assert.equal(svc.spec.clusterIP, 'None');
  assert.equal(svc.spec.publishNotReadyAddresses, true);
  assert.deepEqual(Object.fromEntries(svc.spec.ports.map((p: { name: string; port: number }) => [p.name, p.port])), {
    client: 4222,
    cluster: 6222,
    monitor: 8222,
  });
  const pdb = byKind('PodDisruptionBudget').find((p: Loose) => selects(p.spec.selector, s)) as Loose | undefined;
  assert.ok(pdb, 'a PodDisruptionBudget selects the NATS pods');
  assert.equal(pdb.spec.maxUnavailable, 1);
  assertRefsResolve(s);
});

test('RBAC: explicit verbs and resources (no *), bindings name the service account and a role that exists', () => {
  const roles = [...byKind('ClusterRole'), ...byKind('Role')] as Loose[];
  assert.ok(roles.length >= 4);
  for (const r of roles) {
    assert.ok(r.rules.length > 0, `${r.kind} ${r.metadata.name} has rules`);
    for (const rule of r.rules) {
      const where = `${r.kind} ${r.metadata.name} rule ${JSON.stringify(rule)}`;
      assert.ok(
        Array.isArray(rule.verbs) &&
          rule.verbs.length > 0 &&
          Array.isArray(rule.resources) &&
          rule.resources.length > 0,
        `${where}: verbs and resources`,
      );
      assert.ok(!rule.nonResourceURLs, `${where}: no nonResourceURLs`);
      for (const v of [...rule.verbs, ...rule.resources, ...rule.apiGroups, ...(rule.resourceNames ?? [])])
        assert.ok(!String(v).includes('*'), `${where}: no wildcards`);
    }
  }
  for (const b of [...byKind('ClusterRoleBinding'), ...byKind('RoleBinding')] as Loose[]) {
    // Subjects carry their namespace themselves: kustomize's namespace field does not set it on every subject.
    assert.deepEqual(
      b.subjects,
      [{ kind: 'ServiceAccount', name: 'cert-controller-manager', namespace: NAMESPACE }],
      `${b.kind} ${b.metadata.name} subjects`,
    );
    const target = roles.find(
      (r) =>
        r.kind === b.roleRef.kind &&
        r.metadata.name === b.roleRef.name &&
        (r.kind === 'ClusterRole' || r.metadata.namespace === b.metadata.namespace),
    );
    assert.ok(
      target,
      `${b.kind} ${b.metadata.name} refers to ${b.roleRef.kind} ${b.roleRef.name}, which the kustomization defines`,
    );
  }
});

// Each RBAC file is applied for real to the stack's cluster of its role; the API server's own authorizer then says
// whether the service account may make the calls the controller makes there, and may not make others.
interface Access {
  verb: string;
  resource: string;
  group?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}
const ACCESS: Record<StackRole, { allowed: Access[]; denied: Access[] }> = {
  default: {
    allowed: [
      ...['get', 'list', 'watch'].map((verb) => ({
        verb,
        group: 'cert.gardener.cloud',
        resource: 'issuers',
        namespace: NAMESPACE,
      })),
      {
        verb: 'patch',
        group: 'cert.gardener.cloud',
        resource: 'issuers',
        subresource: 'status',
        namespace: NAMESPACE,
        name: 'i',
      },
      ...['get', 'list', 'watch', 'create', 'update'].map((verb) => ({
        verb,
        resource: 'secrets',
        namespace: NAMESPACE,
      })),
      ...['create', 'list'].map((verb) => ({ verb, resource: 'events', namespace: NAMESPACE })),
    ],
    denied: [
      { verb: 'get', resource: 'secrets', namespace: 'kube-system', name: 'x' },
      { verb: 'list', resource: 'secrets' },
      { verb: 'delete', resource: 'secrets', namespace: NAMESPACE, name: 'x' },
      { verb: 'update', group: 'cert.gardener.cloud', resource: 'issuers', namespace: NAMESPACE, name: 'i' },
    ],
  },
  source: {
    allowed: [
      ...['list', 'watch'].map((verb) => ({ verb, group: 'cert.gardener.cloud', resource: 'certificates' })),
      ...['update', 'patch', 'delete'].map((verb) => ({
        verb,
        group: 'cert.gardener.cloud',
        resource: 'certificates',
        namespace: 'default',
        name: 'c',
      })),
      {
        verb: 'patch',
        group: 'cert.gardener.cloud',
        resource: 'certificates',
        subresource: 'status',
        namespace: 'default',
        name: 'c',
      },
      { verb: 'watch', group: 'cert.gardener.cloud', resource: 'certificaterevocations' },
      {
        verb: 'patch',
        group: 'cert.gardener.cloud',
        resource: 'certificaterevocations',
        namespace: 'default',
        name: 'r',
      },
      {
        verb: 'update',
        group: 'cert.gardener.cloud',
        resource: 'certificaterevocations',
        subresource: 'status',
        namespace: 'default',
        name: 'r',
      },
      { verb: 'watch', group: 'networking.k8s.io', resource: 'ingresses' },
      { verb: 'watch', resource: 'services' },
      ...['list', 'watch'].flatMap((verb) => [
        { verb, group: 'networking.istio.io', resource: 'gateways' },
        { verb, group: 'networking.istio.io', resource: 'virtualservices' },
        { verb, group: 'gateway.networking.k8s.io', resource: 'gateways' },
        { verb, group: 'gateway.networking.k8s.io', resource: 'httproutes' },
      ]),
      { verb: 'get', group: 'networking.istio.io', resource: 'gateways', namespace: 'default', name: 'g' },
      { verb: 'get', group: 'gateway.networking.k8s.io', resource: 'gateways', namespace: 'default', name: 'g' },
      // The gateway CRDs, each watched by name (a metadata.name field selector is authorized as the name).
      ...[
        'gateways.networking.istio.io',
        'virtualservices.networking.istio.io',
        'gateways.gateway.networking.k8s.io',
        'httproutes.gateway.networking.k8s.io',
      ].flatMap((name) =>
        ['list', 'watch'].map((verb) => ({
          verb,
          group: 'apiextensions.k8s.io',
          resource: 'customresourcedefinitions',
          name,
        })),
      ),
      ...['create', 'list'].map((verb) => ({ verb, resource: 'events', namespace: 'default' })),
    ],
    denied: [
      { verb: 'get', resource: 'secrets', namespace: 'default', name: 'x' },
      { verb: 'update', resource: 'services', namespace: 'default', name: 's' },
      { verb: 'update', group: 'gateway.networking.k8s.io', resource: 'gateways', namespace: 'default', name: 'g' },
      { verb: 'list', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
      {
        verb: 'watch',
        group: 'apiextensions.k8s.io',
        resource: 'customresourcedefinitions',
        name: 'grpcroutes.gateway.networking.k8s.io',
      },
    ],
  },
  dns: {
    allowed: [
      ...['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'].map((verb) => ({
        verb,
        group: 'dns.gardener.cloud',
        resource: 'dnsentries',
        namespace: NAMESPACE,
      })),
      // --use-dnsrecords: the same for Gardener's DNSRecords.
      ...['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'].map((verb) => ({
        verb,
        group: 'extensions.gardener.cloud',
        resource: 'dnsrecords',
        namespace: NAMESPACE,
      })),
      { verb: 'list', resource: 'events', namespace: NAMESPACE },
    ],
    denied: [
      { verb: 'create', group: 'dns.gardener.cloud', resource: 'dnsentries', namespace: 'default' },
      { verb: 'list', group: 'dns.gardener.cloud', resource: 'dnsentries' },
      { verb: 'create', group: 'extensions.gardener.cloud', resource: 'dnsrecords', namespace: 'default' },
    ],
  },
  target: {
    allowed: [
      ...['list', 'watch'].map((verb) => ({ verb, resource: 'secrets' })),
      ...['get', 'create', 'update', 'delete'].map((verb) => ({
        verb,
        resource: 'secrets',
        namespace: 'default',
        name: 'tls',
      })),
      // Backups of ACME certificates, annotated when revoked.
      ...['list', 'create'].map((verb) => ({ verb, resource: 'secrets', namespace: 'kube-system' })),
      { verb: 'patch', resource: 'secrets', namespace: 'kube-system', name: 'cert-backup-x' },
      { verb: 'list', resource: 'events', namespace: 'default' },
    ],
    denied: [{ verb: 'list', resource: 'configmaps' }],
  },
};
const CRD_NAMES = [
  'issuers.cert.gardener.cloud',
  'certificates.cert.gardener.cloud',
  'certificaterevocations.cert.gardener.cloud',
  'dnsentries.dns.gardener.cloud',
];

async function allowed(kube: KubeClient, a: Access): Promise<boolean> {
  const review = await kube.create<{ status: { allowed: boolean } }>(
    '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: SA_USER,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${NAMESPACE}`, 'system:authenticated'],
        resourceAttributes: { ...a, group: a.group ?? '' },
      },
    },
  );
  return review.status.allowed;
}

for (const role of ['default', 'source', 'dns', 'target'] as const) {
  test(`rbac/${role}-cluster.yaml alone lets the controller do its work in a ${role} cluster, and no more`, async () => {
    const kube = client(role);
    const rbac = loadFile(`rbac/${role}-cluster.yaml`);
    await apply(kube, namespaceObj(), false);
    for (const obj of rbac) {
      await apply(kube, obj, false);
      cleanup.push(() => deleteIfExists(kube, objectPath(obj)));
    }
    // The CRD install at start: server-side apply of each CRD by name (also when it creates the CRD).
    const crdAccess = CRD_NAMES.flatMap((name) =>
      ['get', 'create', 'patch'].map((verb) => ({
        verb,
        group: 'apiextensions.k8s.io',
        resource: 'customresourcedefinitions',
        name,
      })),
    );
    const expected = [...ACCESS[role].allowed, ...crdAccess];
    const denied = [
      ...ACCESS[role].denied,
      {
        verb: 'patch',
        group: 'apiextensions.k8s.io',
        resource: 'customresourcedefinitions',
        name: 'widgets.example.com',
      },
    ];
    // RBAC changes reach the authorizer through its informers, a moment after the write.
    await eventually(
      async () => {
        const missing: string[] = [];
        for (const a of expected) if (!(await allowed(kube, a))) missing.push(JSON.stringify(a));
        if (missing.length > 0) throw new Error(`not allowed: ${missing.join(', ')}`);
        return true;
      },
      `the ${role} cluster's RBAC to take effect`,
      30_000,
      200,
    );
    const granted: string[] = [];
    for (const a of denied) if (await allowed(kube, a)) granted.push(JSON.stringify(a));
    assert.deepEqual(granted, [], 'access the controller does not need');
    // And the installer's real request, as the service account (dry run: the CRDs are the stack's).
    const crd = loadFile('crds/cert.gardener.cloud_issuers.yaml')[0]!;
    await apply(kube, crd, true, { 'Impersonate-User': SA_USER });
  });
}

/** matchLabels (the only selector form used here) matches the workload's pod template labels. */
function selects(
  selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] },
  workload: Loose,
): boolean {
  assert.ok(!selector.matchExpressions, 'selectors use matchLabels only');
  const labels = workload.spec.template.metadata.labels as Record<string, string>;
  const want = Object.entries(selector.matchLabels ?? {});
  return want.length > 0 && want.every(([k, v]) => labels[k] === v);
}

/** Every Secret and ConfigMap a pod template refers to (env, volumes) is in the kustomization with that key. */
function assertRefsResolve(workload: Loose): void {
  const pod = workload.spec.template.spec;
  const find = (kind: string, name: string) =>
    objects.find(
      (o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === workload.metadata.namespace,
    ) as Loose | undefined;
  for (const c of pod.containers) {
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
      if (!ref) continue;
      const kind = e.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap';
      const target = find(kind, ref.name);
      assert.ok(
        target,
        `${workload.kind} ${workload.metadata.name}: env ${e.name} refers to ${kind} ${ref.name}, which is not in the kustomization`,
      );
      assert.ok(
        ref.key in target.data,
        `${workload.kind} ${workload.metadata.name}: env ${e.name} refers to key ${ref.key}, which ${kind} ${ref.name} lacks`,
      );
    }
  }
  for (const v of pod.volumes ?? []) {
    if (v.configMap)
      assert.ok(
        find('ConfigMap', v.configMap.name),
        `volume ${v.name}: ConfigMap ${v.configMap.name} is not in the kustomization`,
      );
    if (v.secret)
      assert.ok(
        find('Secret', v.secret.secretName),
        `volume ${v.name}: Secret ${v.secret.secretName} is not in the kustomization`,
      );
  }
}
