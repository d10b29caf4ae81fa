// The pod's HTTP endpoints (--server-port-http, --bind-address-http): /healthz (the process and its NATS connection
// are alive), /readyz (also: the actor system runs and is not handing over), /metrics (Prometheus text format).
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface HealthSource {
  natsConnected(): boolean;
  /** Started, not draining or stopped. */
  serving(): boolean;
}

export async function startHttpServer(
  bindAddress: string,
  port: number,
  registry: Registry,
  health: HealthSource,
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    if (path === '/healthz') return health.natsConnected() ? send(200, 'ok\n') : send(503, 'NATS connection lost\n');
    if (path === '/readyz') {
      if (!health.natsConnected()) return send(503, 'NATS connection lost\n');
      return health.serving() ? send(200, 'ok\n') : send(503, 'actor system not serving (starting or handing over)\n');
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => send(200, text, registry.contentType),
        (err: Error) => send(500, `metrics failed: ${err.message}\n`),
      );
      return;
    }
    send(404, 'not found: try /healthz, /readyz, /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bindAddress || undefined, () => resolve());
  });
  return server;
}
