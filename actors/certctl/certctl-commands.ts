// What each certctl command asks over NATS, and how it prints. Reads go to the query subjects and the admin subject
// (allowed to observers); renew goes to the shard subject (operators only).
import type { ActorClient, ActorsAnswer } from '../../runtime/index.js';
import type { CertificateWalk } from '../certificate/certificate-walk.js';
import type { IssuerCandidate } from '../certificate/issuer-selection.js';
import type { QuotaReply } from '../issuer/issuer-messages.js';
import { quotaBurst } from '../issuer/quota-bucket.js';
import { CERTIFICATE_KIND, DEFAULT_WATCHER, ISSUER_KIND, SOURCE_WATCHER } from '../kinds.js';
import type { RevocationListItem } from '../watchers/revocation-watch.js';
import type { CertificateList } from '../watchers/source-watcher.js';
import type { CertctlCommand } from './certctl-args.js';
import { table } from './table.js';

export interface CertctlResult {
  json: unknown;
  text: string;
  /** Non-zero when the command did not do what was asked (e.g. some renewals refused). */
  exitCode?: number;
}

interface CertDescription {
  namespace?: string;
  name?: string;
  status?: {
    state?: string;
    message?: string;
    commonName?: string;
    issuerRef?: { name: string; namespace?: string };
    expirationDate?: string;
    renewalDate?: string;
  };
  work?: { phase: string };
  failures: number;
}

interface IssuerDescription {
  id: string;
  exists: boolean;
  server?: string;
  email?: string;
  status?: { state?: string; message?: string };
  ready: boolean;
  problem?: string;
  accountUrl?: string;
  requestsPerDayQuota: number;
  tokens: number;
  activeGrants: number;
  events?: Array<{ type: string; reason: string; message: string; count: number; lastTimestamp?: string }>;
}

