// One typed configuration from the seed's two-level flags. Gardener's controller-manager-library registers each
// controller option twice, prefixed (--issuer.renewal-window, with the controller's default) and plain/shared
// (--renewal-window, no default), and at start-up (pkg/config/shared.go, evalShared) copies the shared value into
// the prefixed option only if the prefixed one was not set and the shared one was. Pools nest one level deeper
// (--issuer.default.pool.size < --default.pool.size < --issuer.pool.size < --pool.size). A config file is merged
// into the flag set first, flags winning per name (pkg/controllermanager/main.go: MergeConfigFile(.., false)), so
// a value from the file counts as "set" exactly like a flag. Hence, for each setting, most specific name first:
//   command line, else config file, for that name; then the same for the next, less specific name;
//   none set: the default of the most specific name (the shared names have none).
// Consequence kept from the seed: `issuer.renewal-window` in the file beats `--renewal-window` on the command line.
import type { NatsSettings } from '../../runtime/nats-connection.js';
import type { LeaseSettings } from '../../runtime/shard-leases.js';
import { ALLOWED_KEY_SIZES, type PrivateKeyDefaults } from '../certificate/private-key-settings.js';
import type { ConfigFileValues } from './config-file.js';
import { FLAGS_BY_NAME } from './flag-table.js';
import { FlagError, type FlagValue, type ParsedFlags } from './parse-flags.js';

export const CONTROLLERS = [
  'issuer',
  'ingress-cert',
  'service-cert',
  'istio-gateways-dns',
  'k8s-gateways-dns',
  'watch-gateways-crds',
] as const;
export type ControllerName = (typeof CONTROLLERS)[number];
/** The seed's controller groups (cert-management pkg/controller/common.go). */
export const CONTROLLER_GROUPS: Readonly<Record<string, readonly ControllerName[]>> = {
  certcontrollers: ['issuer'],
  certsources: ['ingress-cert', 'service-cert', 'istio-gateways-dns', 'k8s-gateways-dns', 'watch-gateways-crds'],
};
/** The controllers that generate Certificates from other objects (watch-gateways-crds only follows CRDs). */
export type SourceControllerName = Exclude<ControllerName, 'issuer' | 'watch-gateways-crds'>;
export type ClusterRole = 'default' | 'source' | 'dns' | 'target';
/** The seed's class when none is configured (source.DefaultClass). */
export const DEFAULT_CERT_CLASS = 'gardencert';

export interface ClusterAccess {
  role: ClusterRole;
  /** Kubeconfig file; null = the pod's in-cluster service account. */
  kubeconfig: string | null;
  id: string;
  disableDeployCrds: boolean;
  /** Set when this role's flag was omitted: the role whose connection it shares (seed fallback: source and dns to
   * default, target to source). Its other fields are copies of that role's. */
  sameAs: ClusterRole | null;
  /** --<cluster>.qps and .burst: the client-side rate limit of the API requests to this cluster (a token bucket). */
  qps: number;
  burst: number;
}

export interface SourceControllerConfig {
  /** Main class (first of the list) and all classes this controller is responsible for. */
  certClass: string;
  certClasses: string[];
  /** Class written on generated Certificates; empty flag = the controller's own class (seed NewTargetClasses). */
  certTargetClass: string;
  targetNamespace: string;
  targetNamePrefix: string;
  concurrency: number;
  targetsConcurrency: number;
  resyncPeriodMs: number;
  /**
   * The gateway controllers' route pools (--k8s-gateways-dns.httproutes.pool.size,
   * --istio-gateways-dns.virtualservices.pool.size; and the Istio controller's targetsources pool, idle in the seed
   * too): accepted and checked; route changes reach the source-object actors through the source watcher, whose
   * actors run with `concurrency`.
   */
  routesConcurrency?: number;
  targetSourcesConcurrency?: number;
}

