import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EnvError } from './env-error.js';
import { buildPatched, type SourcePatch } from './patched-go-build.js';
import { binaryCacheDir, repoRoot } from './paths.js';
import { pebbleLockFix } from './pebble-lock-fix.js';

const run = promisify(execFile);

/** Versions the wrapper modules in test/env/go pin; the cache file names carry them so a bump rebuilds. */
export const KUBE_VERSION = '1.34.4';
export const ETCD_VERSION = '3.6.16';
export const NATS_SERVER_VERSION = '2.12.4';
export const PEBBLE_VERSION = '2.10.1';
/** gardener/external-dns-management, for the real dns lane (see dns-real.ts). */
export const DNS_CONTROLLER_MANAGER_VERSION = '0.48.0';

export interface ServerBinaries {
  kubeApiserver: string;
  etcd: string;
  natsServer: string;
  pebble: string;
  challtestsrv: string;
  /** For the README's commands; the machine's own kubectl is not needed. */
  kubectl: string;
}

interface GoBuild {
  /** A module of the proxy built with edits to its source (patched-go-build.ts); `pkg` is then unused. */
  patch?: SourcePatch;
  /** Wrapper module directory under test/env/go, or undefined for `go install pkg@version`. */
  module?: string;
  pkg: string;
  ldflags?: string;
}

interface ServerSpec {
  name: string;
  /** Environment variables that point straight at a binary (envtest's conventions first). */
  envVars: string[];
  /** Name of the binary inside KUBEBUILDER_ASSETS, when envtest ships it. */
  kubebuilderName?: string;
  cacheName: string;
  build: GoBuild;
}

const specs = {
  kubeApiserver: {
    name: 'kube-apiserver',
    envVars: ['TEST_ASSET_KUBE_APISERVER'],
    kubebuilderName: 'kube-apiserver',
    cacheName: `kube-apiserver-v${KUBE_VERSION}`,
    build: {
      module: 'kube-apiserver',
      pkg: 'k8s.io/kubernetes/cmd/kube-apiserver',
      // Without the stamp /version reports v0.0.0-master and clients warn.
      ldflags: `-s -w -X k8s.io/component-base/version.gitVersion=v${KUBE_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${KUBE_VERSION.split('.')[1]}`,
    },
  },
  kubectl: {
    name: 'kubectl',
    envVars: ['TEST_ASSET_KUBECTL'],
    kubebuilderName: 'kubectl',
    cacheName: `kubectl-v${KUBE_VERSION}`,
    build: {
      module: 'kube-apiserver',
      pkg: 'k8s.io/kubernetes/cmd/kubectl',
      ldflags: `-s -w -X k8s.io/component-base/version.gitVersion=v${KUBE_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${KUBE_VERSION.split('.')[1]}`,
    },
  },
  etcd: {
    name: 'etcd',
    envVars: ['TEST_ASSET_ETCD'],
    kubebuilderName: 'etcd',
    cacheName: `etcd-v${ETCD_VERSION}`,
    build: { module: 'etcd', pkg: 'go.etcd.io/etcd/server/v3', ldflags: '-s -w' },
  },
  natsServer: {
    name: 'nats-server',
    envVars: ['TEST_ASSET_NATS_SERVER'],
    cacheName: `nats-server-v${NATS_SERVER_VERSION}`,
    build: { pkg: `github.com/nats-io/nats-server/v2@v${NATS_SERVER_VERSION}`, ldflags: '-s -w' },
  },
  // pebble 2.10 (not Debian's 2.4): ARI, profiles, revocation and the dns-account-01 / dns-persist-01 challenges;
  // with the fix of its lock-order inversion (pebble-lock-fix.ts), which deadlocked it under concurrent new orders.
  pebble: {
    name: 'pebble',
    envVars: ['TEST_ASSET_PEBBLE'],
    cacheName: `pebble-v${PEBBLE_VERSION}-lockfix`,
    build: {
      pkg: `github.com/letsencrypt/pebble/v2/cmd/pebble@v${PEBBLE_VERSION}`,
      ldflags: '-s -w',
      patch: pebbleLockFix(PEBBLE_VERSION, './cmd/pebble'),
    },
  },
  challtestsrv: {
    name: 'pebble-challtestsrv',
    envVars: ['TEST_ASSET_PEBBLE_CHALLTESTSRV'],
    cacheName: `pebble-challtestsrv-v${PEBBLE_VERSION}`,
    build: { pkg: `github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv@v${PEBBLE_VERSION}`, ldflags: '-s -w' },
  },
  // gardener's dns-controller-manager (cmd/compound) with only the powerdns and rfc2136 providers: the wrapper's main
  // registers them; its go.mod replaces two pinned versions the module proxy refuses. Only the real dns lane uses it.
  dnsControllerManager: {
    name: 'dns-controller-manager',
    envVars: ['TEST_ASSET_DNS_CONTROLLER_MANAGER'],
    cacheName: `dns-controller-manager-v${DNS_CONTROLLER_MANAGER_VERSION}`,
    build: {
      module: 'dns-controller-manager',
      pkg: '.',
      ldflags: `-s -w -X main.Version=v${DNS_CONTROLLER_MANAGER_VERSION}`,
    },
  },
} satisfies Record<string, ServerSpec>;

