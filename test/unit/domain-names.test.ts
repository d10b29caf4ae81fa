// A bad name found here costs the user one edit; found by the CA it costs an order, a quota token and a cryptic
// "rejectedIdentifier". Wildcard and base must share one challenge record or the two DNSEntries fight over it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDomainName, findDuplicates, mergeCommonName } from '../../actors/certificate/domain-names.js';
import { challengeDomains, challengeGroups } from '../../actors/certificate/order/challenges.js';

test('valid names are accepted and lower-cased', () => {
  for (const [input, out] of [
    ['a.example.com', 'a.example.com'],
    ['WWW.Example.COM', 'www.example.com'],
    ['*.example.com', '*.example.com'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['a-b.c0.example.com', 'a-b.c0.example.com'],
    [`${'a'.repeat(63)}.example.com`, `${'a'.repeat(63)}.example.com`],
  ]) {
    assert.deepEqual(checkDomainName(input as string), { ok: true, name: out }, input);
  }
});

test('invalid names are refused with the field and the rule', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /is empty/],
    ['a.example.com.', /trailing dot/],
    ['a.*.example.com', /wildcard is only allowed as the whole leftmost label/],
    ['*a.example.com', /wildcard is only allowed as the whole leftmost label/],
    ['*', /at least one dot/],
    ['localhost', /at least one dot/],
    ['a..example.com', /empty label/],
    ['.example.com', /empty label/],
    ['-a.example.com', /must not start or end with "-"/],
    ['a-.example.com', /must not start or end with "-"/],
    ['a_b.example.com', /may only contain a-z, 0-9 and "-"/],
    ['bücher.example', /punycode/],
    ['10.0.0.1', /looks like an IP address/],
    [`${'a'.repeat(64)}.example.com`, /64 characters, at most 63/],
    [Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.'), /at most 253/],
    [' a.example.com', /surrounding spaces/],
  ];
  for (const [name, why] of cases) {
    const r = checkDomainName(name, 'spec.dnsNames[0]');
    assert.equal(r.ok, false, name);
    if (!r.ok) {
      assert.match(r.problem, why, name);
      assert.match(r.problem, /^spec\.dnsNames\[0\]/, name);
    }
  }
});

test('a wildcard and its base share one challenge domain and one entry with both values; others get their own', () => {
  assert.deepEqual(
    challengeDomains(['example.com', '*.Example.com', 'a.example.com', '*.a.example.com', 'b.example.com']),
    ['example.com', 'a.example.com', 'b.example.com'],
  );
  const record = (domain: string, value: string) => ({
    domain,
    wildcard: domain.startsWith('*.'),
    dnsName: `_acme-challenge.${domain.replace(/^\*\./, '')}`,
    value,
    challengeUrl: '',
    authorizationUrl: '',
    status: 'pending',
  });
  const groups = challengeGroups([
    record('example.com', 'v1'),
    record('*.example.com', 'v2'),
    record('b.example.com', 'v3'),
  ]);
  assert.deepEqual(
    groups.map((g) => [g.domain, g.recordName, g.values, g.wildcard]),
    [
      ['example.com', '_acme-challenge.example.com', ['v1', 'v2'], true],
      ['b.example.com', '_acme-challenge.b.example.com', ['v3'], false],
    ],
  );
});

test('duplicates are found case-insensitively and reported once', () => {
  assert.deepEqual(findDuplicates(['a.example.com', 'A.example.com', 'b.example.com', 'a.example.com']), [
    'a.example.com',
  ]);
  assert.deepEqual(findDuplicates(['a.example.com', 'b.example.com']), []);
});

test('the common name goes first and is not a duplicate of its one copy in the other names', () => {
  assert.deepEqual(mergeCommonName('a.example.com', ['b.example.com', 'A.example.com']), [
    'a.example.com',
    'b.example.com',
  ]);
  assert.deepEqual(mergeCommonName(undefined, ['b.example.com']), ['b.example.com']);
  // a second copy in dnsNames stays, so the caller can refuse it as gardener does
  assert.deepEqual(findDuplicates(mergeCommonName('a.example.com', ['a.example.com', 'a.example.com'])), [
    'a.example.com',
  ]);
});
