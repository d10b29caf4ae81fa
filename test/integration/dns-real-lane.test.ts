// The real dns lane (`npm run test:dns-real`): gardener's dns-controller-manager v0.48.0 (powerdns provider)
// publishing DNSEntries into PowerDNS, which pebble validates against. This file documents, with real DNS queries, the
// behaviour of the real controller that the stand-in (test/env/dns-companion.ts) does not have: one TXT record per
// value, its finalizer, "already busy" for a second entry of one DNS name, `Invalid` for names it refuses. The runner
// runs it only in that lane (REAL_DNS_LANE_ONLY in test/run-tests.ts); against another stack it fails, never skips.
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as acme from 'acme-client';
import yaml from 'js-yaml';
import { txtValuesAt } from '../../actors/dns/txt-propagation.js';
import type { KubeClient } from '../../actors/kube/kube-client.js';
import { dnsEntryProblem, type DnsEntry as StandinEntry } from '../env/dns-companion.js';
import { REAL_ENTRY_FINALIZER } from '../env/dns-real.js';
import { httpCall } from '../env/http-probe.js';
import { repoRoot } from '../env/paths.js';
import { adminClient, deleteIfExists, uniqueName } from '../support/kube.js';
import { eventually, sharedStack } from '../support/test-env.js';

/** The status fields the real controller writes besides state and message. */
interface DnsEntry extends StandinEntry {
  status?: StandinEntry['status'] & { provider?: string; providerType?: string; zone?: string; targets?: string[] };
}

const stack = sharedStack();
assert.equal(stack.dns.lane, 'real', 'dns-real-lane.test.js needs the real dns lane: run `npm run test:dns-real`');
const powerDns = stack.dns.powerDns!;
const dns: KubeClient = adminClient('dns');
const ns = uniqueName('lane');
const entries = `/apis/dns.gardener.cloud/v1alpha1/namespaces/${ns}/dnsentries`;

before(async () => {
  await dns.create('/api/v1/namespaces', { metadata: { name: ns } });
});
after(async () => {
  dns.close();
});

async function createEntry(name: string, dnsName: string, text: string[]): Promise<DnsEntry> {
  return dns.create<DnsEntry>(entries, {
    apiVersion: 'dns.gardener.cloud/v1alpha1',
    kind: 'DNSEntry',
    metadata: { name, namespace: ns },
    spec: { dnsName, ttl: 60, text },
  });
}

async function waitState(name: string, state: string, timeoutMs = 30_000): Promise<DnsEntry> {
  return eventually(
    async () => {
      const e = await dns.get<DnsEntry>(`${entries}/${name}`);
      return e.status?.state === state && e.status.observedGeneration === e.metadata.generation ? e : undefined;
    },
    `DNSEntry ${ns}/${name} to be ${state} at its generation`,
    timeoutMs,
    50,
  );
}

async function waitGone(name: string, timeoutMs = 30_000): Promise<void> {
  await eventually(
    async () =>
      dns.get(`${entries}/${name}`).then(
        () => false,
        (err: { statusCode?: number }) => err.statusCode === 404,
      ),
    `DNSEntry ${ns}/${name} to be gone (its finalizer released)`,
    timeoutMs,
    50,
  );
}

/** The TXT resource records as the authoritative server answers them: one array of strings per record. */
async function txtRecords(host: string): Promise<string[][]> {
  const r = new Resolver({ timeout: 2000, tries: 1 });
  r.setServers([stack.dns.server]);
  try {
    return await r.resolveTxt(host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
    throw err;
  }
}

const sorted = (xs: string[]) => [...xs].sort();
const elapsed = (since: number) => `${Date.now() - since} ms`;

test('the dns cluster serves external-dns-management’s DNSEntry CRD, schema-compatible with deploy/crds', async () => {
  interface Crd {
    metadata: { annotations?: Record<string, string> };
    spec: { scope: string; names: unknown; versions: Array<Record<string, unknown>> };
  }
  const live = await dns.get<Crd>(
    '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/dnsentries.dns.gardener.cloud',
  );
  assert.ok(
    live.metadata.annotations?.['controller-gen.kubebuilder.io/version'],
    'the dns cluster has the real (controller-gen) CRD, not our copy',
  );
  const ours = (
    yaml.loadAll(
      readFileSync(join(repoRoot(), 'deploy', 'crds', 'dns.gardener.cloud_dnsentries.yaml'), 'utf8'),
    ) as Crd[]
  ).find(Boolean)!;
  // Same structure and validation; descriptions differ and `required` lists are sets.
  const normal = (o: unknown): unknown => {
    if (Array.isArray(o)) return o.map(normal);
    if (o && typeof o === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(o).sort()) {
        const v = (o as Record<string, unknown>)[k];
        if (k === 'description') continue;
        out[k] = k === 'required' && Array.isArray(v) ? [...v].sort() : normal(v);
      }
      return out;
    }
    return o;
  };
  const pick = (c: Crd) => {
    const [v] = c.spec.versions;
    return normal({ scope: c.spec.scope, names: c.spec.names, ...v });
  };
  assert.deepEqual(pick(live), pick(ours));
});

