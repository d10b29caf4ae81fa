// The whole DNS-01 path our controller will drive: a DNSEntry in the dns cluster -> the dns companion stand-in ->
// challtestsrv's DNS (real dns lane: dns-controller-manager -> PowerDNS) -> pebble validates it -> a certificate
// chaining to pebble's root. The negative controls prove pebble really looks the record up (missing or wrong TXT =>
// invalid order), so the positive test cannot pass by accident.

import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import * as acme from 'acme-client';
import type { KubeClient } from '../../actors/kube/kube-client.js';
import { x509 } from '../../actors/x509/x509.js';
import { createChallengeEntry, DNSENTRIES, txtRecords, waitEntryReady } from '../support/dns-entries.js';
import { adminClient, deleteIfExists, uniqueName } from '../support/kube.js';
import { eventually, sharedStack } from '../support/test-env.js';

const stack = sharedStack();
const dns: KubeClient = adminClient('dns');
after(() => dns.close());

let clientPromise: Promise<acme.Client> | undefined;
/** One registered ACME account for the file; polling backoff shortened because pebble validates at once. */
function acmeClient(): Promise<acme.Client> {
  clientPromise ??= (async () => {
    const client = new acme.Client({
      directoryUrl: stack.acme.directoryUrl,
      accountKey: await acme.crypto.createPrivateEcdsaKey(),
      backoffAttempts: 40,
      backoffMin: 100,
      backoffMax: 1000,
    });
    await client.createAccount({ termsOfServiceAgreed: true, contact: ['mailto:dns01-test@example.com'] });
    return client;
  })();
  return clientPromise;
}

type Challenge = Awaited<ReturnType<acme.Client['getAuthorizations']>>[number]['challenges'][number];

/** The dns-01 challenges of an order grouped by the domain whose _acme-challenge host they need (wildcard + base share). */
async function dnsChallenges(client: acme.Client, order: acme.Order): Promise<Map<string, Challenge[]>> {
  const byDomain = new Map<string, Challenge[]>();
  for (const authz of await client.getAuthorizations(order)) {
    const challenge = authz.challenges.find((c) => c.type === 'dns-01');
    assert.ok(challenge, `pebble offered no dns-01 challenge for ${authz.identifier.value}`);
    byDomain.set(authz.identifier.value, [...(byDomain.get(authz.identifier.value) ?? []), challenge]);
  }
  return byDomain;
}

/** PEM blocks of a chain, leaf first. */
function certsOf(pem: string): InstanceType<typeof x509.X509Certificate>[] {
  return acme.crypto.splitPemChain(pem).map((p) => new x509.X509Certificate(p));
}

async function assertIssuedFor(chainPem: string, keyPem: Buffer, names: string[]): Promise<void> {
  const [leaf, ...intermediates] = certsOf(chainPem);
  const root = new x509.X509Certificate(readFileSync(stack.acme.rootCaPath, 'utf8'));
  const san = leaf.getExtension(x509.SubjectAlternativeNameExtension);
  assert.ok(san, 'the leaf has no subject alternative names');
  assert.deepEqual(
    san.names.items
      .filter((n) => n.type === 'dns')
      .map((n) => n.value)
      .sort(),
    [...names].sort(),
  );
  // The certificate is for our key, not just any key.
  const ourSpki = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  assert.ok(
    Buffer.from(leaf.publicKey.rawData).equals(ourSpki),
    'the leaf carries a different public key than the CSR',
  );
  // leaf <- intermediate(s) <- pebble's root of this run, each signature checked.
  assert.ok(intermediates.length >= 1, 'the chain has no intermediate');
  const path = [leaf, ...intermediates, root];
  for (let i = 0; i + 1 < path.length; i++) {
    assert.equal(path[i].issuer, path[i + 1].subject, `certificate ${i} is not issued by the next one`);
    assert.ok(
      await path[i].verify({ publicKey: path[i + 1].publicKey, signatureOnly: true }),
      `signature of certificate ${i} does not verify`,
    );
  }
  assert.ok(await root.isSelfSigned(), 'the root CA is not self-signed');
}

