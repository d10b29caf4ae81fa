import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { privateKeyMatchesCertificate } from '../../actors/x509/certificate-info.js';
import { TestDeployment } from '../support/deployment.js';
import { eventually } from '../support/test-env.js';

test('the resync period (--issuer.default.pool.resync-period) repairs a Secret broken without a telling event', async () => {
  const d = new TestDeployment({ pods: 1, args: ['--issuer.default.pool.resync-period', '3s'] });
  await d.start();
  try {
    await d.issuer('resync');
    await d.waitIssuer('resync');
    await d.certificate('resync-cert', {
      commonName: 'resync.example.com',
      issuerRef: { name: 'resync' },
      secretName: 'resync-tls',
    });
    await d.waitCertificate('resync-cert', 'Ready');
    // Someone replaces the key but keeps the labels: the target watcher sees the same hash, so no event reaches the
    // certificate. The next resync finds that the key no longer belongs to the certificate.
    const foreign = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    await d.kube.target.mergePatch(`/api/v1/namespaces/${d.ns}/secrets/resync-tls`, {
      data: { 'tls.key': Buffer.from(foreign).toString('base64') },
    });
    await eventually(
      async () => {
        const s = await d.secret('resync-tls');
        const b64 = (k: string) => Buffer.from(s?.data?.[k] ?? '', 'base64').toString();
        return s && privateKeyMatchesCertificate(b64('tls.key'), b64('tls.crt'));
      },
      'a certificate whose key matches again',
      90_000,
    );
    assert.equal(d.ordersOf('resync-cert'), 2);
  } finally {
    await d.stop();
  }
});
