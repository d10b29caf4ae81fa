// cert-management talks to up to four clusters (default, source, dns, target). The stack runs them as four API
// servers on one etcd under different prefixes; if the prefixes leaked into each other, tests of cross-cluster
// behaviour (e.g. a certificate in source, its DNSEntry in dns) would pass for the wrong reason.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { isNotFound } from '../../actors/kube/kube-api-error.js';
import type { KubeClient } from '../../actors/kube/kube-client.js';
import { KUBE_VERSION } from '../env/server-binaries.js';
import { CLUSTER_ROLES, type ClusterRole } from '../env/stack.js';
import { adminClient, deleteIfExists, uniqueName } from '../support/kube.js';
import { sharedStack } from '../support/test-env.js';

const clients = Object.fromEntries(CLUSTER_ROLES.map((r) => [r, adminClient(r)])) as Record<ClusterRole, KubeClient>;
after(() => {
  for (const c of Object.values(clients)) c.close();
});

const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

test('the four cluster roles are four different API servers', () => {
  const servers = CLUSTER_ROLES.map((r) => sharedStack().clusters[r].server);
  assert.equal(new Set(servers).size, 4, servers.join(', '));
});

test('every cluster answers /version with the pinned Kubernetes version', async () => {
  for (const role of CLUSTER_ROLES) {
    const v = await clients[role].get<{ gitVersion: string; major: string; minor: string }>('/version');
    assert.equal(v.gitVersion, `v${KUBE_VERSION}`, role);
    assert.equal(v.gitVersion, 'v1.34.4', role);
    assert.equal(`${v.major}.${v.minor}`, '1.34', role);
  }
});

test('a ConfigMap created in the source cluster exists only there', async () => {
  const name = uniqueName('distinct');
  await clients.source.create(CONFIGMAPS, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data: { role: 'source' },
  });
  try {
    const read = await clients.source.get<{ data: Record<string, string> }>(`${CONFIGMAPS}/${name}`);
    assert.equal(read.data.role, 'source');
    for (const role of CLUSTER_ROLES.filter((r) => r !== 'source')) {
      await assert.rejects(
        clients[role].get(`${CONFIGMAPS}/${name}`),
        (err: unknown) => isNotFound(err),
        `${role} must not see it`,
      );
    }
  } finally {
    await deleteIfExists(clients.source, `${CONFIGMAPS}/${name}`);
  }
});

test('the same name can hold different objects in different clusters', async () => {
  const name = uniqueName('same-name');
  try {
    for (const role of CLUSTER_ROLES) {
      await clients[role].create(CONFIGMAPS, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name },
        data: { role },
      });
    }
    for (const role of CLUSTER_ROLES) {
      const read = await clients[role].get<{ data: Record<string, string> }>(`${CONFIGMAPS}/${name}`);
      assert.equal(read.data.role, role);
    }
  } finally {
    for (const role of CLUSTER_ROLES) await deleteIfExists(clients[role], `${CONFIGMAPS}/${name}`);
  }
});
