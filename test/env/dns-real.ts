// The real dns lane: gardener's dns-controller-manager (external-dns-management, cmd/compound with the powerdns
// provider) publishing the DNSEntries of the dns cluster into a local PowerDNS, instead of the stand-in in
// dns-companion.ts. See docs/ARCHITECTURE.md section 7 and `npm run test:dns-real`.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeClient } from '../../actors/kube/kube-client.js';
import { EnvError } from './env-error.js';
import { ManagedProcess } from './managed-process.js';
import { binaryCacheDir, repoRoot } from './paths.js';
import type { PowerDnsServer } from './powerdns.js';
import { DNS_CONTROLLER_MANAGER_VERSION } from './server-binaries.js';

const run = promisify(execFile);

export type DnsLane = 'standin' | 'real';

/**
 * Zones the real lane's PowerDNS is authoritative for: the domains tests and examples issue for (example.com almost
 * everywhere, mydomain.com in examples/, ranged.example in certificate-issuers, example.net and example.org here and
 * there). A name outside them gets no provider: its DNSEntry stays without state for --reschedule-delay, then
 * `Error: No responsible provider found`.
 */
export const REAL_LANE_ZONES = ['example.com', 'example.org', 'example.net', 'mydomain.com', 'ranged.example'];
/** Where the lane keeps its DNSProvider and the provider's credentials Secret in the dns cluster. */
export const PROVIDER_NAMESPACE = 'dns-lane';
export const PROVIDER_NAME = 'powerdns';
/** The finalizer the real controller puts on every DNSEntry of the default class (gardendns). */
export const REAL_ENTRY_FINALIZER = 'dns.gardener.cloud/compound';

const MODULE = 'github.com/gardener/external-dns-management';
const DNS_API = '/apis/dns.gardener.cloud/v1alpha1';

/**
 * The dns.gardener.cloud CRDs of external-dns-management (pkg/apis/dns/crds: DNSEntry, DNSProvider, DNSAnnotation,
 * DNSHostedZonePolicy), fetched once through the Go module proxy and cached next to the server binaries.
 */
export async function realDnsCrdsDir(log: (line: string) => void = () => {}): Promise<string> {
  const cached = join(binaryCacheDir(), `external-dns-management-v${DNS_CONTROLLER_MANAGER_VERSION}-crds`);
  if (existsSync(cached)) return cached;
  log(`fetching the dns.gardener.cloud CRDs of ${MODULE}@v${DNS_CONTROLLER_MANAGER_VERSION}`);
  let dir: string | undefined;
  try {
    // In the wrapper module, so go.sum verifies the zip.
    const { stdout } = await run('go', ['mod', 'download', '-json', `${MODULE}@v${DNS_CONTROLLER_MANAGER_VERSION}`], {
      cwd: join(repoRoot(), 'test', 'env', 'go', 'dns-controller-manager'),
      env: { ...process.env, GOWORK: 'off' },
      maxBuffer: 16 << 20,
    });
    dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new EnvError(
      `downloading ${MODULE}@v${DNS_CONTROLLER_MANAGER_VERSION} failed`,
      'check that Go is installed and the Go module proxy is reachable (GOPROXY)',
      (e.stderr?.trim() || e.stdout?.trim() || e.message).split('\n').slice(-15).join('\n'),
    );
  }
  const src = dir && join(dir, 'pkg', 'apis', 'dns', 'crds');
  if (!src || !existsSync(src)) throw new EnvError(`no pkg/apis/dns/crds in ${dir}`, 'check the module version');
  mkdirSync(binaryCacheDir(), { recursive: true });
  const tmp = `${cached}.tmp-${process.pid}`;
  mkdirSync(tmp);
  for (const f of readdirSync(src).filter((n) => n.endsWith('.yaml'))) cpSync(join(src, f), join(tmp, f));
  renameSync(tmp, cached);
  return cached;
}

export interface RealDnsCompanion {
  process: ManagedProcess;
  stop(): Promise<void>;
}

interface DnsProvider {
  metadata: { generation?: number };
  status?: { state?: string; message?: string; observedGeneration?: number; domains?: { included?: string[] } };
}

