import { readFileSync } from 'node:fs';
import type { StackInfo } from '../env/stack.js';

/**
 * The shared local stack of this test run. `npm test` starts it once and passes its description in CERTMGMT_TEST_ENV;
 * to run one test file by hand, start `npm run env:up`, save its JSON line to a file and point CERTMGMT_TEST_ENV at it.
 */
export function sharedStack(): StackInfo {
  const path = process.env.CERTMGMT_TEST_ENV;
  if (!path) {
    throw new Error(
      'CERTMGMT_TEST_ENV is not set: run the tests with `npm test`, or start `npm run env:up > /tmp/stack.json` and export CERTMGMT_TEST_ENV=/tmp/stack.json',
    );
  }
  return JSON.parse(readFileSync(path, 'utf8')) as StackInfo;
}

/** Polls until `check` returns a value (not undefined/false) or the generous deadline passes; tests never sleep. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 60_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: last error: ${(lastError as Error).message}` : ''}`,
  );
}
