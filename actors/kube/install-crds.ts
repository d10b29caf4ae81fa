import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { APPLY_PATCH, type KubeClient } from './kube-client.js';

interface Crd {
  metadata: { name: string };
  status?: { conditions?: Array<{ type: string; status: string; message?: string }> };
}

const FIELD_MANAGER = 'cert-controller-manager';

/** Reads every CustomResourceDefinition in a directory of YAML files. */
export function loadCrds(dir: string): Crd[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .sort()
    .flatMap((f) => yaml.loadAll(readFileSync(join(dir, f), 'utf8')) as Crd[])
    .filter((doc) => doc && (doc as { kind?: string }).kind === 'CustomResourceDefinition');
}

/**
 * Applies CRDs with server-side apply (idempotent; a newer schema replaces the old one) and waits until the API
 * server serves them: until Established, creating a custom resource fails with 404.
 */
export async function installCrds(client: KubeClient, crds: Crd[], timeoutMs = 60_000): Promise<void> {
  for (const crd of crds) {
    await client.request('PATCH', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`, {
      body: JSON.stringify(crd),
      contentType: APPLY_PATCH,
      query: { fieldManager: FIELD_MANAGER, force: true },
    });
  }
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    for (;;) {
      const live = await client.get<Crd>(
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
      );
      const conds = live.status?.conditions ?? [];
      if (conds.some((c) => c.type === 'Established' && c.status === 'True')) break;
      const bad = conds.find((c) => c.type === 'NamesAccepted' && c.status === 'False');
      if (bad) throw new Error(`CRD ${crd.metadata.name} names not accepted: ${bad.message}`);
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} not established within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
