// What /proc says about a process: resident memory and CPU time, for the side-by-side benchmark.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** VmRSS (now) and VmHWM (the kernel's high-water mark since start) in bytes; undefined once the process is gone. */
export function memory(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds used so far (0 once the process is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** CPU seconds the whole machine spent busy so far (all cores; /proc/stat minus idle and iowait). */
export function machineBusySeconds(): number {
  const fields = (/^cpu\s+(.*)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1] ?? '').split(/\s+/).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) / TICKS;
}

/** Every process on the machine now, by pid: command name, parent, and user + system CPU seconds so far. */
export type ProcessCpu = Map<number, { comm: string; ppid: number; cpu: number }>;

export function cpuByProcess(): ProcessCpu {
  const out: ProcessCpu = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(d), {
        comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        ppid: Number(fields[1]),
        cpu: (Number(fields[11]) + Number(fields[12])) / TICKS,
      });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU seconds used so far by a process and all its live descendants. */
export function treeCpuSeconds(root: number): number {
  const procs = cpuByProcess();
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; hops++) {
      if (p === root) return true;
      p = procs.get(p)?.ppid;
    }
    return false;
  };
  let total = 0;
  for (const [pid, { cpu }] of procs) if (inTree(pid)) total += cpu;
  return total;
}

/**
 * CPU used by everything on the machine outside this process tree (other work sharing the cores), from `start()` to
 * `seconds()`: a run that competed with other work says so instead of just being slow.
 */
export class ForeignCpu {
  private machine0 = 0;
  private tree0 = 0;

  start(): this {
    this.machine0 = machineBusySeconds();
    this.tree0 = treeCpuSeconds(process.pid);
    return this;
  }

  seconds(): number {
    return Math.max(0, machineBusySeconds() - this.machine0 - (treeCpuSeconds(process.pid) - this.tree0));
  }
}

/**
 * Waits (at most `maxMs`) until other work on the machine uses less than `cores` of CPU over a 5 s window, so a
 * measured phase does not start in the middle of someone else's test run. Returns whether the machine went quiet.
 */
export async function waitForQuietMachine(maxMs: number, log: (line: string) => void, cores = 0.25): Promise<boolean> {
  const t0 = performance.now();
  let lastLog = Number.NEGATIVE_INFINITY;
  for (;;) {
    const foreign = new ForeignCpu().start();
    await sleep(5000);
    const busy = foreign.seconds() / 5;
    if (busy < cores) return true;
    const waited = performance.now() - t0;
    if (waited >= maxMs) {
      log(`other work still uses ${busy.toFixed(2)} cores after ${(waited / 1000).toFixed(0)} s of waiting; going on`);
      return false;
    }
    if (waited - lastLog >= 30_000) {
      log(`other work on the machine uses ${busy.toFixed(2)} cores; waiting for it (at most ${maxMs / 1000} s)`);
      lastLog = waited;
    }
  }
}

/** VmRSS of some processes every `periodMs`: the peak each reached while sampled, and the latest reading. */
export class RssSampler {
  readonly peak = new Map<number, number>();
  readonly latest = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: readonly number[],
    periodMs = 200,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), periodMs);
  }

  /** The highest of the sampled peak and the kernel's VmHWM: a sample can miss a short spike, VmHWM cannot. */
  peakOf(pid: number): number {
    return Math.max(this.peak.get(pid) ?? 0, memory(pid)?.hwm ?? 0);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    for (const pid of this.pids) {
      const m = memory(pid);
      if (!m) continue;
      this.latest.set(pid, m.rss);
      this.peak.set(pid, Math.max(this.peak.get(pid) ?? 0, m.rss));
    }
  }
}

/**
 * Waits until the processes are quiet: at least `minMs`, then until their CPU over the last `windowMs` stays below
 * `cpuShare` of one core per process, at most `maxMs`. Returns how long it waited, and whether they went quiet.
 */
export async function settle(
  pids: readonly number[],
  opts: { minMs?: number; maxMs?: number; windowMs?: number; cpuShare?: number } = {},
): Promise<{ ms: number; quiet: boolean }> {
  const { minMs = 5000, maxMs = 60_000, windowMs = 2000, cpuShare = 0.05 } = opts;
  const t0 = performance.now();
  const total = () => pids.reduce((s, p) => s + cpuSeconds(p), 0);
  await sleep(Math.max(0, minMs - windowMs));
  for (;;) {
    const before = total();
    await sleep(windowMs);
    const share = (total() - before) / (windowMs / 1000) / pids.length;
    const ms = performance.now() - t0;
    if (share < cpuShare) return { ms, quiet: true };
    if (ms >= maxMs) return { ms, quiet: false };
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * CPU seconds each kind of server used between two snapshots, summed by command name (kube-apiserver, etcd,
 * nats-server, pebble, ...): where the machine's time went besides the controller.
 */
export function cpuSpentByCommand(before: ProcessCpu, after: ProcessCpu): Record<string, number> {
  const spent: Record<string, number> = {};
  for (const [pid, a] of after) {
    const d = a.cpu - (before.get(pid)?.cpu ?? 0);
    if (d >= 0.05) spent[a.comm] = Math.round(((spent[a.comm] ?? 0) + d) * 10) / 10;
  }
  return spent;
}
