import { readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import type { Authenticator } from '@kubernetes/client-node/dist/auth.js';
import type { User } from '@kubernetes/client-node/dist/config_types.js';
import type { KubeconfigSelection } from './kubeconfig.js';

/**
 * How one request authenticates as the kubeconfig's current user: TLS material, bearer token, basic auth,
 * impersonation, and client-node's authenticators for exec plugins, token files and auth providers. The
 * authenticators are loaded only for a user that needs one, and the same instance is kept because it caches tokens.
 */
export class KubeconfigAuth {
  readonly server: string;
  readonly proxyUrl: string | undefined;
  private authenticator: Promise<Authenticator | undefined> | undefined;
  private proxied: Promise<(opts: RequestOptions) => Promise<void>> | undefined;

  constructor(private readonly selection: KubeconfigSelection) {
    this.server = selection.cluster.server.replace(/\/$/, '');
    this.proxyUrl = selection.cluster.proxyUrl || undefined;
  }

  async apply(opts: RequestOptions): Promise<void> {
    // A proxied cluster needs client-node's proxy agents; only such a cluster pays for loading all of client-node.
    if (this.proxyUrl) {
      this.proxied ??= this.loadProxied();
      return (await this.proxied)(opts);
    }
    const { cluster, user } = this.selection;
    if (cluster.skipTLSVerify) opts.rejectUnauthorized = false;
    if (cluster.tlsServerName) opts.servername = cluster.tlsServerName;
    // Files are read per request, as client-node and client-go do, so rotated certificates are picked up.
    const ca = fileOrData(cluster.caFile, cluster.caData);
    if (ca) opts.ca = ca;
    const cert = fileOrData(user.certFile, user.certData);
    if (cert) opts.cert = cert;
    const key = fileOrData(user.keyFile, user.keyData);
    if (key) opts.key = key;
    opts.headers ??= {};
    const headers = opts.headers as Record<string, string>;
    if (user.impersonateUser) headers['Impersonate-User'] = user.impersonateUser;
    this.authenticator ??= authenticatorFor(user);
    const authenticator = await this.authenticator;
    if (authenticator) await authenticator.applyAuthentication(user, opts);
    if (user.token) headers.Authorization = `Bearer ${user.token}`;
    if (user.username) opts.auth = `${user.username}:${user.password ?? ''}`;
  }

  private async loadProxied(): Promise<(opts: RequestOptions) => Promise<void>> {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    const { cluster, user } = this.selection;
    kc.loadFromClusterAndUser(cluster, user);
    return (opts) => kc.applyToHTTPSOptions(opts);
  }
}

function fileOrData(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (file) return readFileSync(file);
  if (data) return Buffer.from(data, 'base64');
  return undefined;
}

/** client-node's authenticators in the order its KubeConfig asks them; the first that claims the user applies. */
async function authenticatorFor(user: User): Promise<Authenticator | undefined> {
  if (!user.exec && !user.authProvider) return undefined;
  const candidates: Array<() => Promise<Authenticator>> = [
    async () => new (await import('@kubernetes/client-node/dist/azure_auth.js')).AzureAuth(),
    async () => new (await import('@kubernetes/client-node/dist/gcp_auth.js')).GoogleCloudPlatformAuth(),
    async () => new (await import('@kubernetes/client-node/dist/exec_auth.js')).ExecAuth(),
    async () => new (await import('@kubernetes/client-node/dist/file_auth.js')).FileAuth(),
    async () => new (await import('@kubernetes/client-node/dist/oidc_auth.js')).OpenIDConnectAuth(),
  ];
  for (const make of candidates) {
    const authenticator = await make();
    if (authenticator.isAuthProvider(user)) return authenticator;
  }
  return undefined;
}
