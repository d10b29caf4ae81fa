// The command line users of gardener's cert-controller-manager v0.27.0 know, as data: every flag its `--help` prints
// (157, including the per-cluster client options the README's usage list omits), with its type and help text as
// v0.27.0 prints them, so deployments written for it start unchanged and `--help` reads the same. Our own
// actor-runtime flags are kept in a separate list, so nobody mistakes them for gardener's.
//
// Two defaults per flag: `default` is what takes effect when the flag is not given (gardener's controllers apply
// their option defaults without pflag knowing them), `shown` is what v0.27.0's `--help` prints when it differs
// (null: prints none). Both are from gardener's source and its built binary.

export type FlagType = 'string' | 'bool' | 'int' | 'duration';

export interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  readonly type: FlagType;
  /** The effective default in gardener's syntax; absent means the type's zero value ("", false, 0, 0s). */
  readonly default?: string;
  /** What `--help` prints as "(default ...)" when that is not `default`; null prints nothing. */
  readonly shown?: string | null;
  readonly help: string;
  /** 'seed': gardener's flag; 'actors': added by this implementation (NATS, actor runtime). */
  readonly origin: 'seed' | 'actors';
  /** A comma-separated list: a config file may also give it as an array. */
  readonly list: boolean;
}

type FlagData = Omit<FlagSpec, 'origin' | 'list'>;

