import { type ConnectionOptions, connect, Events, type NatsConnection } from 'nats';
import type { Logger } from 'pino';

export interface NatsSettings {
  servers: string[];
  user?: string;
  pass?: string;
  token?: string;
  name?: string;
  /** Stay on the given servers instead of learning the cluster's other addresses (pods behind a proxy, tests). */
  ignoreClusterUpdates?: boolean;
}

/**
 * Connects for the long haul: reconnect forever (the default gives up after 10 tries per server) and ping every
 * 2 s so a half-open socket is noticed in seconds, not the default 2 minutes.
 */
export async function connectNats(settings: NatsSettings, log: Logger): Promise<NatsConnection> {
  const opts: ConnectionOptions = {
    servers: settings.servers,
    name: settings.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    pingInterval: 2000,
    maxPingOut: 2,
    waitOnFirstConnect: true,
    ignoreClusterUpdates: settings.ignoreClusterUpdates ?? false,
    ...(settings.user ? { user: settings.user, pass: settings.pass } : {}),
    ...(settings.token ? { token: settings.token } : {}),
  };
  const nc = await connect(opts);
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === Events.Disconnect) log.warn({ server: s.data }, 'nats disconnected');
      else if (s.type === Events.Reconnect) log.info({ server: s.data }, 'nats reconnected');
      else if (s.type === Events.Error) log.error({ err: String(s.data) }, 'nats error');
    }
  })();
  return nc;
}
