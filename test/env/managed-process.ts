import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, type WriteStream } from 'node:fs';
import { EnvError } from './env-error.js';

export interface ManagedProcessOptions {
  /** Short name for messages, e.g. "etcd" or "kube-apiserver(source)". */
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const hasSetpriv = existsSync('/usr/bin/setpriv');

/**
 * A server process started by the test environment. It is started through `setpriv --pdeathsig SIGKILL`, so the
 * kernel kills it when the process that started it dies, even by SIGKILL: no server outlives its test run.
 */
export class ManagedProcess {
  readonly name: string;
  readonly logFile: string;
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exitPromise: Promise<void>;

  constructor(opts: ManagedProcessOptions) {
    this.name = opts.name;
    this.logFile = opts.logFile;
    this.log = createWriteStream(opts.logFile, { flags: 'a' });
    this.log.on('error', () => {
      // A log write failing (disk full, stream ended) must never take the test run down.
    });
    const [cmd, args] = hasSetpriv
      ? ['/usr/bin/setpriv', ['--pdeathsig', 'SIGKILL', '--', opts.command, ...opts.args]]
      : [opts.command, opts.args];
    this.child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.pipe(this.log, { end: false });
    this.child.stderr?.pipe(this.log, { end: false });
    this.exitPromise = new Promise((res) => {
      // 'close', not 'exit': only then has the last output reached the log, which stop() is about to end.
      this.child.once('close', (code, signal) => {
        this.exited = { code, signal };
        res();
      });
      this.child.once('error', (err) => {
        this.log.write(`\nspawn error: ${err.message}\n`);
        this.exited = { code: -1, signal: null };
        res();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exited === undefined;
  }

  /** The last lines of the log file, for error messages. */
  tail(lines = 25): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log written)';
    }
  }

  /**
   * Polls `ready` until it returns true; fails with the log tail if the process exits or the deadline passes.
   * Servers here have no stable "ready" line, so readiness is probed from outside (a port, an HTTP endpoint).
   */
  async waitUntil(ready: () => Promise<boolean>, what: string, timeoutMs: number, fix: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = '';
    while (Date.now() < deadline) {
      if (!this.running) {
        const err = new EnvError(
          `${this.name} exited (code ${this.exited?.code}, signal ${this.exited?.signal}) before ${what}`,
          fix,
          this.tail(),
        );
        await this.stop();
        throw err;
      }
      try {
        if (await ready()) return;
      } catch (err) {
        lastError = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const err = new EnvError(
      `${this.name} did not become ready (${what}) within ${timeoutMs} ms${lastError ? `; last probe error: ${lastError}` : ''}`,
      fix,
      this.tail(),
    );
    // The caller never gets a handle on a server that failed to start, so it cannot stop it: do it here.
    await this.stop();
    throw err;
  }

  /** SIGTERM, then SIGKILL after a grace period. Resolves when the process is gone. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exitPromise;
      clearTimeout(timer);
    }
    await new Promise<void>((res) => this.log.end(() => res()));
  }
}
