import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { certificatePath } from '../../actors/certificate/certificate-kube.js';
import type { Certificate } from '../../actors/certificate/certificate-spec.js';
import type { QuotaReply } from '../../actors/issuer/issuer-messages.js';
import { issuerPath } from '../../actors/issuer/issuer-types.js';
import { ISSUER_KIND, issuerActorId } from '../../actors/kinds.js';
import { readCertificateChain, splitPemCertificates } from '../../actors/x509/certificate-info.js';
import { httpCall } from '../env/http-probe.js';
import { TestDeployment } from '../support/deployment.js';
import { eventually } from '../support/test-env.js';

// ACME renewal information (RFC 9773) and profiles at pebble 2.10: renewal dates inside the CA's suggested window,
// a CA that moves the window into the past gets 50 certificates renewed with `replaces` within the issuer's quota,
// certificates in the profile they ask for (shortlived: 6 days), and profiles the CA does not offer refused.
// The renewal window is set to an hour so the CA's window (around two thirds of the lifetime) is always the earlier
// one; the renewal information is asked for again every 2 s instead of the CA's 6 h.
const d = new TestDeployment({
  pods: 2,
  args: ['--renewal-window', '1h', '--acme-renewal-info-max-interval', '2s'],
});
const DAY = 86_400_000;
const text = (b64?: string) => Buffer.from(b64 ?? '', 'base64').toString('utf8');
const ca = () => readFileSync(d.stack.acme.listenerCaPath);

before(async () => {
  await d.start();
  // 408 a day: a burst of 102 tokens, enough for the 101 orders below and not one more.
  await d.issuer('ari', {}, { requestsPerDayQuota: 408 });
  await d.waitIssuer('ari');
});
after(async () => {
  await d.stop();
});

async function leafPem(secretName: string): Promise<string> {
  const s = await d.secret(secretName);
  return splitPemCertificates(text(s?.data?.['tls.crt']))[0] ?? '';
}

/** The window pebble suggests for a certificate, asked directly (as any ACME client would). */
async function suggestedWindow(pem: string): Promise<{ start: number; end: number }> {
  const dir = JSON.parse((await httpCall(d.stack.acme.directoryUrl, { ca: ca() })).body) as { renewalInfo: string };
  const id = readCertificateChain(pem).certId!;
  const res = await httpCall(`${dir.renewalInfo}/${id}`, { ca: ca() });
  assert.equal(res.status, 200, res.body);
  const w = (JSON.parse(res.body) as { suggestedWindow: { start: string; end: string } }).suggestedWindow;
  return { start: Date.parse(w.start), end: Date.parse(w.end) };
}

