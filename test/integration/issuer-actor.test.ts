import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { connect, type NatsConnection } from 'nats';
import { newAccountKeyPem, openAcmeAccount } from '../../actors/acme/acme-account.js';
import { type Issuer, issuerPath } from '../../actors/issuer/issuer-types.js';
import { ActorClient } from '../../runtime/index.js';
import { TEST_NATS_USERS } from '../env/nats-users.js';
import { ControllerPod } from '../support/controller-pod.js';
import { adminClient } from '../support/kube.js';
import { eventually, sharedStack } from '../support/test-env.js';

// Issuers handled by two real cert-controller-manager pods, against the shared stack's default cluster and pebble.
const stack = sharedStack();
const kube = adminClient('default');
const ns = `issuers-${randomBytes(3).toString('hex')}`;
const system = `cm${randomBytes(3).toString('hex')}`;
const pods: ControllerPod[] = [];
let nc: NatsConnection;

const b64 = (s: string) => Buffer.from(s).toString('base64');
const startPod = async (name: string) => {
  const p = new ControllerPod(name, stack, [
    '--issuer-namespace',
    ns,
    '--actor-system',
    system,
    '--lease-duration',
    '5s',
    '--lease-renew-deadline',
    '4s',
    '--lease-retry-period',
    '1500ms',
  ]);
  pods.push(p);
  await p.ready();
  return p;
};

before(async () => {
  await kube.create('/api/v1/namespaces', { metadata: { name: ns } });
  await startPod(`${system}-a`);
  await startPod(`${system}-b`);
  nc = await connect({ servers: stack.nats.urls, ...TEST_NATS_USERS.runtime });
});
after(async () => {
  await Promise.all(pods.map((p) => p.stop()));
  await nc?.close();
});

async function apply(name: string, spec: Issuer['spec']): Promise<void> {
  await kube.create(issuerPath(ns), {
    apiVersion: 'cert.gardener.cloud/v1alpha1',
    kind: 'Issuer',
    metadata: { name, namespace: ns },
    spec,
  });
}
async function secret(name: string, data: Record<string, string>): Promise<void> {
  await kube.create(`/api/v1/namespaces/${ns}/secrets`, {
    metadata: { name, namespace: ns },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  });
}
async function settled(name: string): Promise<NonNullable<Issuer['status']>> {
  return eventually(
    async () => {
      const i = await kube.get<Issuer>(issuerPath(ns, name));
      return i.status?.state && i.status.state !== 'Pending' && i.status.observedGeneration === i.metadata.generation
        ? i.status
        : false;
    },
    `issuer ${name} to settle`,
    60_000,
    200,
  );
}
const acme = (extra: Partial<NonNullable<Issuer['spec']['acme']>>) => ({
  server: stack.acme.directoryUrl,
  email: 'ops@example.com',
  ...extra,
});

