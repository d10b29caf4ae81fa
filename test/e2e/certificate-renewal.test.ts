import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCertificateChain } from '../../actors/x509/certificate-info.js';
import { TestDeployment } from '../support/deployment.js';
import { eventually } from '../support/test-env.js';

test('renewal: a certificate is renewed at notAfter minus the renewal window, by its reminder, into the same secret', async () => {
  // The short-lived pebble issues certificates valid for 40 s; with a 30 s window they are due 10 s after issuance.
  const d = new TestDeployment({ pods: 2, args: ['--renewal-window', '30s', '--acme-renewal-info=false'] });
  await d.start();
  try {
    const short = d.stack.acmeShortLived!;
    await d.issuer('short', { server: short.directoryUrl });
    await d.waitIssuer('short');
    await d.certificate('short-lived', {
      commonName: 'short.example.com',
      issuerRef: { name: 'short' },
      secretName: 'short-tls',
    });
    const first = await d.waitCertificate('short-lived', 'Ready');
    const read = async () =>
      readCertificateChain(Buffer.from((await d.secret('short-tls'))!.data!['tls.crt']!, 'base64').toString('utf8'));
    const leaf = await read();
    assert.ok(leaf.notAfterMs - leaf.notBeforeMs <= 41_000 + 3_600_000, 'a short-lived certificate');
    assert.equal(
      Date.parse(first.status!.renewalDate!),
      Math.floor((leaf.notAfterMs - 30_000) / 1000) * 1000,
      'renewalDate = notAfter - window',
    );

    const renewed = await eventually(
      async () => {
        const l = await read();
        return l.serialNumber !== leaf.serialNumber ? l : false;
      },
      'the renewed certificate in the same secret',
      90_000,
      250,
    );
    assert.ok(renewed.notAfterMs > leaf.notAfterMs);
    assert.ok(Date.now() >= Date.parse(first.status!.renewalDate!) - 1000, 'not renewed before its renewal date');
    const c = await d.waitCertificate(
      'short-lived',
      'Ready',
      60_000,
      (s) => Date.parse(s.expirationDate ?? '') >= Math.floor(renewed.notAfterMs / 1000) * 1000,
    );
    assert.ok(Date.parse(c.status!.renewalDate!) > Date.parse(first.status!.renewalDate!));
    assert.ok(d.ordersOf('short-lived') >= 2);
  } finally {
    await d.stop();
  }
});