test("the renewal date lies inside the CA's suggested window, and status says so", async () => {
  await d.certificate('ari-one', {
    commonName: 'ari-one.example.com',
    issuerRef: { name: 'ari' },
    secretName: 'ari-one',
  });
  const c = await d.waitCertificate('ari-one', 'Ready', 60_000, (s) => s.renewal?.source === 'ari');
  const window = await suggestedWindow(await leafPem('ari-one'));
  const renewal = Date.parse(c.status!.renewalDate!);
  // status times have whole seconds
  assert.ok(renewal >= window.start - 1000 && renewal <= window.end, `${renewal} in [${window.start}, ${window.end}]`);
  assert.deepEqual(c.status?.renewal?.suggestedWindow, {
    start: new Date(window.start).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    end: new Date(window.end).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
  assert.ok(c.status?.renewal?.nextCheck);
});

test('a CA moving the window into the past renews 50 certificates promptly, with replaces, within the quota', async () => {
  const names = Array.from({ length: 50 }, (_, i) => `fleet-${i}`);
  for (const n of names)
    await d.certificate(n, { commonName: `${n}.example.com`, issuerRef: { name: 'ari' }, secretName: n });
  const first = new Map<string, string>();
  for (const n of names) {
    await d.waitCertificate(n, 'Ready', 180_000, (s) => s.renewal?.source === 'ari');
    first.set(n, await leafPem(n));
  }
  // The CA asks for renewal now: a window that began an hour ago and ends in 30 s (pebble's management interface).
  const now = Date.now();
  const ariResponse = JSON.stringify({
    suggestedWindow: { start: new Date(now - 3_600_000).toISOString(), end: new Date(now + 30_000).toISOString() },
  });
  for (const n of names) {
    const res = await httpCall(`${d.stack.acme.managementUrl}/set-renewal-info/`, {
      method: 'POST',
      ca: ca(),
      body: JSON.stringify({ certificate: first.get(n), ariResponse }),
    });
    assert.equal(res.status, 200, res.body);
  }
  const renewedAt = new Map<string, number>();
  await eventually(
    async () => {
      for (const n of names.filter((x) => !renewedAt.has(x))) {
        const pem = await leafPem(n);
        if (pem && pem !== first.get(n)) renewedAt.set(n, Date.now());
      }
      return renewedAt.size === names.length;
    },
    'all 50 certificates renewed',
    180_000,
    500,
  );
  // Spread over the window, not all at once: the renewals took some seconds from the first to the last.
  const times = [...renewedAt.values()].sort((a, b) => a - b);
  assert.ok(times.at(-1)! - times[0]! > 3_000, `renewals spread: ${times.at(-1)! - times[0]!} ms`);
  // Each renewal order named the certificate it replaces, and pebble took it (no order without it).
  const created = d.pods.flatMap((p) => p.lines).filter((l) => l.msg === 'order created');
  for (const n of names) {
    const mine = created.filter((l) => l.id === `source/${d.ns}/${n}`);
    assert.equal(mine.length, 2, `${n}: one order, one renewal`);
    assert.equal(mine[1]!.replaces, readCertificateChain(first.get(n)!).certId, n);
  }
  assert.equal(
    d.pods.flatMap((p) => p.lines).filter((l) => l.msg === 'replaces refused').length,
    0,
    'pebble accepted every replaces',
  );
  // Within the quota: every order took a token (1 + 50 + 50 of the 102), none went around it.
  const quota = await d.client.query<QuotaReply>(ISSUER_KIND, issuerActorId({ namespace: d.ns, name: 'ari' }), {
    type: 'Quota',
  });
  assert.ok(quota.tokens >= 0 && quota.tokens < 2, `tokens left: ${quota.tokens}`);
});

test('profiles: the issuer default, a per-Certificate choice, shortlived lifetimes, and names the CA does not offer', async () => {
  const profiles = d.stack.acmeExtra!.profiles!;
  await d.issuer('short', { server: profiles.directoryUrl, profile: 'shortlived' });
  await d.waitIssuer('short');
  await d.issuer('bad-profile', { server: profiles.directoryUrl, profile: 'nope' });
  await d.waitIssuer('bad-profile', 'Error');
  const bad = await d.kube.default.get<{ status?: { message?: string } }>(issuerPath(d.ns, 'bad-profile'));
  assert.match(
    bad.status?.message ?? '',
    /spec\.acme\.profile "nope" is not a profile of the ACME server: it offers "default", "shortlived"/,
  );

  await d.certificate('in-short', {
    commonName: 'in-short.example.com',
    issuerRef: { name: 'short' },
    secretName: 'in-short',
  });
  await d.certificate('in-default', {
    commonName: 'in-default.example.com',
    issuerRef: { name: 'short' },
    secretName: 'in-default',
    profile: 'default',
  });
  await d.certificate('percent', {
    commonName: 'percent.example.com',
    issuerRef: { name: 'short' },
    secretName: 'percent',
    renewBeforePercentage: 50,
  });
  await d.certificate('no-such-profile', {
    commonName: 'nsp.example.com',
    issuerRef: { name: 'short' },
    profile: 'nope',
  });
  const lifetime = async (secret: string) => {
    const leaf = readCertificateChain(await leafPem(secret));
    return leaf.notAfterMs - leaf.notBeforeMs;
  };
  await d.waitCertificate('in-short', 'Ready', 90_000);
  assert.equal(Math.round((await lifetime('in-short')) / DAY), 6);
  await d.waitCertificate('in-default', 'Ready', 90_000);
  assert.equal(Math.round((await lifetime('in-default')) / DAY), 90);
  const p = await d.waitCertificate('percent', 'Ready', 90_000);
  const leaf = readCertificateChain(await leafPem('percent'));
  const renewal = Date.parse(p.status!.renewalDate!);
  const half = leaf.notBeforeMs + (leaf.notAfterMs - leaf.notBeforeMs) / 2;
  assert.ok(renewal <= half + 1000 && renewal >= half - 0.31 * DAY, `renewal at half the lifetime, with jitter`);
  assert.equal(p.status?.renewal?.source, 'renewBeforePercentage');
  const refused = await d.waitCertificate('no-such-profile', 'Error', 60_000);
  assert.match(refused.status?.message ?? '', /spec\.profile "nope" is not a profile of the ACME server/);
  assert.equal(d.ordersOf('no-such-profile'), 0, 'refused before an order');

  // A profile change is a new request: the certificate is issued again in the new profile.
  await d.kube.source.mergePatch(certificatePath(d.ns, 'in-short'), { spec: { profile: 'default' } });
  await eventually(
    async () => Math.round((await lifetime('in-short')) / DAY) === 90,
    'in-short re-issued in the default profile',
    90_000,
  );
  const c = await d.kube.source.get<Certificate>(certificatePath(d.ns, 'in-short'));
  assert.equal(c.spec.profile, 'default');
});
