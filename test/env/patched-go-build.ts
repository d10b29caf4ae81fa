// Builds a Go program from a module of the Go module proxy with a few edits to its source, for a test server whose
// release has a bug the tests run into (pebble-lock-fix.ts). The module is downloaded as is, copied out of the module
// cache into a scratch directory next to the binary cache, edited there (every edit must find its text exactly, or
// the build fails: a new release then needs a look), and built; nothing of it enters the repository.
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SourceEdit {
  /** Path inside the module. */
  file: string;
  /** Text that must occur exactly once. */
  find: string;
  replace: string;
}

export interface SourcePatch {
  module: string;
  version: string;
  /** The package to build, relative to the module root (e.g. ./cmd/pebble). */
  pkgDir: string;
  edits: readonly SourceEdit[];
}

/** Applies the edits to source text; throws naming the edit that does not fit. */
export function applyEdits(file: string, text: string, edits: readonly SourceEdit[]): string {
  let out = text;
  for (const e of edits.filter((x) => x.file === file)) {
    const at = out.indexOf(e.find);
    if (at < 0 || out.indexOf(e.find, at + 1) >= 0)
      throw new Error(`${file}: the text to replace is not there exactly once (a new release? look at the edit)`);
    out = out.slice(0, at) + e.replace + out.slice(at + e.find.length);
  }
  return out;
}

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) makeWritable(p);
    else chmodSync(p, 0o644);
  }
}

/** Downloads, edits and builds `patch` into `out`, using `scratch` for the edited source (removed afterwards). */
export async function buildPatched(patch: SourcePatch, out: string, scratch: string, ldflags?: string): Promise<void> {
  const { stdout } = await run('go', ['mod', 'download', '-json', `${patch.module}@${patch.version}`], {
    cwd: dirname(scratch),
    maxBuffer: 16 << 20,
  });
  const moduleDir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!moduleDir) throw new Error(`go mod download named no directory for ${patch.module}@${patch.version}`);
  rmSync(scratch, { recursive: true, force: true });
  cpSync(moduleDir, scratch, { recursive: true });
  try {
    makeWritable(scratch);
    for (const file of new Set(patch.edits.map((e) => e.file))) {
      const path = join(scratch, file);
      writeFileSync(path, applyEdits(file, readFileSync(path, 'utf8'), patch.edits));
    }
    const args = ['build', '-o', out, '-trimpath'];
    if (ldflags) args.push('-ldflags', ldflags);
    args.push(patch.pkgDir);
    await run('go', args, { cwd: scratch, maxBuffer: 64 << 20, env: { ...process.env, GOFLAGS: '-mod=mod' } });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
