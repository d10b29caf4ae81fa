// The stand-in must refuse DNSEntries the real dns-controller-manager would refuse, or tests of our controller would
// pass against a companion more lenient than production.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dnsEntryProblem } from '../env/dns-companion.js';

const ok = { dnsName: '_acme-challenge.a.example.com', text: ['token'], ttl: 120 };

test('a valid challenge entry has no problem', () => {
  assert.equal(dnsEntryProblem(ok), undefined);
});

test('a fully qualified name (trailing dot) is accepted', () => {
  assert.equal(dnsEntryProblem({ ...ok, dnsName: '_acme-challenge.a.example.com.' }), undefined);
});

test('a missing dnsName is named as the problem', () => {
  assert.match(dnsEntryProblem({ text: ['t'] }) ?? '', /dnsName is missing/);
  assert.match(dnsEntryProblem({ dnsName: '', text: ['t'] }) ?? '', /dnsName is missing/);
});

test('a name with a bad label is refused and quoted', () => {
  for (const bad of [
    'a..example.com',
    '-a.example.com',
    'a-.example.com',
    'a b.example.com',
    'ä.example.com',
    `${'x'.repeat(64)}.example.com`,
  ]) {
    assert.equal(dnsEntryProblem({ ...ok, dnsName: bad }), `invalid dnsName "${bad}"`, bad);
  }
});

test('a name longer than 253 characters is refused', () => {
  const long = Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.');
  assert.ok(long.length > 253);
  assert.match(dnsEntryProblem({ ...ok, dnsName: long }) ?? '', /invalid dnsName/);
});

test('a wildcard label is accepted', () => {
  assert.equal(dnsEntryProblem({ dnsName: '*.example.com', text: ['t'] }), undefined);
});

test('a leading underscore is accepted (the _acme-challenge and _validation-persist labels need it)', () => {
  assert.equal(dnsEntryProblem({ dnsName: '_acme-challenge.example.com', text: ['t'] }), undefined);
  assert.equal(dnsEntryProblem({ dnsName: '_validation-persist.example.com', text: ['t'] }), undefined);
});

test('an underscore anywhere else is refused, as the real controller does (dns-account-01 names, under_score)', () => {
  for (const bad of ['_ujmmovf2vn55tgye._acme-challenge.example.com', '_acme-challenge.under_score.example.com']) {
    assert.equal(dnsEntryProblem({ ...ok, dnsName: bad }), `invalid dnsName "${bad}"`, bad);
  }
});

test('upper case is refused (the real controller wants a lower-case RFC 1123 name)', () => {
  assert.match(dnsEntryProblem({ ...ok, dnsName: '_acme-challenge.A.example.com' }) ?? '', /invalid dnsName/);
});

test('an entry without text records is refused', () => {
  assert.match(dnsEntryProblem({ dnsName: ok.dnsName }) ?? '', /no text records/);
  assert.match(dnsEntryProblem({ dnsName: ok.dnsName, text: [] }) ?? '', /no text records/);
});

test('targets (A/CNAME records) are refused by the stand-in with a reason', () => {
  assert.match(
    dnsEntryProblem({ dnsName: 'www.example.com', targets: ['1.2.3.4'] }) ?? '',
    /targets are not supported/,
  );
});
