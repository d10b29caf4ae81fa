// Where each DNS challenge type wants its record, checked against pebble 2.10.1's validation (va/va.go): the
// dns-account-01 label is base32 (lower case) of the first 10 bytes of SHA-256(account URL); the expected labels
// below were computed with Go's encoding/base32 as pebble does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accountLabel, challengeRecordName, chooseDnsChallenge } from '../../actors/acme/dns-challenge-types.js';
import { issuerChallengeType } from '../../actors/issuer/issuer-challenge-type.js';
import type { Issuer } from '../../actors/issuer/issuer-types.js';

test('the dns-account-01 label is what pebble computes for the account URL', () => {
  assert.equal(accountLabel('https://example.com/acme/acct/ExampleAccount'), 'ujmmovf2vn55tgye');
  assert.equal(accountLabel('https://127.0.0.1:14000/my-account/1'), 'iov3pdu2eqwqloyr');
});

test('record names per type', () => {
  const acct = 'https://example.com/acme/acct/ExampleAccount';
  assert.equal(challengeRecordName('dns-01', 'a.example.com', acct), '_acme-challenge.a.example.com');
  assert.equal(
    challengeRecordName('dns-account-01', 'a.example.com', acct),
    '_ujmmovf2vn55tgye._acme-challenge.a.example.com',
  );
  assert.equal(challengeRecordName('dns-persist-01', 'a.example.com', acct), '_validation-persist.a.example.com');
});

test('the asked-for type when the CA offers it, else dns-01, else none', () => {
  const offered = [{ type: 'http-01' }, { type: 'dns-01' }, { type: 'dns-account-01' }];
  assert.equal(chooseDnsChallenge(offered, 'dns-account-01')?.type, 'dns-account-01');
  assert.equal(chooseDnsChallenge(offered, 'dns-persist-01')?.type, 'dns-01');
  assert.equal(chooseDnsChallenge(offered)?.type, 'dns-01');
  assert.equal(chooseDnsChallenge([{ type: 'http-01' }], 'dns-persist-01'), undefined);
});

test("an issuer's spec.acme.dnsChallenge.type: absent is dns-01, unknown ones are named", () => {
  const issuer = (type?: string): Issuer =>
    ({
      metadata: { name: 'i' },
      spec: { acme: { server: 's', ...(type === undefined ? {} : { dnsChallenge: { type } }) } },
    }) as Issuer;
  assert.deepEqual(issuerChallengeType(issuer()), { type: 'dns-01' });
  assert.deepEqual(issuerChallengeType(issuer('dns-persist-01')), { type: 'dns-persist-01' });
  assert.match(
    (issuerChallengeType(issuer('http-01')) as { problem: string }).problem,
    /spec\.acme\.dnsChallenge\.type "http-01" is not supported: use one of dns-01, dns-account-01, dns-persist-01/,
  );
});
