#!/usr/bin/env node
import { readFileSync } from 'node:fs';
// The runtime pod: `cert-controller-manager [flags]` with the seed's flags plus our NATS ones (see --help).
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { certificateKind } from '../actors/certificate/certificate-actor.js';
import { loadConfigFile } from '../actors/config/config-file.js';
import { resolveEffectiveConfig } from '../actors/config/effective-config.js';
import { FlagError, helpText, parseFlags } from '../actors/config/parse-flags.js';
import { type ControllerDeps, kubeClientsFor } from '../actors/controller-deps.js';
import { issuerKind } from '../actors/issuer/issuer-actor.js';
import { DEFAULT_WATCHER, DNS_WATCHER, SOURCE_WATCHER, TARGET_WATCHER } from '../actors/kinds.js';
import { installCrds, loadCrds } from '../actors/kube/install-crds.js';
import { registry, setOverdueWindow } from '../actors/observability/controller-metrics.js';
import { startHttpServer } from '../actors/observability/http-server.js';
import { registerRuntimeMetrics } from '../actors/observability/runtime-metrics.js';
import { revocationKind } from '../actors/revocation/revocation-actor.js';
import { sourceObjectKind } from '../actors/sources/source-object-actor.js';
import { defaultWatcherKind } from '../actors/watchers/default-watcher.js';
import { dnsWatcherKind } from '../actors/watchers/dns-watcher.js';
import { sourceWatcherKind } from '../actors/watchers/source-watcher.js';
import { targetWatcherKind } from '../actors/watchers/target-watcher.js';
import { startRsaKeyPool, stopRsaKeyPool } from '../actors/x509/key-generation-slots.js';
import { ActorSystem, connectNats, createLogger } from '../runtime/index.js';

const VERSION = '0.1.0';
/** Below deploy/controller.yaml's terminationGracePeriodSeconds (30). */
const SHUTDOWN_LIMIT_MS = 25_000;

function serviceAccountNamespace(): string | undefined {
  try {
    return readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8');
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`Error: ${err.message}\nRun 'cert-controller-manager --help' for usage.\n`);
      process.exit(2);
    }
    throw err;
  }
  if (flags.help) return void process.stdout.write(helpText());
  if (flags.version) return void process.stdout.write(`cert-controller-manager version ${VERSION}\n`);
  const configPath = flags.values.get('config');
  const file = await loadConfigFile(typeof configPath === 'string' && configPath ? configPath : undefined);
  const config = resolveEffectiveConfig(flags, file, {
    env: process.env,
    hostname: hostname(),
    serviceAccountNamespace: serviceAccountNamespace(),
  });
  const log = createLogger(config.podName, config.logLevel);
  for (const n of config.notices) log.warn(n);
  setOverdueWindow(config.renewalOverdueWindowMs);

  const deps: ControllerDeps = { config, kube: kubeClientsFor(config) };
  const crds = loadCrds(fileURLToPath(new URL('../../deploy/crds', import.meta.url)));
  for (const role of ['default', 'source', 'dns', 'target'] as const) {
    const access = config.clusters[role];
    if (access.sameAs || access.disableDeployCrds) continue;
    await installCrds(deps.kube[role], crds);
  }

  const nc = await connectNats({ ...config.nats, name: config.podName }, log);
  const system = await ActorSystem.start({
    nc,
    log,
    pod: config.podName,
    system: config.actorSystem,
    shards: config.shards,
    lease: config.lease,
    idleTimeoutMs: config.actorIdleTimeoutMs,
    kinds: [
      defaultWatcherKind(deps),
      sourceWatcherKind(deps),
      dnsWatcherKind(deps),
      targetWatcherKind(deps),
      issuerKind(deps),
      certificateKind(deps),
      sourceObjectKind(deps),
      revocationKind(deps),
    ],
  });
  // Every pod pokes the watchers; whichever pod owns a watcher's shard runs it (reminders bring it back after failover).
  // -c/--controllers: the issuer controller needs all four watchers; the source controllers only the source one.
  const issuing = config.controllers.includes('issuer');
  const watchers = issuing ? [DEFAULT_WATCHER, SOURCE_WATCHER, DNS_WATCHER, TARGET_WATCHER] : [SOURCE_WATCHER];
  log.info({ controllers: config.controllers }, 'controllers');
  // Keys for the default algorithm made ahead while idle (an ECDSA key is too cheap to be worth holding).
  if (issuing && config.privateKeyDefaults.algorithm === 'RSA')
    startRsaKeyPool(config.rsaKeyPoolSize, config.privateKeyDefaults.rsaSize, (change, stats) =>
      log.info(
        { held: stats.held, made: stats.made, served: stats.served },
        change === 'full' ? 'rsa key pool full' : 'rsa key pool empty: keys are made on demand until it refills',
      ),
    );
  for (const w of watchers) system.tell(w.kind, w.id, { type: 'Start' });
  // After a handover the new owner starts a watcher at the next poke (a second at most) instead of waiting for the
  // watcher's keepalive reminder: a watcher that is not running misses nothing (it relists), but it delays everything.
  const poke = setInterval(() => {
    for (const w of watchers) system.tell(w.kind, w.id, { type: 'Start' });
  }, 1000);
  // /healthz, /readyz, /metrics (port 0, the seed's default, means no HTTP server).
  let natsUp = true;
  void (async () => {
    for await (const st of nc.status()) {
      if (st.type === 'disconnect') natsUp = false;
      if (st.type === 'reconnect') natsUp = true;
    }
  })();
  registerRuntimeMetrics(registry, () => system.metricsSnapshot());
  const http =
    config.http.port > 0
      ? await startHttpServer(config.http.bindAddress, config.http.port, registry, {
          natsConnected: () => natsUp && !nc.isClosed(),
          serving: () => system.serving,
        })
      : undefined;
  if (http) log.info({ address: http.address() }, 'serving /healthz, /readyz, /metrics');
  log.info(
    {
      clusters: Object.fromEntries(
        Object.entries(config.clusters).map(([r, c]) => [r, c.sameAs ?? c.kubeconfig ?? 'in-cluster']),
      ),
    },
    'cert-controller-manager running',
  );

  const stop = async (signal: string) => {
    log.info({ signal }, 'shutting down: handing shards over');
    // A handover needs NATS; with NATS unreachable it cannot finish, and the pod must still go before the kubelet's
    // grace period ends (the leases then expire on their own, as after a crash).
    setTimeout(() => {
      log.warn({ afterMs: SHUTDOWN_LIMIT_MS }, 'handover did not finish; exiting anyway');
      process.exit(0);
    }, SHUTDOWN_LIMIT_MS).unref();
    clearInterval(poke);
    stopRsaKeyPool();
    http?.close();
    await system.shutdown();
    await nc.drain();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: Error) => {
  process.stderr.write(`cert-controller-manager: ${err.message}\n`);
  process.exit(1);
});
