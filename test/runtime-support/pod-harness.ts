import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { stopChild } from '../support/stop-child.js';

const podScript = fileURLToPath(new URL('./runtime-pod.js', import.meta.url));

export interface LogLine {
  time: number;
  pod: string;
  msg: string;
  [k: string]: unknown;
}

/** A runtime pod as a child process; its JSON log lines are collected for invariant checks. */
export class PodProcess {
  readonly lines: LogLine[] = [];
  readonly stdout: string[] = [];
  readonly child: ChildProcess;
  private readonly readyPromise: Promise<void>;
  private readonly exitPromise: Promise<number | null>;

  constructor(
    readonly name: string,
    env: Record<string, string>,
    execArgv: string[] = [],
  ) {
    this.child = spawn(process.execPath, [...execArgv, podScript], {
      env: { ...process.env, POD_NAME: name, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stderr! }).on('line', (l) => {
      try {
        this.lines.push(JSON.parse(l) as LogLine);
      } catch {
        this.lines.push({ time: Date.now(), pod: name, msg: l });
      }
    });
    this.readyPromise = new Promise((resolve, reject) => {
      createInterface({ input: this.child.stdout! }).on('line', (l) => {
        this.stdout.push(l);
        if (l.startsWith('ready ')) resolve();
      });
      this.child.once(
        'exit',
        (code) =>
          this.stdout.some((l) => l.startsWith('ready ')) ||
          reject(
            new Error(
              `pod ${name} exited with ${code} before ready: ${this.lines
                .slice(-5)
                .map((x) => x.msg)
                .join(' | ')}`,
            ),
          ),
      );
    });
    this.exitPromise = new Promise((r) => this.child.once('exit', (code) => r(code)));
  }

  ready(): Promise<void> {
    return this.readyPromise;
  }

  exited(): Promise<number | null> {
    return this.exitPromise;
  }

  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  stop(): Promise<void> {
    return stopChild(this.child, this.exitPromise);
  }

  events(msg: string): LogLine[] {
    return this.lines.filter((l) => l.msg === msg);
  }
}
