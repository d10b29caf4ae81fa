import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../env/paths.js';
import { ensureServerBinaries } from '../env/server-binaries.js';

/** The shell block under a README heading, exactly as written there. */
function readmeBlock(heading: string): string {
  const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
  const at = readme.indexOf(`## ${heading}\n`);
  assert.ok(at >= 0, `README has no section "${heading}"`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(block, `no sh block under "${heading}"`);
  return block[1]!;
}

// The README's "Running the controller against the local stack" block, run verbatim by bash in the repository: its
// own stack (env:up), one controller pod, the pebble issuer and the simple certificate, until kubectl shows it Ready.
// The only help it gets is a kubectl on PATH (the one the stack builds), as a user would have one.
test('the README block "Running the controller against the local stack" works as written', async () => {
  const script = readmeBlock('Running the controller against the local stack');
  const bin = mkdtempSync(join(tmpdir(), 'readme-bin-'));
  symlinkSync((await ensureServerBinaries()).kubectl, join(bin, 'kubectl'));
  // Its own process group: the block leaves the stack and the pod running in the background, as a user's shell would.
  const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: repoRoot(),
    detached: true,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, CERTMGMT_TEST_ENV: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  try {
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, out.slice(-4000));
    assert.match(out, /certificate\.cert\.gardener\.cloud\/cert-simple condition met/);
    assert.match(out, /\ncert-simple\s+cert1\.example\.com\s+issuer-local\s+Ready\s/);
  } finally {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    rmSync(bin, { recursive: true, force: true });
  }
});
