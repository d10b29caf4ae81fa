// `kubectl get` as the API server renders it (the Table view the CRDs' printer columns define), for the demo.

import { table } from '../../actors/certctl/table.js';
import type { KubeClient } from '../../actors/kube/kube-client.js';

interface Table {
  columnDefinitions: Array<{ name: string; priority: number }>;
  rows: Array<{ cells: unknown[] }>;
}

export async function kubectlGet(kube: KubeClient, path: string, wide = false): Promise<string> {
  const t = await kube.request<Table>('GET', path, {
    headers: { accept: 'application/json;as=Table;g=meta.k8s.io;v=v1' },
  });
  const cols = t.columnDefinitions.map((c, i) => ({ ...c, i })).filter((c) => wide || c.priority === 0);
  const cell = (v: unknown) =>
    v === undefined || v === null ? undefined : Array.isArray(v) ? `[${v.join(' ')}]` : String(v);
  return table(
    cols.map((c) => c.name.toUpperCase()),
    t.rows.map((r) => cols.map((c) => cell(r.cells[c.i]))),
  );
}
