// The command line users of gardener's cert-controller-manager know, as data: every flag of the seed's usage list
// (docs "Usage" section) with its type, default and help exactly as the seed prints them, so deployments written
// for the seed start unchanged and `--help` reads the same. Our own actor-runtime flags are kept in a separate list,
// so nobody mistakes them for gardener's.

export type FlagType = 'string' | 'bool' | 'int' | 'duration';

export interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  readonly type: FlagType;
  /** The default exactly as the seed's usage prints it; absent means the type's zero value ("", false, 0, 0s). */
  readonly default?: string;
  readonly help: string;
  /** 'seed': gardener's flag; 'actors': added by this implementation (NATS, actor runtime). */
  readonly origin: 'seed' | 'actors';
  /** A comma-separated list: a config file may also give it as an array. */
  readonly list: boolean;
}

type FlagData = Omit<FlagSpec, 'origin' | 'list'>;

// Sorted as pflag prints them (byte order of the name), which is also the seed's order.
const SEED_FLAGS: readonly FlagData[] = [
  { name: 'bind-address-http', type: 'string', help: 'HTTP server bind address' },
  {
    name: 'cascade-delete',
    type: 'bool',
    help: 'If true, certificate secrets are deleted if dependent resources (certificate, ingress) are deleted',
  },
  { name: 'cert-class', type: 'string', help: 'Identifier used to differentiate responsible controllers for entries' },
  {
    name: 'cert-target-class',
    type: 'string',
    help: 'Identifier used to differentiate responsible dns controllers for target entries',
  },
  { name: 'config', type: 'string', help: 'config file' },
  {
    name: 'controllers',
    short: 'c',
    type: 'string',
    default: 'all',
    help: 'comma separated list of controllers to start (<name>,<group>,all)',
  },
  { name: 'cpuprofile', type: 'string', help: 'set file for cpu profiling' },
  { name: 'default-issuer', type: 'string', help: 'name of default issuer (from default cluster)' },
  {
    name: 'default-issuer-domain-ranges',
    type: 'string',
    help: 'domain range restrictions when using default issuer separated by comma',
  },
  {
    name: 'default-requests-per-day-quota',
    type: 'int',
    help: 'Default value for requestsPerDayQuota if not set explicitly in the issuer spec.',
  },
  { name: 'default.pool.resync-period', type: 'duration', help: 'Period for resynchronization for pool default' },
  { name: 'default.pool.size', type: 'int', help: 'Worker pool size for pool default' },
  {
    name: 'disable-namespace-restriction',
    type: 'bool',
    help: 'disable access restriction for namespace local access only',
  },
  { name: 'dns', type: 'string', help: 'cluster for writing challenge DNS entries' },
  { name: 'dns-class', type: 'string', help: 'class for creating challenge DNSEntries (in DNS cluster)' },
  { name: 'dns-namespace', type: 'string', help: 'namespace for creating challenge DNSEntries (in DNS cluster)' },
  { name: 'dns-owner-id', type: 'string', help: 'ownerId for creating challenge DNSEntries' },
  { name: 'dns.disable-deploy-crds', type: 'bool', help: 'disable deployment of required crds for cluster dns' },
  { name: 'dns.id', type: 'string', help: 'id for cluster dns' },
  { name: 'grace-period', type: 'duration', help: 'inactivity grace period for detecting end of cleanup for shutdown' },
  { name: 'help', short: 'h', type: 'bool', help: 'help for cert-controller-manager' },
  {
    name: 'ingress-cert.cert-class',
    type: 'string',
    default: 'gardencert',
    help: 'Identifier used to differentiate responsible controllers for entries of controller ingress-cert',
  },
  {
    name: 'ingress-cert.cert-target-class',
    type: 'string',
    help: 'Identifier used to differentiate responsible dns controllers for target entries of controller ingress-cert',
  },
  {
    name: 'ingress-cert.default.pool.resync-period',
    type: 'duration',
    default: '2m0s',
    help: 'Period for resynchronization for pool default of controller ingress-cert',
  },
  {
    name: 'ingress-cert.default.pool.size',
    type: 'int',
    default: '2',
    help: 'Worker pool size for pool default of controller ingress-cert',
  },
  {
    name: 'ingress-cert.pool.resync-period',
    type: 'duration',
    help: 'Period for resynchronization of controller ingress-cert',
  },
  { name: 'ingress-cert.pool.size', type: 'int', help: 'Worker pool size of controller ingress-cert' },
  {
    name: 'ingress-cert.target-name-prefix',
    type: 'string',
    help: 'name prefix in target namespace for cross cluster generation of controller ingress-cert',
  },
  {
    name: 'ingress-cert.target-namespace',
    type: 'string',
    help: 'target namespace for cross cluster generation of controller ingress-cert',
  },
  {
    name: 'ingress-cert.targets.pool.size',
    type: 'int',
    default: '2',
    help: 'Worker pool size for pool targets of controller ingress-cert',
  },
  { name: 'issuer-namespace', type: 'string', help: 'namespace to lookup issuers on default cluster' },
  {
    name: 'issuer.cascade-delete',
    type: 'bool',
    help: 'If true, certificate secrets are deleted if dependent resources (certificate, ingress) are deleted of controller issuer',
  },
  {
    name: 'issuer.cert-class',
    type: 'string',
    help: 'Identifier used to differentiate responsible controllers for entries of controller issuer',
  },
  {
    name: 'issuer.default-issuer',
    type: 'string',
    default: 'default-issuer',
    help: 'name of default issuer (from default cluster) of controller issuer',
  },
  {
    name: 'issuer.default-issuer-domain-ranges',
    type: 'string',
    help: 'domain range restrictions when using default issuer separated by comma of controller issuer',
  },
  {
    name: 'issuer.default-requests-per-day-quota',
    type: 'int',
    default: '10000',
    help: 'Default value for requestsPerDayQuota if not set explicitly in the issuer spec. of controller issuer',
  },
  {
    name: 'issuer.default.pool.resync-period',
    type: 'duration',
    default: '24h0m0s',
    help: 'Period for resynchronization for pool default of controller issuer',
  },
  {
    name: 'issuer.default.pool.size',
    type: 'int',
    default: '2',
    help: 'Worker pool size for pool default of controller issuer',
  },
  {
    name: 'issuer.dns-class',
    type: 'string',
    help: 'class for creating challenge DNSEntries (in DNS cluster) of controller issuer',
  },
  {
    name: 'issuer.dns-namespace',
    type: 'string',
    help: 'namespace for creating challenge DNSEntries (in DNS cluster) of controller issuer',
  },
  {
    name: 'issuer.dns-owner-id',
    type: 'string',
    help: 'ownerId for creating challenge DNSEntries of controller issuer',
  },
  {
    name: 'issuer.issuer-namespace',
    type: 'string',
    default: 'default',
    help: 'namespace to lookup issuers on default cluster of controller issuer',
  },
  {
    name: 'issuer.issuers.pool.size',
    type: 'int',
    default: '1',
    help: 'Worker pool size for pool issuers of controller issuer',
  },
  { name: 'issuer.pool.resync-period', type: 'duration', help: 'Period for resynchronization of controller issuer' },
  { name: 'issuer.pool.size', type: 'int', help: 'Worker pool size of controller issuer' },
  {
    name: 'issuer.precheck-additional-wait',
    type: 'duration',
    default: '10s',
    help: 'additional wait time after DNS propagation check of controller issuer',
  },
  {
    name: 'issuer.precheck-nameservers',
    type: 'string',
    default: '8.8.8.8:53,8.8.4.4:53',
    help: 'DNS nameservers used for checking DNS propagation. If explicity set empty, it is tried to read them from /etc/resolv.conf of controller issuer',
  },
  {
    name: 'issuer.propagation-timeout',
    type: 'duration',
    default: '1m0s',
    help: 'propagation timeout for DNS challenge of controller issuer',
  },
  {
    name: 'issuer.renewal-window',
    type: 'duration',
    default: '720h0m0s',
    help: 'certificate is renewed if its validity period is shorter of controller issuer',
  },
  {
    name: 'issuer.secrets.pool.size',
    type: 'int',
    default: '1',
    help: 'Worker pool size for pool secrets of controller issuer',
  },
  { name: 'issuers.pool.size', type: 'int', help: 'Worker pool size for pool issuers' },
  { name: 'kubeconfig', type: 'string', help: 'default cluster access' },
  {
    name: 'kubeconfig.disable-deploy-crds',
    type: 'bool',
    help: 'disable deployment of required crds for cluster default',
  },
  { name: 'kubeconfig.id', type: 'string', help: 'id for cluster default' },
  { name: 'lease-duration', type: 'duration', default: '15s', help: 'lease duration' },
  { name: 'lease-name', type: 'string', help: 'name for lease object' },
  { name: 'lease-renew-deadline', type: 'duration', default: '10s', help: 'lease renew deadline' },
  { name: 'lease-retry-period', type: 'duration', default: '2s', help: 'lease retry period' },
  { name: 'log-level', short: 'D', type: 'string', help: 'logrus log level' },
  { name: 'maintainer', type: 'string', help: 'maintainer key for crds (defaulted by manager name)' },
  { name: 'name', type: 'string', help: 'name used for controller manager' },
  { name: 'namespace', type: 'string', default: 'kube-system', help: 'namespace for lease' },
  {
    name: 'namespace-local-access-only',
    short: 'n',
    type: 'bool',
    help: 'enable access restriction for namespace local access only (deprecated)',
  },
  { name: 'omit-lease', type: 'bool', help: 'omit lease for development' },
  { name: 'plugin-file', type: 'string', help: 'directory containing go plugins' },
  { name: 'pool.resync-period', type: 'duration', help: 'Period for resynchronization' },
  { name: 'pool.size', type: 'int', help: 'Worker pool size' },
  { name: 'precheck-additional-wait', type: 'duration', help: 'additional wait time after DNS propagation check' },
  {
    name: 'precheck-nameservers',
    type: 'string',
    help: 'DNS nameservers used for checking DNS propagation. If explicity set empty, it is tried to read them from /etc/resolv.conf',
  },
  { name: 'propagation-timeout', type: 'duration', help: 'propagation timeout for DNS challenge' },
  { name: 'renewal-window', type: 'duration', help: 'certificate is renewed if its validity period is shorter' },
  { name: 'secrets.pool.size', type: 'int', help: 'Worker pool size for pool secrets' },
  { name: 'server-port-http', type: 'int', help: 'HTTP server port (serving /healthz, /metrics, ...)' },
  {
    name: 'service-cert.cert-class',
    type: 'string',
    default: 'gardencert',
    help: 'Identifier used to differentiate responsible controllers for entries of controller service-cert',
  },
  {
    name: 'service-cert.cert-target-class',
    type: 'string',
    help: 'Identifier used to differentiate responsible dns controllers for target entries of controller service-cert',
  },
  {
    name: 'service-cert.default.pool.resync-period',
    type: 'duration',
    default: '2m0s',
    help: 'Period for resynchronization for pool default of controller service-cert',
  },
  {
    name: 'service-cert.default.pool.size',
    type: 'int',
    default: '2',
    help: 'Worker pool size for pool default of controller service-cert',
  },
  {
    name: 'service-cert.pool.resync-period',
    type: 'duration',
    help: 'Period for resynchronization of controller service-cert',
  },
  { name: 'service-cert.pool.size', type: 'int', help: 'Worker pool size of controller service-cert' },
  {
    name: 'service-cert.target-name-prefix',
    type: 'string',
    help: 'name prefix in target namespace for cross cluster generation of controller service-cert',
  },
  {
    name: 'service-cert.target-namespace',
    type: 'string',
    help: 'target namespace for cross cluster generation of controller service-cert',
  },
  {
    name: 'service-cert.targets.pool.size',
    type: 'int',
    default: '2',
    help: 'Worker pool size for pool targets of controller service-cert',
  },
  { name: 'source', type: 'string', help: 'source cluster to watch for ingresses and services' },
  { name: 'source.disable-deploy-crds', type: 'bool', help: 'disable deployment of required crds for cluster source' },
  { name: 'source.id', type: 'string', help: 'id for cluster source' },
  { name: 'target', type: 'string', help: 'target cluster for certificates' },
  { name: 'target-name-prefix', type: 'string', help: 'name prefix in target namespace for cross cluster generation' },
  { name: 'target-namespace', type: 'string', help: 'target namespace for cross cluster generation' },
  { name: 'target.disable-deploy-crds', type: 'bool', help: 'disable deployment of required crds for cluster target' },
  { name: 'target.id', type: 'string', help: 'id for cluster target' },
  { name: 'targets.pool.size', type: 'int', help: 'Worker pool size for pool targets' },
  { name: 'version', short: 'v', type: 'bool', help: 'version for cert-controller-manager' },
];

