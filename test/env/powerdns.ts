import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EnvError } from './env-error.js';
import { httpCall } from './http-probe.js';
import { ManagedProcess } from './managed-process.js';
import { assertPortFree } from './ports.js';

const run = promisify(execFile);

/** Debian's packages (bookworm: 4.7.3); `npm run test:dns-real` installs them when missing (test/env/install-powerdns.sh). */
export const POWERDNS_PACKAGES = ['pdns-server', 'pdns-backend-sqlite3', 'sqlite3'];
const SCHEMA = '/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql';
const INSTALL_HINT = `run test/env/install-powerdns.sh (apt-get install -y ${POWERDNS_PACKAGES.join(' ')}), or set TEST_ASSET_PDNS_SERVER to a pdns_server binary with the gsqlite3 backend`;

export interface PowerDnsServer {
  /** host:port of the authoritative DNS server (UDP and TCP). */
  dnsAddress: string;
  /** Base URL of the HTTP API (what the powerdns provider's `Server` key takes; the client appends /api/v1/...). */
  apiUrl: string;
  apiKey: string;
  zones: string[];
  process: ManagedProcess;
  /** The zone's record sets as the API reports them (name, type, and one content string per record). */
  rrsets(zone: string): Promise<Array<{ name: string; type: string; ttl: number; records: string[] }>>;
}

function pdnsBinary(): string {
  const override = process.env.TEST_ASSET_PDNS_SERVER;
  if (override) {
    if (!existsSync(override))
      throw new EnvError(`TEST_ASSET_PDNS_SERVER=${override} but no file is there`, INSTALL_HINT);
    return override;
  }
  for (const p of ['/usr/sbin/pdns_server', '/usr/local/sbin/pdns_server']) if (existsSync(p)) return p;
  throw new EnvError('PowerDNS (pdns_server) is not installed', INSTALL_HINT);
}

/**
 * PowerDNS Authoritative with the SQLite backend and its HTTP API, on loopback: the real dns lane's DNS server. It is
 * authoritative for `zones` (created through the API at start); the dns-controller-manager's powerdns provider writes
 * one TXT record per value (a wildcard and its base stay two records, as a CA must see them), pebble validates
 * against it and the controller's precheck queries it. No caches, so an API change is visible to the next query.
 */
export async function startPowerDns(
  dir: string,
  dnsPort: number,
  apiPort: number,
  zones: string[],
): Promise<PowerDnsServer> {
  const binary = pdnsBinary();
  if (!existsSync(SCHEMA)) throw new EnvError(`the PowerDNS SQLite schema ${SCHEMA} is missing`, INSTALL_HINT);
  await assertPortFree(dnsPort, 'PowerDNS DNS');
  await assertPortFree(apiPort, 'PowerDNS API');
  mkdirSync(dir, { recursive: true });
  const db = join(dir, 'pdns.sqlite3');
  try {
    await run('sqlite3', [db, `.read ${SCHEMA}`]);
  } catch (err) {
    throw new EnvError('creating the PowerDNS SQLite database failed', INSTALL_HINT, (err as Error).message);
  }
  const apiKey = randomBytes(16).toString('hex');
  const conf = [
    'launch=gsqlite3',
    `gsqlite3-database=${db}`,
    'local-address=127.0.0.1',
    `local-port=${dnsPort}`,
    'daemon=no',
    'guardian=no',
    'disable-syslog=yes',
    'log-timestamp=yes',
    `socket-dir=${dir}`,
    'api=yes',
    `api-key=${apiKey}`,
    'webserver=yes',
    'webserver-address=127.0.0.1',
    `webserver-port=${apiPort}`,
    'webserver-allow-from=127.0.0.0/8',
    // No packet, query or negative caching: a record the API just wrote (or removed) is what the next query sees.
    'cache-ttl=0',
    'negquery-cache-ttl=0',
    'query-cache-ttl=0',
    'zone-cache-refresh-interval=0',
    // Never look up the security status (a DNS query to the internet).
    'security-poll-suffix=',
    // A short negative TTL (the SOA minimum) for resolvers that do cache.
    'default-soa-content=ns1.@ hostmaster.@ 0 10800 3600 604800 1',
    'loglevel=4',
  ];
  writeFileSync(join(dir, 'pdns.conf'), `${conf.join('\n')}\n`);
  const proc = new ManagedProcess({
    name: 'pdns_server',
    command: binary,
    args: [`--config-dir=${dir}`],
    logFile: join(dir, 'pdns.log'),
  });
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await httpCall(`${apiUrl}/api/v1/servers/localhost${path}`, {
      method,
      headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: 5000,
    });
    if (res.status >= 300) throw new Error(`PowerDNS API ${method} ${path} answered ${res.status}: ${res.body}`);
    return res.body ? JSON.parse(res.body) : undefined;
  };
  await proc.waitUntil(
    async () => (await api('GET', '')) !== undefined,
    'the HTTP API answers',
    20_000,
    `look at the log below; ${INSTALL_HINT}`,
  );
  const fq = (z: string) => (z.endsWith('.') ? z : `${z}.`);
  try {
    for (const zone of zones) {
      await api('POST', '/zones', { name: fq(zone), kind: 'Native', nameservers: [`ns1.${fq(zone)}`] });
    }
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return {
    dnsAddress: `127.0.0.1:${dnsPort}`,
    apiUrl,
    apiKey,
    zones,
    process: proc,
    async rrsets(zone) {
      const z = (await api('GET', `/zones/${fq(zone)}`)) as {
        rrsets: Array<{ name: string; type: string; ttl: number; records: Array<{ content: string }> }>;
      };
      return z.rrsets.map((r) => ({
        name: r.name,
        type: r.type,
        ttl: r.ttl,
        records: r.records.map((x) => x.content),
      }));
    },
  };
}
