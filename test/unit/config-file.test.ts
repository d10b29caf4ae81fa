// A config file holds what would otherwise be a long flag list (the seed's --config): keys are flag names, flat or
// nested; the command line wins per name; mistakes name the file and the key.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type ConfigFileValues, configValuesFromData, loadConfigFile } from '../../actors/config/config-file.js';
import { resolveEffectiveConfig } from '../../actors/config/effective-config.js';
import { parseFlags } from '../../actors/config/parse-flags.js';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ccm-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const HOUR = 3_600_000;
const facts = { env: {}, hostname: 'h' };
const resolve = (file: ConfigFileValues | undefined, ...argv: string[]) =>
  resolveEffectiveConfig(parseFlags(argv), file, facts);

test('a YAML file given with --config: flat keys, nested keys, "_" for the parent, lists and the nats section', async (t) => {
  const path = join(tempDir(t), 'ccm.yaml');
  writeFileSync(
    path,
    [
      'default-issuer: letsencrypt',
      'issuer:',
      '  renewal-window: 48h',
      '  default:',
      '    pool:',
      '      size: 4',
      'precheck-nameservers: [1.1.1.1:53, 9.9.9.9:53]',
      'cascade-delete: true',
      'dns:',
      '  _: /k/dns',
      '  id: dns-cluster',
      'controllers: [issuer, certsources]',
      'nats:',
      '  servers:',
      '    - nats://n1:4222',
      '    - nats://n2:4222',
      '  user: ccm',
      '  password: secret',
      'shards: 64',
    ].join('\n'),
  );
  const file = await loadConfigFile(path);
  assert.ok(file);
  assert.equal(file.path, path);
  assert.equal(file.values.get('issuer.renewal-window'), 48 * HOUR);
  assert.equal(file.values.get('issuer.default.pool.size'), 4);
  const c = resolve(file);
  assert.equal(c.defaultIssuer, 'letsencrypt');
  assert.equal(c.renewalWindowMs, 48 * HOUR);
  assert.equal(c.certificateConcurrency, 4);
  assert.deepEqual(c.precheckNameservers, ['1.1.1.1:53', '9.9.9.9:53']);
  assert.equal(c.cascadeDelete, true);
  assert.deepEqual([c.clusters.dns.kubeconfig, c.clusters.dns.id], ['/k/dns', 'dns-cluster']);
  assert.deepEqual(c.controllers, [
    'issuer',
    'ingress-cert',
    'service-cert',
    'istio-gateways-dns',
    'k8s-gateways-dns',
    'watch-gateways-crds',
  ]);
  assert.deepEqual(c.nats, { servers: ['nats://n1:4222', 'nats://n2:4222'], name: 'h', user: 'ccm', pass: 'secret' });
  assert.equal(c.shards, 64);
});

test('a JSON file works the same way', async (t) => {
  const path = join(tempDir(t), 'ccm.json');
  writeFileSync(
    path,
    JSON.stringify({
      'issuer.default-requests-per-day-quota': 50,
      'lease-duration': '20s',
      issuer: { 'dns-owner-id': 'me' },
    }),
  );
  const c = resolve(await loadConfigFile(path));
  assert.equal(c.defaultRequestsPerDayQuota, 50);
  assert.equal(c.lease.ttlMs, 20_000);
  assert.equal(c.dns.ownerId, 'me');
});

test('without --config the file is searched in the start directory only, under the cosmiconfig names', async (t) => {
  const dir = tempDir(t);
  assert.equal(await loadConfigFile(undefined, dir), undefined, 'no file: no values');
  writeFileSync(join(dir, 'cert-controller-manager.config.json'), '{"default-issuer": "from-json"}');
  assert.equal((await loadConfigFile(undefined, dir))?.values.get('default-issuer'), 'from-json');
  writeFileSync(join(dir, '.cert-controller-managerrc'), 'default-issuer: from-rc\n');
  assert.equal(
    (await loadConfigFile(undefined, dir))?.values.get('default-issuer'),
    'from-rc',
    'the rc file comes first',
  );
  const child = join(dir, 'sub');
  mkdirSync(child);
  assert.equal(await loadConfigFile(undefined, child), undefined, 'parent directories are not searched');
  assert.equal(await loadConfigFile('', child), undefined, 'an empty --config means "search"');
});

test('flags override the same key in the file; the file overrides defaults', async (t) => {
  const path = join(tempDir(t), 'ccm.yaml');
  writeFileSync(path, 'renewal-window: 48h\nissuer:\n  default-issuer: from-file\nkubeconfig: /k/file\n');
  const file = await loadConfigFile(path);
  assert.equal(resolve(file).renewalWindowMs, 48 * HOUR, 'file value beats the --issuer.renewal-window default');
  assert.equal(resolve(file, '--renewal-window=12h').renewalWindowMs, 12 * HOUR);
  assert.equal(resolve(file, '--issuer.renewal-window=6h').renewalWindowMs, 6 * HOUR);
  assert.equal(resolve(file, '--issuer.default-issuer=from-flag').defaultIssuer, 'from-flag');
  assert.equal(resolve(file, '--kubeconfig=/k/flag').clusters.default.kubeconfig, '/k/flag');
});

