// What spec.keystores does to the certificate Secret: entries added, kept, removed, and problems a user can act on.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CertificateSpec } from '../../actors/certificate/certificate-spec.js';
import { keystorePasswordSecretNames } from '../../actors/x509/keystores/keystore-password.js';
import {
  ALL_KEYSTORE_DATA_KEYS,
  type KeystoreSecretDataInput,
  keystoreSecretData,
} from '../../actors/x509/keystores/keystore-secret-data.js';
import { makeTestChain, type TestChain } from './fixtures/keystore-fixtures.js';
import { certificateDer, keytoolList, opensslPkcs12, scratchDirectory } from './fixtures/keystore-tools.js';

const scratch = scratchDirectory('keystores-secret-data-test-');
after(() => scratch.remove());
const b64 = (text: string) => Buffer.from(text).toString('base64');
const ref = (secretName: string, key?: string) => ({ secretName, ...(key !== undefined ? { key } : {}) });
const JKS_ONLY = { jks: { create: true, passwordSecretRef: ref('ks-pw', 'password') } };
// Typed as the Certificate's own spec field: the library's structural type must accept it as it is.
const ALL: NonNullable<CertificateSpec['keystores']> = {
  ...JKS_ONLY,
  pkcs12: { create: true, passwordSecretRef: ref('ks-pw', 'password') },
};
const allPresent = Object.fromEntries(ALL_KEYSTORE_DATA_KEYS.map((k) => [k, b64('old')]));

let chain: TestChain;
let base: KeystoreSecretDataInput;
before(async () => {
  chain = await makeTestChain('p256');
  base = {
    keystores: ALL,
    // As an ACME Secret: tls.crt is leaf + intermediate, ca.crt the issuer chain (intermediate, root).
    material: {
      keyPem: chain.leafKeyPem,
      chainPem: chain.leafPem + chain.intermediatePem,
      caPem: chain.intermediatePem + chain.rootPem,
    },
    current: {},
    rebuild: true,
    secretNamespace: 'default',
    passwordSecrets: new Map([['ks-pw', { password: b64('changeit') }]]),
    nowMs: Date.UTC(2026, 0, 2),
  };
});
const run = (over: Partial<KeystoreSecretDataInput>) => keystoreSecretData({ ...base, ...over });
const file = (data: Record<string, string>, key: string) => scratch.file(Buffer.from(data[key]!, 'base64'));

describe('keystoreSecretData', () => {
  test('create: true adds all four entries, holding what gardener puts in them', () => {
    const out = run({});
    assert.deepEqual(Object.keys(out.set).sort(), [...ALL_KEYSTORE_DATA_KEYS].sort());
    assert.deepEqual([out.remove, out.problems], [[], []]);
    const [leaf, intermediate, root] = [chain.leafPem, chain.intermediatePem, chain.rootPem].map(certificateDer);
    // keystore.p12: tls.crt's chain, then the rest of ca.crt (the intermediate is not stored twice).
    assert.deepEqual(opensslPkcs12(file(out.set, 'keystore.p12'), 'changeit').certificates, [leaf, intermediate, root]);
    // Truststores: the first certificate of ca.crt only.
    assert.deepEqual(opensslPkcs12(file(out.set, 'truststore.p12'), 'changeit').certificates, [intermediate]);
    const trusted = keytoolList(file(out.set, 'truststore.jks'), 'changeit');
    assert.deepEqual(
      trusted.map((e) => [e.alias, e.owners]),
      [['ca', ['CN=Keystore Test Intermediate, O=Gardener']]],
    );
    const keystore = keytoolList(file(out.set, 'keystore.jks'), 'changeit').sort((a, b) =>
      a.alias.localeCompare(b.alias),
    );
    assert.deepEqual(
      keystore.map((e) => [e.alias, e.type, e.chainLength]),
      [
        ['ca', 'trustedCertEntry', undefined],
        ['certificate', 'PrivateKeyEntry', 2],
      ],
    );
  });

  test('without ca.crt only the keystores are written, and a truststore left from before is removed', () => {
    const out = run({ material: { ...base.material, caPem: '' }, current: { 'truststore.jks': b64('old') } });
    assert.deepEqual(Object.keys(out.set).sort(), ['keystore.jks', 'keystore.p12']);
    assert.deepEqual(out.remove, ['truststore.jks']);
  });

  test('create: false or no spec.keystores removes the entries the Secret has, and nothing else', () => {
    const off = { jks: { create: false, passwordSecretRef: ref('ks-pw', 'password') } };
    for (const keystores of [off, undefined, {}]) {
      const out = run({ keystores, current: allPresent });
      assert.deepEqual([out.set, out.problems], [{}, []]);
      assert.deepEqual(out.remove.sort(), [...ALL_KEYSTORE_DATA_KEYS].sort());
    }
    assert.deepEqual(run({ keystores: JKS_ONLY, current: { 'keystore.p12': b64('old') } }).remove, ['keystore.p12']);
    assert.deepEqual(run({ keystores: undefined }).remove, []);
  });

  test('existing stores are kept until the material is new, and then need no password', () => {
    const kept = run({ rebuild: false, current: allPresent, passwordSecrets: new Map() });
    assert.deepEqual(kept, { set: {}, remove: [], problems: [] });
    // ca.crt appeared since: the truststore is missing, so the format is written again.
    const { 'truststore.jks': _, ...withoutTruststore } = allPresent;
    const refreshed = run({ rebuild: false, current: withoutTruststore });
    assert.deepEqual(Object.keys(refreshed.set).sort(), ['keystore.jks', 'truststore.jks']);
    assert.equal(Object.keys(run({ rebuild: true, current: allPresent }).set).length, 4);
  });
});

