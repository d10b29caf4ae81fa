import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ORDER_STEPS } from '../../actors/certificate/order/order-steps.js';
import { REVOCATION_STEPS } from '../../actors/revocation/revocation-steps.js';
import { repoRoot } from '../env/paths.js';
import { issuerSetupTableMarkdown, orderTableMarkdown, revocationTableMarkdown } from '../tools/workflow-tables.js';

/** Table rows without the padding a formatter adds (cells trimmed, separator rows reduced to dashes). */
const normalized = (markdown: string) =>
  markdown
    .split('\n')
    .map((line) =>
      line
        .split('|')
        .map((c) => (/^\s*-+\s*$/.test(c) ? '---' : c.trim()))
        .join('|'),
    )
    .join('\n');

test('docs/ARCHITECTURE.md shows the order table as the code has it (npm run docs:tables prints it)', () => {
  const doc = normalized(readFileSync(join(repoRoot(), 'docs', 'ARCHITECTURE.md'), 'utf8'));
  assert.ok(doc.includes(normalized(orderTableMarkdown())), 'the order table in docs/ARCHITECTURE.md is out of date');
  assert.ok(
    doc.includes(normalized(issuerSetupTableMarkdown())),
    'the issuer set-up table in docs/ARCHITECTURE.md is out of date',
  );
  assert.ok(
    doc.includes(normalized(revocationTableMarkdown())),
    'the revocation table in docs/ARCHITECTURE.md is out of date',
  );
});

test('every revocation step named as a next step exists, and every step but the first is reachable', () => {
  const steps = Object.keys(REVOCATION_STEPS);
  const reachable = new Set<string>(['collect-secrets']);
  for (const def of Object.values(REVOCATION_STEPS))
    for (const n of def.next) {
      if (n === 'end') continue;
      assert.ok(steps.includes(n), n);
      reachable.add(n);
    }
  assert.deepEqual([...reachable].sort(), [...steps].sort());
});

test('every phase named as a next step exists, and every phase but the first is reachable', () => {
  const phases = Object.keys(ORDER_STEPS);
  const reachable = new Set<string>(['grant']);
  for (const step of Object.values(ORDER_STEPS)) {
    for (const n of step.next) {
      assert.ok(phases.includes(n), n);
      reachable.add(n);
    }
  }
  assert.deepEqual([...reachable].sort(), [...phases].sort());
});
