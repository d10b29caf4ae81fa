// certctl's `status certificate NS/NAME`: what the certificate actor knows, plus the objects around it read fresh
// from their clusters (challenge DNSEntries, the Secret's metadata, Events of each). Never the Secret's data.

import type { CertCtx } from './certificate-actor-types.js';
import { type CertEnv, identityOf } from './certificate-env.js';
import { type EventSummary, getEntry, getSecret, listEvents } from './certificate-kube.js';
import { entryNamespace } from './order/challenges.js';

export interface CertificateWalk {
  id: string;
  status?: unknown;
  work?: { phase: string; orderUrl?: string; issuer: string; since: string };
  issuer?: string;
  secret?: {
    namespace: string;
    name: string;
    exists: boolean;
    type?: string;
    keys?: string[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    events?: EventSummary[];
  };
  dnsEntries: Array<{
    namespace: string;
    name: string;
    dnsName?: string;
    state?: string;
    message?: string;
    events: EventSummary[];
  }>;
  events: EventSummary[];
  failures: number;
  retryAt?: string;
}

export async function walkCertificate(ctx: CertCtx, env: CertEnv): Promise<CertificateWalk> {
  const s = ctx.state;
  const { namespace, name } = identityOf(ctx);
  const dnsNs = entryNamespace(env.deps.config, identityOf(ctx));
  const secretRef = s.work?.secret ?? s.issued?.secret;
  const [events, dnsEntries, secret] = await Promise.all([
    listEvents(env.source, namespace, 'Certificate', name).catch(() => []),
    Promise.all(
      (s.work?.entries ?? []).map(async (e) => {
        const entry = await getEntry(env.dns, dnsNs, e).catch(() => undefined);
        return {
          namespace: dnsNs,
          name: e,
          ...(entry?.spec.dnsName ? { dnsName: entry.spec.dnsName } : {}),
          ...(entry?.status?.state ? { state: entry.status.state } : {}),
          ...(entry?.status?.message ? { message: entry.status.message } : {}),
          events: await listEvents(env.dns, dnsNs, 'DNSEntry', e).catch(() => []),
        };
      }),
    ),
    secretRef
      ? getSecret(env.target, secretRef.namespace, secretRef.name).catch(() => undefined)
      : Promise.resolve(undefined),
  ]);
  const issuer = s.work?.issuer ?? s.issued?.issuer;
  return {
    id: ctx.id,
    ...(s.status ? { status: s.status } : {}),
    ...(s.work
      ? {
          work: {
            phase: s.work.phase,
            ...(s.work.orderUrl ? { orderUrl: s.work.orderUrl } : {}),
            issuer: `${s.work.issuer.namespace}/${s.work.issuer.name}`,
            since: new Date(s.work.since).toISOString(),
          },
        }
      : {}),
    ...(issuer ? { issuer: `${issuer.namespace}/${issuer.name}` } : {}),
    ...(secretRef
      ? {
          secret: {
            ...secretRef,
            exists: secret !== undefined,
            ...(secret
              ? {
                  type: secret.type ?? '',
                  keys: Object.keys(secret.data ?? {}),
                  labels: secret.metadata.labels ?? {},
                  annotations: secret.metadata.annotations ?? {},
                  events: await listEvents(env.target, secretRef.namespace, 'Secret', secretRef.name).catch(() => []),
                }
              : {}),
          },
        }
      : {}),
    dnsEntries,
    events,
    failures: s.failures ?? 0,
    ...(s.retryAt ? { retryAt: new Date(s.retryAt).toISOString() } : {}),
  };
}
