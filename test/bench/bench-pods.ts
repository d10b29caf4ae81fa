// What bench:issue and bench:dns-persist share: their namespace in every cluster role, and the controller flags
// their pods run with (a 5 s lease for quick placement, no additional propagation wait).
import { KubeClient } from '../../actors/kube/kube-client.js';
import type { StackInfo } from '../env/stack.js';

export async function createBenchNamespace(info: StackInfo, ns: string): Promise<void> {
  for (const role of ['default', 'source', 'dns', 'target'] as const) {
    const k = KubeClient.fromFile(info.clusters[role].kubeconfig);
    await k.create('/api/v1/namespaces', { metadata: { name: ns } });
    k.close();
  }
}

export function benchControllerArgs(info: StackInfo, ns: string): string[] {
  return [
    '--issuer-namespace',
    ns,
    '--dns-namespace',
    ns,
    '--actor-system',
    'bench',
    '--precheck-nameservers',
    info.dns.server,
    '--precheck-additional-wait',
    '0s',
    '--lease-duration',
    '5s',
    '--lease-renew-deadline',
    '4s',
    '--lease-retry-period',
    '1500ms',
    '--log-level',
    process.env.BENCH_LOG_LEVEL ?? 'info',
  ];
}
