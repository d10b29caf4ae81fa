import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Certificate } from '../../actors/certificate/certificate-spec.js';
import { certificatesToRouteAgain, RE_ROUTE_AFTER_MS } from '../../actors/watchers/unobserved-certificates.js';

const cert = (name: string, generation: number, observed?: number, deleting = false): Certificate =>
  ({
    metadata: {
      name,
      namespace: 'ns',
      generation,
      ...(deleting ? { deletionTimestamp: '2026-12-01T00:00:00Z' } : {}),
    },
    spec: {},
    ...(observed === undefined ? {} : { status: { observedGeneration: observed } }),
  }) as Certificate;

test('certificates whose status never caught up are routed again once the last routing is old enough', () => {
  const now = 10 * RE_ROUTE_AFTER_MS;
  const items = [
    cert('never-seen', 1), // no status at all: the lost one
    cert('caught-up', 2, 2),
    cert('behind', 3, 2), // a spec change not yet observed
    cert('just-routed', 1),
    cert('deleting', 1, undefined, true),
    cert('other-class', 1),
  ];
  const routedAt = new Map([
    ['ns/just-routed', now - RE_ROUTE_AFTER_MS + 1],
    ['ns/behind', now - RE_ROUTE_AFTER_MS],
  ]);
  const again = certificatesToRouteAgain(items, routedAt, now, (c) => c.metadata.name !== 'other-class');
  assert.deepEqual(
    again.map((c) => c.metadata.name),
    ['never-seen', 'behind'],
  );
});
