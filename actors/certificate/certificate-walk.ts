// certctl's `status certificate NS/NAME`: what the certificate actor knows, plus the objects around it read fresh
// from their clusters (challenge DNSEntries or DNSRecords, the Secret's metadata, Events of each). Never the
// Secret's data.

import { challengeStore, getChallengeObject } from '../dns/challenge-store.js';
import type { CertCtx } from './certificate-actor-types.js';
import { type CertEnv, identityOf } from './certificate-env.js';
import { type EventSummary, getSecret, listEvents } from './certificate-kube.js';
import { recordNamespace } from './order/challenges.js';

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
  /** The order's challenge objects (their kind: DNSEntry, or DNSRecord with --use-dnsrecords). */
  dnsEntries: Array<{
    kind: string;
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
  const store = challengeStore(env.deps.config.dns.useDnsRecords);
  const work = s.work;
  const secretRef = s.work?.secret ?? s.issued?.secret;
  const [events, dnsEntries, secret] = await Promise.all([
    listEvents(env.source, namespace, 'Certificate', name).catch(() => []),
    Promise.all(
      (work?.entries ?? []).map(async (e) => {
        const ns = recordNamespace(env.deps.config, identityOf(ctx), work!, e);
        const object = await getChallengeObject(env.dns, store, ns, e).catch(() => undefined);
        const view = object && store.view(object);
        return {
          kind: store.kind,
          namespace: ns,
          name: e,
          ...(view?.recordName ? { dnsName: view.recordName } : {}),
          ...(view?.state ? { state: view.state } : {}),
          ...(view?.message ? { message: view.message } : {}),
          events: await listEvents(env.dns, ns, store.kind, e).catch(() => []),
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