// Sorted as pflag prints them (byte order of the name).
const SEED_FLAGS: readonly FlagData[] = [
  { name: 'accepted-maintainers', type: 'string', help: 'accepted maintainer key(s) for crds' },
  {
    name: 'acme-deactivate-authorizations',
    type: 'bool',
    help: 'if true authorizations are always deactivated after each ACME certificate request',
  },
  { name: 'allow-target-issuers', type: 'bool', help: 'If true, issuers are also watched on the target cluster' },
  { name: 'bind-address-http', type: 'string', help: 'HTTP server bind address' },
  {
    name: 'cascade-delete',
    type: 'bool',
    help: 'If true, certificate secrets are deleted if dependent resources (certificate, ingress) are deleted',
  },
  {
    name: 'cert-class',
    type: 'string',
    help: 'Identifier used to differentiate responsible controllers for entries, Identifier used to differentiate responsible controllers for certificates and issuers',
  },
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
    shown: null,
    help: 'comma separated list of controllers to start (<name>,<group>,all)',
  },
  { name: 'cpuprofile', type: 'string', help: 'set file for cpu profiling' },
  {
    name: 'default-ecdsa-private-key-size',
    type: 'int',
    help: "Default certificate private key size for 'ecdsa' algorithm.",
  },
  { name: 'default-issuer', type: 'string', help: 'name of default issuer (from default cluster)' },
  {
    name: 'default-issuer-domain-ranges',
    type: 'string',
    help: 'domain range restrictions when using default issuer separated by comma',
  },
  { name: 'default-private-key-algorithm', type: 'string', help: 'default algorithm for certificate private keys' },
  {
    name: 'default-requests-per-day-quota',
    type: 'int',
    help: 'Default value for requestsPerDayQuota if not set explicitly in the issuer spec.',
  },
  {
    name: 'default-rsa-private-key-size',
    type: 'int',
    help: "Default certificate private key size for 'rsa' algorithm.",
  },
  { name: 'default.pool.resync-period', type: 'duration', help: 'Period for resynchronization for pool default' },
  { name: 'default.pool.size', type: 'int', help: 'Worker pool size for pool default' },
  {
    name: 'disable-namespace-restriction',
    type: 'bool',
    help: 'disable access restriction for namespace local access only',
  },
  { name: 'dns', type: 'string', help: 'cluster for writing challenge DNSEntries or DNSRecords' },
  { name: 'dns-class', type: 'string', help: 'class for creating challenge DNSEntries (in DNS cluster)' },
  {
    name: 'dns-namespace',
    type: 'string',
    help: 'namespace for creating challenge DNSEntries or DNSRecords (in DNS cluster)',
  },
  { name: 'dns-owner-id', type: 'string', help: 'ownerId for creating challenge DNSEntries' },
  {
    name: 'dns.burst',
    type: 'int',
    default: '100',
    help: 'option to set the maximum burst to the apiserver of the cluster dns',
  },
  {
    name: 'dns.conditional-deploy-crds',
    type: 'bool',
    help: 'deployment of required crds for cluster dns only if there is no managed resource in garden namespace deploying it',
  },
  {
    name: 'dns.crds-shoot-no-cleanup-label',
    type: 'bool',
    help: "add the label 'shoot.gardener.cloud/no-cleanup=true' for CRDS deployed on cluster dns",
  },
  { name: 'dns.disable-deploy-crds', type: 'bool', help: 'disable deployment of required crds for cluster dns' },
  { name: 'dns.id', type: 'string', help: 'id for cluster dns' },
  { name: 'dns.migration-ids', type: 'string', help: 'migration id for cluster dns' },
  {
    name: 'dns.qps',
    type: 'int',
    default: '50',
    help: 'option to set the maximum QPS to the apiserver of the cluster dns',
  },
  { name: 'force-crd-update', type: 'bool', help: 'enforce update of crds even they are unmanaged' },
  { name: 'grace-period', type: 'duration', help: 'inactivity grace period for detecting end of cleanup for shutdown' },
  { name: 'help', short: 'h', type: 'bool', help: 'help for cert-controller-manager' },
  { name: 'httproutes.pool.size', type: 'int', help: 'Worker pool size for pool httproutes' },
  {
    name: 'ingress-cert.cert-class',
    type: 'string',
    default: 'gardencert',
    shown: null,
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
    shown: null,
    help: 'Period for resynchronization for pool default of controller ingress-cert',
  },
  {
    name: 'ingress-cert.default.pool.size',
    type: 'int',
    default: '2',
    shown: null,
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
    shown: null,
    help: 'Worker pool size for pool targets of controller ingress-cert',
  },
  { name: 'issuer-namespace', type: 'string', help: 'namespace to lookup issuers on default cluster' },
  {
    name: 'issuer.acme-deactivate-authorizations',
    type: 'bool',
    help: 'if true authorizations are always deactivated after each ACME certificate request of controller issuer',
  },
  {
    name: 'issuer.allow-target-issuers',
    type: 'bool',
    help: 'If true, issuers are also watched on the target cluster of controller issuer',
  },
  {
    name: 'issuer.cascade-delete',
    type: 'bool',
    help: 'If true, certificate secrets are deleted if dependent resources (certificate, ingress) are deleted of controller issuer',
  },
  {
    name: 'issuer.cert-class',
    type: 'string',
    help: 'Identifier used to differentiate responsible controllers for certificates and issuers of controller issuer',
  },
  {
    name: 'issuer.default-ecdsa-private-key-size',
    type: 'int',
    default: '256',
    shown: null,
    help: "Default certificate private key size for 'ecdsa' algorithm. of controller issuer",
  },
  {
    name: 'issuer.default-issuer',
    type: 'string',
    default: 'default-issuer',
    shown: null,
    help: 'name of default issuer (from default cluster) of controller issuer',
  },
  {
    name: 'issuer.default-issuer-domain-ranges',
    type: 'string',
    help: 'domain range restrictions when using default issuer separated by comma of controller issuer',
  },
  {
    name: 'issuer.default-private-key-algorithm',
    type: 'string',
    default: 'RSA',
    shown: null,
    help: 'default algorithm for certificate private keys of controller issuer',
  },
  {
    name: 'issuer.default-requests-per-day-quota',
    type: 'int',
    default: '10000',
    shown: null,
    help: 'Default value for requestsPerDayQuota if not set explicitly in the issuer spec. of controller issuer',
  },
  {
    name: 'issuer.default-rsa-private-key-size',
    type: 'int',
    default: '2048',
    shown: null,
    help: "Default certificate private key size for 'rsa' algorithm. of controller issuer",
  },
  {
    name: 'issuer.default.pool.resync-period',
    type: 'duration',
    default: '24h0m0s',
    shown: null,
    help: 'Period for resynchronization for pool default of controller issuer',
  },
  {
    name: 'issuer.default.pool.size',
    type: 'int',
    default: '2',
    shown: null,
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
    help: 'namespace for creating challenge DNSEntries or DNSRecords (in DNS cluster) of controller issuer',
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
    shown: null,
    help: 'namespace to lookup issuers on default cluster of controller issuer',
  },
  {
    name: 'issuer.issuers.pool.size',
    type: 'int',
    default: '1',
    shown: null,
    help: 'Worker pool size for pool issuers of controller issuer',
  },
  { name: 'issuer.pool.resync-period', type: 'duration', help: 'Period for resynchronization of controller issuer' },
  { name: 'issuer.pool.size', type: 'int', help: 'Worker pool size of controller issuer' },
  {
    name: 'issuer.precheck-additional-wait',
    type: 'duration',
    default: '10s',
    shown: null,
    help: 'additional wait time after DNS propagation check of controller issuer',
  },
  {
    name: 'issuer.precheck-nameservers',
    type: 'string',
    default: '8.8.8.8:53,8.8.4.4:53',
    shown: null,
    help: 'Default DNS nameservers used for checking DNS propagation. If explicitly set empty, it is tried to read them from /etc/resolv.conf of controller issuer',
  },
  {
    name: 'issuer.propagation-timeout',
    type: 'duration',
    default: '2m0s',
    shown: null,
    help: 'propagation timeout for DNS challenge of controller issuer',
  },
  {
    name: 'issuer.renewal-overdue-window',
    type: 'duration',
    default: '600h0m0s',
    shown: null,
    help: "certificate is counted as 'renewal overdue' if its validity period is shorter (metrics cert_management_overdue_renewal_certificates) of controller issuer",
  },
  {
    name: 'issuer.renewal-window',
    type: 'duration',
    default: '720h0m0s',
    shown: null,
    help: 'certificate is renewed if its validity period is shorter of controller issuer',
  },
  {
    name: 'issuer.revocations.pool.size',
    type: 'int',
    default: '1',
    shown: null,
    help: 'Worker pool size for pool revocations of controller issuer',
  },
  {
    name: 'issuer.secrets.pool.size',
    type: 'int',
    default: '1',
    shown: null,
    help: 'Worker pool size for pool secrets of controller issuer',
  },
  {
    name: 'issuer.use-dnsrecords',
    type: 'bool',
    help: 'if true, DNSRecords (using Gardener Provider extensions) are created instead of DNSEntries of controller issuer',
  },
  { name: 'issuers.pool.size', type: 'int', help: 'Worker pool size for pool issuers' },
  {
    name: 'istio-gateways-dns.cert-class',
    type: 'string',
    default: 'gardencert',
    shown: null,
    help: 'Identifier used to differentiate responsible controllers for entries of controller istio-gateways-dns',
  },
  {
    name: 'istio-gateways-dns.cert-target-class',
    type: 'string',
    help: 'Identifier used to differentiate responsible dns controllers for target entries of controller istio-gateways-dns',
  },
  {
    name: 'istio-gateways-dns.default.pool.resync-period',
    type: 'duration',
    default: '2m0s',
    shown: null,
    help: 'Period for resynchronization for pool default of controller istio-gateways-dns',
  },
  {
    name: 'istio-gateways-dns.default.pool.size',
    type: 'int',
    default: '2',
    shown: null,
    help: 'Worker pool size for pool default of controller istio-gateways-dns',
  },
  {
    name: 'istio-gateways-dns.pool.resync-period',
    type: 'duration',
    help: 'Period for resynchronization of controller istio-gateways-dns',
  },
  { name: 'istio-gateways-dns.pool.size', type: 'int', help: 'Worker pool size of controller istio-gateways-dns' },
  {
    name: 'istio-gateways-dns.target-name-prefix',
    type: 'string',
    help: 'name prefix in target namespace for cross cluster generation of controller istio-gateways-dns',
  },
  {
    name: 'istio-gateways-dns.target-namespace',
    type: 'string',
    help: 'target namespace for cross cluster generation of controller istio-gateways-dns',
  },
  {
    name: 'istio-gateways-dns.targets.pool.size',
    type: 'int',
    default: '2',
    shown: null,
    help: 'Worker pool size for pool targets of controller istio-gateways-dns',
  },
  {
    name: 'istio-gateways-dns.targetsources.pool.size',
    type: 'int',
    default: '2',
    shown: null,
    help: 'Worker pool size for pool targetsources of controller istio-gateways-dns',
  },
  {
    name: 'istio-gateways-dns.virtualservices.pool.size',
    type: 'int',
    default: '2',
    shown: null,
    help: 'Worker pool size for pool virtualservices of controller istio-gateways-dns',
  },
  {
    name: 'k8s-gateways-dns.cert-class',
    type: 'string',
    default: 'gardencert',
    shown: null,
    help: 'Identifier used to differentiate responsible controllers for entries of controller k8s-gateways-dns',
  },
  {
    name: 'k8s-gateways-dns.cert-target-class',
    type: 'string',
    help: 'Identifier used to differentiate responsible dns controllers for target entries of controller k8s-gateways-dns',
  },
  {
    name: 'k8s-gateways-dns.default.pool.resync-period',
    type: 'duration',
    default: '2m0s',
    shown: null,
    help: 'Period for resynchronization for pool default of controller k8s-gateways-dns',
  },
  {
    name: 'k8s-gateways-dns.default.pool.size',
    type: 'int',
    default: '2',
    shown: null,
    help: 'Worker pool size for pool default of controller k8s-gateways-dns',
  },
  {
    name: 'k8s-gateways-dns.httproutes.pool.size',
    type: 'int',
    default: '2',
    shown: null,
    help: 'Worker pool size for pool httproutes of controller k8s-gateways-dns',
  },
  {
    name: 'k8s-gateways-dns.pool.resync-period',
    type: 'duration',
    help: 'Period for resynchronization of controller k8s-gateways-dns',
  },
  { name: 'k8s-gateways-dns.pool.size', type: 'int', help: 'Worker pool size of controller k8s-gateways-dns' },
  {
    name: 'k8s-gateways-dns.target-name-prefix',
    type: 'string',
    help: 'name prefix in target namespace for cross cluster generation of controller k8s-gateways-dns',
  },
  {
    name: 'k8s-gateways-dns.target-namespace',
    type: 'string',
    help: 'target namespace for cross cluster generation of controller k8s-gateways-dns',
  },
  {
    name: 'k8s-gateways-dns.targets.pool.size',
    type: 'int',
    default: '2',
    shown: null,
    help: 'Worker pool size for pool targets of controller k8s-gateways-dns',
  },
  { name: 'kubeconfig', type: 'string', help: 'default cluster access' },
  {
    name: 'kubeconfig.burst',
    type: 'int',
    default: '100',
    help: 'option to set the maximum burst to the apiserver of the cluster default',
  },
  {
    name: 'kubeconfig.conditional-deploy-crds',
    type: 'bool',
    help: 'deployment of required crds for cluster default only if there is no managed resource in garden namespace deploying it',
  },
  {
    name: 'kubeconfig.crds-shoot-no-cleanup-label',
    type: 'bool',
    help: "add the label 'shoot.gardener.cloud/no-cleanup=true' for CRDS deployed on cluster default",
  },
  {
    name: 'kubeconfig.disable-deploy-crds',
    type: 'bool',
    help: 'disable deployment of required crds for cluster default',
  },
  { name: 'kubeconfig.id', type: 'string', help: 'id for cluster default' },
  { name: 'kubeconfig.migration-ids', type: 'string', help: 'migration id for cluster default' },
  {
    name: 'kubeconfig.qps',
    type: 'int',
    default: '50',
    help: 'option to set the maximum QPS to the apiserver of the cluster default',
  },
  { name: 'lease-duration', type: 'duration', default: '15s', shown: null, help: 'lease duration' },
  { name: 'lease-name', type: 'string', help: 'name for lease object' },
  { name: 'lease-renew-deadline', type: 'duration', default: '10s', shown: null, help: 'lease renew deadline' },
  {
    name: 'lease-resource-lock',
    type: 'string',
    default: 'leases',
    shown: null,
    help: "determines which resource lock to use for leader election, defaults to 'leases'",
  },
  { name: 'lease-retry-period', type: 'duration', default: '2s', shown: null, help: 'lease retry period' },
  { name: 'log-level', short: 'D', type: 'string', help: 'logrus log level' },
  { name: 'maintainer', type: 'string', default: 'cert-controller-manager', help: 'maintainer key for crds' },
  { name: 'name', type: 'string', default: 'cert-controller-manager', help: 'name used for controller manager' },
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
    help: 'Default DNS nameservers used for checking DNS propagation. If explicitly set empty, it is tried to read them from /etc/resolv.conf',
  },
  { name: 'propagation-timeout', type: 'duration', help: 'propagation timeout for DNS challenge' },
  {
    name: 'renewal-overdue-window',
    type: 'duration',
    help: "certificate is counted as 'renewal overdue' if its validity period is shorter (metrics cert_management_overdue_renewal_certificates)",
  },
  { name: 'renewal-window', type: 'duration', help: 'certificate is renewed if its validity period is shorter' },
  { name: 'revocations.pool.size', type: 'int', help: 'Worker pool size for pool revocations' },
  { name: 'secrets.pool.size', type: 'int', help: 'Worker pool size for pool secrets' },
  { name: 'server-port-http', type: 'int', help: 'HTTP server port (serving /healthz, /metrics, ...)' },
  {
    name: 'service-cert.cert-class',
    type: 'string',
    default: 'gardencert',
    shown: null,
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
    shown: null,
    help: 'Period for resynchronization for pool default of controller service-cert',
  },
  {
    name: 'service-cert.default.pool.size',
    type: 'int',
    default: '2',
    shown: null,
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
    shown: null,
    help: 'Worker pool size for pool targets of controller service-cert',
  },
  { name: 'source', type: 'string', help: 'source cluster to watch for ingresses and services' },
  {
    name: 'source.burst',
    type: 'int',
    default: '100',
    help: 'option to set the maximum burst to the apiserver of the cluster source',
  },
  {
    name: 'source.conditional-deploy-crds',
    type: 'bool',
    help: 'deployment of required crds for cluster source only if there is no managed resource in garden namespace deploying it',
  },
  {
    name: 'source.crds-shoot-no-cleanup-label',
    type: 'bool',
    help: "add the label 'shoot.gardener.cloud/no-cleanup=true' for CRDS deployed on cluster source",
  },
  { name: 'source.disable-deploy-crds', type: 'bool', help: 'disable deployment of required crds for cluster source' },
  { name: 'source.id', type: 'string', help: 'id for cluster source' },
  { name: 'source.migration-ids', type: 'string', help: 'migration id for cluster source' },
  {
    name: 'source.qps',
    type: 'int',
    default: '50',
    help: 'option to set the maximum QPS to the apiserver of the cluster source',
  },
  { name: 'target', type: 'string', help: 'target cluster for certificates' },
  { name: 'target-name-prefix', type: 'string', help: 'name prefix in target namespace for cross cluster generation' },
  { name: 'target-namespace', type: 'string', help: 'target namespace for cross cluster generation' },
  {
    name: 'target.burst',
    type: 'int',
    default: '100',
    help: 'option to set the maximum burst to the apiserver of the cluster target',
  },
  {
    name: 'target.conditional-deploy-crds',
    type: 'bool',
    help: 'deployment of required crds for cluster target only if there is no managed resource in garden namespace deploying it',
  },
  {
    name: 'target.crds-shoot-no-cleanup-label',
    type: 'bool',
    help: "add the label 'shoot.gardener.cloud/no-cleanup=true' for CRDS deployed on cluster target",
  },
  { name: 'target.disable-deploy-crds', type: 'bool', help: 'disable deployment of required crds for cluster target' },
  { name: 'target.id', type: 'string', help: 'id for cluster target' },
  { name: 'target.migration-ids', type: 'string', help: 'migration id for cluster target' },
  {
    name: 'target.qps',
    type: 'int',
    default: '50',
    help: 'option to set the maximum QPS to the apiserver of the cluster target',
  },
  { name: 'targets.pool.size', type: 'int', help: 'Worker pool size for pool targets' },
  { name: 'targetsources.pool.size', type: 'int', help: 'Worker pool size for pool targetsources' },
  {
    name: 'use-dnsrecords',
    type: 'bool',
    help: 'if true, DNSRecords (using Gardener Provider extensions) are created instead of DNSEntries',
  },
  { name: 'version', short: 'v', type: 'bool', help: 'version for cert-controller-manager' },
  { name: 'virtualservices.pool.size', type: 'int', help: 'Worker pool size for pool virtualservices' },
  {
    name: 'watch-gateways-crds.default.pool.size',
    type: 'int',
    default: '1',
    shown: null,
    help: 'Worker pool size for pool default of controller watch-gateways-crds',
  },
  { name: 'watch-gateways-crds.pool.size', type: 'int', help: 'Worker pool size of controller watch-gateways-crds' },
];

