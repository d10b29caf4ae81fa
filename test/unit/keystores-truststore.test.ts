// Truststores, passwords and the truststore.p12 alias, read back with OpenSSL 3 (no -legacy) and keytool.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { goSubjectString } from '../../actors/x509/keystores/go-subject-name.js';
import { buildJksKeystore, buildJksTruststore } from '../../actors/x509/keystores/jks.js';
import { buildPkcs12Keystore, buildPkcs12Truststore } from '../../actors/x509/keystores/pkcs12.js';
import { makeTestChain, type TestChain } from './fixtures/keystore-fixtures.js';
import {
  certificateDer,
  keytoolList,
  mustRun,
  opensslPkcs12,
  runTool,
  scratchDirectory,
} from './fixtures/keystore-tools.js';

const scratch = scratchDirectory('keystores-truststore-test-');
after(() => scratch.remove());
const file = scratch.file;
const ca = (which: string) => `CN=Keystore Test ${which}, O=Gardener`;

describe('truststores', () => {
  let chain: TestChain;
  before(async () => {
    chain = await makeTestChain('p256');
  });

  test('truststore.p12: one trusted certificate under its Go subject name, no key', () => {
    const p12 = file(buildPkcs12Truststore({ caPems: [chain.rootPem], password: 'changeit' }));
    const read = opensslPkcs12(p12, 'changeit');
    assert.deepEqual(read.certificates, [certificateDer(chain.rootPem)]);
    assert.equal(read.keys.length, 0);
    assert.match(read.output, /friendlyName: CN=Keystore Test Root,O=Gardener/);
    const entries = keytoolList(p12, 'changeit', '-storetype', 'PKCS12');
    assert.deepEqual(
      entries.map((e) => [e.alias, e.type, e.owners]),
      [['cn=keystore test root,o=gardener', 'trustedCertEntry', [ca('Root')]]],
    );
  });

  test('truststore.jks: one trustedCertEntry "ca"', () => {
    const jks = file(buildJksTruststore({ caPems: [chain.rootPem], password: 'pass' }));
    const entries = keytoolList(jks, 'pass');
    assert.deepEqual(
      entries.map((e) => [e.alias, e.type, e.owners]),
      [['ca', 'trustedCertEntry', [ca('Root')]]],
    );
  });

  test('a wrong password opens neither format', () => {
    const keyPem = chain.leafKeyPem;
    const chainPems = [chain.leafPem];
    const p12 = file(buildPkcs12Keystore({ keyPem, chainPems, password: 'changeit' }));
    const jks = file(buildJksKeystore({ keyPem, chainPems, password: 'changeit' }));
    const openssl = runTool('openssl', ['pkcs12', '-info', '-nodes', '-in', p12, '-passin', 'pass:wrong!']);
    assert.notEqual(openssl.status, 0);
    assert.match(openssl.output, /Mac verify error/);
    const keytool = runTool('keytool', ['-list', '-keystore', jks, '-storepass', 'wrong!']);
    assert.notEqual(keytool.status, 0);
    assert.match(keytool.output, /password was incorrect/);
  });

  test('a non-ASCII password opens the JKS in keytool and the PKCS#12 in openssl', () => {
    // Java itself refuses non-ASCII PKCS#12 passwords ("Password is not ASCII"), so keytool is not asked there.
    const password = 'pässwörd-€';
    const keyPem = chain.leafKeyPem;
    const p12 = file(buildPkcs12Keystore({ keyPem, chainPems: [chain.leafPem], password }));
    assert.equal(opensslPkcs12(p12, password).keys.length, 1);
    const jks = file(buildJksKeystore({ keyPem, chainPems: [chain.leafPem], password }));
    assert.deepEqual(
      keytoolList(jks, password).map((e) => e.alias),
      ['certificate'],
    );
  });
});

test("truststore.p12's alias is Go's pkix.Name.String() of the subject, also for unusual subjects", () => {
  // Expected text printed by Go 1.26's x509.ParseCertificate(...).Subject.String() for this very -subj: known
  // attributes regrouped (both O values in one RDN, the last CN only), unknown ones last as #hex, values escaped.
  const key = file('');
  const pem = file('');
  mustRun('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'],
    ...['-keyout', key, '-out', pem, '-multivalue-rdn', '-utf8'],
    '-subj',
    '/C=DE/O=Org, Inc./O=Second+OU=Unit/CN=first/CN=#Test; CA <x> /emailAddress=ca@example.com' +
      '/ST=Bäden/serialNumber=42/UID=u1',
  ]);
  assert.equal(
    goSubjectString(certificateDer(readFileSync(pem, 'utf8'))),
    'SERIALNUMBER=42,CN=\\#Test\\; CA \\<x\\>\\ ,OU=Unit,O=Org\\, Inc.+O=Second,ST=Bäden,C=DE,' +
      '0.9.2342.19200300.100.1.1=#13027531,1.2.840.113549.1.9.1=#0c0e6361406578616d706c652e636f6d',
  );
});
