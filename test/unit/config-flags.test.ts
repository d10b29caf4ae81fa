// Deployments written for gardener's cert-controller-manager v0.27.0 must start unchanged: every flag its `--help`
// prints is accepted with its default, and mistakes are reported with the flag's name and a way out. The expected
// usage is the `--help` output of v0.27.0 (built from the Go module proxy), kept as a fixture.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatDuration, parseDuration } from '../../actors/certificate/duration.js';
import { resolveEffectiveConfig } from '../../actors/config/effective-config.js';
import { FLAGS, FLAGS_BY_NAME } from '../../actors/config/flag-table.js';
import { type FlagValue, helpText, parseFlags } from '../../actors/config/parse-flags.js';

// dist/test/unit/ -> the fixture beside this test's source.
const GARDENER_HELP = fileURLToPath(new URL('../../../test/unit/fixtures/gardener-v0.27.0-help.txt', import.meta.url));

interface SeedFlag {
  name: string;
  short?: string;
  type: string;
  /** What --help prints as "(default ...)". */
  shown?: string;
  help: string;
}

let usage: { block: string; flags: SeedFlag[] } | undefined;
function seedUsage(): { block: string; flags: SeedFlag[] } {
  if (usage) return usage;
  const lines = readFileSync(GARDENER_HELP, 'utf8').trimEnd().split('\n');
  const flagsAt = lines.indexOf('Flags:');
  assert.ok(lines[0] === 'Usage:' && flagsAt > 0, `no "Usage:" / "Flags:" block in ${GARDENER_HELP}`);
  const flags = lines.slice(flagsAt + 1).map((line) => {
    const m = /^ {2}(?:-(\w), )?\s*--(\S+)(?: (string|int|duration))?\s{2,}(.*)$/.exec(line);
    assert.ok(m, `unreadable usage line: ${line}`);
    const [, short, name = '', type = 'bool', rawHelp = ''] = m;
    const d = / \(default (.*)\)$/.exec(rawHelp);
    const f: SeedFlag = { name, type, help: d ? rawHelp.slice(0, d.index) : rawHelp };
    if (short) f.short = short;
    if (d) f.shown = d[1]!.replace(/^"(.*)"$/, '$1');
    return f;
  });
  usage = { block: lines.join('\n'), flags };
  return usage;
}

function sample(type: string): [string, FlagValue] {
  return type === 'int'
    ? ['7', 7]
    : type === 'duration'
      ? ['90s', 90_000]
      : type === 'bool'
        ? ['true', true]
        : ['some-value', 'some-value'];
}

test("the flag table is exactly v0.27.0's usage list: names, shorthands, types, shown defaults, help", () => {
  const { flags } = seedUsage();
  assert.equal(flags.length, 157, 'v0.27.0 prints 157 flags');
  const ours = FLAGS.filter((f) => f.origin === 'seed').map(({ name, short, type, default: d, shown, help }) => {
    const f: SeedFlag = { name, type, help };
    if (short) f.short = short;
    const printed = shown === undefined ? d : shown;
    if (printed != null && type !== 'bool') f.shown = printed;
    return f;
  });
  assert.deepEqual(ours, flags);
});