const ACTOR_FLAGS: readonly FlagData[] = [
  {
    name: 'acme-renewal-info',
    type: 'bool',
    default: 'true',
    help: "follow the ACME CA's renewal information (RFC 9773 ARI) where it offers it: renew inside its suggested window (never later than the renewal window says) and send `replaces` with the renewal order",
  },
  {
    name: 'acme-renewal-info-max-interval',
    type: 'duration',
    default: '24h0m0s',
    help: "the longest wait before a certificate's renewal information is asked for again, whatever the CA's Retry-After says",
  },
  {
    name: 'actor-idle-timeout',
    type: 'duration',
    default: '10m0s',
    help: 'actors without messages or timers for this long are passivated (their state stays in NATS KV)',
  },
  {
    name: 'actor-system',
    type: 'string',
    default: 'certmgmt',
    help: 'name of the actor system: prefix of its NATS subjects and KV buckets; pods with the same name form one system',
  },
  { name: 'nats-password', type: 'string', help: 'password for --nats-user' },
  {
    name: 'rsa-key-pool-size',
    type: 'int',
    default: '256',
    help: 'RSA keys of --default-rsa-private-key-size this pod makes ahead while idle, when RSA is the default algorithm; held in memory only, each used once; 0 turns the pool off',
  },
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
  'istio-gateways-dns.cert-class',
  'k8s-gateways-dns.cert-class',
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
