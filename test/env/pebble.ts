import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpCall } from './http-probe.js';
import { ManagedProcess } from './managed-process.js';
import { assertPortFree } from './ports.js';
import type { ServingCert } from './tls.js';

export interface AcmeServer {
  directoryUrl: string;
  /** CA of pebble's HTTPS listener (not of the certificates it issues): clients must trust it. */
  listenerCaPath: string;
  listenerCaPem: string;
  /** Root CA of issued certificates, fetched from the management API (pebble makes a new one at every start). */
  rootCaPath: string;
  rootCaPem: string;
  managementUrl: string;
  /** External account binding keys (key id -> base64url HMAC key) when EAB is required. */
  eabKeys?: Record<string, string>;
  process: ManagedProcess;
}

export interface ChallengeDnsServer {
  /** host:port of the DNS server answering TXT queries. */
  dnsAddress: string;
  managementUrl: string;
  process: ManagedProcess;
  setTxt(host: string, value: string): Promise<void>;
  clearTxt(host: string): Promise<void>;
}

/** pebble-challtestsrv as the authoritative DNS server for every name; records are set over its management API. */
export async function startChallengeDns(
  binary: string,
  dir: string,
  dnsPort: number,
  mgmtPort: number,
): Promise<ChallengeDnsServer> {
  await assertPortFree(dnsPort, 'pebble-challtestsrv DNS');
  await assertPortFree(mgmtPort, 'pebble-challtestsrv management');
  mkdirSync(dir, { recursive: true });
  const managementUrl = `http://127.0.0.1:${mgmtPort}`;
  const proc = new ManagedProcess({
    name: 'pebble-challtestsrv',
    command: binary,
    args: [
      '-dnsserver',
      `127.0.0.1:${dnsPort}`,
      '-management',
      `127.0.0.1:${mgmtPort}`,
      '-doh',
      '',
      '-http01',
      '',
      '-https01',
      '',
      '-tlsalpn01',
      '',
    ],
    logFile: join(dir, 'challtestsrv.log'),
  });
  // An unknown path answers 404 once the management server is up.
  await proc.waitUntil(
    async () => (await httpCall(`${managementUrl}/`, { timeoutMs: 1000 })).status > 0,
    'management API answers',
    20_000,
    'look at the log below',
  );
  const post = async (path: string, body: object) => {
    const res = await httpCall(`${managementUrl}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      timeoutMs: 5000,
    });
    if (res.status !== 200) throw new Error(`challtestsrv ${path} answered ${res.status}: ${res.body}`);
  };
  return {
    dnsAddress: `127.0.0.1:${dnsPort}`,
    managementUrl,
    process: proc,
    setTxt: (host, value) => post('/set-txt', { host: fqdn(host), value }),
    clearTxt: (host) => post('/clear-txt', { host: fqdn(host) }),
  };
}

/** challtestsrv only matches fully qualified names. */
export function fqdn(host: string): string {
  return host.endsWith('.') ? host : `${host}.`;
}

export interface PebbleOptions {
  port: number;
  managementPort: number;
  dnsServer: string;
  /** When set, accounts must be bound to one of these keys (key id -> base64url HMAC key). */
  eabKeys?: Record<string, string>;
  /** The listener certificate; pebbles of one stack share it so one trusted CA covers them all. */
  tls: ServingCert;
  /** Lifetime of certificates of the default profile (pebble's default is 90 days); short ones let tests see renewals. */
  validitySeconds?: number;
  /** Profiles by name (directory meta.profiles); default: one `default` profile of `validitySeconds`. */
  profiles?: Record<string, PebbleProfile>;
  /** More pebble settings from its environment, e.g. PEBBLE_VA_ALWAYS_VALID=1 (a CA that does not look at DNS). */
  env?: Record<string, string>;
}

/** A pebble certificate profile; `promoteCommonName` keeps the first name as the leaf's commonName (the classic profile). */
export interface PebbleProfile {
  description: string;
  validityPeriod: number;
  promoteCommonName?: boolean;
}

/** Let's Encrypt's classic lifetime. */
export const DEFAULT_VALIDITY_SECONDS = 90 * 86_400;

/** pebble validating DNS-01 against challtestsrv, without its random validation sleep and nonce rejections. */
export async function startPebble(binary: string, dir: string, opts: PebbleOptions): Promise<AcmeServer> {
  await assertPortFree(opts.port, 'pebble ACME');
  await assertPortFree(opts.managementPort, 'pebble management');
  mkdirSync(dir, { recursive: true });
  const tls = opts.tls;
  const listenerCaPath = join(dir, 'listener-ca.pem');
  writeFileSync(listenerCaPath, tls.caPem);
  writeFileSync(join(dir, 'cert.pem'), tls.certPem + tls.caPem);
  writeFileSync(join(dir, 'key.pem'), tls.keyPem, { mode: 0o600 });
  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${opts.port}`,
      managementListenAddress: `127.0.0.1:${opts.managementPort}`,
      certificate: join(dir, 'cert.pem'),
      privateKey: join(dir, 'key.pem'),
      httpPort: 5002,
      tlsPort: 5001,
      ocspResponderURL: '',
      externalAccountBindingRequired: Boolean(opts.eabKeys),
      ...(opts.eabKeys ? { externalAccountMACKeys: opts.eabKeys } : {}),
      // pebble picks a random profile for an order that names none, so a pebble with one profile is deterministic.
      profiles: opts.profiles ?? {
        default: {
          description: 'the classic profile',
          validityPeriod: opts.validitySeconds ?? DEFAULT_VALIDITY_SECONDS,
          promoteCommonName: true,
        },
      },
    },
  };
  writeFileSync(join(dir, 'pebble-config.json'), JSON.stringify(config, null, 2));
  const proc = new ManagedProcess({
    name: 'pebble',
    command: binary,
    args: ['-config', join(dir, 'pebble-config.json'), '-dnsserver', opts.dnsServer],
    // Every order validates through DNS (no authorization reuse), at once, and good nonces are never refused.
    env: { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0', ...opts.env },
    logFile: join(dir, 'pebble.log'),
  });
  const directoryUrl = `https://127.0.0.1:${opts.port}/dir`;
  const managementUrl = `https://127.0.0.1:${opts.managementPort}`;
  await proc.waitUntil(
    async () => (await httpCall(directoryUrl, { ca: tls.caPem, timeoutMs: 1000 })).status === 200,
    'the ACME directory answers',
    20_000,
    'look at the log below',
  );
  const root = await httpCall(`${managementUrl}/roots/0`, { ca: tls.caPem });
  if (root.status !== 200) throw new Error(`pebble /roots/0 answered ${root.status}`);
  const rootCaPath = join(dir, 'acme-root-ca.pem');
  writeFileSync(rootCaPath, root.body);
  return {
    directoryUrl,
    listenerCaPath,
    listenerCaPem: tls.caPem,
    rootCaPath,
    rootCaPem: root.body,
    managementUrl,
    eabKeys: opts.eabKeys,
    process: proc,
  };
}
