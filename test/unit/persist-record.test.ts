// dns-persist-01's record is kept: an order writes it only when no value there authorises the account, by the rules
// pebble 2.10.1 validates with (va/va.go validateDNSPersist01).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  persistAuthorizes,
  persistChallengeValue,
  persistNeedOf,
  persistRecordValues,
} from '../../actors/dns/persist-record.js';

const CA = 'pebble.letsencrypt.org';
const ACCT = 'https://127.0.0.1:14000/my-account/1';
const base = { issuerDomainName: CA, accountUri: ACCT, wildcard: false };
const wild = { ...base, wildcard: true };
const NOW = 1_800_000_000;

test('the challenge value names the CA and the account', () => {
  assert.equal(persistChallengeValue(CA, ACCT), `${CA}; accounturi=${ACCT}`);
  assert.deepEqual(persistNeedOf(persistChallengeValue(CA, ACCT), true), wild);
  assert.equal(persistNeedOf('garbage', false), undefined);
});

test('what authorises: same CA and account; a wildcard needs policy=wildcard; persistUntil not past', () => {
  assert.ok(persistAuthorizes(`${CA}; accounturi=${ACCT}`, base, NOW));
  assert.ok(persistAuthorizes(` ${CA} ;AccountURI=${ACCT} ; policy=WILDCARD`, wild, NOW));
  assert.ok(!persistAuthorizes(`${CA}; accounturi=${ACCT}`, wild, NOW));
  assert.ok(!persistAuthorizes(`other.ca; accounturi=${ACCT}`, base, NOW));
  assert.ok(!persistAuthorizes(`${CA}; accounturi=${ACCT}2`, base, NOW));
  assert.ok(!persistAuthorizes(`${CA}; accounturi=${ACCT}; persistUntil=${NOW - 1}`, base, NOW));
  assert.ok(persistAuthorizes(`${CA}; accounturi=${ACCT}; persistUntil=${NOW + 1}`, base, NOW));
  // Malformed (as the CA parses it): an empty parameter, a duplicate tag.
  assert.ok(!persistAuthorizes(`${CA}; accounturi=${ACCT};`, base, NOW));
  assert.ok(!persistAuthorizes(`${CA}; accounturi=${ACCT}; accounturi=${ACCT}`, base, NOW));
});

test('nothing to write when a value there authorises every need (a renewal)', () => {
  assert.equal(persistRecordValues([`${CA}; accounturi=${ACCT}`], [base], NOW), undefined);
  assert.equal(persistRecordValues([`${CA}; accounturi=${ACCT}; policy=wildcard`], [base, wild], NOW), undefined);
});

test('a missing or insufficient value is written; other accounts stay; wildcard is never narrowed', () => {
  assert.deepEqual(persistRecordValues([], [base], NOW), [`${CA}; accounturi=${ACCT}`]);
  assert.deepEqual(persistRecordValues([`${CA}; accounturi=${ACCT}`], [wild], NOW), [
    `${CA}; accounturi=${ACCT}; policy=wildcard`,
  ]);
  const other = `${CA}; accounturi=https://127.0.0.1:14000/my-account/9`;
  assert.deepEqual(persistRecordValues([other], [base], NOW), [other, `${CA}; accounturi=${ACCT}`]);
  // An expired value of ours is replaced; one with policy=wildcard keeps it.
  assert.deepEqual(persistRecordValues([`${CA}; accounturi=${ACCT}; policy=wildcard; persistUntil=1`], [base], NOW), [
    `${CA}; accounturi=${ACCT}; policy=wildcard`,
  ]);
});