test('two TXT values in one DNSEntry become two TXT records; deleting the entry removes them', async (t) => {
  const host = `_acme-challenge.${uniqueName('pair')}.example.com`;
  const values = ['value-of-the-wildcard', 'value-of-the-base'];
  const t0 = Date.now();
  await createEntry('pair', host, values);
  const ready = await waitState('pair', 'Ready');
  t.diagnostic(`Ready after ${elapsed(t0)}`);
  assert.deepEqual(ready.metadata.finalizers, [REAL_ENTRY_FINALIZER]);
  assert.equal(ready.status?.provider, 'dns-lane/powerdns');
  assert.equal(ready.status?.zone, 'example.com.');

  // Two resource records of one string each (not one record "a" "b", which a CA reads as the concatenation).
  const records = await txtRecords(host);
  assert.deepEqual(sorted(records.map((r) => JSON.stringify(r))), sorted(values.map((v) => JSON.stringify([v]))));
  // The same seen through the PowerDNS API: one TXT RRset with one record per value.
  const res = await httpCall(`${powerDns.apiUrl}/api/v1/servers/localhost/zones/example.com.`, {
    headers: { 'X-API-Key': powerDns.apiKey },
  });
  const rrset = (
    JSON.parse(res.body) as { rrsets: Array<{ name: string; type: string; records: unknown[] }> }
  ).rrsets.find((r) => r.name === `${host}.` && r.type === 'TXT');
  assert.equal(rrset?.records.length, 2);

  const t1 = Date.now();
  await dns.delete(`${entries}/pair`);
  await waitGone('pair');
  t.diagnostic(`entry gone after ${elapsed(t1)}`);
  await eventually(
    async () => (await txtRecords(host)).length === 0,
    `the TXT records of ${host} to disappear`,
    10_000,
  );
  t.diagnostic(`records gone after ${elapsed(t1)}`);
});

test('pebble validates a wildcard and its base through one DNSEntry carrying both values', async () => {
  const client = new acme.Client({
    directoryUrl: stack.acme.directoryUrl,
    accountKey: await acme.crypto.createPrivateEcdsaKey(),
    backoffAttempts: 40,
    backoffMin: 100,
    backoffMax: 1000,
  });
  await client.createAccount({ termsOfServiceAgreed: true, contact: ['mailto:dns-lane@example.com'] });
  const base = `${uniqueName('wild')}.example.com`;
  const order = await client.createOrder({
    identifiers: [
      { type: 'dns', value: base },
      { type: 'dns', value: `*.${base}` },
    ],
  });
  const challenges = (await client.getAuthorizations(order)).map((a) => {
    const c = a.challenges.find((x) => x.type === 'dns-01');
    assert.ok(c, `no dns-01 challenge for ${a.identifier.value}`);
    return c;
  });
  const texts = await Promise.all(challenges.map((c) => client.getChallengeKeyAuthorization(c)));
  assert.equal(new Set(texts).size, 2, 'the wildcard and the base have different key authorizations');
  try {
    await createEntry('wild', `_acme-challenge.${base}`, texts);
    await waitState('wild', 'Ready');
    // What our precheck sees (strings of one record joined, like a CA): both values, separately.
    assert.deepEqual(sorted(await txtValuesAt(stack.dns.server, `_acme-challenge.${base}`)), sorted(texts));
    for (const c of challenges) {
      await client.completeChallenge(c);
      await client.waitForValidStatus(c);
    }
    assert.equal((await client.waitForValidStatus(order)).status, 'ready');
  } finally {
    await deleteIfExists(dns, `${entries}/wild`);
  }
});

test('negative control: one TXT record holding both values as two strings fails pebble’s validation', async () => {
  // What the rfc2136 provider writes for a multi-value entry; written straight into PowerDNS here.
  const client = new acme.Client({
    directoryUrl: stack.acme.directoryUrl,
    accountKey: await acme.crypto.createPrivateEcdsaKey(),
    backoffAttempts: 40,
    backoffMin: 100,
    backoffMax: 1000,
  });
  await client.createAccount({ termsOfServiceAgreed: true, contact: ['mailto:dns-lane@example.com'] });
  const domain = `${uniqueName('concat')}.example.com`;
  const order = await client.createOrder({ identifiers: [{ type: 'dns', value: domain }] });
  const [authz] = await client.getAuthorizations(order);
  const challenge = authz.challenges.find((x) => x.type === 'dns-01')!;
  const keyAuth = await client.getChallengeKeyAuthorization(challenge);
  const host = `_acme-challenge.${domain}.`;
  const patch = await httpCall(`${powerDns.apiUrl}/api/v1/servers/localhost/zones/example.com.`, {
    method: 'PATCH',
    headers: { 'X-API-Key': powerDns.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      rrsets: [
        {
          name: host,
          type: 'TXT',
          ttl: 60,
          changetype: 'REPLACE',
          records: [{ content: `"${keyAuth}" "another-value"`, disabled: false }],
        },
      ],
    }),
  });
  assert.equal(patch.status, 204, patch.body);
  try {
    assert.deepEqual(await txtRecords(host), [[keyAuth, 'another-value']]);
    await client.completeChallenge(challenge);
    await assert.rejects(client.waitForValidStatus(challenge), /correct value not found/i);
  } finally {
    await httpCall(`${powerDns.apiUrl}/api/v1/servers/localhost/zones/example.com.`, {
      method: 'PATCH',
      headers: { 'X-API-Key': powerDns.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ rrsets: [{ name: host, type: 'TXT', changetype: 'DELETE' }] }),
    });
  }
});