/**
 * Creates the PowerDNS credentials Secret and a DNSProvider for `powerDns`'s zones in the dns cluster, starts the
 * dns-controller-manager against that cluster (only its dns controllers, no leader lease, its CRDs left to the stack)
 * and waits until the provider is Ready, i.e. the controller listed the zones through the PowerDNS API.
 */
export async function startRealDnsCompanion(opts: {
  binary: string;
  dir: string;
  dnsKubeconfig: string;
  powerDns: PowerDnsServer;
  httpPort: number;
  /** --dns-delay: pause between two reconciliations of one zone (upstream default 10 s). */
  dnsDelay?: string;
}): Promise<RealDnsCompanion> {
  mkdirSync(opts.dir, { recursive: true });
  const kube = KubeClient.fromFile(opts.dnsKubeconfig);
  try {
    await kube.create('/api/v1/namespaces', { metadata: { name: PROVIDER_NAMESPACE } }).catch((err) => {
      if ((err as { statusCode?: number }).statusCode !== 409) throw err;
    });
    await kube.create(`/api/v1/namespaces/${PROVIDER_NAMESPACE}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${PROVIDER_NAME}-credentials`, namespace: PROVIDER_NAMESPACE },
      type: 'Opaque',
      // Keys of pkg/controller/provider/powerdns/handler.go (not `apiToken`, which upstream's example shows).
      stringData: { Server: opts.powerDns.apiUrl, ApiKey: opts.powerDns.apiKey, VirtualHost: 'localhost' },
    });
    await kube.create(`${DNS_API}/namespaces/${PROVIDER_NAMESPACE}/dnsproviders`, {
      apiVersion: 'dns.gardener.cloud/v1alpha1',
      kind: 'DNSProvider',
      metadata: { name: PROVIDER_NAME, namespace: PROVIDER_NAMESPACE },
      spec: {
        type: 'powerdns',
        secretRef: { name: `${PROVIDER_NAME}-credentials` },
        domains: { include: opts.powerDns.zones },
      },
    });
  } catch (err) {
    kube.close();
    throw err;
  }
  const proc = new ManagedProcess({
    name: 'dns-controller-manager',
    command: opts.binary,
    args: [
      `--kubeconfig=${opts.dnsKubeconfig}`,
      '--controllers=dnscontrollers',
      '--omit-lease',
      '--provider-types=powerdns',
      `--dns-delay=${opts.dnsDelay ?? '1s'}`,
      '--reschedule-delay=15s',
      '--lock-status-check-period=5s',
      // By default a provider serves only entries of its own namespace ("denied by LocalNamespaceAccessOnly" after
      // --reschedule-delay); the lane's one provider serves every test namespace.
      '--disable-namespace-restriction',
      // The stack installed the CRDs already (the same ones); no second writer of them.
      '--kubeconfig.disable-deploy-crds',
      '--bind-address-http=127.0.0.1',
      `--server-port-http=${opts.httpPort}`,
    ],
    logFile: join(opts.dir, 'dns-controller-manager.log'),
  });
  const providerPath = `${DNS_API}/namespaces/${PROVIDER_NAMESPACE}/dnsproviders/${PROVIDER_NAME}`;
  let last = 'not processed';
  try {
    await proc.waitUntil(
      async () => {
        const p = await kube.get<DnsProvider>(providerPath);
        last = `${p.status?.state ?? '(no state)'} ${p.status?.message ?? ''}`.trim();
        return p.status?.state === 'Ready' && p.status.observedGeneration === p.metadata.generation;
      },
      'the DNSProvider is Ready',
      60_000,
      `look at the log below and at the PowerDNS log in ${opts.powerDns.process.logFile}`,
    );
  } catch (err) {
    (err as Error).message = `${(err as Error).message}\n  DNSProvider ${PROVIDER_NAMESPACE}/${PROVIDER_NAME}: ${last}`;
    throw err;
  } finally {
    kube.close();
  }
  return {
    process: proc,
    stop: () => proc.stop(),
  };
}