const ACTOR_FLAGS: readonly FlagData[] = [
  {
    name: 'actor-system',
    type: 'string',
    default: 'certmgmt',
    help: 'name of the actor system: prefix of its NATS subjects and KV buckets; pods with the same name form one system',
  },
  { name: 'nats-password', type: 'string', help: 'password for --nats-user' },
  {
    name: 'nats-servers',
    type: 'string',
    default: 'nats://127.0.0.1:4222',
    help: 'comma separated list of NATS server URLs',
  },
  { name: 'nats-token', type: 'string', help: 'NATS authentication token (instead of --nats-user)' },
  { name: 'nats-user', type: 'string', help: 'NATS user name' },
  {
    name: 'pod-name',
    type: 'string',
    help: 'name of this pod in the actor system (defaults to $POD_NAME, else the host name)',
  },
  {
    name: 'shards',
    type: 'int',
    default: '32',
    help: 'number of shards the actors are spread over; fixed for the life of an actor system',
  },
];

// Flags whose value is a comma-separated list (the seed splits them on ","); config files may write these as arrays.
const LIST_FLAGS = new Set([
  'controllers',
  'cert-class',
  'issuer.cert-class',
  'ingress-cert.cert-class',
  'service-cert.cert-class',
  'default-issuer-domain-ranges',
  'issuer.default-issuer-domain-ranges',
  'precheck-nameservers',
  'issuer.precheck-nameservers',
  'nats-servers',
]);

export const FLAGS: readonly FlagSpec[] = [
  ...SEED_FLAGS.map((f) => ({ ...f, origin: 'seed' as const, list: LIST_FLAGS.has(f.name) })),
  ...ACTOR_FLAGS.map((f) => ({ ...f, origin: 'actors' as const, list: LIST_FLAGS.has(f.name) })),
];

export const FLAGS_BY_NAME: ReadonlyMap<string, FlagSpec> = new Map(FLAGS.map((f) => [f.name, f]));
export const FLAGS_BY_SHORT: ReadonlyMap<string, FlagSpec> = new Map(
  FLAGS.flatMap((f) => (f.short === undefined ? [] : [[f.short, f] as const])),
);
