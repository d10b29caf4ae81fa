// The upstream CRDs the gateway sources read, for tests that install them into a source API server: Gateway API's
// Gateway and HTTPRoute (sigs.k8s.io/gateway-api, config/crd/standard) and Istio's Gateway and VirtualService
// (istio.io/api, kubernetes/customresourcedefinitions.gen.yaml, which holds all 14 Istio CRDs). Fetched once through
// the Go module proxy and cached next to the server binaries; nothing of them is committed.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { EnvError } from './env-error.js';
import { binaryCacheDir } from './paths.js';

const run = promisify(execFile);

export const GATEWAY_API_VERSION = 'v1.6.0';
export const ISTIO_API_VERSION = 'v1.29.5';

interface Source {
  module: string;
  version: string;
  /** Files in the module, each holding one or more CRDs. */
  files: string[];
  /** The CRDs to keep. */
  crds: string[];
}

const SOURCES = {
  'gateway-api': {
    module: 'sigs.k8s.io/gateway-api',
    version: GATEWAY_API_VERSION,
    files: [
      'config/crd/standard/gateway.networking.k8s.io_gateways.yaml',
      'config/crd/standard/gateway.networking.k8s.io_httproutes.yaml',
    ],
    crds: ['gateways.gateway.networking.k8s.io', 'httproutes.gateway.networking.k8s.io'],
  },
  istio: {
    module: 'istio.io/api',
    version: ISTIO_API_VERSION,
    files: ['kubernetes/customresourcedefinitions.gen.yaml'],
    crds: ['gateways.networking.istio.io', 'virtualservices.networking.istio.io'],
  },
} satisfies Record<string, Source>;

export type GatewayCrdSet = keyof typeof SOURCES;

/**
 * The directory with one YAML file per CRD of the set (what installCrds' loadCrds reads), fetched with
 * `go mod download` when it is not cached yet.
 */
export async function gatewayCrdsDir(set: GatewayCrdSet): Promise<string> {
  const src: Source = SOURCES[set];
  const cached = join(binaryCacheDir(), `${set}-${src.version}-crds`);
  if (existsSync(cached)) return cached;
  const dir = await moduleDir(src);
  mkdirSync(binaryCacheDir(), { recursive: true });
  const tmp = `${cached}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const found = new Set<string>();
  for (const file of src.files) {
    const path = join(dir, file);
    if (!existsSync(path)) throw new EnvError(`no ${file} in ${src.module}@${src.version}`, 'check the module version');
    // Split on document markers and keep each wanted CRD's own text, so the cache holds what upstream wrote.
    for (const doc of readFileSync(path, 'utf8').split(/^---\s*$/m)) {
      const parsed = yaml.load(doc) as { kind?: string; metadata?: { name?: string } } | undefined;
      const name = parsed?.metadata?.name;
      if (parsed?.kind !== 'CustomResourceDefinition' || !name || !src.crds.includes(name)) continue;
      writeFileSync(join(tmp, `${name}.yaml`), `${doc.trim()}\n`);
      found.add(name);
    }
  }
  const missing = src.crds.filter((c) => !found.has(c));
  if (missing.length > 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new EnvError(`${src.module}@${src.version} has no CRD ${missing.join(', ')}`, 'check the module version');
  }
  renameSync(tmp, cached);
  return cached;
}

async function moduleDir(src: Source): Promise<string> {
  const mod = `${src.module}@${src.version}`;
  try {
    const { stdout } = await run('go', ['mod', 'download', '-json', mod], {
      cwd: tmpdir(),
      env: { ...process.env, GOWORK: 'off' },
      maxBuffer: 16 << 20,
    });
    const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
    if (!info.Dir) throw new EnvError(`downloading ${mod} gave no module directory`, 'check GOPROXY', info.Error);
    return info.Dir;
  } catch (err) {
    if (err instanceof EnvError) throw err;
    const e = err as { code?: string; stdout?: string; stderr?: string; message: string };
    throw new EnvError(
      e.code === 'ENOENT' ? `the go command is missing (needed once to fetch ${mod})` : `downloading ${mod} failed`,
      'install Go and check that the Go module proxy is reachable (GOPROXY)',
      // `go mod download -json` reports a refused version as JSON on stdout, with nothing on stderr.
      (e.stderr?.trim() || e.stdout?.trim() || e.message).split('\n').slice(-15).join('\n'),
    );
  }
}