function cachedPath(spec: ServerSpec): string {
  return join(binaryCacheDir(), spec.cacheName);
}

/** A binary that is already there: an env override, envtest's assets, or our cache. Undefined when it must be built. */
export function findPrebuilt(spec: ServerSpec): string | undefined {
  for (const v of spec.envVars) {
    const p = process.env[v];
    if (p) {
      if (!existsSync(p))
        throw new EnvError(`${v}=${p} but no file is there`, `point ${v} at a ${spec.name} binary or unset it`);
      return p;
    }
  }
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets && spec.kubebuilderName) {
    const p = join(assets, spec.kubebuilderName);
    if (existsSync(p)) return p;
  }
  const cached = cachedPath(spec);
  return existsSync(cached) ? cached : undefined;
}

async function goAvailable(): Promise<boolean> {
  try {
    await run('go', ['version']);
    return true;
  } catch {
    return false;
  }
}

/** Builds a server from the Go module proxy into the cache (atomically: a half-built binary is never picked up). */
async function buildServer(spec: ServerSpec, log: (line: string) => void): Promise<string> {
  if (!(await goAvailable())) {
    throw new EnvError(
      `${spec.name} is not built and the go command is missing`,
      `install Go (>= 1.24), or set ${spec.envVars[0]} / KUBEBUILDER_ASSETS to prebuilt binaries`,
    );
  }
  const dir = binaryCacheDir();
  mkdirSync(dir, { recursive: true });
  const out = cachedPath(spec);
  const tmp = `${out}.building-${process.pid}`;
  const started = Date.now();
  log(
    `building ${spec.name} into ${out} (from a cold Go cache: about 4 minutes for kube-apiserver, 1.5 minutes for dns-controller-manager, under a minute for the others, on 2 cores)`,
  );
  try {
    if (spec.build.patch) {
      await buildPatched(spec.build.patch, tmp, `${tmp}.src`, spec.build.ldflags);
    } else if (spec.build.module) {
      const args = ['build', '-o', tmp, '-trimpath'];
      if (spec.build.ldflags) args.push('-ldflags', spec.build.ldflags);
      args.push(spec.build.pkg);
      await run('go', args, { cwd: join(repoRoot(), 'test', 'env', 'go', spec.build.module), maxBuffer: 64 << 20 });
    } else {
      const gobin = `${tmp}.d`;
      const args = ['install', '-trimpath'];
      if (spec.build.ldflags) args.push('-ldflags', spec.build.ldflags);
      args.push(spec.build.pkg);
      await run('go', args, { env: { ...process.env, GOBIN: gobin }, maxBuffer: 64 << 20 });
      renameSync(join(gobin, spec.name), tmp);
      rmSync(gobin, { recursive: true, force: true });
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    const e = err as { stderr?: string; message: string };
    throw new EnvError(
      `building ${spec.name} failed`,
      'check that the Go module proxy is reachable (GOPROXY) and that Go is >= 1.24',
      (e.stderr ?? e.message).trim().split('\n').slice(-25).join('\n'),
    );
  }
  renameSync(tmp, out);
  log(`built ${spec.name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return out;
}

async function ensure(spec: ServerSpec, log: (line: string) => void): Promise<string> {
  return findPrebuilt(spec) ?? buildServer(spec, log);
}

/**
 * Finds every server the stack needs, building the Go ones when they are missing. Builds run one at a time:
 * two concurrent Go builds on a 2-core machine are slower than two sequential ones.
 */
export async function ensureServerBinaries(log: (line: string) => void = () => {}): Promise<ServerBinaries> {
  const natsServer = await ensure(specs.natsServer, log);
  const pebble = await ensure(specs.pebble, log);
  const challtestsrv = await ensure(specs.challtestsrv, log);
  const etcd = await ensure(specs.etcd, log);
  const kubeApiserver = await ensure(specs.kubeApiserver, log);
  const kubectl = await ensure(specs.kubectl, log);
  return { kubeApiserver, etcd, natsServer, pebble, challtestsrv, kubectl };
}

/** gardener's dns-controller-manager for the real dns lane (built on first use, like the other servers). */
export async function ensureDnsControllerManager(log: (line: string) => void = () => {}): Promise<string> {
  return ensure(specs.dnsControllerManager, log);
}

/** Only the NATS server, for tests that need nothing else. */
export async function ensureNatsServer(log: (line: string) => void = () => {}): Promise<string> {
  return ensure(specs.natsServer, log);
}
