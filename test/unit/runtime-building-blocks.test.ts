import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CodecError, decode, encode, MAX_ENVELOPE_BYTES } from '../../runtime/codec.js';
import { FailStop } from '../../runtime/fail-stop.js';
import { Mailbox } from '../../runtime/mailbox.js';
import { idToken, Names } from '../../runtime/names.js';
import { defaultSupervision, recordFailure, restartDelayMs } from '../../runtime/restart-policy.js';

test('the mailbox keeps order and refuses past its capacity', () => {
  const m = new Mailbox<number>(3);
  assert.ok(m.offer(1) && m.offer(2) && m.offer(3));
  assert.equal(m.offer(4), false);
  assert.equal(m.poll(), 1);
  assert.ok(m.offer(4));
  assert.deepEqual(m.drain(), [2, 3, 4]);
  assert.equal(m.size, 0);
  assert.equal(m.poll(), undefined);
});

test('the mailbox stays correct across many polls (compaction)', () => {
  const m = new Mailbox<number>(10_000);
  for (let i = 0; i < 5000; i++) m.offer(i);
  for (let i = 0; i < 4000; i++) assert.equal(m.poll(), i);
  for (let i = 5000; i < 6000; i++) m.offer(i);
  assert.equal(m.size, 2000);
  assert.equal(m.poll(), 4000);
});

test('restart delays grow exponentially, stay capped, and carry jitter', () => {
  const s = { ...defaultSupervision, minBackoffMs: 100, maxBackoffMs: 1000, jitter: 0 };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 9].map((n) => restartDelayMs(s, n)),
    [100, 200, 400, 800, 1000, 1000],
  );
  const j = { ...s, jitter: 0.2 };
  assert.equal(
    restartDelayMs(j, 1, () => 0),
    80,
  );
  assert.equal(
    restartDelayMs(j, 1, () => 1),
    120,
  );
});

test('too many failures within the window mark the actor Failed; old ones age out', () => {
  const s = { ...defaultSupervision, maxRestarts: 2, windowMs: 1000 };
  let f: number[] = [];
  let r = recordFailure(s, f, 0);
  f = r.failures;
  assert.equal(r.failed, false);
  r = recordFailure(s, f, 100);
  f = r.failures;
  assert.equal(r.failed, false);
  r = recordFailure(s, f, 200);
  assert.equal(r.failed, true);
  r = recordFailure(s, [0, 100], 5000);
  assert.equal(r.failed, false);
  assert.deepEqual(r.failures, [5000]);
});

test('the codec round-trips messages and refuses garbage and oversized payloads', () => {
  const msg = { k: 'certificate', i: 'source/ns/name', m: { type: 'Reconcile', at: 12 } };
  assert.deepEqual(decode(encode(msg)), msg);
  assert.throws(
    () => decode(encode(msg).subarray(0, 7)),
    (e: CodecError) => e.code === 'undecodable',
    'a truncated message',
  );
  assert.throws(
    () => encode({ blob: 'x'.repeat(MAX_ENVELOPE_BYTES) }),
    (e: CodecError) => e.code === 'too-large',
  );
});

test('ids with dots and slashes become valid KV keys and subject tokens, reversibly', () => {
  const id = 'source/kube-system/my.cert-1';
  const t = idToken(id);
  assert.match(t, /^[A-Za-z0-9_-]+$/);
  assert.equal(Buffer.from(t, 'base64url').toString('utf8'), id);
  const n = new Names('certmgmt');
  assert.match(n.stateKey('certificate', id), /^certificate\.[A-Za-z0-9_-]+$/);
  assert.throws(() => new Names('bad.name'), /invalid actor system name/);
});

test('fail-stop fires only after failures persist for the whole period', () => {
  let now = 0;
  const fired: string[] = [];
  const f = new FailStop(
    1000,
    () => now,
    (r) => fired.push(r),
  );
  f.failed(new Error('x'));
  now = 500;
  f.failed(new Error('x'));
  f.ok();
  now = 1400;
  f.failed(new Error('x'));
  assert.equal(fired.length, 0, 'an ok in between resets the clock');
  now = 2500;
  f.failed(new Error('kv down'));
  assert.equal(fired.length, 1);
  assert.match(fired[0], /kv down/);
});
