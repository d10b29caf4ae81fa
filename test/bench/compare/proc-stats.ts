// What /proc says about a process: resident memory and CPU time, for the side-by-side benchmark.
import { readFileSync } from 'node:fs';

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
