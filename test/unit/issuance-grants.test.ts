import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideGrant, type GrantBook, pruneGrants, releaseGrant } from '../../actors/issuer/issuance-grants.js';

const req = (certificate: string, domains: string[], now = 1_000, quota = 400, hash = `h-${certificate}`) => ({
  certificate,
  hash,
  domains,
  issuerName: 'iss',
  quota,
  now,
  lockTtlMs: 60_000,
});

test('a grant takes a token and locks its domains; the same request again is the same grant, free', () => {
  const a = decideGrant({ grants: {} }, req('a', ['example.com']));
  assert.ok(a.granted && a.charged);
  assert.equal(a.book.bucket!.tokens, 99); // burst 400/4 = 100, one taken
  const again = decideGrant(a.book, req('a', ['example.com']));
  assert.ok(again.granted && !again.charged);
  assert.equal(again.book.bucket!.tokens, 99);
});

test('a new attempt of the same request (an order started again after its key was lost) costs a new token', () => {
  const a = decideGrant({ grants: {} }, req('a', ['example.com']));
  const retry = decideGrant(a.book, { ...req('a', ['example.com']), attempt: 1 });
  assert.ok(retry.granted && retry.charged);
  assert.equal(retry.book.bucket!.tokens, 98);
  const repeated = decideGrant(retry.book, { ...req('a', ['example.com']), attempt: 1 });
  assert.ok(repeated.granted && !repeated.charged, 'the same attempt asked again is free');
  assert.equal(repeated.book.bucket!.tokens, 98);
});

test('a second certificate for a locked domain waits, naming the holder; after release it is granted', () => {
  const a = decideGrant({ grants: {} }, req('a', ['example.com', 'www.example.com']));
  const b = decideGrant(a.book, req('b', ['www.example.com']));
  assert.ok(!b.granted && b.reason === 'busy');
  assert.equal(b.holder, 'a');
  assert.match(b.message, /waiting for certificate a, which is validating the domain www\.example\.com/);
  const released = releaseGrant(a.book, 'a');
  const b2 = decideGrant(released, req('b', ['www.example.com']));
  assert.ok(b2.granted);
});

test('an abandoned grant stops locking after the TTL and is pruned', () => {
  const a = decideGrant({ grants: {} }, req('a', ['example.com'], 0));
  const b = decideGrant(a.book, req('b', ['example.com'], 61_000));
  assert.ok(b.granted);
  assert.deepEqual(Object.keys(pruneGrants(b.book, 61_000, 60_000).grants), ['b']);
});

test('an exhausted quota refuses with the time of the next token and how to raise it', () => {
  let book: GrantBook = { grants: {} };
  for (const id of ['a', 'b', 'c', 'd']) {
    const d = decideGrant(book, req(id, [`${id}.example.com`], 0, 16)); // burst 4
    assert.ok(d.granted);
    book = d.book;
  }
  const e = decideGrant(book, req('e', ['e.example.com'], 0, 16));
  assert.ok(!e.granted && e.reason === 'quota');
  assert.equal(e.retryAt, 86_400_000 / 16);
  assert.match(e.message, /16 certificate requests per day, at most 4 at once.*spec\.requestsPerDayQuota/);
  // A new hash for the same certificate is a new order: it costs a token as well.
  const changed = decideGrant(book, req('a', ['a.example.com'], 0, 16, 'other'));
  assert.ok(!changed.granted);
});
