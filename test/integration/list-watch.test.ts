// Every controller sees the clusters through ListWatch. It must report each change, and it must survive an API
// server going away: reconnect by itself and still report what changed while it was gone (a missed DELETED would
// leave a controller acting on an object that no longer exists).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { KubeClient } from '../../actors/kube/kube-client.js';
import type { KubeObject } from '../../actors/kube/kube-object.js';
import { ListWatch } from '../../actors/kube/list-watch.js';
import type { WatchEvent } from '../../actors/kube/watch-event.js';
import { type KubeApiServer, startKubeApiServer } from '../env/kube-apiserver.js';
import { freePort } from '../env/ports.js';
import { ensureServerBinaries } from '../env/server-binaries.js';
import { adminClient, uniqueName } from '../support/kube.js';
import { eventually, sharedStack } from '../support/test-env.js';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

/** A ListWatch that records what it reports, as "TYPE name" lines. */
function recordingWatch(
  client: KubeClient,
  path: string,
): { lw: ListWatch<ConfigMap>; seen: string[]; errors: Error[] } {
  const seen: string[] = [];
  const errors: Error[] = [];
  const lw = new ListWatch<ConfigMap>({
    client,
    path,
    timeoutSeconds: 30,
    onEvent: (ev: WatchEvent<ConfigMap>) => {
      seen.push(`${ev.type} ${ev.object.metadata.name}${ev.object.data?.v ? `=${ev.object.data.v}` : ''}`);
    },
    onError: (err) => errors.push(err),
  });
  return { lw, seen, errors };
}

function configMap(name: string, v: string): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v } } as ConfigMap;
}

test('ListWatch reports ADDED, MODIFIED and DELETED for ConfigMaps in a fresh namespace', async () => {
  const client = adminClient('source');
  const ns = uniqueName('lw');
  await client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  const { lw, seen } = recordingWatch(client, path);
  try {
    await client.create(path, configMap('before', '1'));
    lw.start();
    await lw.synced();
    assert.deepEqual(seen, ['ADDED before=1'], 'the initial list reports what already exists');

    await client.create(path, configMap('cm', '1'));
    await client.mergePatch(`${path}/cm`, { data: { v: '2' } });
    await client.delete(`${path}/cm`);
    await eventually(() => seen.includes('DELETED cm=2'), 'the deletion of cm', 30_000);
    assert.deepEqual(seen, ['ADDED before=1', 'ADDED cm=1', 'MODIFIED cm=2', 'DELETED cm=2']);
    assert.deepEqual(
      lw.items().map((o) => o.metadata.name),
      ['before'],
    );
  } finally {
    await lw.stop();
    // No kube-controller-manager runs, so the namespace stays Terminating; its objects die with the stack.
    await client.delete(`/api/v1/namespaces/${ns}`).catch(() => {});
    client.close();
  }
});

test('ListWatch stops at once even when stopped right after its first list, while its watch is still opening', async () => {
  // A controller that shuts down must not hang until the server ends the watch (timeoutSeconds, here 10 minutes).
  const client = adminClient('source');
  const lw = new ListWatch<ConfigMap>({
    client,
    path: '/api/v1/namespaces/default/configmaps',
    timeoutSeconds: 600,
    onEvent: () => {},
  });
  try {
    lw.start();
    await lw.synced();
    const stopped = await Promise.race([
      lw.stop().then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 30_000).unref()),
    ]);
    assert.ok(stopped, 'stop() hung: the watch opened during stop() was not aborted');
  } finally {
    client.close();
  }
});

test('ListWatch reconnects to a restarted API server and reports what changed while it was down', async (t) => {
  const stack = sharedStack();
  const binary = (await ensureServerBinaries()).kubeApiserver;
  const dir = mkdtempSync(join(tmpdir(), 'lw-apiserver-'));
  // The role is the etcd prefix: every server started with it serves the same data.
  const role = uniqueName('lw');
  const port = await freePort();
  const servers: KubeApiServer[] = [];
  const start = async (subdir: string, p: number) => {
    const s = await startKubeApiServer(binary, role, join(dir, subdir), stack.etcd.url, p);
    servers.push(s);
    return s;
  };
  const path = '/api/v1/namespaces/default/configmaps';
  let watchClient: KubeClient | undefined;
  let lw: ListWatch<ConfigMap> | undefined;
  t.after(async () => {
    await lw?.stop();
    watchClient?.close();
    for (const s of servers) await s.process.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const first = await start('main', port);
  watchClient = KubeClient.fromFile(first.kubeconfig);
  await watchClient.create(path, configMap('keep', '1'));
  await watchClient.create(path, configMap('gone', '1'));
  const rec = recordingWatch(watchClient, path);
  lw = rec.lw.start();
  await lw.synced();
  assert.deepEqual([...rec.seen].sort(), ['ADDED gone=1', 'ADDED keep=1']);

  await first.process.stop();
  await eventually(() => rec.errors.length > 0, 'the ListWatch to notice the API server is gone', 30_000);

  // While the watched server is down, another API server on the same etcd prefix changes the data.
  const other = await start('other', await freePort());
  const otherClient = KubeClient.fromFile(other.kubeconfig);
  try {
    await otherClient.delete(`${path}/gone`);
    await otherClient.create(path, configMap('added-while-down', '1'));
  } finally {
    otherClient.close();
  }
  await other.process.stop();
  assert.ok(
    !rec.seen.some((s) => s.includes('added-while-down') || s.startsWith('DELETED')),
    'nothing can be reported while the server is down',
  );

  // The same server comes back on the same port and directory; the ListWatch still uses its original client.
  const restarted = await start('main', port);
  assert.equal(
    restarted.caPem,
    first.caPem,
    'a restart must keep the serving certificate, or clients stop trusting it',
  );
  assert.equal(restarted.adminToken, first.adminToken, 'a restart must keep the tokens, or clients are refused');
  await eventually(
    () => rec.seen.includes('DELETED gone=1') && rec.seen.includes('ADDED added-while-down=1'),
    'the changes made while down to be reported',
    90_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; reported so far: ${rec.seen.join(', ')}`);
  });

  // And the resumed watch is live: a change through the restarted server arrives too.
  const restartedClient = KubeClient.fromFile(restarted.kubeconfig);
  try {
    await restartedClient.create(path, configMap('added-after-restart', '1'));
  } finally {
    restartedClient.close();
  }
  await eventually(
    () => rec.seen.includes('ADDED added-after-restart=1'),
    'a change after the restart to be reported',
    60_000,
  );
  assert.deepEqual(
    lw
      .items()
      .map((o) => o.metadata.name)
      .sort(),
    ['added-after-restart', 'added-while-down', 'keep'],
  );
  assert.equal(
    rec.seen.filter((s) => s.startsWith('ADDED keep')).length,
    1,
    'an unchanged object must not be reported again',
  );
});