test('a second DNSEntry for the same DNS name is "already busy" until the first is deleted', async (t) => {
  const host = `_acme-challenge.${uniqueName('busy')}.example.com`;
  await createEntry('first', host, ['first-value']);
  await waitState('first', 'Ready');
  const t0 = Date.now();
  await createEntry('second', host, ['second-value']);
  const busy = await waitState('second', 'Error');
  t.diagnostic(`second entry Error after ${elapsed(t0)}: ${busy.status?.message}`);
  assert.equal(busy.status?.message, `DNS name "${host}" already busy for entry "${ns}/first"`);
  // It holds the finalizer all the same (it is handled, just not published).
  assert.deepEqual(busy.metadata.finalizers, [REAL_ENTRY_FINALIZER]);
  assert.deepEqual(await txtRecords(host), [['first-value']]);
  assert.equal((await dns.get<DnsEntry>(`${entries}/first`)).status?.state, 'Ready');

  // The holder goes: the oldest waiting entry takes the name over.
  const t1 = Date.now();
  await dns.delete(`${entries}/first`);
  await waitState('second', 'Ready');
  t.diagnostic(`second entry Ready after ${elapsed(t1)} once the first was deleted`);
  await eventually(
    async () => JSON.stringify(await txtRecords(host)) === JSON.stringify([['second-value']]),
    `${host} to answer the second entry's value`,
    10_000,
  );
  await dns.delete(`${entries}/second`);
  await waitGone('second');
  await eventually(
    async () => (await txtRecords(host)).length === 0,
    `the TXT records of ${host} to disappear`,
    10_000,
  );
});

test('an update that drops the finalizer (a PUT without it) gets it back with the new records', async (t) => {
  const host = `_acme-challenge.${uniqueName('put')}.example.com`;
  await createEntry('put', host, ['old-value']);
  const ready = await waitState('put', 'Ready');
  const t0 = Date.now();
  await dns.replace(`${entries}/put`, {
    ...ready,
    metadata: { ...ready.metadata, finalizers: undefined },
    spec: { ...ready.spec, text: ['new-value-1', 'new-value-2'] },
  });
  const after = await waitState('put', 'Ready');
  t.diagnostic(`Ready at generation ${after.metadata.generation} after ${elapsed(t0)}`);
  assert.equal(after.metadata.generation, 2);
  assert.deepEqual(after.metadata.finalizers, [REAL_ENTRY_FINALIZER]);
  assert.deepEqual(sorted((await txtRecords(host)).flat()), ['new-value-1', 'new-value-2']);
  await dns.delete(`${entries}/put`);
  await waitGone('put');
});

test('names the real controller refuses end Invalid, without its finalizer', async () => {
  await createEntry('invalid', '_acme-challenge.under_score.example.com', ['x']);
  const invalid = await waitState('invalid', 'Invalid');
  assert.match(invalid.status?.message ?? '', /is no valid dns name/);
  assert.equal(invalid.metadata.finalizers, undefined);
  await dns.delete(`${entries}/invalid`);
  await waitGone('invalid');
});

test('the name rule the stand-in copies: _validation-persist names pass, dns-account-01 names and upper case do not', async () => {
  const persist = '_validation-persist.persist-lane.example.com';
  const value = 'pebble.letsencrypt.org; accounturi=https://127.0.0.1:14000/my-account/1';
  await createEntry('persist', persist, [value]);
  await waitState('persist', 'Ready');
  await eventually(async () => (await txtRecords(persist)).some((r) => r.join('') === value), `TXT at ${persist}`);
  assert.equal(dnsEntryProblem({ dnsName: persist, text: [value] }), undefined);
  const refused = {
    account: '_ujmmovf2vn55tgye._acme-challenge.account-lane.example.com',
    upper: '_acme-challenge.Upper.example.com',
  };
  for (const [name, dnsName] of Object.entries(refused)) await createEntry(name, dnsName, ['x']);
  for (const [name, dnsName] of Object.entries(refused)) {
    const e = await waitState(name, 'Invalid');
    assert.match(e.status?.message ?? '', /is no valid dns name/, dnsName);
    assert.notEqual(dnsEntryProblem({ dnsName, text: ['x'] }), undefined, `the stand-in refuses ${dnsName} too`);
  }
  for (const name of ['persist', ...Object.keys(refused)]) await dns.delete(`${entries}/${name}`);
  for (const name of ['persist', ...Object.keys(refused)]) await waitGone(name);
});
