import { readFileSync } from 'node:fs';

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/**
 * Write requests (create/update/patch/delete) one user sent, counted from the API servers' audit logs (JSON lines,
 * one per request at ResponseComplete) from `sinceMs` on: what bench:issue reports as API writes per certificate.
 */
export function countWrites(
  auditLogs: readonly string[],
  user: string,
  sinceMs: number,
  untilMs = Number.POSITIVE_INFINITY,
): { total: number; byResource: Record<string, number> } {
  const byResource: Record<string, number> = {};
  let total = 0;
  for (const path of auditLogs) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line.includes(`"username":"${user}"`)) continue;
      const e = JSON.parse(line) as {
        verb: string;
        user: { username: string };
        requestReceivedTimestamp: string;
        objectRef?: { resource?: string; subresource?: string };
      };
      const t = Date.parse(e.requestReceivedTimestamp);
      if (e.user.username !== user || !WRITE_VERBS.has(e.verb) || t < sinceMs || t > untilMs) continue;
      total++;
      const key = `${e.verb} ${e.objectRef?.resource ?? '?'}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''}`;
      byResource[key] = (byResource[key] ?? 0) + 1;
    }
  }
  return { total, byResource };
}
