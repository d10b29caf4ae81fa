// The two controllers of the side-by-side benchmark, started the way a user starts them: default flags plus only what
// reaches the local stack (kubeconfigs, NATS, the precheck nameserver, pod names), or the `tuned` flags for both.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from '../../env/managed-process.js';
import type { StackInfo } from '../../env/stack.js';
import { ControllerPod } from '../../support/controller-pod.js';

export type Variant = 'defaults' | 'tuned';

/** What `--variant tuned` adds to both: the seed's worker pool for certificates and no wait after the DNS check. */
export const TUNED_FLAGS = ['--issuer.default.pool.size', '50', '--issuer.precheck-additional-wait', '0s'];

export interface Contender {
  readonly name: 'gardener' | 'ours';
  /** One per process (pod), in the order of `pids`: argv as started. */
  readonly commandLines: readonly string[][];
  readonly pids: readonly number[];
  /**
   * Processes the controller needs besides its own (ours: the NATS servers), which must be quiet too before the
   * Certificates are applied: ours sets up its JetStream consumers after it reports running.
   */
  readonly supportPids: readonly number[];
  /** Why a process is gone, if one is. */
  exited(): string | undefined;
  /** Copies the processes' logs into `dir`. */
  saveLogs(dir: string): void;
  stop(): Promise<void>;
}

/** gardener's cert-controller-manager: one process (it runs one active replica behind its leader lease). */
export function startGardener(binary: string, info: StackInfo, variant: Variant): Contender {
  const c = info.clusters;
  const args = [
    '--kubeconfig',
    c.default.runtimeKubeconfig,
    '--source',
    c.source.runtimeKubeconfig,
    '--dns',
    c.dns.runtimeKubeconfig,
    '--target',
    c.target.runtimeKubeconfig,
    '--issuer.precheck-nameservers',
    info.dns.server,
    ...(variant === 'tuned' ? TUNED_FLAGS : []),
  ];
  const dir = join(info.dir, 'gardener');
  mkdirSync(dir, { recursive: true });
  // lego (gardener's ACME client) trusts extra CAs through this variable: pebble's listener is self-signed.
  const env = { LEGO_CA_CERTIFICATES: info.acme.listenerCaPath };
  const proc = new ManagedProcess({
    name: 'gardener cert-controller-manager',
    command: binary,
    args,
    env,
    logFile: join(dir, 'gardener.log'),
  });
  return {
    name: 'gardener',
    commandLines: [[`LEGO_CA_CERTIFICATES=${env.LEGO_CA_CERTIFICATES}`, binary, ...args]],
    pids: [proc.pid!],
    supportPids: [],
    exited: () =>
      proc.running ? undefined : `gardener exited${goPanicOf(proc.logFile)}; its log ends:\n${proc.tail(15)}`,
    saveLogs: (to) => copyFileSync(proc.logFile, join(to, 'gardener.log')),
    stop: () => proc.stop(),
  };
}

/** Our cert-controller-manager: `pods` processes of one actor system on the stack's NATS. */
export async function startOurs(
  info: StackInfo,
  natsPids: readonly number[],
  pods: number,
  variant: Variant,
  /** A diagnostic (e.g. debug for the order steps' timings), not a tuning flag: named in the JSON line when set. */
  logLevel?: string,
): Promise<Contender> {
  const args = [
    '--issuer.precheck-nameservers',
    info.dns.server,
    ...(variant === 'tuned' ? TUNED_FLAGS : []),
    ...(logLevel ? ['--log-level', logLevel] : []),
  ];
  const started = Array.from({ length: pods }, (_, i) => new ControllerPod(`ours-${i}`, info, args));
  try {
    await Promise.all(started.map((p) => p.ready()));
  } catch (err) {
    await Promise.all(started.map((p) => p.stop()));
    throw err;
  }
  const gone = new Set<string>();
  for (const p of started) void p.exited().then((code) => gone.add(`${p.name} exited with ${code}`));
  return {
    name: 'ours',
    commandLines: started.map((p) => [`NODE_EXTRA_CA_CERTS=${info.acme.listenerCaPath}`, ...p.child.spawnargs]),
    pids: started.map((p) => p.child.pid!),
    supportPids: natsPids,
    exited: () => (gone.size > 0 ? [...gone].join('; ') : undefined),
    saveLogs: (to) => {
      for (const p of started)
        writeFileSync(join(to, `${p.name}.log`), `${p.lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    },
    stop: async () => {
      await Promise.all(started.map((p) => p.stop()));
    },
  };
}

/** A Go panic's own lines (its message and the first frame), which the goroutine dump after it pushes out of a tail. */
function goPanicOf(logFile: string): string {
  let lines: string[];
  try {
    lines = readFileSync(logFile, 'utf8').split('\n');
  } catch {
    return '';
  }
  const at = lines.findIndex((l) => /^(panic: |fatal error: )/.test(l));
  return at < 0 ? '' : ` (${lines.slice(at, at + 6).join(' / ')})`;
}
