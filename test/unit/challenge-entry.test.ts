// The challenge DNSEntry must look like gardener's so dns-controller-manager handles it the same way (class,
// owner, record name), must be findable again after a crash, and must pass the DNSEntry validation.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelValueProblem } from '../../actors/certificate/label-syntax.js';
import {
  buildChallengeEntry,
  challengeEntryName,
  challengeOwnerLabels,
  isOwnChallengeEntry,
} from '../../actors/dns/challenge-entry.js';
import { dnsEntryProblem } from '../env/dns-companion.js';

const certificate = { cluster: 'source', namespace: 'default', name: 'cert-simple' };
const input = {
  certificate,
  domain: 'cert1.mydomain.com',
  values: ['tok1', 'tok2', 'tok1'],
  namespace: 'dns',
  ttlSeconds: 120,
};

test("the entry has gardener's shape: record name, ttl, values, annotations, owner id and class when configured", () => {
  const e = buildChallengeEntry({ ...input, dnsClass: 'gardendns', ownerId: 'my-owner' });
  assert.equal(e.apiVersion, 'dns.gardener.cloud/v1alpha1');
  assert.equal(e.kind, 'DNSEntry');
  assert.equal(e.metadata.namespace, 'dns');
  assert.deepEqual(e.spec, {
    dnsName: '_acme-challenge.cert1.mydomain.com',
    ttl: 120,
    text: ['tok1', 'tok2'],
    ownerId: 'my-owner',
  });
  assert.equal(e.metadata.annotations['dns.gardener.cloud/class'], 'gardendns');
  assert.equal(e.metadata.annotations['cert.gardener.cloud/acme-dns-challenge'], 'true');
  assert.equal(e.metadata.annotations['cert.gardener.cloud/certificate'], 'source/default/cert-simple');
  assert.equal(dnsEntryProblem(e.spec), undefined);
});

test('without class or owner id those fields are left out', () => {
  const e = buildChallengeEntry(input);
  assert.equal('dns.gardener.cloud/class' in e.metadata.annotations, false);
  assert.equal('ownerId' in e.spec, false);
});

test('the name is deterministic, readable, DNS-label safe and distinct per certificate and domain', () => {
  const n = challengeEntryName(certificate, 'cert1.mydomain.com');
  assert.match(n, /^cert--cert1-mydomain-com-[0-9a-f]{10}$/);
  assert.equal(challengeEntryName(certificate, 'Cert1.MyDomain.com'), n);
  assert.notEqual(challengeEntryName({ ...certificate, name: 'other' }, 'cert1.mydomain.com'), n);
  assert.notEqual(challengeEntryName({ ...certificate, cluster: 'target' }, 'cert1.mydomain.com'), n);
  assert.notEqual(challengeEntryName(certificate, 'cert2.mydomain.com'), n);
  const long = challengeEntryName(certificate, `${'a'.repeat(63)}.${'b'.repeat(63)}.example.com`);
  assert.ok(long.length <= 63, long);
  assert.match(long, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
});

test('owner labels are valid label values even for long or odd identities', () => {
  const odd = { cluster: 'kube/config:ctx@x', namespace: 'default', name: `${'x'.repeat(80)}.with.dots` };
  const labels = challengeOwnerLabels(odd);
  for (const v of Object.values(labels)) assert.equal(labelValueProblem(v), undefined, v);
  assert.notEqual(
    labels['cert.gardener.cloud/certificate-name'],
    challengeOwnerLabels({ ...odd, name: `${'x'.repeat(80)}.with.dotz` })['cert.gardener.cloud/certificate-name'],
  );
  const e = buildChallengeEntry({ ...input, certificate: odd });
  assert.deepEqual(e.metadata.labels, labels);
});

test('a trailing dot on the domain does not reach the record name; ttl stays in the CRD bounds', () => {
  const e = buildChallengeEntry({ ...input, domain: 'a.example.com.', ttlSeconds: 0 });
  assert.equal(e.spec.dnsName, '_acme-challenge.a.example.com');
  assert.equal(e.spec.ttl, 1);
});

test('start-up clean-up only touches challenge entries of the same class (as gardener)', () => {
  const mine = buildChallengeEntry({ ...input, dnsClass: 'a' });
  assert.equal(isOwnChallengeEntry(mine, 'a'), true);
  assert.equal(isOwnChallengeEntry(mine, 'b'), false);
  assert.equal(isOwnChallengeEntry(mine, undefined), false);
  assert.equal(isOwnChallengeEntry(buildChallengeEntry(input), undefined), true);
  assert.equal(isOwnChallengeEntry({ metadata: { name: 'user-entry', annotations: {} } }, undefined), false);
});
