// Picking the wrong issuer means a certificate from the wrong CA or account, or an order the CA refuses; the
// default issuer's domain ranges are an operator's guard against users requesting arbitrary domains.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  domainRangeFit,
  isInDomainRange,
  isInDomainRanges,
  normalizeDomainRange,
  parseDomainRanges,
} from '../../actors/certificate/domain-range.js';
import {
  type IssuerCandidate,
  type IssuerSelectionInput,
  selectIssuer,
} from '../../actors/certificate/issuer-selection.js';

test('domain ranges follow gardener: "example.com" covers itself and below, "*.example.com" only below', () => {
  assert.equal(normalizeDomainRange('*.Example.COM.'), '.example.com');
  assert.equal(isInDomainRange('example.com', 'example.com'), true);
  assert.equal(isInDomainRange('a.b.example.com', 'example.com'), true);
  assert.equal(isInDomainRange('*.example.com', 'example.com'), true);
  assert.equal(isInDomainRange('badexample.com', 'example.com'), false);
  assert.equal(isInDomainRange('example.com', '*.example.com'), false);
  assert.equal(isInDomainRange('a.example.com', '*.example.com'), true);
  assert.equal(isInDomainRange('*.example.com', '*.example.com'), true);
  assert.equal(isInDomainRange('A.Example.com.', 'example.com'), true);
  assert.equal(isInDomainRanges('x.other.org', undefined), true);
});

test('the ranges flag is split on commas; empty items cannot lift the restriction', () => {
  assert.deepEqual(parseDomainRanges('example.com, *.example.org ,'), ['example.com', '.example.org']);
  assert.equal(parseDomainRanges(''), undefined);
  assert.equal(parseDomainRanges(' , '), undefined);
  assert.equal(parseDomainRanges(undefined), undefined);
  assert.equal(domainRangeFit('a.dev.example.com', ['example.com', 'dev.example.com']), 'dev.example.com'.length);
});

const base = { issuerNamespace: 'default', defaultIssuer: 'default-issuer' };
const issuers: IssuerCandidate[] = [
  { namespace: 'default', name: 'default-issuer' },
  { namespace: 'default', name: 'corp', domains: { include: ['example.com'], exclude: ['secret.example.com'] } },
  { namespace: 'default', name: 'dev', domains: { include: ['dev.example.com'] } },
  { namespace: 'other', name: 'elsewhere', domains: { include: ['example.net'] } },
];

function select(extra: Partial<IssuerSelectionInput> & { names: string[] }) {
  return selectIssuer({ ...base, issuers, ...extra });
}

test('an explicit issuerRef wins, with its namespace defaulting to the issuer namespace', () => {
  assert.deepEqual(select({ names: ['a.dev.example.com'], issuerRef: { name: 'corp' } }), {
    ok: true,
    issuer: { cluster: 'default', namespace: 'default', name: 'corp' },
    selectedBy: 'issuerRef',
    known: true,
  });
});

test('an explicit issuer not seen yet is returned as unknown, so the caller can wait for it', () => {
  assert.deepEqual(select({ names: ['a.example.com'], issuerRef: { name: 'later' } }), {
    ok: true,
    issuer: { cluster: 'default', namespace: 'default', name: 'later' },
    selectedBy: 'issuerRef',
    known: false,
  });
});

test('an issuerRef into another namespace names a target issuer: refused without --allow-target-issuers', () => {
  const r = select({ names: ['a.example.com'], issuerRef: { name: 'x', namespace: 'team' } });
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.problems.join(), /spec\.issuerRef\.namespace "team": target issuers not allowed/);
  // gardener: a known issuer of the default cluster of that name is meant, whatever the namespace says.
  const byName = select({ names: ['a.example.com'], issuerRef: { name: 'corp', namespace: 'team' } });
  assert.ok(byName.ok && byName.issuer.cluster === 'default' && byName.issuer.name === 'corp');
});