/** Runs an order through DNSEntries to a certificate; returns the entry names so the caller can check their cleanup. */
async function issueViaDnsEntries(names: string[]): Promise<{ entries: Map<string, string> }> {
  const client = await acmeClient();
  const order = await client.createOrder({ identifiers: names.map((value) => ({ type: 'dns', value })) });
  const challenges = await dnsChallenges(client, order);
  const entries = new Map<string, string>();
  try {
    for (const [domain, list] of challenges) {
      const texts = await Promise.all(list.map((c) => client.getChallengeKeyAuthorization(c)));
      const name = uniqueName('dns01');
      await createChallengeEntry(dns, name, domain, texts);
      entries.set(domain, name);
      await waitEntryReady(dns, name);
      assert.deepEqual(
        (await txtRecords(stack.dns.server, `_acme-challenge.${domain}`)).sort(),
        [...texts].sort(),
        'challtestsrv must answer exactly the texts of the entry',
      );
    }
    for (const list of challenges.values()) {
      for (const c of list) {
        await client.completeChallenge(c);
        await client.waitForValidStatus(c);
      }
    }
    await client.waitForValidStatus(order);
    const [key, csr] = await acme.crypto.createCsr(
      { commonName: names.find((n) => !n.startsWith('*')) ?? names[0], altNames: names },
      await acme.crypto.createPrivateEcdsaKey(),
    );
    const finalized = await client.finalizeOrder(order, csr);
    const chain = await client.getCertificate(finalized);
    await assertIssuedFor(chain, key, names);
    return { entries };
  } finally {
    for (const name of entries.values()) await deleteIfExists(dns, `${DNSENTRIES}/${name}`);
  }
}

async function assertTxtGone(domain: string): Promise<void> {
  await eventually(
    async () => (await txtRecords(stack.dns.server, `_acme-challenge.${domain}`)).length === 0,
    `the TXT record of _acme-challenge.${domain} to disappear after its DNSEntry was deleted`,
    30_000,
  );
}

test('a certificate for one name is issued through a DNSEntry, and deleting the entry removes the TXT record', async () => {
  const domain = `${uniqueName('single')}.example.com`;
  const { entries } = await issueViaDnsEntries([domain]);
  assert.deepEqual([...entries.keys()], [domain]);
  await assertTxtGone(domain);
});

test('a wildcard and its base name share one DNSEntry with two texts and are issued together', async () => {
  const base = `${uniqueName('pair')}.example.com`;
  const { entries } = await issueViaDnsEntries([base, `*.${base}`]);
  assert.deepEqual([...entries.keys()], [base], 'both challenges must use the one host _acme-challenge.<base>');
  await assertTxtGone(base);
});

/** Answers the challenge without a valid record and returns the order's final state and the error pebble gave. */
async function failedOrder(
  publish: (domain: string, challenge: Challenge) => Promise<void>,
): Promise<{ status: string; error: string }> {
  const client = await acmeClient();
  const domain = `${uniqueName('neg')}.example.com`;
  const order = await client.createOrder({ identifiers: [{ type: 'dns', value: domain }] });
  const [challenge] = (await dnsChallenges(client, order)).get(domain) ?? [];
  await publish(domain, challenge);
  await client.completeChallenge(challenge);
  const error = await client.waitForValidStatus(challenge).then(
    () => 'validated',
    (err: Error) => err.message,
  );
  const final = await eventually(
    async () => {
      const o = await client.getOrder(order);
      return o.status === 'pending' || o.status === 'processing' ? undefined : o;
    },
    'the order to leave pending',
    30_000,
  );
  return { status: final.status, error };
}

test('negative control: without a published TXT record the challenge and the order become invalid', async () => {
  const result = await failedOrder(async () => {});
  assert.equal(result.status, 'invalid');
  // challtestsrv answers a name it has no record for with NOERROR and no data; a real authoritative server (PowerDNS
  // in the real dns lane) with NXDOMAIN, which pebble reports as rcode 3.
  assert.match(result.error, /no TXT records found|unsuccessful response: 3\b/i);
});

test('negative control: a TXT record with the wrong value makes the order invalid', async () => {
  const entryName = uniqueName('dns01-wrong');
  try {
    const result = await failedOrder(async (domain) => {
      await createChallengeEntry(dns, entryName, domain, ['not-the-key-authorization']);
      await waitEntryReady(dns, entryName);
    });
    assert.equal(result.status, 'invalid');
    assert.match(result.error, /correct value not found/i);
  } finally {
    await deleteIfExists(dns, `${DNSENTRIES}/${entryName}`);
  }
});
