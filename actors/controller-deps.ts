import type { ClusterRole, EffectiveConfig } from './config/effective-config.js';
import { KubeClient } from './kube/kube-client.js';
import { RequestRateLimiter } from './kube/request-rate-limiter.js';

/** What the controller's actors are built with: the configuration and one API client per cluster role. */
export interface ControllerDeps {
  config: EffectiveConfig;
  kube: Record<ClusterRole, KubeClient>;
}

/** One KubeClient per distinct cluster: roles that fall back to another role share its client (and its sockets). */
export function kubeClientsFor(config: EffectiveConfig): Record<ClusterRole, KubeClient> {
  const made = new Map<ClusterRole, KubeClient>();
  const roles: ClusterRole[] = ['default', 'source', 'dns', 'target'];
  const clientOf = (role: ClusterRole): KubeClient => {
    const existing = made.get(role);
    if (existing) return existing;
    const access = config.clusters[role];
    const client = access.sameAs
      ? clientOf(access.sameAs)
      : KubeClient.fromClusterOrFile(access.kubeconfig ?? undefined);
    if (!access.sameAs) client.limiter = RequestRateLimiter.fromFlags(access.qps, access.burst);
    made.set(role, client);
    return client;
  };
  return Object.fromEntries(roles.map((r) => [r, clientOf(r)])) as Record<ClusterRole, KubeClient>;
}
