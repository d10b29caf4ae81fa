import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EnvError } from './env-error.js';
import { binaryCacheDir } from './paths.js';

const run = promisify(execFile);

/** Gardener's own cert-controller-manager, built for side-by-side benchmarks; the cache file name carries the version. */
export const GARDENER_VERSION = '0.27.0';

const MODULE = 'github.com/gardener/cert-management';
const ENV_VAR = 'TEST_ASSET_GARDENER_CONTROLLER';
/** The pinned pseudo-version is refused by the module proxy (403); this earlier one is served and compiles unchanged. */
const CML = 'github.com/gardener/controller-manager-library';
const CML_SERVED = 'v0.2.1-0.20260508123052-a693015425a8';
/** Refused by the proxy and only imported by hack/tools.go behind the `tools` build tag, so an empty module suffices. */
const HACK_TOOLS = 'github.com/gardener/gardener/hack/tools';

function cachedPath(): string {
  return join(binaryCacheDir(), `gardener-cert-controller-manager-v${GARDENER_VERSION}`);
}

/** Runs go, folding its error output's tail into an EnvError with a fix hint. */
async function go(args: string[], cwd: string, what: string): Promise<string> {
  try {
    const { stdout } = await run('go', args, {
      cwd,
      env: { ...process.env, CGO_ENABLED: '0', GOWORK: 'off' },
      maxBuffer: 64 << 20,
    });
    return stdout;
  } catch (err) {
    const e = err as { code?: string; stdout?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') {
      throw new EnvError(
        `gardener's cert-controller-manager is not built and the go command is missing`,
        `install Go (>= 1.26.2, what cert-management v${GARDENER_VERSION} declares), or set ${ENV_VAR} to a prebuilt binary`,
      );
    }
    throw new EnvError(
      `${what} failed (go ${args.join(' ')})`,
      `check that the Go module proxy is reachable (GOPROXY) and that Go is >= 1.26.2, or set ${ENV_VAR} to a prebuilt binary`,
      // `go mod download -json` reports a refused version as JSON on stdout, with nothing on stderr.
      (e.stderr?.trim() || e.stdout?.trim() || e.message).split('\n').slice(-25).join('\n'),
    );
  }
}

/** `go mod download -json mod@version` and return the extracted (read-only) module directory. */
async function download(modVersion: string, cwd: string): Promise<string> {
  const out = await go(['mod', 'download', '-json', modVersion], cwd, `downloading ${modVersion}`);
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new EnvError(`downloading ${modVersion} gave no module directory`, 'check GOPROXY', info.Error);
  return info.Dir;
}

/** The module cache is read-only; the copy must be writable so go can edit go.mod/go.sum (and so it can be removed). */
function makeWritable(path: string): void {
  chmodSync(path, statSync(path).mode | 0o200);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) makeWritable(p);
    else if (entry.isFile()) chmodSync(p, statSync(p).mode | 0o200);
  }
}

/**
 * Builds cmd/cert-controller-manager of cert-management v0.27.0 into the cache (atomically: a half-built binary is never
 * picked up). `go install mod@version` refuses modules with replace directives (go.mod replaces ./pkg/apis), so the module
 * is copied to a temp dir and built as the main module.
 */
async function buildGardenerController(log: (line: string) => void): Promise<string> {
  const out = cachedPath();
  mkdirSync(binaryCacheDir(), { recursive: true });
  const tmp = `${out}.building-${process.pid}`;
  const work = mkdtempSync(join(tmpdir(), 'gardener-cert-build-'));
  const src = join(work, 'cert-management');
  const started = Date.now();
  log(
    `building gardener cert-controller-manager v${GARDENER_VERSION} into ${out} (from a cold Go cache: about 5 minutes on 2 cores)`,
  );
  try {
    cpSync(await download(`${MODULE}@v${GARDENER_VERSION}`, work), src, { recursive: true });
    makeWritable(src);
    // pkg/apis is a nested module (its own tag pkg/apis/v*), so the main module's zip leaves it out.
    const apis = join(src, 'pkg', 'apis');
    cpSync(await download(`${MODULE}/pkg/apis@v${GARDENER_VERSION}`, work), apis, { recursive: true });
    makeWritable(apis);
    const stub = join(work, 'hack-tools-stub');
    mkdirSync(stub);
    writeFileSync(join(stub, 'go.mod'), `module ${HACK_TOOLS}\n`);
    await go(
      ['mod', 'edit', `-replace=${CML}=${CML}@${CML_SERVED}`, `-replace=${HACK_TOOLS}=${stub}`],
      src,
      'patching go.mod',
    );
    // -mod=mod: the replacements change go.sum, which go may then update. The ldflags are the release Makefile's
    // (main.version is what `cert-controller-manager version` prints).
    const ldflags = `-s -w -X main.version=v${GARDENER_VERSION}`;
    await go(
      ['build', '-mod=mod', '-trimpath', '-ldflags', ldflags, '-o', tmp, './cmd/cert-controller-manager'],
      src,
      `building gardener cert-controller-manager v${GARDENER_VERSION}`,
    );
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
    rmSync(work, { recursive: true, force: true });
  }
  log(`built gardener cert-controller-manager in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return out;
}

/** Path of gardener's cert-controller-manager: ${ENV_VAR} if set, else the cached build, building it when missing. */
export async function ensureGardenerController(log: (line: string) => void = () => {}): Promise<string> {
  const override = process.env[ENV_VAR];
  if (override) {
    if (!existsSync(override)) {
      throw new EnvError(
        `${ENV_VAR}=${override} but no file is there`,
        `point ${ENV_VAR} at a cert-controller-manager binary or unset it`,
      );
    }
    return override;
  }
  const cached = cachedPath();
  return existsSync(cached) ? cached : buildGardenerController(log);
}

/** gardener cert-management v0.27.0's module (read-only, in the Go module cache): its examples/ are test input. */
export async function gardenerModuleDir(): Promise<string> {
  return download(`${MODULE}@v${GARDENER_VERSION}`, tmpdir());
}
