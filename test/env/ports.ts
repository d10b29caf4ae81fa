import { createServer } from 'node:net';
import { EnvError } from './env-error.js';

/** Asks the kernel for a free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Fails fast, naming the port and its user, when a fixed port is already taken. */
export async function assertPortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((ok, fail) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        fail(
          new EnvError(
            `port 127.0.0.1:${port} for ${what} is already in use`,
            `stop whatever listens there (\`ss -ltnp 'sport = :${port}'\` shows it) or choose other ports (leave ports unset to get free ones)`,
          ),
        );
      } else fail(err);
    });
    srv.listen(port, '127.0.0.1', () => srv.close(() => ok()));
  });
}

/** Hands out free ports, never the same one twice within one stack (the kernel may reuse a just-closed port). */
export class PortAllocator {
  private readonly taken = new Set<number>();
  async next(): Promise<number> {
    for (;;) {
      const p = await freePort();
      if (!this.taken.has(p)) {
        this.taken.add(p);
        return p;
      }
    }
  }
}
