// When a prerequisite of the test stack is missing, `npm test` must fail fast with a message that names the problem
// and the fix (and, for a server that died, shows its own log), not hang or print a bare stack trace.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EnvError } from '../env/env-error.js';
import { startEtcd } from '../env/etcd.js';
import { assertPortFree, freePort } from '../env/ports.js';
import { ensureServerBinaries } from '../env/server-binaries.js';

/** Runs `fn` with environment variables set, restoring them afterwards (tests in a file run one at a time). */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function isEnvErrorMatching(...patterns: RegExp[]) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof EnvError, `expected an EnvError, got ${String(err)}`);
    assert.match(err.message, /\n {2}fix: /, 'the message must say how to fix it');
    for (const p of patterns) assert.match(err.message, p);
    return true;
  };
}

test('a taken port is reported with its number and how to find its user', async () => {
  const holder = createServer();
  await new Promise<void>((ok) => holder.listen(0, '127.0.0.1', ok));
  const port = (holder.address() as AddressInfo).port;
  try {
    await assert.rejects(
      assertPortFree(port, 'etcd clients'),
      isEnvErrorMatching(
        new RegExp(`port 127\\.0\\.0\\.1:${port} for etcd clients is already in use`),
        new RegExp(`ss -ltnp 'sport = :${port}'`),
      ),
    );
  } finally {
    await new Promise<void>((ok) => holder.close(() => ok()));
  }
  await assertPortFree(port, 'etcd clients'); // and once released the same check passes
});

test('TEST_ASSET_ETCD pointing at a missing file is named, with the fix', async () => {
  await withEnv({ TEST_ASSET_ETCD: '/nonexistent/etcd' }, () =>
    assert.rejects(
      ensureServerBinaries(),
      isEnvErrorMatching(
        /TEST_ASSET_ETCD=\/nonexistent\/etcd but no file is there/,
        /point TEST_ASSET_ETCD at a etcd binary or unset it/,
      ),
    ),
  );
});

test('TEST_ASSET_PEBBLE pointing at a missing file is named, with the fix', async () => {
  await withEnv({ TEST_ASSET_PEBBLE: '/nonexistent/pebble' }, () =>
    assert.rejects(
      ensureServerBinaries(),
      isEnvErrorMatching(
        /TEST_ASSET_PEBBLE=\/nonexistent\/pebble but no file is there/,
        /point TEST_ASSET_PEBBLE at a pebble binary or unset it/,
      ),
    ),
  );
});

test('a server that dies at start-up fails at once with the last lines of its own log', async () => {
  const { etcd } = await ensureServerBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'env-failure-'));
  try {
    mkdirSync(join(dir, 'etcd'));
    // etcd's --data-dir is <dir>/data: a regular file there makes etcd exit with a fatal log line.
    writeFileSync(join(dir, 'etcd', 'data'), 'not a directory');
    await assert.rejects(
      startEtcd(etcd, join(dir, 'etcd'), await freePort(), await freePort()),
      isEnvErrorMatching(
        /etcd exited \(code \d+/,
        /before \/health answers/,
        /last lines of the server's log:/,
        /\| .*not a directory/,
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