export interface EffectiveConfig {
  name: string;
  maintainer: string;
  clusters: Record<ClusterRole, ClusterAccess>;
  controllers: ControllerName[];
  defaultIssuer: string;
  issuerNamespace: string;
  defaultIssuerDomainRanges: string[];
  defaultRequestsPerDayQuota: number;
  /** namespace '' = the Certificate's own namespace in the dns cluster (gardener, when --dns-namespace is not set). */
  dns: { namespace: string; class: string; ownerId: string; useDnsRecords: boolean };
  /** Empty when explicitly set empty: read /etc/resolv.conf instead (see precheck-nameservers.ts). */
  precheckNameservers: string[];
  /** --default-private-key-algorithm and the sizes: fill gaps of spec.privateKey, and decide what the hash covers. */
  privateKeyDefaults: PrivateKeyDefaults;
  /** --renewal-overdue-window: cert_management_overdue_renewal_certificates counts certificates expiring sooner. */
  renewalOverdueWindowMs: number;
  /** --allow-target-issuers: Issuers of the target cluster (all namespaces) serve Certificates too. */
  allowTargetIssuers: boolean;
  /** --acme-deactivate-authorizations: deactivate an order's authorizations once its certificate is downloaded. */
  acmeDeactivateAuthorizations: boolean;
  /** --revocations.pool.size: CertificateRevocation turns running at once per pod. */
  revocationConcurrency: number;
  precheckAdditionalWaitMs: number;
  propagationTimeoutMs: number;
  renewalWindowMs: number;
  /** --acme-renewal-info and --acme-renewal-info-max-interval (ARI, RFC 9773). */
  renewalInfo: { enabled: boolean; maxIntervalMs: number };
  cascadeDelete: boolean;
  /** The issuer controller's class: which Certificates/Issuers this deployment handles. */
  certClass: string;
  certClasses: string[];
  /** Pools of the seed's issuer controller: default (Certificates), issuers, secrets. */
  certificateConcurrency: number;
  certificateResyncPeriodMs: number;
  issuerConcurrency: number;
  secretConcurrency: number;
  sources: Record<SourceControllerName, SourceControllerConfig>;
  /** --watch-gateways-crds.default.pool.size: accepted and checked; the CRDs are followed by the source watcher. */
  crdWatchConcurrency: number;
  /** On unless --disable-namespace-restriction (seed: -n is a deprecated no-op that only conflicts with it). */
  namespaceRestriction: boolean;
  /** Port 0: no HTTP server, as in the seed. */
  http: { bindAddress: string; port: number };
  /** pino level name (logrus names accepted and mapped). */
  logLevel: string;
  gracePeriodMs: number;
  nats: NatsSettings;
  actorSystem: string;
  /** --actor-idle-timeout: an idle actor's activation ends after this long. */
  actorIdleTimeoutMs: number;
  /** --rsa-key-pool-size: RSA keys made ahead while the pod is idle (0: none). */
  rsaKeyPoolSize: number;
  shards: number;
  podName: string;
  /**
   * Our shard leases in NATS KV, filled from the seed's leader-election flags: --lease-duration is the TTL after
   * which other pods may take a shard; --lease-retry-period is how often leases are renewed; --lease-renew-deadline
   * is how long after its last renewal a holder may still act, so safetyMarginMs = duration - renew deadline.
   * --omit-lease is accepted and means single-pod development mode (`omit`); KV leases stay on, they are cheap.
   */
  lease: LeaseSettings & { renewDeadlineMs: number; name: string; namespace: string; omit: boolean };
  /** Flags accepted for compatibility that have no effect here; the caller logs them. */
  notices: string[];
}

export interface EnvironmentFacts {
  env: Readonly<Record<string, string | undefined>>;
  hostname: string;
  /** Content of /var/run/secrets/kubernetes.io/serviceaccount/namespace when running in a pod. */
  serviceAccountNamespace?: string;
}

