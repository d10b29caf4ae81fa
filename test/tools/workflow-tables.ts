// Renders the workflow tables of the actors (the certificate order's steps, the issuer set-ups, the revocation steps) as the markdown that
// docs/ARCHITECTURE.md shows, so the document cannot drift from the code: a unit test compares them, and
// `npm run docs:tables` prints them for pasting after a change.
import { ORDER_STEPS } from '../../actors/certificate/order/order-steps.js';
import { ISSUER_SETUPS } from '../../actors/issuer/issuer-setups.js';
import { REVOCATION_STEPS } from '../../actors/revocation/revocation-steps.js';

const cell = (s: string) => s.replaceAll('|', '\\|');

export function orderTableMarkdown(): string {
  const rows = Object.entries(ORDER_STEPS).map(([phase, step]) =>
    [
      `\`${phase}\``,
      cell(step.does),
      cell(step.awaits),
      step.next.length ? step.next.map((n) => `\`${n}\``).join(', ') : '(end)',
      step.resume === 'reread' ? 're-read the order, continue at the later stage' : 'repeat the step',
    ].join(' | '),
  );
  return [
    '| phase | does | waits for | next | after a failover |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}

export function issuerSetupTableMarkdown(): string {
  const rows = Object.entries(ISSUER_SETUPS).map(([type, setup]) =>
    [
      `\`${type}\``,
      cell(setup.reads),
      cell(setup.does),
      cell(setup.serves),
      setup.limited ? 'spec.requestsPerDayQuota, domain locks' : 'none (quota 2147483647)',
    ].join(' | '),
  );
  return [
    '| type | reads | set-up does | certificates get | limits |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}

export function revocationTableMarkdown(): string {
  const rows = Object.entries(REVOCATION_STEPS).map(([step, def]) =>
    [
      `\`${step}\``,
      cell(def.when),
      cell(def.does),
      def.next.map((n) => (n === 'end' ? '(end)' : `\`${n}\``)).join(', '),
    ].join(' | '),
  );
  return ['| step | when the status says | does | next |', '|---|---|---|---|', ...rows.map((r) => `| ${r} |`)].join(
    '\n',
  );
}

if (process.argv[1]?.endsWith('workflow-tables.js')) {
  console.log(orderTableMarkdown());
  console.log();
  console.log(issuerSetupTableMarkdown());
  console.log();
  console.log(revocationTableMarkdown());
}
