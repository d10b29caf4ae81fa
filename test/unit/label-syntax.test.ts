// secretLabels and our own owner labels end up on Kubernetes objects; an invalid one makes the whole write fail
// with a 422 far from the user's edit, so they are checked (or made safe) before writing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelKeyProblem, labelValueProblem, toLabelValue } from '../../actors/certificate/label-syntax.js';

test('label keys: optional DNS-subdomain prefix and a 63-character name', () => {
  for (const ok of ['team', 'example.com/tier', 'a_b.c-d', 'A1']) assert.equal(labelKeyProblem(ok), undefined, ok);
  for (const bad of ['', 'bad key', '-x', 'x-', 'Example.com/x', '/x', `${'a'.repeat(64)}`, 'example.com/']) {
    assert.match(labelKeyProblem(bad) ?? '', /label key/, bad);
  }
});

test('label values: empty or up to 63 characters, alphanumeric at both ends', () => {
  for (const ok of ['', 'a', 'a.b-c_d', 'x'.repeat(63)]) assert.equal(labelValueProblem(ok), undefined, ok);
  for (const bad of ['-a', 'a b', 'x'.repeat(64), 'a/b'])
    assert.match(labelValueProblem(bad) ?? '', /label value/, bad);
});

test('toLabelValue keeps valid values and makes any other text valid, distinct and recognisable', () => {
  assert.equal(toLabelValue('cert-simple'), 'cert-simple');
  const a = toLabelValue('kube/config:ctx');
  assert.match(a, /^kube-config-ctx-[0-9a-f]{10}$/);
  assert.notEqual(toLabelValue('kube/config:ctx'), toLabelValue('kube-config-ctx'));
  const long = toLabelValue('y'.repeat(100));
  assert.ok(long.length <= 63);
  assert.equal(labelValueProblem(long), undefined);
  assert.equal(labelValueProblem(toLabelValue('///')), undefined);
});