describe('keystoreSecretData problems', () => {
  const jksWith = (passwordSecretRef: ReturnType<typeof ref>) => ({
    keystores: { ...ALL, jks: { create: true, passwordSecretRef } },
  });

  test('a missing password Secret or data key names both; the other format is still written', () => {
    const missingSecret = run(jksWith(ref('no-such-secret', 'password')));
    assert.deepEqual(missingSecret.problems, [
      'loading JKS password from data key password of secret default/no-such-secret failed: ' +
        'secrets "no-such-secret" not found',
    ]);
    assert.deepEqual(Object.keys(missingSecret.set).sort(), ['keystore.p12', 'truststore.p12']);
    assert.deepEqual(run(jksWith(ref('ks-pw', 'pw'))).problems, [
      'loading JKS password from data key pw of secret default/ks-pw failed: key pw not found in secret',
    ]);
  });

  test('an unset key and a password that is no UTF-8 text are problems that say what to fix', () => {
    assert.match(
      run(jksWith(ref('ks-pw'))).problems[0]!,
      /secret default\/ks-pw failed: passwordSecretRef\.key is empty/,
    );
    const binary = new Map([['ks-pw', { password: Buffer.from([0xff, 0xfe, 0x41]).toString('base64') }]]);
    assert.match(run({ passwordSecrets: binary }).problems[0]!, /failed: the value of key password is not UTF-8 text$/);
  });

  test('after re-issuance a store that cannot be written is removed, not left with the old certificate', () => {
    const out = run({ ...jksWith(ref('no-such-secret', 'password')), current: allPresent });
    assert.deepEqual(out.remove.sort(), ['keystore.jks', 'truststore.jks']);
    const kept = run({ ...jksWith(ref('no-such-secret', 'password')), current: allPresent, rebuild: false });
    assert.deepEqual(kept, { set: {}, remove: [], problems: [] });
  });

  test('unreadable PEM material is reported per format and store', () => {
    const badKey = run({ material: { ...base.material, keyPem: 'not a key' } });
    assert.deepEqual(
      badKey.problems.map((p) => p.slice(0, p.indexOf(':'))),
      ['encoding JKS keystore failed', 'encoding PKCS#12 keystore failed'],
    );
    assert.match(badKey.problems[0]!, /the private key \(tls\.key\) is not a readable unencrypted PEM key/);
    const badCa = run({ material: { ...base.material, caPem: 'garbage' } });
    assert.deepEqual(badCa.problems, [
      'encoding JKS truststore failed: no "-----BEGIN CERTIFICATE-----" block found in ca.crt',
      'encoding PKCS#12 truststore failed: no "-----BEGIN CERTIFICATE-----" block found in ca.crt',
    ]);
  });
});

test('the password Secrets to read are those of formats with create: true, each once', () => {
  assert.deepEqual(keystorePasswordSecretNames(ALL), ['ks-pw']);
  const mixed = {
    jks: { create: false, passwordSecretRef: ref('a') },
    pkcs12: { create: true, passwordSecretRef: ref('b') },
  };
  assert.deepEqual(keystorePasswordSecretNames(mixed), ['b']);
  assert.deepEqual(keystorePasswordSecretNames(undefined), []);
});