// logrus names (the seed's -D) to pino's; "" is logrus' default, info.
const LOG_LEVELS: ReadonlyMap<string, string> = new Map([
  ['', 'info'],
  ['trace', 'trace'],
  ['debug', 'debug'],
  ['info', 'info'],
  ['warn', 'warn'],
  ['warning', 'warn'],
  ['error', 'error'],
  ['fatal', 'fatal'],
  ['panic', 'fatal'],
]);

function must(ok: boolean, flag: string, message: string): asserts ok {
  if (!ok) throw new FlagError(message, flag);
}

export function resolveEffectiveConfig(
  flags: ParsedFlags,
  file: ConfigFileValues | undefined,
  facts: EnvironmentFacts,
): EffectiveConfig {
  const given = (name: string): FlagValue | undefined =>
    flags.explicit.has(name) ? flags.values.get(name) : file?.values.get(name);
  const pick = (...chain: string[]): FlagValue | undefined => {
    for (const name of chain) {
      if (!FLAGS_BY_NAME.has(name)) return undefined; // a typo in this file: fail loudly below, never match silently
      const v = given(name);
      if (v !== undefined) return v;
    }
    return flags.values.get(chain[0]!);
  };
  const typed =
    <T extends FlagValue>(kind: string, check: (v: FlagValue) => v is T) =>
    (...chain: string[]): T => {
      const v = pick(...chain);
      if (v === undefined || !check(v))
        throw new Error(`internal: ${chain.map((n) => `--${n}`).join(' / ')} is not a ${kind} flag chain`);
      return v;
    };
  const str = typed('string', (v): v is string => typeof v === 'string');
  const num = typed('int/duration', (v): v is number => typeof v === 'number');
  const bool = typed('bool', (v): v is boolean => typeof v === 'boolean');
  const list = (...chain: string[]) => splitList(str(...chain));
  const pool = (ctrl: string, pool: string, opt: 'size' | 'resync-period') => [
    `${ctrl}.${pool}.pool.${opt}`,
    `${pool}.pool.${opt}`,
    `${ctrl}.pool.${opt}`,
    `pool.${opt}`,
  ];
  // Names where a bad value came from, so the message points at what the user actually wrote.
  const origin = (chain: string[]): [string, string] => {
    const name = chain.find((n) => given(n) !== undefined) ?? chain[0]!;
    return [name, flags.explicit.has(name) || !file?.values.has(name) ? `--${name}` : `${file.path}: ${name}`];
  };
  const atLeast = (min: number, ...chain: string[]): number => {
    const value = num(...chain);
    const [name, label] = origin(chain);
    must(value >= min, name, `${label} ${value} is invalid: must be at least ${min}`);
    return value;
  };

  const issuerClasses = classes(str('issuer.cert-class', 'cert-class'));
  const source = (c: SourceControllerName): SourceControllerConfig => {
    const own = classes(str(`${c}.cert-class`, 'cert-class'));
    return {
      ...own,
      certTargetClass: str(`${c}.cert-target-class`, 'cert-target-class') || own.certClass,
      targetNamespace: str(`${c}.target-namespace`, 'target-namespace'),
      targetNamePrefix: str(`${c}.target-name-prefix`, 'target-name-prefix'),
      concurrency: atLeast(1, ...pool(c, 'default', 'size')),
      targetsConcurrency: atLeast(1, ...pool(c, 'targets', 'size')),
      resyncPeriodMs: num(...pool(c, 'default', 'resync-period')),
    };
  };

  must(
    !(bool('namespace-local-access-only') && bool('disable-namespace-restriction')),
    'namespace-local-access-only',
    'contradicting options given for namespace restriction: --namespace-local-access-only and --disable-namespace-restriction',
  );
  const logLevel = LOG_LEVELS.get(str('log-level').toLowerCase());
  must(
    logLevel !== undefined,
    'log-level',
    `--log-level "${str('log-level')}" is invalid: use one of trace, debug, info, warning, error, fatal, panic`,
  );
  const port = num('server-port-http');
  must(
    port >= 0 && port <= 65535,
    'server-port-http',
    `--server-port-http ${port} is invalid: use a port between 1 and 65535 (0: no HTTP server)`,
  );
  const actorSystem = str('actor-system');
  must(
    /^[a-zA-Z0-9_-]+$/.test(actorSystem),
    'actor-system',
    `--actor-system "${actorSystem}" is invalid: use letters, digits, - and _ (it prefixes NATS subjects and bucket names)`,
  );
  const name = str('name') || 'cert-controller-manager';
  const podName = str('pod-name') || facts.env.POD_NAME || facts.hostname;
  must(podName !== '', 'pod-name', 'no pod name: set --pod-name or the POD_NAME environment variable');

  const clusters = resolveClusters(str, bool, num, facts.env);
  const allowTargetIssuers = bool('issuer.allow-target-issuers', 'allow-target-issuers');
  // The same cluster: the target falls back to the default (directly or through the source), or names its kubeconfig.
  const targetIsDefault =
    clusters.target.sameAs === 'default' ||
    (clusters.target.sameAs === 'source' && clusters.source.sameAs === 'default') ||
    clusters.target.kubeconfig === clusters.default.kubeconfig;
  must(
    !allowTargetIssuers || !targetIsDefault,
    'allow-target-issuers',
    "command line option '--allow-target-issuers' is only supported if default cluster != target cluster",
  );

  return {
    name,
    maintainer: str('maintainer') || name,
    clusters,
    controllers: resolveControllers(str('controllers')),
    defaultIssuer: str('issuer.default-issuer', 'default-issuer'),
    issuerNamespace: str('issuer.issuer-namespace', 'issuer-namespace'),
    defaultIssuerDomainRanges: list('issuer.default-issuer-domain-ranges', 'default-issuer-domain-ranges'),
    defaultRequestsPerDayQuota: atLeast(1, 'issuer.default-requests-per-day-quota', 'default-requests-per-day-quota'),
    dns: {
      namespace: str('issuer.dns-namespace', 'dns-namespace'),
      class: str('issuer.dns-class', 'dns-class'),
      ownerId: str('issuer.dns-owner-id', 'dns-owner-id'),
      useDnsRecords: bool('issuer.use-dnsrecords', 'use-dnsrecords'),
    },
    privateKeyDefaults: resolveKeyDefaults(str, num),
    renewalOverdueWindowMs: num('issuer.renewal-overdue-window', 'renewal-overdue-window'),
    allowTargetIssuers,
    acmeDeactivateAuthorizations: bool('issuer.acme-deactivate-authorizations', 'acme-deactivate-authorizations'),
    revocationConcurrency: atLeast(1, ...pool('issuer', 'revocations', 'size')),
    precheckNameservers: list('issuer.precheck-nameservers', 'precheck-nameservers'),
    precheckAdditionalWaitMs: num('issuer.precheck-additional-wait', 'precheck-additional-wait'),
    propagationTimeoutMs: num('issuer.propagation-timeout', 'propagation-timeout'),
    renewalWindowMs: num('issuer.renewal-window', 'renewal-window'),
    renewalInfo: { enabled: bool('acme-renewal-info'), maxIntervalMs: atLeast(1000, 'acme-renewal-info-max-interval') },
    cascadeDelete: bool('issuer.cascade-delete', 'cascade-delete'),
    ...issuerClasses,
    certificateConcurrency: atLeast(1, ...pool('issuer', 'default', 'size')),
    certificateResyncPeriodMs: num(...pool('issuer', 'default', 'resync-period')),
    issuerConcurrency: atLeast(1, ...pool('issuer', 'issuers', 'size')),
    secretConcurrency: atLeast(1, ...pool('issuer', 'secrets', 'size')),
    sources: {
      'ingress-cert': source('ingress-cert'),
      'service-cert': source('service-cert'),
      'istio-gateways-dns': {
        ...source('istio-gateways-dns'),
        routesConcurrency: atLeast(1, ...pool('istio-gateways-dns', 'virtualservices', 'size')),
        targetSourcesConcurrency: atLeast(1, ...pool('istio-gateways-dns', 'targetsources', 'size')),
      },
      'k8s-gateways-dns': {
        ...source('k8s-gateways-dns'),
        routesConcurrency: atLeast(1, ...pool('k8s-gateways-dns', 'httproutes', 'size')),
      },
    },
    crdWatchConcurrency: atLeast(1, ...pool('watch-gateways-crds', 'default', 'size')),
    namespaceRestriction: !bool('disable-namespace-restriction'),
    http: { bindAddress: str('bind-address-http'), port },
    logLevel,
    gracePeriodMs: num('grace-period'),
    nats: resolveNats(list('nats-servers'), str('nats-user'), str('nats-password'), str('nats-token'), podName),
    actorSystem,
    actorIdleTimeoutMs: atLeast(1000, 'actor-idle-timeout'),
    rsaKeyPoolSize: atLeast(0, 'rsa-key-pool-size'),
    shards: atLeast(1, 'shards'),
    podName,
    lease: resolveLease(num('lease-duration'), num('lease-renew-deadline'), num('lease-retry-period'), {
      name: str('lease-name') || name,
      // The seed's default namespace: $NAMESPACE, else the service account's, else kube-system.
      namespace:
        given('namespace') !== undefined
          ? str('namespace')
          : facts.env.NAMESPACE || facts.serviceAccountNamespace?.trim() || str('namespace'),
      omit: bool('omit-lease'),
    }),
    notices: [
      ...(str('cpuprofile') ? ['--cpuprofile has no effect here (Go profiling); use node --cpu-prof'] : []),
      ...(str('plugin-file') ? ['--plugin-file has no effect here: Go plugins cannot be loaded'] : []),
    ],
  };
}

