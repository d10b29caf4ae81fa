import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { httpCall } from './http-probe.js';
import { ManagedProcess } from './managed-process.js';
import { assertPortFree } from './ports.js';

export interface EtcdServer {
  url: string;
  process: ManagedProcess;
}

/** One etcd member with fsync off: durability is not what tests need, speed is. */
export async function startEtcd(
  binary: string,
  dir: string,
  clientPort: number,
  peerPort: number,
): Promise<EtcdServer> {
  await assertPortFree(clientPort, 'etcd clients');
  await assertPortFree(peerPort, 'etcd peers');
  mkdirSync(dir, { recursive: true });
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc = new ManagedProcess({
    name: 'etcd',
    command: binary,
    args: [
      '--name',
      'default',
      '--data-dir',
      join(dir, 'data'),
      '--listen-client-urls',
      url,
      '--advertise-client-urls',
      url,
      '--listen-peer-urls',
      peer,
      '--initial-advertise-peer-urls',
      peer,
      '--initial-cluster',
      `default=${peer}`,
      '--unsafe-no-fsync',
      '--log-level',
      'warn',
    ],
    logFile: join(dir, 'etcd.log'),
  });
  await proc.waitUntil(
    async () => {
      const res = await httpCall(`${url}/health`, { timeoutMs: 1000 });
      return res.status === 200 && res.body.includes('"health":"true"');
    },
    '/health answers',
    30_000,
    'look at the log below; a stale data dir or a taken port are the usual causes',
  );
  return { url, process: proc };
}
