import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TEST_NATS_USERS } from '../env/nats-users.js';
import type { StackInfo } from '../env/stack.js';
import { stopChild } from './stop-child.js';

const bin = fileURLToPath(new URL('../../bin/cert-controller-manager.js', import.meta.url));

/** A `cert-controller-manager` process against the test stack, with its JSON log lines collected. */
export class ControllerPod {
  readonly lines: Array<Record<string, unknown> & { msg: string }> = [];
  readonly child: ChildProcess;
  private readonly readyPromise: Promise<void>;
  private readonly exitPromise: Promise<number | null>;

  constructor(
    readonly name: string,
    stack: StackInfo,
    extraArgs: string[],
  ) {
    const c = stack.clusters;
    // CERTMGMT_POD_NODE_ARGS adds node flags to every pod (e.g. --cpu-prof for a profile).
    const nodeArgs = (process.env.CERTMGMT_POD_NODE_ARGS ?? '').split(' ').filter(Boolean);
    this.child = spawn(
      process.execPath,
      [
        ...nodeArgs,
        bin,
        '--kubeconfig',
        c.default.runtimeKubeconfig,
        '--source',
        c.source.runtimeKubeconfig,
        '--dns',
        c.dns.runtimeKubeconfig,
        '--target',
        c.target.runtimeKubeconfig,
        '--nats-servers',
        stack.nats.urls.join(','),
        '--nats-user',
        TEST_NATS_USERS.runtime.user,
        '--nats-password',
        TEST_NATS_USERS.runtime.pass,
        '--pod-name',
        name,
        ...extraArgs,
      ],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: stack.acme.listenerCaPath }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    createInterface({ input: this.child.stdout! }).on('line', (l) => this.lines.push({ msg: l }));
    this.readyPromise = new Promise((resolve, reject) => {
      createInterface({ input: this.child.stderr! }).on('line', (l) => {
        let line: Record<string, unknown> & { msg: string };
        try {
          line = JSON.parse(l) as typeof line;
        } catch {
          line = { msg: l };
        }
        this.lines.push(line);
        if (line.msg === 'cert-controller-manager running') resolve();
      });
      this.child.once('exit', (code) =>
        reject(
          new Error(
            `${name} exited with ${code}: ${this.lines
              .slice(-5)
              .map((x) => x.msg)
              .join(' | ')}`,
          ),
        ),
      );
    });
    this.readyPromise.catch(() => {});
    this.exitPromise = new Promise((r) => this.child.once('exit', (code) => r(code)));
  }

  ready(): Promise<void> {
    return this.readyPromise;
  }

  exited(): Promise<number | null> {
    return this.exitPromise;
  }

  stop(): Promise<void> {
    return stopChild(this.child, this.exitPromise);
  }
}