/** gardener's CertificatePrivateKeyDefaults: algorithm RSA or ECDSA; each size must be one gardener allows. */
function resolveKeyDefaults(str: Getter<string>, num: Getter<number>): PrivateKeyDefaults {
  const text = str('issuer.default-private-key-algorithm', 'default-private-key-algorithm').toUpperCase();
  must(
    text === 'RSA' || text === 'ECDSA',
    'default-private-key-algorithm',
    `--default-private-key-algorithm "${text}" is invalid: use RSA or ECDSA`,
  );
  const rsaSize = num('issuer.default-rsa-private-key-size', 'default-rsa-private-key-size');
  const ecdsaSize = num('issuer.default-ecdsa-private-key-size', 'default-ecdsa-private-key-size');
  must(
    ALLOWED_KEY_SIZES.RSA.includes(rsaSize),
    'default-rsa-private-key-size',
    `--default-rsa-private-key-size ${rsaSize} is invalid: use ${ALLOWED_KEY_SIZES.RSA.join(', ')}`,
  );
  must(
    ALLOWED_KEY_SIZES.ECDSA.includes(ecdsaSize),
    'default-ecdsa-private-key-size',
    `--default-ecdsa-private-key-size ${ecdsaSize} is invalid: use ${ALLOWED_KEY_SIZES.ECDSA.join(', ')}`,
  );
  return { algorithm: text, rsaSize, ecdsaSize };
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Seed Classes: a comma list, the first (lower-cased) is the main class; none given means "gardencert". */
function classes(text: string): { certClass: string; certClasses: string[] } {
  const all = splitList(text).map((c) => c.toLowerCase());
  return all.length === 0
    ? { certClass: DEFAULT_CERT_CLASS, certClasses: [DEFAULT_CERT_CLASS] }
    : { certClass: all[0]!, certClasses: all };
}

/** Like the library's group registry: names, groups, "all"; "none" alone disables every controller. */
export function resolveControllers(text: string): ControllerName[] {
  const names = splitList(text);
  if (names.length === 1 && names[0] === 'none') return [];
  if (names.length === 0) return [...CONTROLLERS];
  const active = new Set<ControllerName>();
  for (const n of names) {
    const members = n === 'all' ? CONTROLLERS : (CONTROLLER_GROUPS[n] ?? CONTROLLERS.filter((c) => c === n));
    must(
      members.length > 0,
      'controllers',
      `--controllers: unknown controller or group "${n}"; known controllers: ${CONTROLLERS.join(', ')}; ` +
        `groups: ${Object.keys(CONTROLLER_GROUPS).join(', ')}; or all, or none`,
    );
    for (const m of members) active.add(m);
  }
  return CONTROLLERS.filter((c) => active.has(c));
}

type Getter<T> = (...chain: string[]) => T;

function resolveClusters(
  str: Getter<string>,
  bool: Getter<boolean>,
  num: Getter<number>,
  env: EnvironmentFacts['env'],
): Record<ClusterRole, ClusterAccess> {
  // The seed's cluster flags: the role's kubeconfig is --kubeconfig for default, --<role> for the others.
  const flagOf = (role: ClusterRole) => (role === 'default' ? 'kubeconfig' : role);
  const own = (role: ClusterRole): ClusterAccess => ({
    role,
    kubeconfig: kubeconfigPath(str(flagOf(role)), flagOf(role), env),
    id: str(`${flagOf(role)}.id`),
    disableDeployCrds: bool(`${flagOf(role)}.disable-deploy-crds`),
    sameAs: null,
    qps: num(`${flagOf(role)}.qps`),
    burst: num(`${flagOf(role)}.burst`),
  });
  const orFallback = (role: ClusterRole, to: ClusterAccess): ClusterAccess =>
    str(flagOf(role)) !== '' ? own(role) : { ...to, role, sameAs: to.sameAs ?? to.role };
  const def = own('default');
  const src = orFallback('source', def);
  return { default: def, source: src, dns: orFallback('dns', def), target: orFallback('target', src) };
}

/** The library's rules: "" = $KUBECONFIG, else in-cluster; IN-CLUSTER forces in-cluster; ENVIRONMENT needs $KUBECONFIG. */
function kubeconfigPath(value: string, flag: string, env: EnvironmentFacts['env']): string | null {
  if (value === 'IN-CLUSTER') return null;
  if (value === 'ENVIRONMENT') {
    const path = env.KUBECONFIG;
    must(
      path !== undefined && path !== '',
      flag,
      `--${flag}=ENVIRONMENT, but the environment variable KUBECONFIG is not set`,
    );
    return path;
  }
  return value || env.KUBECONFIG || null;
}

function resolveNats(servers: string[], user: string, pass: string, token: string, name: string): NatsSettings {
  must(
    servers.length > 0,
    'nats-servers',
    '--nats-servers is empty: give at least one server, e.g. nats://127.0.0.1:4222',
  );
  must(!(token && user), 'nats-token', '--nats-token and --nats-user are alternatives: give one of them');
  must(!(pass && !user), 'nats-password', '--nats-password is set but --nats-user is not');
  return { servers, name, ...(user ? { user, pass } : {}), ...(token ? { token } : {}) };
}

/** client-go's leader election rules for the same three flags (duration > deadline > 1.2 x retry period). */
function resolveLease(
  ttlMs: number,
  renewDeadlineMs: number,
  retryMs: number,
  rest: { name: string; namespace: string; omit: boolean },
): EffectiveConfig['lease'] {
  must(retryMs > 0, 'lease-retry-period', '--lease-retry-period must be greater than zero');
  must(ttlMs > renewDeadlineMs, 'lease-duration', '--lease-duration must be greater than --lease-renew-deadline');
  must(
    renewDeadlineMs > 1.2 * retryMs,
    'lease-renew-deadline',
    '--lease-renew-deadline must be greater than 1.2 x --lease-retry-period',
  );
  return { ttlMs, renewEveryMs: retryMs, safetyMarginMs: ttlMs - renewDeadlineMs, renewDeadlineMs, ...rest };
}
