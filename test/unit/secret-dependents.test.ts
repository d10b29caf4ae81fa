import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Issuer, referencedSecrets } from '../../actors/issuer/issuer-types.js';
import { SecretDependents } from '../../actors/watchers/secret-dependents.js';

test('dependents follow spec changes and deletions', () => {
  const d = new SecretDependents();
  d.set('ns/a', ['ns/key-a', 'ns/eab']);
  d.set('ns/b', ['ns/eab']);
  assert.deepEqual(d.of('ns/eab').sort(), ['ns/a', 'ns/b']);
  d.set('ns/a', ['ns/key-a2']);
  assert.deepEqual(d.of('ns/eab'), ['ns/b']);
  assert.deepEqual(d.of('ns/key-a'), []);
  assert.deepEqual(d.of('ns/key-a2'), ['ns/a']);
  d.set('ns/b', []);
  assert.deepEqual(d.of('ns/eab'), []);
});

test('an ACME issuer depends on its account key secret (named by auto registration when absent) and its EAB secret', () => {
  const issuer = (acme: NonNullable<Issuer['spec']['acme']>): Issuer => ({
    metadata: { name: 'i', namespace: 'ns' },
    spec: { acme },
  });
  assert.deepEqual(
    referencedSecrets(issuer({ server: 's', email: 'e', privateKeySecretRef: { name: 'k', namespace: 'other' } })),
    ['other/k'],
  );
  assert.deepEqual(referencedSecrets(issuer({ server: 's', email: 'e', autoRegistration: true })), [
    'ns/i-acme-account',
  ]);
  assert.deepEqual(
    referencedSecrets(
      issuer({
        server: 's',
        email: 'e',
        privateKeySecretRef: { name: 'k' },
        externalAccountBinding: { keyID: 'x', keySecretRef: { name: 'h' } },
      }),
    ),
    ['ns/k', 'ns/h'],
  );
  assert.deepEqual(referencedSecrets({ metadata: { name: 'i', namespace: 'ns' }, spec: { selfSigned: {} } }), []);
});
