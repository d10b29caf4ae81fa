// A runtime pod for the runtime's tests and benchmark: `node runtime-pod.js` with settings in the environment.
// Logs are pino JSON lines on stderr; "ready <pod>" on stdout once the system has started.
import { ActorSystem, connectNats, createLogger } from '../../runtime/index.js';
import { counterKind, crasherKind, holderKind, probeKind, sinkKind, supervisorKind } from './test-actors.js';

const pod = process.env.POD_NAME ?? `pod-${process.pid}`;
const log = createLogger(pod, process.env.LOG_LEVEL ?? 'info');
const nc = await connectNats(
  {
    servers: (process.env.NATS_URLS ?? 'nats://127.0.0.1:4222').split(','),
    name: pod,
    user: process.env.NATS_USER,
    pass: process.env.NATS_PASSWORD,
    ignoreClusterUpdates: process.env.NATS_IGNORE_CLUSTER_UPDATES === '1',
  },
  log,
);
const system = await ActorSystem.start({
  nc,
  pod,
  system: process.env.ACTOR_SYSTEM ?? 'rt',
  shards: Number(process.env.SHARDS ?? 16),
  replicas: Number(process.env.REPLICAS ?? 3),
  kinds: [
    counterKind(pod, process.env.COUNTER_LOG !== '0', Number(process.env.COUNTER_SCHEMA ?? 1)),
    crasherKind,
    supervisorKind,
    sinkKind,
    probeKind,
    holderKind,
  ],
  idleTimeoutMs: Number(process.env.IDLE_MS ?? 600_000),
  maxCommandDeliveries: Number(process.env.MAX_COMMAND_DELIVERIES ?? 10),
  mailboxCapacity: Number(process.env.MAILBOX_CAPACITY ?? 1000),
  failStopAfterMs: Number(process.env.FAIL_STOP_MS ?? 30_000),
  lease: process.env.LEASE_TTL_MS
    ? { ttlMs: Number(process.env.LEASE_TTL_MS), renewEveryMs: Math.round(Number(process.env.LEASE_TTL_MS) / 3) }
    : undefined,
  log,
});
process.stdout.write(`ready ${pod}\n`);

const stop = async () => {
  const t0 = performance.now();
  await system.shutdown();
  process.stdout.write(`handover-ms ${(performance.now() - t0).toFixed(1)}\n`);
  await nc.drain();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
