import type { ControllerDeps } from '../controller-deps.js';
import { ANNOTATION_CERTIFICATE, LABEL_ACME_DNS_CHALLENGE } from '../dns/challenge-entry.js';
import { type ChallengeObject, challengeStore } from '../dns/challenge-store.js';
import { sweepOrphanedChallengeEntries } from '../dns/challenge-sweep.js';
import { CERTIFICATE_KIND, DNS_WATCHER, parseCertificateId } from '../kinds.js';
import { ListWatch } from '../kube/list-watch.js';
import { sourceClusterId } from './source-watcher.js';
import { route, type WatcherCtx, watcherKind } from './watcher-kind.js';

/**
 * Watches the challenge DNSEntries (with --use-dnsrecords: DNSRecords) in the dns cluster (--dns-namespace, else all
 * namespaces) and tells each certificate actor when one of its records changes, so an order moves on the moment the
 * DNS controller reports the records published. A persistent (dns-persist-01) record names the certificate that
 * wrote it last.
 */
export function dnsWatcherKind(deps: ControllerDeps) {
  const cluster = sourceClusterId(deps);
  const ns = deps.config.dns.namespace;
  const store = challengeStore(deps.config.dns.useDnsRecords);
  /** Runs in the background (it asks certificate actors, which may take a while), one at a time. */
  const sweep = (ctx: WatcherCtx) => {
    const v = ctx.volatile as { sweeping?: boolean };
    if (v.sweeping) return;
    v.sweeping = true;
    sweepOrphanedChallengeEntries({
      kube: deps.kube.dns,
      store,
      namespace: ns,
      dnsClass: deps.config.dns.class,
      now: ctx.now(),
      inUse: async (id, entry) => {
        if (!parseCertificateId(id)) return false;
        const d = await ctx.ask<{ work?: { entries?: string[] } }>(CERTIFICATE_KIND, id, { type: 'Describe' }, 30_000);
        return d.work?.entries?.includes(entry) ?? false;
      },
      log: (fields, message) => ctx.log.info(fields, message),
    })
      .catch((err: Error) => ctx.log.warn({ err: err.message }, 'the sweep of orphaned challenge entries failed'))
      .finally(() => {
        v.sweeping = false;
      });
  };
  return watcherKind({
    kind: DNS_WATCHER.kind,
    onTick: sweep,
    start(ctx) {
      const entries = new ListWatch<ChallengeObject>({
        client: deps.kube.dns,
        // No --dns-namespace: entries live in their certificates' namespaces, so all namespaces are watched.
        path: store.path(ns || undefined),
        labelSelector: `${LABEL_ACME_DNS_CHALLENGE}=true`,
        onEvent: (ev) => {
          const view = store.view(ev.object);
          // A deletion matters too: someone removed an entry of a running order, which publishes it again.
          if (ev.type !== 'DELETED' && !view.state) return;
          const owner = parseCertificateId(ev.object.metadata.annotations?.[ANNOTATION_CERTIFICATE] ?? '');
          if (!owner || owner.cluster !== cluster) return;
          if (ev.type === 'DELETED') {
            return route(ctx, CERTIFICATE_KIND, `${owner.cluster}/${owner.namespace}/${owner.name}`, {
              type: 'EntryChanged',
              name: ev.object.metadata.name,
              deleted: true,
              current: true,
            });
          }
          return route(ctx, CERTIFICATE_KIND, `${owner.cluster}/${owner.namespace}/${owner.name}`, {
            type: 'EntryChanged',
            name: ev.object.metadata.name,
            // The certificate counts 'Ready' at the current generation, whichever kind says it how.
            state: view.ready ? 'Ready' : view.state,
            current: view.current,
          });
        },
        onError: (err, failures) =>
          ctx.log.warn({ err: err.message, failures }, `${store.kind} watch failed; retrying`),
      }).start();
      // At activation, as gardener does at its start: leftovers of orders that ended while their pod died, or of a
      // gardener controller this one replaced. Again every minute (onTick): a turn of a pod that lost its lease may
      // still write an entry after the order's new owner has cleaned up.
      sweep(ctx);
      return [entries];
    },
  });
}
