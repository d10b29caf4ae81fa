import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy that can "pause" the network without closing anything: bytes stop flowing both ways (held back, as a
 * dead link would), sockets stay open, new connections hang. It makes the half-open partition a real socket sees.
 */
export class PausingProxy {
  private server!: Server;
  private paused = false;
  private readonly pairs = new Set<{ a: Socket; b: Socket; heldAB: Buffer[]; heldBA: Buffer[] }>();
  private readonly waiting: Array<() => void> = [];
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      const open = () => {
        const upstream = connect(this.targetPort, this.targetHost);
        const pair = { a: client, b: upstream, heldAB: [] as Buffer[], heldBA: [] as Buffer[] };
        this.pairs.add(pair);
        client.on('data', (d: Buffer) => (this.paused ? pair.heldAB.push(d) : upstream.write(d)));
        upstream.on('data', (d: Buffer) => (this.paused ? pair.heldBA.push(d) : client.write(d)));
        const close = () => {
          this.pairs.delete(pair);
          client.destroy();
          upstream.destroy();
        };
        client.on('close', close).on('error', close);
        upstream.on('close', close).on('error', close);
      };
      if (this.paused) this.waiting.push(open);
      else open();
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    return this;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  pause(): void {
    this.paused = true;
  }

  /** Heal: held bytes flow on (as TCP retransmission would deliver them) and waiting connections open. */
  resume(): void {
    this.paused = false;
    for (const p of this.pairs) {
      for (const d of p.heldAB.splice(0)) p.b.write(d);
      for (const d of p.heldBA.splice(0)) p.a.write(d);
    }
    for (const open of this.waiting.splice(0)) open();
  }

  async stop(): Promise<void> {
    for (const p of this.pairs) {
      p.a.destroy();
      p.b.destroy();
    }
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
