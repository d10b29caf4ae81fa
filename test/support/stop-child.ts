import type { ChildProcess } from 'node:child_process';

/** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone (at once if it already is). */
export async function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}
