import type { ControllerDeps } from '../controller-deps.js';
import { ANNOTATION_CERTIFICATE, type DNSEntry, LABEL_ACME_DNS_CHALLENGE } from '../dns/challenge-entry.js';
import { CERTIFICATE_KIND, DNS_WATCHER, parseCertificateId } from '../kinds.js';
import { ListWatch } from '../kube/list-watch.js';
import { sourceClusterId } from './source-watcher.js';
import { route, watcherKind } from './watcher-kind.js';

/**
 * Watches the challenge DNSEntries in the dns cluster (--dns-namespace) and tells each certificate actor when one of
 * its entries changes, so an order moves on the moment the dns-controller reports the records published.
 */
export function dnsWatcherKind(deps: ControllerDeps) {
  const cluster = sourceClusterId(deps);
  const ns = deps.config.dns.namespace;
  return watcherKind({
    kind: DNS_WATCHER.kind,
    start(ctx) {
      const entries = new ListWatch<DNSEntry>({
        client: deps.kube.dns,
        path: `/apis/dns.gardener.cloud/v1alpha1/namespaces/${ns}/dnsentries`,
        labelSelector: `${LABEL_ACME_DNS_CHALLENGE}=true`,
        onEvent: (ev) => {
          if (ev.type === 'DELETED' || !ev.object.status?.state) return;
          const owner = parseCertificateId(ev.object.metadata.annotations?.[ANNOTATION_CERTIFICATE] ?? '');
          if (!owner || owner.cluster !== cluster) return;
          const status = ev.object.status;
          return route(ctx, CERTIFICATE_KIND, `${owner.cluster}/${owner.namespace}/${owner.name}`, {
            type: 'EntryChanged',
            name: ev.object.metadata.name,
            state: status.state,
            current:
              status.observedGeneration === undefined ||
              status.observedGeneration >= (ev.object.metadata.generation ?? 0),
          });
        },
        onError: (err, failures) => ctx.log.warn({ err: err.message, failures }, 'DNSEntry watch failed; retrying'),
      }).start();
      return [entries];
    },
  });
}
