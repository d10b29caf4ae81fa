// The CRDs in deploy/crds are what users apply: the examples must be accepted unchanged, and mistakes a user makes
// must be refused by the API server at `kubectl apply` time, naming the field, instead of surfacing later as a
// controller error.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { KubeApiError } from '../../actors/kube/kube-api-error.js';
import type { KubeObject } from '../../actors/kube/kube-object.js';
import { adminClient, deleteIfExists, loadExample, uniqueName } from '../support/kube.js';

interface Certificate extends KubeObject {
  spec: Record<string, unknown>;
}

const CERTS = '/apis/cert.gardener.cloud/v1alpha1/namespaces/default/certificates';
const ISSUERS = '/apis/cert.gardener.cloud/v1alpha1/namespaces/default/issuers';
const DNSENTRIES = '/apis/dns.gardener.cloud/v1alpha1/namespaces/default/dnsentries';

const source = adminClient('source');
const defaultCluster = adminClient('default');
const dns = adminClient('dns');
const cleanup: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanup) await c();
  source.close();
  defaultCluster.close();
  dns.close();
});

/** The simple example under a fresh name, with `spec` changed by `mutate` (which may write anything, like a user). */
function certificate(mutate: (spec: Record<string, unknown>) => void = () => {}): Certificate {
  const cert = loadExample<Certificate>('local/30-cert-simple.yaml');
  cert.metadata.name = uniqueName('crd-cert');
  mutate(cert.spec);
  return cert;
}

async function create<T extends KubeObject>(client: typeof source, collection: string, obj: T): Promise<T> {
  const created = await client.create<T>(collection, obj);
  cleanup.push(() => deleteIfExists(client, `${collection}/${obj.metadata.name}`));
  return created;
}

/** Creation must fail with 422 Invalid, and the message must name the offending field. */
async function assertRefused(obj: Certificate, field: RegExp): Promise<void> {
  await assert.rejects(create(source, CERTS, obj), (err: unknown) => {
    assert.ok(err instanceof KubeApiError, `expected a KubeApiError, got ${String(err)}`);
    assert.equal(err.statusCode, 422);
    assert.equal(err.reason, 'Invalid');
    assert.match(err.message, field);
    return true;
  });
}

test('the simple Certificate example is accepted and reads back with the same spec', async () => {
  const cert = certificate();
  await create(source, CERTS, cert);
  const read = await source.get<Certificate>(`${CERTS}/${cert.metadata.name}`);
  assert.deepEqual(read.spec, cert.spec);
  assert.equal(read.spec.commonName, 'cert1.example.com');
});

test('a commonName of 65 characters is refused, naming spec.commonName', async () => {
  const cn = `${'a'.repeat(53)}.example.com`;
  assert.equal(cn.length, 65);
  await assertRefused(
    certificate((s) => {
      s.commonName = cn;
    }),
    /spec\.commonName/,
  );
});

test('a commonName of exactly 64 characters is accepted (the limit is not off by one)', async () => {
  const cn = `${'a'.repeat(52)}.example.com`;
  assert.equal(cn.length, 64);
  await create(
    source,
    CERTS,
    certificate((s) => {
      s.commonName = cn;
    }),
  );
});

test('dnsNames given as a string instead of a list is refused, naming spec.dnsNames', async () => {
  await assertRefused(
    certificate((s) => {
      s.dnsNames = 'a.example.com';
    }),
    /spec\.dnsNames/,
  );
});

test('privateKey.algorithm DSA is refused, naming the field and the allowed values', async () => {
  await assertRefused(
    certificate((s) => {
      s.privateKey = { algorithm: 'DSA' };
    }),
    /spec\.privateKey\.algorithm.*(RSA|ECDSA)/s,
  );
});

test('the pebble Issuer example is accepted by the default cluster', async () => {
  const issuer = loadExample<KubeObject & { spec: { acme: { server: string } } }>('local/20-issuer-pebble.yaml');
  issuer.metadata.name = uniqueName('crd-issuer');
  await create(defaultCluster, ISSUERS, issuer);
  const read = await defaultCluster.get<typeof issuer>(`${ISSUERS}/${issuer.metadata.name}`);
  assert.deepEqual(read.spec, issuer.spec);
});

test('a DNSEntry as the controller writes it for a DNS-01 challenge is accepted by the dns cluster', async () => {
  const name = uniqueName('crd-dnsentry');
  const entry = {
    apiVersion: 'dns.gardener.cloud/v1alpha1',
    kind: 'DNSEntry',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'dns.gardener.cloud/class': 'none-such', 'cert.gardener.cloud/acme-dns-challenge': 'true' },
    },
    spec: { dnsName: '_acme-challenge.crd.example.com', ttl: 120, text: ['token'], ownerId: 'crds-test' },
  };
  // The class annotation keeps the stand-in companion away: this test is about the schema only.
  await create(dns, DNSENTRIES, entry);
  const read = await dns.get<typeof entry>(`${DNSENTRIES}/${name}`);
  assert.deepEqual(read.spec, entry.spec);
});
