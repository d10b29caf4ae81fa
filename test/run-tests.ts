// `npm test`: builds or finds the servers, starts the shared local stack once, runs every test file under node's
// test runner with the stack's description in CERTMGMT_TEST_ENV, and tears the stack down. Exit code = the runner's.
import { spawn } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack } from './env/stack.js';

const distTest = fileURLToPath(new URL('.', import.meta.url));

function testFiles(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(testFiles(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

// Optional filter: `npm test -- unit` or `npm test -- integration/crds` runs the files whose path contains it.
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = testFiles(distTest).filter(
  (f) => filters.length === 0 || filters.some((x) => relative(distTest, f).includes(x)),
);
const needsStack = files.some((f) => !relative(distTest, f).startsWith('unit'));

const t0 = Date.now();
const stack = needsStack
  ? await startStack({
      natsNodes: 3,
      eabPebble: true,
      shortLivedPebbleSeconds: 40,
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
