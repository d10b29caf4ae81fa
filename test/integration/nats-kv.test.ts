// The runtime keeps shard leases and state in JetStream KV buckets with 3 replicas and relies on compare-and-set
// across pods connected to different nodes. This proves the stack's NATS is a real 3-node cluster built from
// nats.conf: a write through one node is readable through another, and CAS conflicts are detected cluster-wide.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { connect, type NatsConnection, NatsError, StringCodec } from 'nats';
import { httpCall } from '../env/http-probe.js';
import { TEST_NATS_USERS } from '../env/nats-users.js';
import { eventually, sharedStack } from '../support/test-env.js';

const stack = sharedStack();
const sc = StringCodec();
const connections: NatsConnection[] = [];
after(async () => {
  for (const nc of connections) await nc.close();
});

/** A connection pinned to exactly one node: no server discovery, so the test knows which node served it. */
async function connectOnly(url: string): Promise<NatsConnection> {
  const nc = await connect({
    servers: [url],
    ignoreClusterUpdates: true,
    noRandomize: true,
    maxReconnectAttempts: 0,
    ...TEST_NATS_USERS.runtime,
  });
  connections.push(nc);
  return nc;
}

test('the cluster has three nodes, each routed to the other two', async () => {
  assert.equal(stack.nats.monitorUrls.length, 3);
  const names: string[] = [];
  const peersOf = new Map<string, string[]>();
  for (const m of stack.nats.monitorUrls) {
    const res = await httpCall(`${m}/routez`);
    assert.equal(res.status, 200);
    const routez = JSON.parse(res.body) as { server_name: string; routes: Array<{ remote_name: string }> };
    names.push(routez.server_name);
    peersOf.set(routez.server_name, [...new Set(routez.routes.map((r) => r.remote_name))].sort());
  }
  assert.equal(new Set(names).size, 3, `server names must be unique: ${names.join(', ')}`);
  for (const name of names)
    assert.deepEqual(peersOf.get(name), names.filter((n) => n !== name).sort(), `peers of ${name}`);
});

test('a KV value written through node A is read through node B, and CAS is enforced across nodes', async () => {
  const [urlA, urlB] = stack.nats.urls;
  const a = await connectOnly(urlA);
  const b = await connectOnly(urlB);
  assert.notEqual(a.info?.server_name, b.info?.server_name, 'A and B must be different servers');

  const bucket = `kvtest_${randomBytes(4).toString('hex')}`;
  const kvA = await a.jetstream().views.kv(bucket, { replicas: 3, history: 1 });
  try {
    const status = await kvA.status();
    assert.equal(status.replicas, 3);
    const created = await kvA.put('lease', sc.encode('owner=pod-a'));

    const kvB = await b.jetstream().views.kv(bucket);
    // Direct gets may be answered by a follower that has not applied the write yet: poll, as the runtime would.
    const read = await eventually(
      async () => {
        const e = await kvB.get('lease');
        return e?.revision === created ? e : undefined;
      },
      'B to see the key written through A',
      10_000,
    );
    assert.equal(sc.decode(read.value), 'owner=pod-a');

    // B takes the lease with the revision it read: accepted.
    const updated = await kvB.update('lease', sc.encode('owner=pod-b'), read.revision);
    assert.ok(updated > created);

    // A still holds the old revision: its CAS must be refused even though it talks to another node.
    await assert.rejects(kvA.update('lease', sc.encode('owner=pod-a-again'), created), (err: unknown) => {
      assert.ok(err instanceof NatsError, `expected a NatsError, got ${String(err)}`);
      assert.equal(err.api_error?.err_code, 10071);
      return true;
    });
    await eventually(
      async () => {
        const e = await kvA.get('lease');
        return e?.revision === updated && sc.decode(e.value) === 'owner=pod-b';
      },
      'A to read the value B wrote',
      10_000,
    );

    // The bucket's stream really has a leader and two followers, i.e. three copies on three servers.
    const info = await (await a.jetstreamManager()).streams.info(`KV_${bucket}`);
    const servers = [info.cluster?.leader, ...(info.cluster?.replicas ?? []).map((r) => r.name)];
    assert.equal(new Set(servers.filter(Boolean)).size, 3, `stream servers: ${servers.join(', ')}`);
  } finally {
    await kvA.destroy();
  }
});
