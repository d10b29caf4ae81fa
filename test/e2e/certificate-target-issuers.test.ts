import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GARDENER_PRIVATE_KEY_DEFAULTS } from '../../actors/certificate/private-key-settings.js';
import { requestHash } from '../../actors/certificate/request-hash.js';
import { type Issuer, issuerPath } from '../../actors/issuer/issuer-types.js';
import { TestDeployment } from '../support/deployment.js';
import { eventually } from '../support/test-env.js';

// --allow-target-issuers (gardener v0.27.0): Issuers of the target cluster, in any namespace, serve Certificates
// that name them by issuerRef with their namespace (or by their domains). The stack's target cluster is an API server
// of its own, as the flag requires.
const d = new TestDeployment({ pods: 1, args: ['--allow-target-issuers'] });
const team = `${d.ns}-team`;

before(async () => {
  await d.start();
  await d.kube.target.create('/api/v1/namespaces', { metadata: { name: team } });
});
after(async () => {
  await d.stop();
});

test('an Issuer of the target cluster issues a Certificate that names it; status and hash name it as gardener does', async () => {
  await d.kube.target.create(issuerPath(team), {
    apiVersion: 'cert.gardener.cloud/v1alpha1',
    kind: 'Issuer',
    metadata: { name: 'team-issuer', namespace: team, annotations: d.classAnnotations() },
    spec: { acme: { server: d.stack.acme.directoryUrl, email: 'team@example.com', autoRegistration: true } },
  });
  const issuer = await eventually(
    async () => {
      const i = await d.kube.target.get<Issuer>(issuerPath(team, 'team-issuer'));
      return i.status?.state === 'Ready' && i.status.observedGeneration === i.metadata.generation ? i : false;
    },
    'the target issuer to be Ready',
    60_000,
  );
  // Its account secret lives in the target cluster, next to it.
  const ref = issuer.spec.acme?.privateKeySecretRef;
  assert.equal(ref?.namespace, team);
  assert.ok(await d.kube.target.get(`/api/v1/namespaces/${team}/secrets/${ref?.name}`));

  const spec = { commonName: 'team.example.com', issuerRef: { name: 'team-issuer', namespace: team } };
  await d.certificate('team-cert', spec);
  const c = await d.waitCertificate('team-cert', 'Ready', 90_000);
  assert.deepEqual(c.status?.issuerRef, { cluster: 'target', name: 'team-issuer', namespace: team });
  const key = { cluster: 'target', namespace: team, name: 'team-issuer' } as const;
  assert.equal(c.metadata.labels?.['cert.gardener.cloud/hash'], requestHash(spec, key, GARDENER_PRIVATE_KEY_DEFAULTS));
  assert.equal(d.ordersOf('team-cert'), 1);
});
