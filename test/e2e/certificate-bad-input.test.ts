import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { CertificateSpec } from '../../actors/certificate/certificate-spec.js';
import { KubeApiError } from '../../actors/kube/kube-api-error.js';
import { createCsrPem } from '../../actors/x509/certificate-info.js';
import { TestDeployment } from '../support/deployment.js';

// Bad input, all at once, next to good certificates: every broken Certificate gets its own message in status and a
// Warning Event, the good ones are issued anyway, and no pod goes down. Three pods; the default issuer is limited
// to example.com.
const d = new TestDeployment({
  pods: 3,
  args: ['--default-issuer', 'good', '--default-issuer-domain-ranges', 'example.com'],
});
const b64 = (s: string) => Buffer.from(s).toString('base64');

before(async () => {
  await d.start();
});
after(async () => {
  await d.stop();
});

async function csrOf(names: string[]): Promise<string> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return createCsrPem(names, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
}

test('each bad input gets its message; the good certificates are issued; no pod crashes', async () => {
  // Issuers, good and broken.
  await d.issuer('good');
  await d.issuer('nosecret', {
    autoRegistration: false,
    privateKeySecretRef: { name: 'missing-secret', namespace: d.ns },
  });
  await d.kube.default.create(`/api/v1/namespaces/${d.ns}/secrets`, {
    metadata: { name: 'garbage-key', namespace: d.ns },
    data: { privateKey: b64('this is not a key') },
  });
  await d.issuer('badkey', { autoRegistration: false, privateKeySecretRef: { name: 'garbage-key', namespace: d.ns } });
  await d.issuer('twotypes', {}, { selfSigned: {} });
  await d.issuer('unreachable', { server: 'https://127.0.0.1:1/directory' });

  const goodCsr = await csrOf(['csr-good.example.com']);
  const tampered = await csrOf(['csr-tampered.example.com']);
  // Flip a bit inside the signature (the end of the DER): it still parses, but no longer verifies.
  const der = Buffer.from(tampered.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 5]! ^= 0x01;
  const tamperedPem = `-----BEGIN CERTIFICATE REQUEST-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;

  const good = { issuerRef: { name: 'good' } };
  const cases: Array<[string, CertificateSpec, RegExp]> = [
    ['unknown-issuer', { commonName: 'a.example.com', issuerRef: { name: 'nope' } }, /issuer .*\/nope does not exist/],
    ['malformed-csr', { csr: b64('hello, I am not a CSR'), ...good }, /spec\.csr .*is not PEM/],
    ['csr-bad-signature', { csr: b64(tamperedPem), ...good }, /CSR signature does not verify/],
    [
      'invalid-name',
      { commonName: 'bad_name!.example.com', ...good },
      /spec\.commonName "bad_name!\.example\.com" is not a valid DNS name/,
    ],
    [
      'invalid-wildcard',
      { commonName: 'ok.example.com', dnsNames: ['a.*.example.com'], ...good },
      /spec\.dnsNames\[0\] "a\.\*\.example\.com" is not a valid DNS name/,
    ],
    [
      'duplicated-names',
      { commonName: 'dup.example.com', dnsNames: ['x.example.com', 'X.example.com'], ...good },
      /more than once/,
    ],
    [
      'outside-ranges',
      { commonName: 'www.elsewhere.org' },
      /"www\.elsewhere\.org" is outside the domain ranges of the default issuer "good" \(example\.com\)/,
    ],
    [
      'missing-issuer-secret',
      { commonName: 'b.example.com', issuerRef: { name: 'nosecret' } },
      /issuer .*nosecret is not ready: secret .*missing-secret .*does not exist/,
    ],
    [
      'malformed-account-key',
      { commonName: 'c.example.com', issuerRef: { name: 'badkey' } },
      /issuer .*badkey is not ready: account key is not a PEM private key/,
    ],
    [
      'issuer-two-types',
      { commonName: 'd.example.com', issuerRef: { name: 'twotypes' } },
      /issuer .*twotypes is not ready: the issuer sets spec\.acme and spec\.selfSigned; set exactly one/,
    ],
    [
      'unreachable-acme',
      { commonName: 'e.example.com', issuerRef: { name: 'unreachable' } },
      /issuer .*unreachable is not ready: ACME server https:\/\/127\.0\.0\.1:1\/directory is unreachable/,
    ],
    ['no-domain', { ...good }, /no domain requested/],
    [
      'csr-and-names',
      { csr: b64(goodCsr), commonName: 'csr-good.example.com', ...good },
      /spec\.csr cannot be combined with spec\.commonName/,
    ],
    [
      'renew-before-short',
      { commonName: 'f.example.com', renewBefore: '1m', ...good },
      /spec\.renewBefore "1m" is too short/,
    ],
    [
      'duration-acme',
      { commonName: 'g.example.com', duration: '720h', ...good },
      /spec\.duration cannot be set for an ACME issuer/,
    ],
    ['is-ca', { commonName: 'h.example.com', isCA: true, ...good }, /spec\.isCA cannot be set for an ACME issuer/],
    [
      'managed-label',
      { commonName: 'j.example.com', secretLabels: { 'cert.gardener.cloud/hash': 'x' }, ...good },
      /must not set "cert\.gardener\.cloud\/hash"/,
    ],
    [
      'ecdsa-2048',
      { commonName: 'k.example.com', privateKey: { algorithm: 'ECDSA', size: 2048 }, ...good },
      /spec\.privateKey\.size 2048 is not allowed for ECDSA/,
    ],
    [
      'secret-conflict',
      { commonName: 'l.example.com', secretName: 'one', secretRef: { name: 'two' }, ...good },
      /conflicts with spec\.secretRef\.name/,
    ],
    ['bad-duration-syntax', { commonName: 'm.example.com', renewBefore: 'ten days', ...good }, /spec\.renewBefore/],
    [
      'bad-secret-name',
      { commonName: 'n.example.com', secretName: 'Foo_Bar', ...good },
      /spec\.secretName "Foo_Bar" is not a valid Secret name/,
    ],
    [
      'missing-namespace',
      { commonName: 'o.example.com', secretRef: { name: 'o-tls', namespace: 'no-such-namespace' }, ...good },
      /namespace no-such-namespace does not exist in the target cluster/,
    ],
  ];
  const goods: Array<[string, CertificateSpec]> = [
    ['fine-1', { commonName: 'fine1.example.com', ...good }],
    [
      'fine-2',
      {
        commonName: 'fine2.example.com',
        dnsNames: ['*.fine2.example.com'],
        privateKey: { algorithm: 'ECDSA', size: 384, encoding: 'PKCS8' },
        ...good,
      },
    ],
    ['fine-csr', { csr: b64(goodCsr), ...good }],
    ['fine-default', { commonName: 'fine-default.example.com' }],
    // An ACME issuer ignores IP SANs as gardener's does, with a Warning saying so.
    ['fine-ip', { commonName: 'i.example.com', ipAddresses: ['10.0.0.1'], ...good }],
    // The keystore's password key is not named: the certificate is issued (PEM), the status says what is missing.
    [
      'fine-keystore',
      {
        commonName: 'fine-ks.example.com',
        keystores: { pkcs12: { create: true, passwordSecretRef: { secretName: 'ks-password' } } },
        ...good,
      },
    ],
  ];
  // Interleaved, so broken and good certificates share pods and issuers.
  for (let i = 0; i < Math.max(cases.length, goods.length); i++) {
    if (cases[i]) await d.certificate(cases[i]![0], cases[i]![1]);
    if (goods[i]) await d.certificate(goods[i]![0], goods[i]![1]);
  }

  // A 65-character common name never gets in: the API server refuses it, naming the field.
  await assert.rejects(
    d.certificate('cn-65', { commonName: `${'a'.repeat(65 - '.example.com'.length)}.example.com`, ...good }),
    (err: unknown) => {
      assert.ok(err instanceof KubeApiError && err.statusCode === 422, String(err));
      assert.match(err.message, /commonName/);
      return true;
    },
  );

  for (const [name] of goods.filter(([n]) => n !== 'fine-keystore')) await d.waitCertificate(name, 'Ready', 90_000);
  await d.waitCertificate('fine-keystore', 'Error', 90_000, (s) =>
    /loading PKCS#12 password from data key {2}of secret .*\/ks-password failed: passwordSecretRef\.key is empty/.test(
      s.message ?? '',
    ),
  );
  const failures: string[] = [];
  for (const [name, , pattern] of cases) {
    const c = await d
      .waitCertificate(
        name,
        name.includes('issuer-secret') ||
          name.includes('account-key') ||
          name.includes('two-types') ||
          name.includes('unreachable')
          ? 'Pending'
          : 'Error',
        60_000,
        (s) => pattern.test(s.message ?? ''),
      )
      .catch((err: Error) => {
        failures.push(`${name}: ${err.message}`);
        return undefined;
      });
    if (!c) continue;
    assert.equal(c.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'False');
  }
  assert.deepEqual(failures, []);
  // Warning Events name the problem for the failed ones.
  for (const [name, , pattern] of cases.filter(([n]) => !/issuer-secret|account-key|two-types|unreachable/.test(n))) {
    await d.waitEvent(name, (e) => e.type === 'Warning' && pattern.test(e.message));
  }
  await d.waitEvent(
    'fine-ip',
    (e) => e.type === 'Warning' && /spec\.ipAddresses ignored: an ACME issuer certifies DNS names only/.test(e.message),
  );
  // None of them spent an ACME order.
  assert.deepEqual(
    cases.map(([name]) => name).filter((name) => d.ordersOf(name) > 0),
    [],
  );

  // Once the issuer has issued a certificate it knows their lifetime: a renewBefore longer than that is refused
  // before a quota token or an order is spent.
  await d.certificate('renew-before-long', { commonName: 'p.example.com', renewBefore: '87600h', ...good });
  await d.waitCertificate('renew-before-long', 'Error', 60_000, (s) =>
    /spec\.renewBefore must not exceed .* \(issuer .*good issues certificates living \d+h\)/.test(s.message ?? ''),
  );
  assert.equal(d.ordersOf('renew-before-long'), 0);
  for (const p of d.pods) assert.equal(p.child.exitCode, null, `${p.name} is still running`);
  assert.ok(cases.length >= 15);
});
