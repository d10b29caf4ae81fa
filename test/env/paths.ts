import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file whether it runs from source or from dist/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`cannot find the repository root (no package.json above ${fileURLToPath(import.meta.url)})`);
    dir = parent;
  }
  return dir;
}

/**
 * Built server binaries live outside the repository so a fresh clone (and CI reruns on the same machine) reuse them.
 * CERTMGMT_CACHE_DIR overrides the location.
 */
export function binaryCacheDir(): string {
  return resolve(
    process.env.CERTMGMT_CACHE_DIR ??
      join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cert-management-actors'),
  );
}
