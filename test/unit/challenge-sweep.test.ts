// The sweep of orphaned challenge entries (run when the dns watcher activates and every minute after): which entries
// it deletes and which it leaves. A fake list and delete; the DNSEntry store's own rules decide what is ours.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ANNOTATION_ACME_DNS_CHALLENGE,
  ANNOTATION_CERTIFICATE,
  ANNOTATION_DNS_CLASS,
} from '../../actors/dns/challenge-entry.js';
import { challengeStore } from '../../actors/dns/challenge-store.js';
import { sweepOrphanedChallengeEntries } from '../../actors/dns/challenge-sweep.js';
import type { KubeClient } from '../../actors/kube/kube-client.js';

const NOW = Date.parse('2026-12-04T12:00:00Z');

function entry(name: string, ageMs: number, annotations: Record<string, string>) {
  return {
    metadata: {
      name,
      namespace: 'dns',
      creationTimestamp: new Date(NOW - ageMs).toISOString(),
      annotations,
    },
  };
}

const ours = (owner?: string) => ({
  [ANNOTATION_ACME_DNS_CHALLENGE]: 'true',
  ...(owner ? { [ANNOTATION_CERTIFICATE]: owner } : {}),
});

async function sweep(items: ReturnType<typeof entry>[], inUse: (id: string, name: string) => Promise<boolean>) {
  const deleted: string[] = [];
  const kube = {
    get: async () => ({ items }),
    delete: async (path: string) => {
      deleted.push(path.split('/').pop()!);
      return {};
    },
  } as unknown as KubeClient;
  const count = await sweepOrphanedChallengeEntries({
    kube,
    store: challengeStore(false),
    namespace: '',
    dnsClass: '',
    now: NOW,
    inUse,
    log: () => {},
  });
  assert.equal(count, deleted.length);
  return deleted.sort();
}

test('an old entry of ours whose certificate runs no order using it is deleted', async () => {
  const deleted = await sweep([entry('orphan', 120_000, ours('source/ns/c1'))], async () => false);
  assert.deepEqual(deleted, ['orphan']);
});

test('an entry in use, a young one, and one whose owner cannot be asked are kept', async () => {
  const deleted = await sweep(
    [
      entry('in-use', 120_000, ours('source/ns/busy')),
      entry('young', 10_000, ours('source/ns/c2')),
      entry('unreachable', 120_000, ours('source/ns/moving')),
    ],
    async (id) => {
      if (id === 'source/ns/moving') throw new Error('not-owner');
      return id === 'source/ns/busy';
    },
  );
  assert.deepEqual(deleted, []);
});

test("entries of another DNS class or without the challenge annotation are not ours; gardener's (no owner) are", async () => {
  const deleted = await sweep(
    [
      entry('other-class', 120_000, { ...ours('source/ns/c3'), [ANNOTATION_DNS_CLASS]: 'other' }),
      entry('not-a-challenge', 120_000, { [ANNOTATION_CERTIFICATE]: 'source/ns/c4' }),
      entry('gardeners', 120_000, ours()),
    ],
    async () => false,
  );
  assert.deepEqual(deleted, ['gardeners']);
});