test('target issuers (--allow-target-issuers): by issuerRef with their namespace, and by domains', () => {
  const target: IssuerCandidate = {
    cluster: 'target',
    namespace: 'team',
    name: 'x',
    domains: { include: ['team.example'] },
  };
  const withTarget = (extra: Partial<IssuerSelectionInput> & { names: string[] }) =>
    selectIssuer({ ...base, issuers: [...issuers, target], allowTargetIssuers: true, ...extra });
  assert.deepEqual(withTarget({ names: ['a.team.example'], issuerRef: { name: 'x', namespace: 'team' } }), {
    ok: true,
    issuer: { cluster: 'target', namespace: 'team', name: 'x' },
    selectedBy: 'issuerRef',
    known: true,
  });
  // Not seen yet, in a namespace other than the issuer namespace: a target issuer still to come.
  const later = withTarget({ names: ['a.example.com'], issuerRef: { name: 'y', namespace: 'team' } });
  assert.deepEqual(later.ok && [later.issuer.cluster, later.known], ['target', false]);
  const byDomain = withTarget({ names: ['www.team.example'] });
  assert.deepEqual(byDomain.ok && byDomain.issuer, { cluster: 'target', namespace: 'team', name: 'x' });
  // Without the flag a target issuer's domains do not count.
  const off = selectIssuer({ ...base, issuers: [...issuers, target], names: ['www.team.example'] });
  assert.deepEqual(off.ok && off.issuer.name, 'default-issuer');
});

test('an explicit issuer still applies its own include/exclude lists', () => {
  const r = select({ names: ['a.example.com', 'secret.example.com', 'x.example.org'], issuerRef: { name: 'corp' } });
  assert.equal(r.ok, false);
  const p = r.ok ? '' : r.problems.join('\n');
  assert.match(
    p,
    /"secret\.example\.com" is excluded by issuer "corp" \(spec\.acme\.domains\.exclude: secret\.example\.com\)/,
  );
  assert.match(p, /"x\.example\.org" is not covered by issuer "corp" \(spec\.acme\.domains\.include: example\.com\)/);
});

test('without issuerRef the most specific issuer covering all names is chosen', () => {
  assert.deepEqual(select({ names: ['a.dev.example.com', '*.dev.example.com'] }), {
    ok: true,
    issuer: { cluster: 'default', namespace: 'default', name: 'dev' },
    selectedBy: 'domains',
    known: true,
  });
  assert.deepEqual(select({ names: ['a.dev.example.com', 'www.example.com'] }), {
    ok: true,
    issuer: { cluster: 'default', namespace: 'default', name: 'corp' },
    selectedBy: 'domains',
    known: true,
  });
});

test('an excluded name, or an issuer outside --issuer-namespace, does not make an issuer eligible', () => {
  assert.deepEqual(select({ names: ['secret.example.com'] }), {
    ok: true,
    issuer: { cluster: 'default', namespace: 'default', name: 'default-issuer' },
    selectedBy: 'default',
    known: true,
  });
  assert.deepEqual(select({ names: ['a.example.net'] }), {
    ok: true,
    issuer: { cluster: 'default', namespace: 'default', name: 'default-issuer' },
    selectedBy: 'default',
    known: true,
  });
});

test('the default issuer is used when all names lie in --default-issuer-domain-ranges', () => {
  assert.equal(select({ names: ['a.example.org'], defaultIssuerDomainRanges: 'example.org' }).ok, true);
  assert.equal(select({ names: ['a.example.org'], defaultIssuerDomainRanges: '' }).ok, true);
});

test('names outside the ranges are all named, with how to fix it', () => {
  const r = select({
    names: ['a.example.org', 'b.other.io', 'c.other.io'],
    defaultIssuerDomainRanges: 'example.org,*.example.io',
  });
  assert.equal(r.ok, false);
  const p = r.ok ? '' : r.problems.join('\n');
  assert.match(
    p,
    /^"b\.other\.io", "c\.other\.io" are outside the domain ranges of the default issuer "default-issuer" \(example\.org, \.example\.io\)/,
  );
  assert.match(p, /set spec\.issuerRef/);
  assert.match(p, /--default-issuer-domain-ranges/);
});

test('naming the default issuer explicitly does not escape its domain ranges (gardener checks by issuer)', () => {
  const r = select({
    names: ['a.other.io'],
    issuerRef: { name: 'default-issuer' },
    defaultIssuerDomainRanges: 'example.org',
  });
  assert.equal(r.ok, false);
});

test('no issuer and no default issuer: a problem that says what to set', () => {
  const r = selectIssuer({ ...base, defaultIssuer: '', issuers: [], names: ['a.example.com'] });
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.problems.join(), /no default issuer is configured: set spec\.issuerRef/);
});

test('ties between equally specific issuers resolve the same way every time', () => {
  const twins: IssuerCandidate[] = [
    { namespace: 'default', name: 'b', domains: { include: ['example.com'] } },
    { namespace: 'default', name: 'a', domains: { include: ['example.com'] } },
  ];
  const r = selectIssuer({ ...base, issuers: twins, names: ['x.example.com'] });
  assert.ok(r.ok);
  assert.equal(r.issuer.name, 'a');
});
