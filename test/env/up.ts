// `npm run env:up`: starts the local stack, prints one JSON object describing it, and runs until interrupted.
import { startStack } from './stack.js';

const natsNodes = process.argv.includes('--nats-nodes=1') ? 1 : 3;
// `npm run env:up -- --dns-lane=real`: gardener's dns-controller-manager and PowerDNS instead of the stand-in.
const dnsLane = process.argv.includes('--dns-lane=real') ? 'real' : 'standin';
try {
  const stack = await startStack({
    natsNodes,
    eabPebble: true,
    shortLivedPebbleSeconds: 40,
    dnsLane,
    log: (l) => console.error(`[env] ${l}`),
  });
  console.log(JSON.stringify(stack.info));
  const shutdown = async (sig: string) => {
    console.error(`[env] ${sig}: stopping`);
    await stack.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
