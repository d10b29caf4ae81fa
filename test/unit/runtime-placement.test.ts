import assert from 'node:assert/strict';
import { test } from 'node:test';
import { desiredShards, rendezvousOwner, shardOf } from '../../runtime/hashing.js';

const members = ['pod-a', 'pod-b', 'pod-c'];

test('every shard has exactly one owner and every pod computes the same one', () => {
  const shuffled = [...members].reverse();
  for (let s = 0; s < 64; s++) assert.equal(rendezvousOwner(s, members), rendezvousOwner(s, shuffled));
  const total = members.reduce((n, m) => n + desiredShards(m, members, 64).size, 0);
  assert.equal(total, 64);
});

test('shards spread roughly evenly over members', () => {
  const counts = members.map((m) => desiredShards(m, members, 300).size);
  for (const c of counts) assert.ok(c > 60 && c < 140, `uneven spread: ${counts}`);
});

test('a joining member only takes shards; nobody else trades', () => {
  const before = new Map(Array.from({ length: 128 }, (_, s) => [s, rendezvousOwner(s, members)]));
  const after = new Map(Array.from({ length: 128 }, (_, s) => [s, rendezvousOwner(s, [...members, 'pod-d'])]));
  let moved = 0;
  for (const [s, owner] of after) {
    if (owner !== before.get(s)) {
      assert.equal(owner, 'pod-d', `shard ${s} moved between old members`);
      moved++;
    }
  }
  assert.ok(moved > 10 && moved < 60, `pod-d took ${moved} of 128`);
});

test('a leaving member hands out only its own shards', () => {
  const before = new Map(Array.from({ length: 128 }, (_, s) => [s, rendezvousOwner(s, members)]));
  for (let s = 0; s < 128; s++) {
    const now = rendezvousOwner(s, ['pod-a', 'pod-c']);
    if (before.get(s) !== 'pod-b') assert.equal(now, before.get(s));
  }
});

test('an actor maps to a stable shard within range', () => {
  assert.equal(
    shardOf('certificate', 'source/default/cert-simple', 32),
    shardOf('certificate', 'source/default/cert-simple', 32),
  );
  for (let i = 0; i < 100; i++) {
    const s = shardOf('counter', `c${i}`, 16);
    assert.ok(s >= 0 && s < 16);
  }
  assert.equal(rendezvousOwner(3, []), undefined);
});