test("--help prints v0.27.0's usage block byte for byte, then our own flags in a separate section", () => {
  const text = helpText();
  assert.ok(text.startsWith(`${seedUsage().block}\n\n`), 'seed block differs');
  assert.match(text, /\nActor runtime flags \(this implementation; not in gardener's cert-controller-manager\):\n/);
  assert.match(
    text,
    /\n {6}--nats-servers string {2,}comma separated list of NATS server URLs \(default "nats:\/\/127\.0\.0\.1:4222"\)\n/,
  );
});

test('with no arguments every flag has the default that takes effect in v0.27.0', () => {
  const { values, explicit } = parseFlags([]);
  assert.equal(explicit.size, 0);
  for (const f of FLAGS) {
    const v = values.get(f.name);
    const shown = f.type === 'duration' ? formatDuration(v as number) : String(v);
    const zero = f.type === 'bool' ? 'false' : f.type === 'int' ? '0' : f.type === 'duration' ? '0s' : '';
    assert.equal(shown, f.default ?? zero, `default of --${f.name}`);
  }
  // The defaults gardener's controllers apply without --help showing them (read from its source).
  const effective: Record<string, FlagValue> = {
    'issuer.renewal-window': 720 * 3_600_000,
    'issuer.renewal-overdue-window': 600 * 3_600_000,
    'issuer.propagation-timeout': 120_000,
    'issuer.precheck-additional-wait': 10_000,
    'issuer.precheck-nameservers': '8.8.8.8:53,8.8.4.4:53',
    'issuer.default-private-key-algorithm': 'RSA',
    'issuer.default-rsa-private-key-size': 2048,
    'issuer.default-ecdsa-private-key-size': 256,
    'issuer.revocations.pool.size': 1,
    'issuer.default.pool.size': 2,
    'kubeconfig.qps': 50,
    'kubeconfig.burst': 100,
    'lease-resource-lock': 'leases',
    name: 'cert-controller-manager',
  };
  for (const [name, value] of Object.entries(effective)) assert.equal(values.get(name), value, name);
  assert.ok(parseDuration('2m', 'x').ok);
});

test('every seed flag is accepted as --flag=value and (non-bool) as --flag value', () => {
  for (const f of seedUsage().flags) {
    if (f.name === 'help' || f.name === 'version') continue;
    const [text, expected] = sample(f.type);
    for (const argv of f.type === 'bool'
      ? [[`--${f.name}`], [`--${f.name}=true`]]
      : [[`--${f.name}=${text}`], [`--${f.name}`, text]]) {
      const p = parseFlags(argv);
      assert.equal(p.values.get(f.name), expected, argv.join(' '));
      assert.deepEqual([...p.explicit], [f.name]);
    }
  }
});

test('our runtime flags have their defaults and are marked as ours', () => {
  const { values } = parseFlags([]);
  assert.equal(values.get('nats-servers'), 'nats://127.0.0.1:4222');
  assert.equal(values.get('actor-system'), 'certmgmt');
  assert.equal(values.get('shards'), 32);
  assert.equal(values.get('pod-name'), '');
  assert.equal(values.get('actor-idle-timeout'), 600_000);
  for (const n of [
    'nats-servers',
    'nats-user',
    'nats-password',
    'nats-token',
    'actor-system',
    'actor-idle-timeout',
    'shards',
    'pod-name',
  ]) {
    assert.equal(FLAGS_BY_NAME.get(n)?.origin, 'actors', n);
  }
});

test('shorthands -c -D -n -h -v work in all pflag spellings', () => {
  assert.equal(parseFlags(['-c', 'issuer']).values.get('controllers'), 'issuer');
  assert.equal(parseFlags(['-cissuer']).values.get('controllers'), 'issuer');
  assert.equal(parseFlags(['-c=issuer,ingress-cert']).values.get('controllers'), 'issuer,ingress-cert');
  assert.equal(parseFlags(['-D', 'debug']).values.get('log-level'), 'debug');
  assert.equal(parseFlags(['-n']).values.get('namespace-local-access-only'), true);
  assert.equal(parseFlags(['-n=false']).values.get('namespace-local-access-only'), false);
  const grouped = parseFlags(['-nv']);
  assert.equal(grouped.values.get('namespace-local-access-only'), true);
  assert.equal(grouped.version, true);
  assert.equal(parseFlags(['-h']).help, true);
  assert.equal(parseFlags(['--version']).version, true);
  assert.equal(parseFlags(['version']).version, true, 'the seed answers `cert-controller-manager version`');
});

test('bool flags take =false; a repeated flag keeps the last value; "--" ends the flags', () => {
  const p = parseFlags([
    '--cascade-delete',
    '--cascade-delete=false',
    '--pool.size=2',
    '--pool.size',
    '3',
    '--',
    '--not-a-flag',
    'x',
  ]);
  assert.equal(p.values.get('cascade-delete'), false);
  assert.equal(p.values.get('pool.size'), 3);
  assert.deepEqual(p.rest, ['--not-a-flag', 'x']);
  assert.equal(parseFlags(['--kubeconfig=']).values.get('kubeconfig'), '');
  assert.ok(parseFlags(['--kubeconfig=']).explicit.has('kubeconfig'), 'explicitly empty is still given');
  assert.equal(parseFlags(['--shards', '-1']).values.get('shards'), -1, 'a negative number is a value, not a flag');
});

test('--help stops parsing like cobra, so help works even after a typo later on the line', () => {
  const p = parseFlags(['--kubeconfig=x', '--help', '--no-such-flag']);
  assert.equal(p.help, true);
});

test('unknown flags are refused with a suggestion when one is close', () => {
  assert.throws(() => parseFlags(['--renewal-windw=720h']), {
    name: 'FlagError',
    message: 'unknown flag --renewal-windw: did you mean --renewal-window? (--help lists all flags)',
  });
  assert.throws(
    () => parseFlags(['--issuer.renewal_window', '1h']),
    /unknown flag --issuer\.renewal_window: did you mean --issuer\.renewal-window\?/,
  );
  assert.throws(() => parseFlags(['--nats-server=nats://x:4222']), /did you mean --nats-servers\?/);
  assert.throws(() => parseFlags(['--frobnicate']), { message: 'unknown flag --frobnicate (--help lists all flags)' });
  assert.throws(() => parseFlags(['-kubeconfig', 'x']), {
    message: "unknown shorthand flag 'k' in -kubeconfig; did you mean --kubeconfig? (--help lists all flags)",
  });
});

test('bad values name the flag, the value and what would be valid', () => {
  assert.throws(() => parseFlags(['--issuer.default.pool.size=two']), {
    message: '--issuer.default.pool.size "two" is invalid (not a whole number): use an integer such as 2',
  });
  assert.throws(() => parseFlags(['--renewal-window', '30d']), {
    message: /^--renewal-window "30d" is invalid \(unknown unit "d"\): use a Go duration/,
  });
  assert.throws(() => parseFlags(['--lease-duration=15']), {
    message: /^--lease-duration "15" is invalid \(missing unit after "15"\)/,
  });
  assert.throws(() => parseFlags(['--cascade-delete=yes']), {
    message: '--cascade-delete "yes" is invalid (not a bool): use true or false (1/0, t/f also accepted)',
  });
  assert.throws(() => parseFlags(['-c']), {
    message: 'flag -c needs a string value, but it is the last argument (write -c=VALUE)',
  });
  assert.throws(() => parseFlags(['--kubeconfig', '--source', 'x']), {
    message:
      'flag --kubeconfig needs a string value, but the next argument is the flag --source (write --kubeconfig=VALUE)',
  });
});

test('stray words are errors, with the fix for the classic `--bool false` slip', () => {
  assert.throws(() => parseFlags(['--cascade-delete', 'false']), {
    message: 'unexpected argument "false": bool flags take their value after "=", e.g. --cascade-delete=false',
  });
  assert.throws(() => parseFlags(['--renewal-window', '720h', '48h']), {
    message: 'unexpected argument "48h": cert-controller-manager takes flags only',
  });
});

// ---- one effective configuration from the two-level flags ----

const facts = { env: {}, hostname: 'host-1' };
const effective = (...argv: string[]) => resolveEffectiveConfig(parseFlags(argv), undefined, facts);

test('defaults give the seed behaviour: 720h window, quota 10000, 8.8.8.8 prechecks, issuer "default-issuer" in "default"', () => {
  const c = effective();
  assert.equal(c.renewalWindowMs, 720 * 3_600_000);
  assert.equal(c.defaultRequestsPerDayQuota, 10_000);
  assert.deepEqual(c.precheckNameservers, ['8.8.8.8:53', '8.8.4.4:53']);
  assert.equal(c.precheckAdditionalWaitMs, 10_000);
  assert.equal(c.propagationTimeoutMs, 120_000, 'v0.27.0: 2m');
  assert.equal(c.dns.namespace, '', "no --dns-namespace: entries go to the certificate's namespace");
  assert.deepEqual(c.privateKeyDefaults, { algorithm: 'RSA', rsaSize: 2048, ecdsaSize: 256 });
  assert.equal(c.renewalOverdueWindowMs, 600 * 3_600_000);
  assert.deepEqual([c.allowTargetIssuers, c.acmeDeactivateAuthorizations, c.dns.useDnsRecords], [false, false, false]);
  assert.equal(c.revocationConcurrency, 1);
  assert.equal(c.defaultIssuer, 'default-issuer');
  assert.equal(c.issuerNamespace, 'default');
  assert.equal(
    c.certClass,
    'gardencert',
    'the issuer controller has no class default: the seed falls back to gardencert',
  );
  assert.deepEqual([c.certificateConcurrency, c.issuerConcurrency, c.secretConcurrency], [2, 1, 1]);
  assert.deepEqual(c.controllers, [
    'issuer',
    'ingress-cert',
    'service-cert',
    'istio-gateways-dns',
    'k8s-gateways-dns',
    'watch-gateways-crds',
  ]);
  assert.equal(c.namespaceRestriction, true);
  assert.deepEqual(c.notices, []);
});

test('a plain flag sets the setting of every controller; the controller-prefixed flag wins over it', () => {
  assert.equal(effective('--renewal-window=48h').renewalWindowMs, 48 * 3_600_000);
  assert.equal(effective('--renewal-window=48h', '--issuer.renewal-window=24h').renewalWindowMs, 24 * 3_600_000);
  assert.equal(
    effective('--issuer.renewal-window=24h', '--renewal-window=48h').renewalWindowMs,
    24 * 3_600_000,
    'order does not matter',
  );
  assert.equal(effective('--default-issuer=le').defaultIssuer, 'le');
  assert.deepEqual(
    effective('--precheck-nameservers=').precheckNameservers,
    [],
    'explicitly empty: read /etc/resolv.conf',
  );
  const c = effective('--cert-class=mine', '--ingress-cert.cert-class=ing');
  assert.equal(c.certClass, 'mine');
  assert.equal(c.sources['service-cert'].certClass, 'mine');
  assert.equal(c.sources['ingress-cert'].certClass, 'ing');
  assert.equal(c.sources['ingress-cert'].certTargetClass, 'ing', 'no target class: the controller writes its own');
});

test('pool sizes become concurrency limits, most specific flag first', () => {
  const all = effective('--pool.size=7');
  assert.deepEqual(
    [all.certificateConcurrency, all.issuerConcurrency, all.sources['ingress-cert'].targetsConcurrency],
    [7, 7, 7],
  );
  const c = effective('--pool.size=7', '--issuer.pool.size=5', '--default.pool.size=3', '--issuer.default.pool.size=9');
  assert.equal(c.certificateConcurrency, 9);
  assert.equal(c.issuerConcurrency, 5, '--issuer.pool.size beats --pool.size');
  assert.equal(c.sources['service-cert'].concurrency, 3, '--default.pool.size beats --pool.size');
  assert.equal(
    effective('--default.pool.size=3', '--issuer.pool.size=5').certificateConcurrency,
    3,
    'pool-specific beats controller-wide',
  );
  assert.equal(effective('--pool.resync-period=1h').certificateResyncPeriodMs, 3_600_000);
  assert.throws(() => effective('--issuer.issuers.pool.size=0'), {
    message: '--issuer.issuers.pool.size 0 is invalid: must be at least 1',
  });
  assert.throws(
    () => effective('--pool.size=0'),
    { message: '--pool.size 0 is invalid: must be at least 1' },
    'names the flag the user wrote',
  );
});

test('-c takes names, groups, all and none; an unknown name lists the known ones', () => {
  assert.deepEqual(effective('-c', 'issuer').controllers, ['issuer']);
  // gardener v0.27.0's groups: certsources holds the four source controllers and watch-gateways-crds.
  assert.deepEqual(effective('-c', 'certsources').controllers, [
    'ingress-cert',
    'service-cert',
    'istio-gateways-dns',
    'k8s-gateways-dns',
    'watch-gateways-crds',
  ]);
  assert.deepEqual(effective('--controllers=service-cert,certcontrollers').controllers, ['issuer', 'service-cert']);
  assert.deepEqual(effective('-c', 'k8s-gateways-dns,istio-gateways-dns').controllers, [
    'istio-gateways-dns',
    'k8s-gateways-dns',
  ]);
  assert.deepEqual(effective('-c', 'none').controllers, []);
  assert.throws(() => effective('-c', 'issuer,dns'), {
    message:
      '--controllers: unknown controller or group "dns"; known controllers: issuer, ingress-cert, service-cert, istio-gateways-dns, k8s-gateways-dns, watch-gateways-crds; groups: certcontrollers, certsources; or all, or none',
  });
  assert.throws(() => effective('-c', 'gateways'), { message: /unknown controller or group "gateways"/ });
});

test('the gateway controllers have the source options and pools with the seed defaults, and their route pools', () => {
  const c = effective();
  for (const name of ['istio-gateways-dns', 'k8s-gateways-dns'] as const) {
    const s = c.sources[name];
    assert.deepEqual(
      [s.certClass, s.certTargetClass, s.targetNamespace, s.targetNamePrefix],
      ['gardencert', 'gardencert', '', ''],
    );
    assert.deepEqual([s.concurrency, s.targetsConcurrency, s.resyncPeriodMs, s.routesConcurrency], [2, 2, 120_000, 2]);
  }
  assert.equal(c.sources['istio-gateways-dns'].targetSourcesConcurrency, 2);
  assert.equal(c.crdWatchConcurrency, 1);
  const set = effective(
    '--k8s-gateways-dns.cert-class=gw',
    '--istio-gateways-dns.target-namespace=certs',
    '--httproutes.pool.size=5',
    '--istio-gateways-dns.virtualservices.pool.size=6',
    '--virtualservices.pool.size=3',
    '--targetsources.pool.size=4',
    '--k8s-gateways-dns.default.pool.size=7',
    '--watch-gateways-crds.pool.size=2',
  );
  assert.equal(set.sources['k8s-gateways-dns'].certClass, 'gw');
  assert.equal(set.sources['istio-gateways-dns'].certClass, 'gardencert');
  assert.equal(set.sources['istio-gateways-dns'].targetNamespace, 'certs');
  assert.equal(set.sources['k8s-gateways-dns'].routesConcurrency, 5);
  assert.equal(set.sources['istio-gateways-dns'].routesConcurrency, 6, 'the controller-prefixed pool wins');
  assert.equal(set.sources['istio-gateways-dns'].targetSourcesConcurrency, 4);
  assert.equal(set.sources['k8s-gateways-dns'].concurrency, 7);
  assert.equal(set.crdWatchConcurrency, 2, 'a given controller-wide pool size beats the pool default');
  assert.equal(effective('--watch-gateways-crds.default.pool.size=3').crdWatchConcurrency, 3);
  assert.throws(() => effective('--httproutes.pool.size=0'), {
    message: '--httproutes.pool.size 0 is invalid: must be at least 1',
  });
});

test('clusters: source and dns fall back to default, target to source; empty kubeconfig is $KUBECONFIG, else in-cluster', () => {
  let c = effective();
  assert.equal(c.clusters.default.kubeconfig, null);
  assert.deepEqual(
    [c.clusters.source.sameAs, c.clusters.dns.sameAs, c.clusters.target.sameAs],
    ['default', 'default', 'default'],
  );
  c = effective('--kubeconfig=/k/default', '--source=/k/source', '--source.id=src', '--dns.disable-deploy-crds');
  assert.deepEqual(c.clusters.source, {
    role: 'source',
    kubeconfig: '/k/source',
    id: 'src',
    disableDeployCrds: false,
    sameAs: null,
    qps: 50,
    burst: 100,
  });
  assert.deepEqual(c.clusters.target, {
    role: 'target',
    kubeconfig: '/k/source',
    id: 'src',
    disableDeployCrds: false,
    sameAs: 'source',
    qps: 50,
    burst: 100,
  });
  assert.equal(c.clusters.dns.kubeconfig, '/k/default');
  assert.equal(effective('--target=/k/t').clusters.target.sameAs, null);
  const env = { env: { KUBECONFIG: '/home/u/.kube/config' }, hostname: 'h' };
  assert.equal(
    resolveEffectiveConfig(parseFlags([]), undefined, env).clusters.default.kubeconfig,
    '/home/u/.kube/config',
  );
  assert.equal(
    resolveEffectiveConfig(parseFlags(['--kubeconfig=IN-CLUSTER']), undefined, env).clusters.default.kubeconfig,
    null,
  );
  assert.throws(() => effective('--dns=ENVIRONMENT'), {
    message: '--dns=ENVIRONMENT, but the environment variable KUBECONFIG is not set',
  });
});

test('namespace restriction is on unless disabled; -n together with the disable flag is a contradiction', () => {
  assert.equal(effective('--disable-namespace-restriction').namespaceRestriction, false);
  assert.equal(effective('-n').namespaceRestriction, true);
  assert.throws(
    () => effective('-n', '--disable-namespace-restriction'),
    /contradicting options given for namespace restriction/,
  );
});

test('lease flags become shard-lease timing, checked like client-go leader election', () => {
  assert.deepEqual(effective().lease, {
    ttlMs: 15_000,
    renewEveryMs: 2000,
    safetyMarginMs: 5000,
    renewDeadlineMs: 10_000,
    name: 'cert-controller-manager',
    namespace: 'kube-system',
    omit: false,
  });
  assert.equal(effective('--omit-lease').lease.omit, true);
  assert.throws(() => effective('--lease-duration=10s'), {
    message: '--lease-duration must be greater than --lease-renew-deadline',
  });
  assert.throws(() => effective('--lease-retry-period=9s'), {
    message: '--lease-renew-deadline must be greater than 1.2 x --lease-retry-period',
  });
  const inPod = resolveEffectiveConfig(parseFlags([]), undefined, {
    env: {},
    hostname: 'h',
    serviceAccountNamespace: 'certs\n',
  });
  assert.equal(inPod.lease.namespace, 'certs');
});

test('NATS, actor system, pod name and log level', () => {
  const c = effective(
    '--nats-servers=nats://a:4222, nats://b:4222',
    '--nats-user=u',
    '--nats-password=p',
    '-D',
    'warning',
  );
  assert.deepEqual(c.nats, { servers: ['nats://a:4222', 'nats://b:4222'], name: 'host-1', user: 'u', pass: 'p' });
  assert.equal(c.logLevel, 'warn');
  assert.equal(c.podName, 'host-1');
  assert.equal(
    resolveEffectiveConfig(parseFlags([]), undefined, { env: { POD_NAME: 'ccm-0' }, hostname: 'h' }).podName,
    'ccm-0',
  );
  assert.equal(
    resolveEffectiveConfig(parseFlags(['--pod-name=p9']), undefined, { env: { POD_NAME: 'ccm-0' }, hostname: 'h' })
      .podName,
    'p9',
  );
  assert.throws(() => effective('--nats-token=t', '--nats-user=u'), {
    message: '--nats-token and --nats-user are alternatives: give one of them',
  });
  assert.throws(
    () => effective('--actor-system=cert.mgmt'),
    /--actor-system "cert\.mgmt" is invalid: use letters, digits, - and _/,
  );
  assert.throws(() => effective('--log-level=verbose'), {
    message: '--log-level "verbose" is invalid: use one of trace, debug, info, warning, error, fatal, panic',
  });
  assert.deepEqual(effective('--plugin-file=/p').notices, [
    '--plugin-file has no effect here: Go plugins cannot be loaded',
  ]);
});

test('the v0.27.0 flags with behaviour: private key defaults, target issuers, overdue window, client limits', () => {
  const c = effective(
    '--default-private-key-algorithm=ECDSA',
    '--issuer.default-ecdsa-private-key-size=384',
    '--renewal-overdue-window=48h',
    '--kubeconfig.qps=5',
    '--kubeconfig.burst=7',
    '--revocations.pool.size=3',
    '--acme-deactivate-authorizations',
  );
  assert.deepEqual(c.privateKeyDefaults, { algorithm: 'ECDSA', rsaSize: 2048, ecdsaSize: 384 });
  assert.equal(c.renewalOverdueWindowMs, 48 * 3_600_000);
  assert.deepEqual([c.clusters.default.qps, c.clusters.default.burst], [5, 7]);
  assert.equal(c.revocationConcurrency, 3);
  assert.equal(c.acmeDeactivateAuthorizations, true);
  assert.throws(
    () => effective('--default-private-key-algorithm=DSA'),
    /--default-private-key-algorithm "DSA" is invalid: use RSA or ECDSA/,
  );
  assert.throws(
    () => effective('--default-rsa-private-key-size=1024'),
    /--default-rsa-private-key-size 1024 is invalid: use 2048, 3072, 4096/,
  );
  assert.throws(
    () => effective('--allow-target-issuers'),
    /'--allow-target-issuers' is only supported if default cluster != target cluster/,
  );
  assert.equal(effective('--allow-target-issuers', '--kubeconfig=/k/a', '--target=/k/b').allowTargetIssuers, true);
  assert.equal(effective('--use-dnsrecords').dns.useDnsRecords, true);
  assert.deepEqual(effective('--use-dnsrecords').notices, []);
});