test('seed rule: a controller-prefixed key in the file beats the plain flag on the command line', async (t) => {
  // controller-manager-library merges the file into the flag set first (flags win per name), then fills an unset
  // prefixed option from its shared one; the file's issuer.default-issuer is "set", so --default-issuer does not reach it.
  const path = join(tempDir(t), 'ccm.yaml');
  writeFileSync(path, 'issuer.default-issuer: from-file\n');
  const c = resolve(await loadConfigFile(path), '--default-issuer=from-flag');
  assert.equal(c.defaultIssuer, 'from-file');
});

test('an unknown key is refused, naming the key and the file, with a suggestion', async (t) => {
  const path = join(tempDir(t), 'ccm.yaml');
  writeFileSync(path, 'issuer:\n  renewal-windw: 48h\n');
  await assert.rejects(loadConfigFile(path), {
    name: 'ConfigFileError',
    message: `config file ${path}: unknown key "issuer.renewal-windw" (did you mean "issuer.renewal-window"?); keys are flag names without the leading dashes`,
  });
  writeFileSync(path, 'colour: blue\n');
  await assert.rejects(loadConfigFile(path), {
    message: `config file ${path}: unknown key "colour"; keys are flag names without the leading dashes`,
  });
});

test('values are checked with the flag parsers; the message names the file and the key', async (t) => {
  const path = join(tempDir(t), 'ccm.yaml');
  writeFileSync(path, 'issuer.renewal-window: 30d\n');
  await assert.rejects(loadConfigFile(path), {
    message: new RegExp(
      `^${path.replace(/[.]/g, '\\.')}: issuer\\.renewal-window "30d" is invalid \\(unknown unit "d"\\)`,
    ),
  });
  writeFileSync(path, 'pool.size: many\n');
  await assert.rejects(loadConfigFile(path), {
    message: `${path}: pool.size "many" is invalid (not a whole number): use an integer such as 4`,
  });
  writeFileSync(path, 'issuer.default-requests-per-day-quota: 0\n');
  const zeroQuota = await loadConfigFile(path);
  assert.throws(() => resolve(zeroQuota), {
    message: `${path}: issuer.default-requests-per-day-quota 0 is invalid: must be at least 1`,
  });
  writeFileSync(path, 'omit-lease: yes\ncascade-delete: Off\n');
  const yaml11 = await loadConfigFile(path);
  assert.deepEqual(
    [yaml11?.values.get('omit-lease'), yaml11?.values.get('cascade-delete')],
    [true, false],
    'YAML 1.1 booleans, as the seed reads them',
  );
  writeFileSync(path, 'omit-lease: maybe\n');
  await assert.rejects(loadConfigFile(path), /omit-lease "maybe" is invalid \(not a bool\)/);
});

test('shapes the seed would mis-read are refused: lists for single values, duplicates, empty values, CLI-only keys', () => {
  const f = 'f.yaml';
  assert.throws(() => configValuesFromData({ 'default-issuer': ['a', 'b'] }, f), {
    message: 'config file f.yaml: key "default-issuer" takes a single value, not a list',
  });
  assert.throws(() => configValuesFromData({ 'issuer.dns-class': 'a', issuer: { 'dns-class': 'b' } }, f), {
    message: 'config file f.yaml: key "issuer.dns-class" is given twice (flat and nested?)',
  });
  assert.throws(() => configValuesFromData({ 'dns-class': null }, f), {
    message: 'config file f.yaml: key "dns-class" has no value',
  });
  assert.throws(() => configValuesFromData({ config: 'other.yaml' }, f), {
    message: 'config file f.yaml: key "config" can only be given on the command line',
  });
  assert.throws(() => configValuesFromData(['issuer'], f), /must be a mapping of flag names to values/);
  assert.throws(() => configValuesFromData({ _: 'x' }, f), /key "_" .* cannot be used at the top level/);
  assert.equal(configValuesFromData(null, f).values.size, 0, 'an empty file sets nothing');
});

test('unreadable files: missing, not YAML/JSON, broken syntax', async (t) => {
  const dir = tempDir(t);
  await assert.rejects(loadConfigFile(join(dir, 'missing.yaml')), {
    message: `config file ${join(dir, 'missing.yaml')}: file not found`,
  });
  await assert.rejects(loadConfigFile(join(dir, 'ccm.js')), {
    message: `config file ${join(dir, 'ccm.js')}: only YAML or JSON files are supported (.yaml, .yml, .json or no extension)`,
  });
  writeFileSync(join(dir, 'broken.yaml'), 'issuer: [unclosed\n');
  await assert.rejects(
    loadConfigFile(join(dir, 'broken.yaml')),
    new RegExp(`^ConfigFileError: config file ${join(dir, 'broken.yaml')}: `),
  );
  writeFileSync(join(dir, 'empty.yaml'), '');
  assert.equal((await loadConfigFile(join(dir, 'empty.yaml')))?.values.size, 0);
});
