// The keystores a Certificate's spec.keystores asks for, read back with the tools users open them with: OpenSSL 3
// (no -legacy) and Java's keytool. A missing tool fails these tests; they never skip.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildJksKeystore } from '../../actors/x509/keystores/jks.js';
import { buildPkcs12Keystore } from '../../actors/x509/keystores/pkcs12.js';
import { keyPemAs, makeTestChain, type TestChain } from './fixtures/keystore-fixtures.js';
import {
  certificateDer,
  keytoolList,
  mustRun,
  opensslPkcs12,
  privateKeyJwk,
  scratchDirectory,
} from './fixtures/keystore-tools.js';

const scratch = scratchDirectory('keystores-test-');
after(() => scratch.remove());
const file = scratch.file;

test('openssl 3 and keytool are installed', () => {
  assert.match(mustRun('openssl', ['version']), /^OpenSSL 3\./);
  mustRun('keytool', ['-help']);
});

const KEY_FORMS = [
  { kind: 'rsa2048', form: 'pkcs1', label: 'RSA-2048 key as PKCS#1 PEM', header: 'RSA PRIVATE KEY' },
  { kind: 'rsa2048', form: 'pkcs8', label: 'RSA-2048 key as PKCS#8 PEM', header: 'PRIVATE KEY' },
  { kind: 'p256', form: 'sec1', label: 'ECDSA P-256 key as SEC1 PEM', header: 'EC PRIVATE KEY' },
  { kind: 'p256', form: 'pkcs8', label: 'ECDSA P-256 key as PKCS#8 PEM', header: 'PRIVATE KEY' },
] as const;

for (const { kind, form, label, header } of KEY_FORMS) {
  describe(`keystores for a ${label}`, () => {
    let chain: TestChain;
    let keyPem: string;
    let chainPems: string[];
    before(async () => {
      chain = await makeTestChain(kind);
      keyPem = keyPemAs(chain.leafKeyPem, form);
      assert.ok(keyPem.startsWith(`-----BEGIN ${header}-----`));
      chainPems = [chain.leafPem, chain.intermediatePem, chain.rootPem];
    });

    test('keystore.p12: openssl shows the 3DES/SHA-1 profile, the key and all three certificates', () => {
      const p12 = file(buildPkcs12Keystore({ keyPem, chainPems, password: 'changeit' }));
      const read = opensslPkcs12(p12, 'changeit');
      assert.match(read.output, /^MAC: sha1, Iteration 1$/m);
      assert.match(read.output, /PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048/);
      assert.match(read.output, /Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048/);
      assert.deepEqual(read.certificates, chainPems.map(certificateDer));
      assert.equal(read.keys.length, 1);
      assert.deepEqual(privateKeyJwk(read.keys[0]!), privateKeyJwk(keyPem));
    });

    test('keystore.p12: keytool lists one PrivateKeyEntry (alias "1", as for gardener) with the chain', () => {
      const p12 = file(buildPkcs12Keystore({ keyPem, chainPems, password: 'changeit' }));
      const entries = keytoolList(p12, 'changeit', '-storetype', 'PKCS12');
      assert.deepEqual(
        entries.map((e) => [e.alias, e.type, e.chainLength]),
        [['1', 'PrivateKeyEntry', 3]],
      );
      assert.deepEqual(entries[0]!.owners, ['CN=app.example.com', ...['Intermediate', 'Root'].map(ca)]);
    });

    test('keystore.jks: keytool lists "certificate" (PrivateKeyEntry, chain of 3) and "ca" (trusted)', () => {
      const jks = file(buildJksKeystore({ keyPem, chainPems, caPems: [chain.rootPem], password: 'pass' }));
      const entries = keytoolList(jks, 'pass').sort((a, b) => a.alias.localeCompare(b.alias));
      assert.deepEqual(
        entries.map((e) => [e.alias, e.type, e.chainLength]),
        [
          ['ca', 'trustedCertEntry', undefined],
          ['certificate', 'PrivateKeyEntry', 3],
        ],
      );
      assert.deepEqual(entries[0]!.owners, [ca('Root')]);
      assert.deepEqual(entries[1]!.owners, ['CN=app.example.com', ...['Intermediate', 'Root'].map(ca)]);
    });

    test('keystore.jks: the key keytool recovers (importkeystore to PKCS#12) is the original key', () => {
      const jks = file(buildJksKeystore({ keyPem, chainPems, password: 'pass' }));
      const p12 = join(scratch.path, `recovered-${kind}-${form}.p12`);
      mustRun('keytool', [
        ...['-importkeystore', '-noprompt', '-srckeystore', jks, '-srcstorepass', 'pass'],
        ...['-destkeystore', p12, '-deststoretype', 'PKCS12', '-deststorepass', 'changeit'],
      ]);
      const recovered = opensslPkcs12(p12, 'changeit').keys;
      assert.equal(recovered.length, 1);
      const publicKey = (path: string) => mustRun('openssl', ['pkey', '-in', path, '-pubout']);
      assert.equal(publicKey(file(recovered[0]!)), publicKey(file(keyPem)));
      assert.deepEqual(privateKeyJwk(recovered[0]!), privateKeyJwk(keyPem));
    });
  });
}

/** A test CA's subject as keytool prints it. */
const ca = (which: string) => `CN=Keystore Test ${which}, O=Gardener`;