test('auto registration: the issuer becomes Ready, its account key is stored in the referenced secret', async () => {
  await apply('auto', {
    acme: acme({ autoRegistration: true, privateKeySecretRef: { name: 'auto-key', namespace: ns } }),
  });
  const s = await settled('auto');
  assert.equal(s.state, 'Ready', s.message ?? undefined);
  assert.equal(s.type, 'acme');
  // gardener's status: no message when Ready, the account and the hash of its secret.
  assert.equal(s.message, undefined);
  assert.match(s.acme?.accountURL ?? '', /^https:\/\/127\.0\.0\.1:\d+\/my-account\//);
  assert.match(s.acme?.secretHash ?? '', /^[0-9a-f]{56}$/);
  assert.deepEqual(s.acme?.contact, ['mailto:ops@example.com']);
  assert.equal(s.requestsPerDayQuota, 10000);
  const sec = await kube.get<{ data: Record<string, string> }>(`/api/v1/namespaces/${ns}/secrets/auto-key`);
  assert.match(Buffer.from(sec.data.privateKey, 'base64').toString(), /BEGIN (EC )?PRIVATE KEY/);
  const ev = await eventsOf('auto');
  assert.ok(
    ev.some((e) => e.type === 'Normal' && e.reason === 'Ready' && /ACME account registered/.test(e.message)),
    JSON.stringify(ev),
  );
});

test('auto registration without a secret reference writes the one it made back into the Issuer, as gardener does', async () => {
  await apply('unnamed', { acme: acme({ autoRegistration: true }) });
  const s = await settled('unnamed');
  assert.equal(s.state, 'Ready', s.message ?? undefined);
  const issuer = await kube.get<Issuer>(issuerPath(ns, 'unnamed'));
  const ref = issuer.spec.acme?.privateKeySecretRef;
  assert.equal(ref?.namespace, ns);
  const sec = await kube.get<{
    data: Record<string, string>;
    metadata: { ownerReferences?: Array<{ kind: string; name: string }> };
  }>(`/api/v1/namespaces/${ns}/secrets/${ref?.name}`);
  assert.deepEqual(Object.keys(sec.data), ['privateKey'], 'only the key, as gardener stores it');
  assert.deepEqual(
    sec.metadata.ownerReferences?.map((o) => [o.kind, o.name]),
    [['Issuer', 'unnamed']],
  );
  assert.equal(issuer.status?.observedGeneration, issuer.metadata.generation);
});

async function eventsOf(name: string): Promise<Array<{ type: string; reason: string; message: string }>> {
  return eventually(async () => {
    const list = await kube.get<{ items: Array<{ type: string; reason: string; message: string }> }>(
      `/api/v1/namespaces/${ns}/events`,
      {
        fieldSelector: `involvedObject.kind=Issuer,involvedObject.name=${name}`,
      },
    );
    return list.items.length > 0 ? list.items : false;
  }, `events of issuer ${name}`);
}

test('an existing account is used through its key, without registering anew', async () => {
  const key = await newAccountKeyPem();
  await secret('reg-key', { privateKey: key });
  await apply('first', { acme: acme({ autoRegistration: true, privateKeySecretRef: { name: 'reg-key' } }) });
  const first = await settled('first');
  await apply('existing', {
    acme: acme({ privateKeySecretRef: { name: 'reg-key', namespace: ns } }),
    requestsPerDayQuota: 50,
  });
  const s = await settled('existing');
  assert.equal(s.state, 'Ready', s.message ?? undefined);
  assert.equal(s.acme?.accountURL, first.acme?.accountURL, 'the same account');
  assert.equal(s.requestsPerDayQuota, 50);
});

test('bad issuers get an Error status that says what to fix, and the others still work', async () => {
  await secret('not-a-key', { privateKey: 'hello' });
  await apply('no-secret', { acme: acme({ privateKeySecretRef: { name: 'missing' } }) });
  await apply('bad-key', { acme: acme({ privateKeySecretRef: { name: 'not-a-key' } }) });
  await apply('two-types', { acme: acme({ autoRegistration: true }), selfSigned: {} });
  await apply('unreachable', {
    acme: {
      server: 'https://127.0.0.1:9/dir',
      email: 'ops@example.com',
      autoRegistration: true,
      privateKeySecretRef: { name: 'unreachable-key' },
    },
  });
  await apply('no-eab', {
    acme: {
      server: stack.acmeEab!.directoryUrl,
      email: 'ops@example.com',
      autoRegistration: true,
      privateKeySecretRef: { name: 'no-eab-key' },
    },
  });
  await apply('fine', { acme: acme({ autoRegistration: true, privateKeySecretRef: { name: 'fine-key' } }) });
  const expect: Record<string, RegExp> = {
    'no-secret': new RegExp(`secret ${ns}/missing .* does not exist.*autoRegistration: true`),
    'bad-key': /account key is not a PEM private key/,
    'two-types': /sets spec\.acme and spec\.selfSigned; set exactly one/,
    unreachable: /unreachable.*check spec\.acme\.server/,
    'no-eab': /requires an external account binding/,
  };
  for (const [name, re] of Object.entries(expect)) {
    const s = await settled(name);
    assert.equal(s.state, 'Error', `${name}: ${s.message}`);
    assert.match(s.message ?? '', re, name);
    assert.ok(
      (await eventsOf(name)).some((e) => e.type === 'Warning' && e.reason === 'Error' && re.test(e.message)),
      `${name} has a Warning event`,
    );
  }
  assert.equal((await settled('fine')).state, 'Ready');
});

test('an issuer waiting for its secret becomes Ready when the secret appears, without an issuer edit', async () => {
  await apply('waits', { acme: acme({ privateKeySecretRef: { name: 'arrives-later' } }) });
  const before = await settled('waits');
  assert.equal(before.state, 'Error');
  assert.match(before.message ?? '', /arrives-later .* does not exist/);
  // Register an account for a key out of band, then hand the key over in the secret.
  const key = await newAccountKeyPem();
  await openAcmeAccount({
    directoryUrl: stack.acme.directoryUrl,
    email: 'ops@example.com',
    accountKeyPem: key,
    autoRegistration: true,
  });
  await secret('arrives-later', { privateKey: key });
  const after = await eventually(
    async () => {
      const i = await kube.get<Issuer>(issuerPath(ns, 'waits'));
      return i.status?.state === 'Ready' ? i.status : false;
    },
    'the issuer to become Ready after its secret appeared',
    60_000,
    200,
  );
  assert.match(after.acme?.accountURL ?? '', /my-account/);
});

test('external account binding with the right key registers', async () => {
  const [keyId, hmacKey] = Object.entries(stack.acmeEab!.keys)[0];
  await secret('eab', { hmacKey });
  await apply('eab', {
    acme: {
      server: stack.acmeEab!.directoryUrl,
      email: 'ops@example.com',
      autoRegistration: true,
      privateKeySecretRef: { name: 'eab-account' },
      externalAccountBinding: { keyID: keyId, keySecretRef: { name: 'eab', namespace: ns } },
    },
  });
  const s = await settled('eab');
  assert.equal(s.state, 'Ready', s.message ?? undefined);
});

test('when the pod running the issuer watcher dies, new issuers are still served', async () => {
  const client = await ActorClient.connect(nc, system);
  const owner = (await client.admin<{ actors: Array<{ pod: string }> }>({ op: 'actors', kind: 'watcher-default' }))
    .actors[0]?.pod;
  const victim = pods.find((p) => p.name === owner);
  assert.ok(victim, `the watcher runs on one of our pods (${owner})`);
  victim.child.kill('SIGKILL');
  await victim.exited();
  await apply('after-failover', {
    acme: acme({ autoRegistration: true, privateKeySecretRef: { name: 'after-failover-key' } }),
  });
  const s = await settled('after-failover');
  assert.equal(s.state, 'Ready', s.message ?? undefined);
});
