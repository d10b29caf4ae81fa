// diffRelist decides what a watcher learns after a relist (e.g. after an outage or a 410 Gone); a wrong answer means a
// controller misses a deletion or reprocesses every object. watchBackoffMs decides how hard a broken watch hammers the
// API server.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../actors/kube/kube-object.js';
import { diffRelist, watchBackoffMs } from '../../actors/kube/watch-event.js';

function obj(name: string, resourceVersion: string, uid = `uid-${name}`, namespace = 'ns'): KubeObject {
  return { metadata: { name, namespace, resourceVersion, uid } };
}

function known(...objs: KubeObject[]): Map<string, KubeObject> {
  return new Map(objs.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o]));
}

function summary(events: ReturnType<typeof diffRelist>): string[] {
  return events.map((e) => `${e.type} ${e.object.metadata.name}@${e.object.metadata.resourceVersion}`).sort();
}

test('diffRelist reports an object that appeared while away as ADDED', () => {
  assert.deepEqual(summary(diffRelist(known(obj('a', '1')), [obj('a', '1'), obj('b', '5')])), ['ADDED b@5']);
});

test('diffRelist reports a changed resourceVersion as MODIFIED, carrying the new object', () => {
  const events = diffRelist(known(obj('a', '1')), [obj('a', '7')]);
  assert.deepEqual(summary(events), ['MODIFIED a@7']);
});

test('diffRelist reports a deleted-and-recreated object (new uid) as MODIFIED even if the resourceVersion matched', () => {
  // Same resourceVersion cannot really happen across a recreate, but the uid alone must be enough to notice it.
  const events = diffRelist(known(obj('a', '3', 'uid-old')), [obj('a', '3', 'uid-new')]);
  assert.deepEqual(summary(events), ['MODIFIED a@3']);
  assert.equal(events[0].object.metadata.uid, 'uid-new');
});

test('diffRelist reports an object that vanished while away as DELETED with its last known state', () => {
  const events = diffRelist(known(obj('a', '1'), obj('gone', '2')), [obj('a', '1')]);
  assert.deepEqual(summary(events), ['DELETED gone@2']);
});

test('diffRelist emits nothing for objects that did not change', () => {
  assert.deepEqual(diffRelist(known(obj('a', '1'), obj('b', '2')), [obj('b', '2'), obj('a', '1')]), []);
});

test('diffRelist keys by namespace: the same name in another namespace is a different object', () => {
  const events = diffRelist(known(obj('a', '1', 'u1', 'ns1')), [obj('a', '1', 'u2', 'ns2')]);
  assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`).sort(), [
    'ADDED ns2/a',
    'DELETED ns1/a',
  ]);
});

test('diffRelist on a first list (nothing known) reports every object as ADDED', () => {
  assert.deepEqual(summary(diffRelist(new Map(), [obj('a', '1'), obj('b', '2')])), ['ADDED a@1', 'ADDED b@2']);
});

test('watchBackoffMs doubles from the base with each failure', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((n) => watchBackoffMs(n)),
    [500, 1000, 2000, 4000, 8000],
  );
  assert.deepEqual(
    [1, 2, 3].map((n) => watchBackoffMs(n, 100, 10_000)),
    [100, 200, 400],
  );
});

test('watchBackoffMs never exceeds the cap, however many failures', () => {
  assert.equal(watchBackoffMs(7), 30_000);
  assert.equal(watchBackoffMs(1000), 30_000);
  assert.equal(watchBackoffMs(10, 500, 2000), 2000);
});

test('watchBackoffMs treats zero failures like the first (no busy loop)', () => {
  assert.equal(watchBackoffMs(0), 500);
});
