// `npm test`: builds or finds the servers, starts the shared local stack once, runs every test file under node's
// test runner with the stack's description in CERTMGMT_TEST_ENV, and tears the stack down. Exit code = the runner's.
//
// `npm run test:dns-real` (`--dns-lane=real`): the same against the real dns lane (gardener's dns-controller-manager
// publishing into PowerDNS, see test/env/dns-real.ts), running REAL_DNS_LANE_FILES, or the files matching the given
// filters. Files in REAL_DNS_LANE_ONLY run only there: the default lane leaves them out (and refuses a filter that
// selects nothing else), so no test ever passes by skipping itself.
import { spawn } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack } from './env/stack.js';

const distTest = fileURLToPath(new URL('.', import.meta.url));

/** Test files (relative to test/, compiled names) that need the real dns lane. */
const REAL_DNS_LANE_ONLY = ['integration/dns-real-lane.test.js'];
/** What `npm run test:dns-real` runs without filters. */
const REAL_DNS_LANE_FILES = [
  'integration/dns-real-lane.test.js',
  'integration/acme-dns01.test.js',
  'e2e/certificate-lifecycle.test.js',
  'e2e/certificate-examples.test.js',
  // Failover mid-order and an API server restart, with the real controller's finalizers and busy names.
  'e2e/certificate-failover.test.js',
  // dns-persist-01's _validation-persist names are ones the real controller publishes.
  'e2e/certificate-dns-persist.test.js',
];

function testFiles(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(testFiles(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const dnsLane =
  process.argv.includes('--dns-lane=real') || process.env.CERTMGMT_DNS_LANE === 'real' ? 'real' : 'standin';
// Optional filter: `npm test -- unit` or `npm test -- integration/crds` runs the files whose path contains it.
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const rel = (f: string) => relative(distTest, f);
const matching = testFiles(distTest).filter((f) => filters.length === 0 || filters.some((x) => rel(f).includes(x)));
const files =
  dnsLane === 'real'
    ? filters.length === 0
      ? REAL_DNS_LANE_FILES.map((f) => join(distTest, f))
      : matching
    : matching.filter((f) => !REAL_DNS_LANE_ONLY.includes(rel(f)));
if (files.length === 0) {
  const realOnly = matching.filter((f) => REAL_DNS_LANE_ONLY.includes(rel(f)));
  console.error(
    realOnly.length > 0
      ? `${realOnly.map(rel).join(', ')} run only in the real dns lane: npm run test:dns-real -- ${filters.join(' ')}`
      : `no test file matches ${filters.join(' ')}`,
  );
  process.exit(1);
}
const needsStack = files.some((f) => !rel(f).startsWith('unit'));
if (dnsLane === 'real') console.error(`[env] real dns lane: ${files.map(rel).join(' ')}`);

const t0 = Date.now();
const stack = needsStack
  ? await startStack({
      natsNodes: 3,
      eabPebble: true,
      shortLivedPebbleSeconds: 40,
      extraPebbles: {
        // A CA that does not look at DNS, for issuers with skipDNSChallengeValidation.
        'no-validation': { env: { PEBBLE_VA_ALWAYS_VALID: '1' } },
        // A CA that reuses valid authorizations, as Let's Encrypt does (for 30 days).
        'authz-reuse': { env: { PEBBLE_AUTHZREUSE: '100' } },
        // Two profiles, as Let's Encrypt offers them: classic (90 days) and shortlived (6 days, no commonName).
        profiles: {
          profiles: {
            default: { description: 'the classic profile', validityPeriod: 90 * 86_400, promoteCommonName: true },
            shortlived: { description: 'six days, no commonName', validityPeriod: 6 * 86_400 },
          },
        },
      },
      dnsLane,
      log: (l) => console.error(`[env] ${l}`),
    })
  : undefined;
const env: NodeJS.ProcessEnv = { ...process.env };
if (stack) {
  const infoPath = join(stack.info.dir, 'stack.json');
  writeFileSync(infoPath, JSON.stringify(stack.info));
  env.CERTMGMT_TEST_ENV = infoPath;
  // Test processes and the runtime pods they start trust pebble's HTTPS listener like any other CA.
  env.NODE_EXTRA_CA_CERTS = stack.info.acme.listenerCaPath;
  console.error(`[env] stack ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${stack.info.dir}`);
}

const child = spawn(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
  env,
});
const stopAndExit = async (code: number) => {
  await stack?.stop();
  process.exit(code);
};
process.once('SIGINT', () => child.kill('SIGINT'));
process.once('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => void stopAndExit(code ?? (signal ? 1 : 0)));
