import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SecretUsers } from '../../actors/watchers/secret-users.js';

test('the certificates naming a Secret come oldest first, and follow renames and deletions', () => {
  const index = new SecretUsers();
  index.set('ns/b', 'ns/shared', { id: 'source/ns/b', createdAt: '2026-01-02T00:00:00Z' });
  index.set('ns/a', 'ns/shared', { id: 'source/ns/a', createdAt: '2026-01-02T00:00:00Z' });
  index.set('ns/old', 'ns/shared', { id: 'source/ns/old', createdAt: '2025-12-31T00:00:00Z' });
  assert.deepEqual(index.of('ns/shared'), ['source/ns/old', 'source/ns/a', 'source/ns/b']);
  // spec.secretRef changed: the certificate leaves the old Secret.
  index.set('ns/old', 'ns/own', { id: 'source/ns/old', createdAt: '2025-12-31T00:00:00Z' });
  assert.deepEqual(index.of('ns/shared'), ['source/ns/a', 'source/ns/b']);
  assert.deepEqual(index.of('ns/own'), ['source/ns/old']);
  // Deleted, or no longer of our class.
  index.set('ns/a', undefined);
  index.set('ns/old', undefined);
  assert.deepEqual(index.of('ns/shared'), ['source/ns/b']);
  assert.deepEqual(index.of('ns/own'), []);
  assert.deepEqual(index.of('ns/never'), []);
});
