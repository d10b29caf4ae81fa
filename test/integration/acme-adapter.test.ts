import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { type AcmeAccountError, newAccountKeyPem, openAcmeAccount } from '../../actors/acme/acme-account.js';
import { answerChallenges, readOrder, startOrder } from '../../actors/acme/acme-order.js';
import { checkTxtPropagation } from '../../actors/dns/txt-propagation.js';
import { runAcmeOperation } from '../../actors/issuer/acme-operations.js';
import { createCsrPem, generatePrivateKey, readCertificateChain } from '../../actors/x509/certificate-info.js';
import { freePort } from '../env/ports.js';
import { createChallengeEntry, DNSENTRIES, waitEntryReady } from '../support/dns-entries.js';
import { adminClient, deleteIfExists, uniqueName } from '../support/kube.js';
import { eventually, sharedStack } from '../support/test-env.js';

// The ACME adapter the issuer actor will use, against the real pebble and DNS of the shared stack.
const stack = sharedStack();
const acmeUrl = stack.acme.directoryUrl;

test('auto registration creates an account, and the same key finds it again as an existing account', async () => {
  const key = await newAccountKeyPem();
  const created = await openAcmeAccount({
    directoryUrl: acmeUrl,
    email: 'admin@example.com',
    accountKeyPem: key,
    autoRegistration: true,
  });
  assert.match(created.accountUrl, /^https:\/\/127\.0\.0\.1:\d+\//);
  assert.equal(created.status, 'valid');
  const existing = await openAcmeAccount({
    directoryUrl: acmeUrl,
    email: 'admin@example.com',
    accountKeyPem: key,
    autoRegistration: false,
  });
  assert.equal(existing.accountUrl, created.accountUrl);
});

test('bad accounts fail with a message an operator can act on', async () => {
  await assert.rejects(
    openAcmeAccount({
      directoryUrl: acmeUrl,
      email: 'a@example.com',
      accountKeyPem: await newAccountKeyPem(),
      autoRegistration: false,
    }),
    (e: AcmeAccountError) => /no account is registered .* set spec\.acme\.autoRegistration: true/.test(e.message),
  );
  await assert.rejects(
    openAcmeAccount({
      directoryUrl: acmeUrl,
      email: 'a@example.com',
      accountKeyPem: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n',
      autoRegistration: true,
    }),
    (e: AcmeAccountError) => /account key is not a PEM private key/.test(e.message),
  );
  await assert.rejects(
    openAcmeAccount({
      directoryUrl: `https://127.0.0.1:${await freePort()}/dir`,
      email: 'a@example.com',
      accountKeyPem: await newAccountKeyPem(),
      autoRegistration: true,
    }),
    (e: AcmeAccountError) => /unreachable.*check spec\.acme\.server/.test(e.message),
  );
});

test('external account binding: refused without it, registered with the right key', async () => {
  assert.ok(stack.acmeEab, 'the test stack runs a pebble that requires external account binding');
  const { directoryUrl, keys } = stack.acmeEab;
  await assert.rejects(
    openAcmeAccount({
      directoryUrl,
      email: 'a@example.com',
      accountKeyPem: await newAccountKeyPem(),
      autoRegistration: true,
    }),
    (e: AcmeAccountError) => /external account/i.test(e.message),
  );
  const [keyId, hmacKey] = Object.entries(keys)[0];
  const acc = await openAcmeAccount({
    directoryUrl,
    email: 'a@example.com',
    accountKeyPem: await newAccountKeyPem(),
    autoRegistration: true,
    externalAccountBinding: { keyId, hmacKey },
  });
  assert.equal(acc.status, 'valid');
});

test('an order is issued through DNSEntries, and a second client resumes it by URL (one order, no new one)', async () => {
  const dns = adminClient('dns');
  const accountKeyPem = await newAccountKeyPem();
  const account = await openAcmeAccount({
    directoryUrl: acmeUrl,
    email: 'admin@example.com',
    accountKeyPem,
    autoRegistration: true,
  });
  const base = `adapter-${randomBytes(4).toString('hex')}.example.com`;
  const names = [base, `*.${base}`, `www.${base}`];
  const started = await startOrder(account.client, names);
  assert.equal(started.status, 'pending');
  assert.equal(started.challenges.length, 3);
  // The wildcard and its base share one TXT host.
  const byHost = new Map<string, string[]>();
  for (const c of started.challenges) byHost.set(c.dnsName, [...(byHost.get(c.dnsName) ?? []), c.value]);
  assert.equal(byHost.size, 2);
  const entries: string[] = [];
  try {
    for (const [host, values] of byHost) {
      const name = uniqueName('adapter');
      entries.push(name);
      await createChallengeEntry(dns, name, host.replace(/^_acme-challenge\./, ''), values);
      await waitEntryReady(dns, name);
      await eventually(
        async () => (await checkTxtPropagation(host, values, [stack.dns.server])).ready,
        `TXT at ${host}`,
      );
    }
    const missing = await checkTxtPropagation(
      `_acme-challenge.nothing-${randomBytes(3).toString('hex')}.example.com`,
      ['x'],
      [stack.dns.server],
    );
    assert.equal(missing.ready, false);

    // A "new activation": a fresh client with the same key continues the order from its URL.
    const resumedAccount = await openAcmeAccount({
      directoryUrl: acmeUrl,
      email: 'admin@example.com',
      accountKeyPem,
      autoRegistration: false,
      accountUrl: account.accountUrl,
    });
    const resumed = await readOrder(resumedAccount.client, started.orderUrl);
    assert.equal(resumed.orderUrl, started.orderUrl);
    assert.deepEqual(resumed.challenges.map((c) => c.value).sort(), started.challenges.map((c) => c.value).sort());
    await answerChallenges(resumedAccount.client, resumed);
    await eventually(
      async () => (await readOrder(resumedAccount.client, started.orderUrl)).status === 'ready',
      'the order to become ready',
      60_000,
      200,
    );
    // A pod resuming from progress persisted before its predecessor answered sees every challenge as pending: the CA
    // refuses a second answer (pebble: "Cannot update challenge with status valid"), which then counts as given.
    assert.ok(started.challenges.every((c) => c.status === 'pending'));
    await answerChallenges(resumedAccount.client, started);
    const key = await generatePrivateKey({ algorithm: 'ECDSA', size: 256, encoding: 'PKCS8' });
    const csrPem = await createCsrPem(names, key);
    const finalized = await runAcmeOperation(resumedAccount, { op: 'finalize', orderUrl: started.orderUrl, csrPem });
    assert.ok(finalized.ok && finalized.finalizedNow, 'the CSR was sent by this client');
    const downloaded = await eventually(
      async () => {
        const r = await runAcmeOperation(resumedAccount, {
          op: 'download',
          orderUrl: started.orderUrl,
          renewalInfo: true,
        });
        return r.ok && r.chain ? r : false;
      },
      'the certificate to be issued',
      60_000,
      100,
    );
    const chain = downloaded.chain!;
    // The renewal information of the new certificate came with it (the CA's window for this very certificate).
    const ari = downloaded.renewalInfo;
    assert.ok(ari?.ok, `renewal information with the download: ${JSON.stringify(ari)}`);
    assert.ok(ari.window.endMs > ari.window.startMs && ari.window.startMs < readCertificateChain(chain).notAfterMs);
    const info = readCertificateChain(chain);
    assert.deepEqual([...info.dnsNames].sort(), [...names].sort());
    assert.ok(info.chainLength >= 2);
    assert.ok(readFileSync(stack.acme.rootCaPath, 'utf8').includes('BEGIN CERTIFICATE'));
  } finally {
    for (const name of entries) await deleteIfExists(dns, `${DNSENTRIES}/${name}`);
  }
});

test('an order whose TXT records are never published ends invalid with the reason', async () => {
  const account = await openAcmeAccount({
    directoryUrl: acmeUrl,
    email: 'admin@example.com',
    accountKeyPem: await newAccountKeyPem(),
    autoRegistration: true,
  });
  const order = await startOrder(account.client, [`unpublished-${randomBytes(4).toString('hex')}.example.com`]);
  await answerChallenges(account.client, order);
  const end = await eventually(
    async () => {
      const o = await readOrder(account.client, order.orderUrl);
      return o.status === 'invalid' ? o : false;
    },
    'the order to become invalid',
    60_000,
    200,
  );
  assert.match(end.problem ?? '', /validation of unpublished-.* failed/);
});
