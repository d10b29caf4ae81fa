import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEdits } from '../env/patched-go-build.js';
import { pebbleLockFix } from '../env/pebble-lock-fix.js';

test('a source edit replaces its text where it occurs once, and refuses text that is missing or repeated', () => {
  const edit = { file: 'a.go', find: 'm.RLock()\n\tdefer m.RUnlock()', replace: 'm.RLock()\n\tx := 1\n\tm.RUnlock()' };
  assert.equal(
    applyEdits('a.go', 'f() {\n\tm.RLock()\n\tdefer m.RUnlock()\n}', [edit]),
    'f() {\n\tm.RLock()\n\tx := 1\n\tm.RUnlock()\n}',
  );
  assert.equal(applyEdits('b.go', 'other file', [edit]), 'other file', 'edits of other files are left out');
  assert.throws(() => applyEdits('a.go', 'nothing of it', [edit]), /not there exactly once/);
  assert.throws(() => applyEdits('a.go', `${edit.find}\n${edit.find}`, [edit]), /not there exactly once/);
});

test("pebble's lock fix: FindValidAuthorization releases the store's lock before it waits for an authorization", () => {
  const [edit] = pebbleLockFix('2.10.1', './cmd/pebble').edits;
  assert.ok(edit);
  assert.match(edit.find, /defer m\.RUnlock\(\)\n\tfor _, authz := range m\.authorizationsByID \{$/);
  const body = edit.replace;
  // The store's lock is released before the loop that takes each authorization's lock.
  assert.ok(body.indexOf('m.RUnlock()') < body.indexOf('for _, authz := range all {'));
  assert.ok(!body.includes('defer m.RUnlock()'));
});
