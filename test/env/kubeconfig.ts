import { writeFileSync } from 'node:fs';

/** Writes a kubeconfig (JSON is valid YAML, and kubectl and client-node read it). */
export function writeKubeconfig(
  path: string,
  cluster: string,
  server: string,
  caPem: string,
  user: string,
  token: string,
): void {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: cluster, cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } },
    ],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: cluster, context: { cluster, user, namespace: 'default' } }],
    'current-context': cluster,
  };
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
}