/** Maps over items with at most `limit` requests in flight. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

async function listCertificates(
  client: ActorClient,
  timeoutMs: number,
  namespace?: string,
): Promise<CertificateList['items']> {
  const items: CertificateList['items'] = [];
  for (let offset = 0; ; ) {
    const page = await client.query<CertificateList>(
      SOURCE_WATCHER.kind,
      SOURCE_WATCHER.id,
      { type: 'List', offset, limit: 1000, ...(namespace ? { namespace } : {}) },
      timeoutMs,
    );
    items.push(...page.items);
    offset += page.items.length;
    if (page.items.length === 0 || offset >= page.total) return items;
  }
}

export async function runCertctl(
  client: ActorClient,
  command: CertctlCommand,
  timeoutMs: number,
  issuerNamespace: string,
): Promise<CertctlResult> {
  switch (command.cmd) {
    case 'help':
      return { json: {}, text: '' };

    case 'get-certs': {
      const items = await listCertificates(client, timeoutMs, command.namespace);
      const described = await pool(items, 16, (c) =>
        client
          .query<CertDescription>(CERTIFICATE_KIND, c.id, { type: 'Describe' }, timeoutMs)
          .catch((err: Error) => ({ failures: 0, error: err.message }) as CertDescription & { error: string }),
      );
      const rows = items.map((c, i) => ({ ...c, ...described[i] }));
      return {
        json: rows,
        text: table(
          ['NAMESPACE', 'NAME', 'COMMON NAME', 'ISSUER', 'STATUS', 'EXPIRATION_DATE', 'RENEWAL_DATE', 'ORDER STEP'],
          rows.map((r) => [
            r.namespace,
            r.name,
            r.status?.commonName,
            r.status?.issuerRef?.name,
            r.status?.state ?? 'Pending',
            r.status?.expirationDate,
            r.status?.renewalDate,
            r.work?.phase,
          ]),
        ),
      };
    }

    case 'get-issuers': {
      const candidates = await client.query<IssuerCandidate[]>(
        DEFAULT_WATCHER.kind,
        DEFAULT_WATCHER.id,
        { type: 'Candidates' },
        timeoutMs,
      );
      const described = await pool(candidates, 16, (i) =>
        client.query<IssuerDescription>(ISSUER_KIND, `${i.namespace}/${i.name}`, { type: 'Describe' }, timeoutMs),
      );
      const rows = described.map(({ events: _e, ...d }) => d);
      return {
        json: rows,
        text: table(
          ['NAMESPACE/NAME', 'SERVER', 'EMAIL', 'STATUS', 'QUOTA/DAY', 'TOKENS', 'ORDERS'],
          rows.map((d) => [d.id, d.server, d.email, d.status?.state, d.requestsPerDayQuota, d.tokens, d.activeGrants]),
        ),
      };
    }

    case 'get-revocations': {
      const rows = await client.query<RevocationListItem[]>(
        SOURCE_WATCHER.kind,
        SOURCE_WATCHER.id,
        { type: 'Revocations', ...(command.namespace ? { namespace: command.namespace } : {}) },
        timeoutMs,
      );
      return {
        json: rows,
        text: table(
          ['NAMESPACE', 'NAME', 'CERTIFICATE', 'STATUS', 'RENEW', 'QUALIFIED_AT', 'REVOKED_AT', 'MESSAGE'],
          rows.map((r) => [
            r.namespace,
            r.name,
            r.certificate,
            r.state,
            String(r.renew),
            r.qualifyingDate,
            r.revocationApplied,
            r.message,
          ]),
        ),
      };
    }

    case 'status-certificate': {
      const cert = await client.query<CertificateWalk>(
        CERTIFICATE_KIND,
        `${SOURCE_WATCHER.id}/${command.namespace}/${command.name}`,
        { type: 'Status' },
        timeoutMs,
      );
      const issuer = cert.issuer
        ? await client
            .query<IssuerDescription>(ISSUER_KIND, cert.issuer, { type: 'Describe' }, timeoutMs)
            .catch(() => undefined)
        : undefined;
      const json = { certificate: cert, issuer };
      const st = cert.status as CertDescription['status'] | undefined;
      const lines: string[] = [];
      const events = (
        list:
          | Array<{ type: string; reason: string; message: string; count: number; lastTimestamp?: string }>
          | undefined,
        indent: string,
      ) =>
        list?.length
          ? list
              .slice(-10)
              .map(
                (e) =>
                  `${indent}${e.lastTimestamp ?? ''}  ${e.type}  ${e.reason}  ${e.message}${e.count > 1 ? ` (x${e.count})` : ''}`,
              )
          : [`${indent}<none>`];
      lines.push(`Certificate ${command.namespace}/${command.name}`);
      if (!st) lines.push('  not known to the controller (wrong name, another class, or not observed yet)');
      else {
        lines.push(
          `  State:        ${st.state ?? ''}`,
          `  Message:      ${st.message ?? ''}`,
          `  Common name:  ${st.commonName ?? ''}`,
          `  Expires:      ${st.expirationDate ?? ''}`,
          `  Renewal:      ${st.renewalDate ?? ''}`,
        );
        if (cert.work)
          lines.push(
            `  Order:        step ${cert.work.phase} since ${cert.work.since}${cert.work.orderUrl ? ` (${cert.work.orderUrl})` : ''}`,
          );
        if (cert.failures)
          lines.push(`  Failures:     ${cert.failures}${cert.retryAt ? `, next attempt ${cert.retryAt}` : ''}`);
      }
      lines.push('  Events:', ...events(cert.events, '    '));
      lines.push(`Issuer ${cert.issuer ?? '<none>'}`);
      if (issuer) {
        lines.push(
          `  State:        ${issuer.status?.state ?? ''}${issuer.problem ? ` (${issuer.problem})` : ''}`,
          `  Server:       ${issuer.server ?? ''}`,
          `  Quota:        ${issuer.requestsPerDayQuota}/day, ${issuer.tokens} tokens now, ${issuer.activeGrants} orders running`,
          '  Events:',
          ...events(issuer.events, '    '),
        );
      }
      lines.push('DNSEntries');
      if (cert.dnsEntries.length === 0) lines.push('  <none> (no order running)');
      for (const e of cert.dnsEntries)
        lines.push(
          `  ${e.namespace}/${e.name}  ${e.dnsName ?? ''}  ${e.state ?? 'not processed'}${e.message ? `: ${e.message}` : ''}`,
          ...events(e.events, '    '),
        );
      lines.push(`Secret ${cert.secret ? `${cert.secret.namespace}/${cert.secret.name}` : '<none>'}`);
      if (cert.secret) {
        lines.push(`  Exists:       ${cert.secret.exists}`);
        if (cert.secret.exists)
          lines.push(
            `  Type:         ${cert.secret.type}`,
            `  Keys:         ${(cert.secret.keys ?? []).join(', ')}`,
            `  Hash:         ${cert.secret.labels?.['cert.gardener.cloud/hash'] ?? ''}`,
            '  Events:',
            ...events(cert.secret.events, '    '),
          );
      }
      return { json, text: `${lines.join('\n')}\n` };
    }

    case 'renew': {
      const r = await client.ask<{ ok: boolean; message?: string; error?: string }>(
        CERTIFICATE_KIND,
        `${SOURCE_WATCHER.id}/${command.namespace}/${command.name}`,
        { type: 'RenewNow' },
        timeoutMs,
      );
      return {
        json: r,
        text: `${command.namespace}/${command.name}: ${r.ok ? r.message : r.error}\n`,
        exitCode: r.ok ? 0 : 1,
      };
    }

    case 'renew-all': {
      const items = await listCertificates(client, timeoutMs, command.namespace);
      const results = await pool(items, 8, (c) =>
        client
          .ask<{ ok: boolean; message?: string; error?: string }>(
            CERTIFICATE_KIND,
            c.id,
            { type: 'RenewNow' },
            timeoutMs,
          )
          .catch((err: Error): { ok: boolean; message?: string; error?: string } => ({
            ok: false,
            error: err.message,
          })),
      );
      const rows = items.map((c, i) => ({ namespace: c.namespace, name: c.name, ...results[i] }));
      return {
        json: rows,
        text: table(
          ['NAMESPACE', 'NAME', 'RESULT'],
          rows.map((r) => [r.namespace, r.name, r.ok ? r.message : `failed: ${r.error}`]),
        ),
        exitCode: rows.every((r) => r.ok) ? 0 : 1,
      };
    }

    case 'actors': {
      const answer = await client.admin<ActorsAnswer>({ op: 'actors', limit: 0 }, timeoutMs);
      const members = await client.admin<
        Array<{ pod: string; alive: boolean; lastSeenMsAgo: number; draining?: boolean }>
      >({ op: 'members' }, timeoutMs);
      const kinds = new Map<string, Record<string, number>>();
      for (const p of answer.pods)
        for (const [kind, counts] of Object.entries(p.byKind)) {
          const k = kinds.get(kind) ?? {};
          for (const [status, n] of Object.entries(counts)) k[status] = (k[status] ?? 0) + n;
          kinds.set(kind, k);
        }
      const pods = answer.pods.map((p) => ({
        pod: p.pod,
        shards: p.shards.length,
        actors: p.actorCount,
        mailbox: p.mailboxTotal,
        restarts: p.restartsTotal,
        draining: p.draining,
      }));
      const json = { members, pods, kinds: Object.fromEntries(kinds), total: answer.total, missing: answer.missing };
      const text = [
        table(
          ['POD', 'ALIVE', 'SHARDS', 'ACTORS', 'MAILBOX', 'RESTARTS'],
          members.map((m) => {
            const p = pods.find((x) => x.pod === m.pod);
            return [
              m.pod,
              m.alive ? (p?.draining ? 'draining' : 'yes') : `no (${Math.round(m.lastSeenMsAgo / 1000)}s)`,
              p?.shards ?? 0,
              p?.actors ?? 0,
              p?.mailbox ?? 0,
              p?.restarts ?? 0,
            ];
          }),
        ),
        table(
          ['KIND', 'ACTIVE', 'FAILED', 'OTHER'],
          [...kinds]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([kind, c]) => [
              kind,
              c.active ?? 0,
              c.failed ?? 0,
              Object.entries(c)
                .filter(([s]) => s !== 'active' && s !== 'failed')
                .reduce((n, [, x]) => n + x, 0),
            ]),
        ),
        answer.missing.length ? `pods that did not answer: ${answer.missing.join(', ')}\n` : '',
      ].join('\n');
      return { json, text };
    }

    case 'actor': {
      const view = await client.admin<unknown>({ op: 'actor', kind: command.kind, id: command.id }, timeoutMs);
      return { json: view, text: `${JSON.stringify(view, null, 2)}\n` };
    }

    case 'quota': {
      const id = `${command.namespace ?? issuerNamespace}/${command.name}`;
      const q = await client.query<QuotaReply>(ISSUER_KIND, id, { type: 'Quota' }, timeoutMs);
      return {
        json: q,
        text: table(
          ['ISSUER', 'QUOTA/DAY', 'BURST', 'TOKENS', 'ORDERS RUNNING'],
          [[q.issuer, q.requestsPerDayQuota, quotaBurst(q.requestsPerDayQuota), q.tokens, q.activeGrants]],
        ),
      };
    }
  }
}
