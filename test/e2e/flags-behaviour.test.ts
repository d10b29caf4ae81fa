import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import * as acme from 'acme-client';
import { certificatePath } from '../../actors/certificate/certificate-kube.js';
import { requestHash } from '../../actors/certificate/request-hash.js';
import type { Issuer } from '../../actors/issuer/issuer-types.js';
import { issuerPath } from '../../actors/issuer/issuer-types.js';
import { httpCall } from '../env/http-probe.js';
import { freePort } from '../env/ports.js';
import { TestDeployment } from '../support/deployment.js';
import { eventually } from '../support/test-env.js';

// The v0.27.0 flags that change behaviour, on one deployment: the default key type (and with it the hash), the
// renewal overdue window (metrics), deactivated authorizations after each order, and challenge entries in the
// certificate's namespace when --dns-namespace is not set.
const port = await freePort();
const d = new TestDeployment({
  pods: 1,
  noDnsNamespace: true,
  args: [
    '--default-private-key-algorithm=ECDSA',
    '--default-ecdsa-private-key-size=384',
    '--renewal-overdue-window=2400h',
    '--acme-deactivate-authorizations',
    '--server-port-http',
    String(port),
    '--bind-address-http',
    '127.0.0.1',
  ],
});
const other = `${d.ns}-apps`;

before(async () => {
  await d.start();
  for (const c of [d.kube.source, d.kube.dns, d.kube.target])
    await c.create('/api/v1/namespaces', { metadata: { name: other } }).catch(() => undefined);
  await d.issuer('flags');
  await d.waitIssuer('flags');
});
after(async () => {
  await d.stop();
});

test('a certificate in another namespace: entries there, the default key type, deactivated authorizations, overdue', async () => {
  const spec = { commonName: 'flags.example.com', issuerRef: { name: 'flags', namespace: d.ns } };
  await d.kube.source.create(certificatePath(other), {
    apiVersion: 'cert.gardener.cloud/v1alpha1',
    kind: 'Certificate',
    metadata: { name: 'flagged', namespace: other, annotations: d.classAnnotations() },
    spec,
  });
  const c = await eventually(
    async () => {
      const x = await d.kube.source.get<{ status?: { state?: string }; spec: { secretRef?: { name: string } } }>(
        certificatePath(other, 'flagged'),
      );
      return x.status?.state === 'Ready' ? x : false;
    },
    'the certificate to be Ready',
    90_000,
  );

  // --default-private-key-algorithm / -size: an ECDSA P-384 key; not hashed, as it is the deployment's default.
  const secret = await d.kube.target.get<{ data: Record<string, string> }>(
    `/api/v1/namespaces/${other}/secrets/${c.spec.secretRef!.name}`,
  );
  const key = createPrivateKey(Buffer.from(secret.data['tls.key']!, 'base64').toString());
  assert.deepEqual([key.asymmetricKeyType, key.asymmetricKeyDetails?.namedCurve], ['ec', 'secp384r1']);
  const labels = (
    await d.kube.source.get<{ metadata: { labels?: Record<string, string> } }>(certificatePath(other, 'flagged'))
  ).metadata.labels;
  const defaults = { algorithm: 'ECDSA', rsaSize: 2048, ecdsaSize: 384 } as const;
  assert.equal(
    labels?.['cert.gardener.cloud/hash'],
    requestHash(spec, { cluster: 'default', namespace: '', name: 'flags' }, defaults),
  );

  // No --dns-namespace: the challenge entry was written into the certificate's namespace of the dns cluster.
  const audit = d.stack.clusters.dns.auditLog;
  await eventually(
    () =>
      readFileSync(audit, 'utf8')
        .split('\n')
        .some(
          (l) =>
            l.includes('"verb":"create"') &&
            l.includes('"resource":"dnsentries"') &&
            l.includes(`"namespace":"${other}"`),
        ),
    `a DNSEntry created in namespace ${other} (audit log of the dns cluster)`,
    30_000,
  );

  // --acme-deactivate-authorizations: the order's authorizations are deactivated at the CA.
  const orderUrl = d.logsOf('flagged', 'order created', other)[0]?.order as string | undefined;
  assert.ok(orderUrl, 'the order is logged');
  const issuer = await d.kube.default.get<Issuer>(issuerPath(d.ns, 'flags'));
  const account = await d.kube.default.get<{ data: Record<string, string> }>(
    `/api/v1/namespaces/${d.ns}/secrets/${issuer.spec.acme!.privateKeySecretRef!.name}`,
  );
  const client = new acme.Client({
    directoryUrl: d.stack.acme.directoryUrl,
    accountKey: Buffer.from(account.data.privateKey!, 'base64'),
    accountUrl: issuer.status!.acme!.accountURL!,
  });
  const order = await client.getOrder({ url: orderUrl } as acme.Order);
  const authorizations = await client.getAuthorizations(order);
  assert.deepEqual(
    authorizations.map((a) => a.status),
    ['deactivated'],
  );

  // --renewal-overdue-window 2400h: a certificate living 90 days is due within that window, so it counts as overdue.
  await eventually(
    async () =>
      /\ncert_management_overdue_renewal_certificates 1\n/.test(
        (await httpCall(`http://127.0.0.1:${port}/metrics`)).body,
      ),
    'cert_management_overdue_renewal_certificates 1',
    30_000,
  );
});
