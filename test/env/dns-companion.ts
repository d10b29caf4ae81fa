import { isNotFound } from '../../actors/kube/kube-api-error.js';
import type { KubeClient } from '../../actors/kube/kube-client.js';
import type { KubeObject } from '../../actors/kube/kube-object.js';
import { objectKey } from '../../actors/kube/kube-object.js';
import { ListWatch } from '../../actors/kube/list-watch.js';
import type { ChallengeDnsServer } from './pebble.js';

export interface DnsEntry extends KubeObject {
  spec: { dnsName?: string; ttl?: number; text?: string[]; targets?: string[]; ownerId?: string };
  status?: { state?: string; message?: string; observedGeneration?: number };
}

const DNS_CLASS_ANNOTATION = 'dns.gardener.cloud/class';
const DEFAULT_CLASS = 'gardendns';

/** Why the real dns-controller-manager would refuse this entry, or undefined when it is fine. */
export function dnsEntryProblem(spec: DnsEntry['spec']): string | undefined {
  const name = spec.dnsName ?? '';
  if (!name) return 'dnsName is missing';
  const labels = name.replace(/\.$/, '').split('.');
  if (name.length > 253 || labels.some((l) => !/^(\*|[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)$/i.test(l))) {
    return `invalid dnsName "${name}"`;
  }
  if ((spec.targets ?? []).length > 0) return 'targets are not supported by the test stand-in; use text records';
  if ((spec.text ?? []).length === 0) return 'no text records given';
  return undefined;
}

/**
 * Stand-in for the dns-controller-manager of external-dns-management: it publishes the TXT records of DNSEntry
 * objects in the dns cluster into pebble-challtestsrv and reports the entry Ready (or Error with a reason). Several
 * entries may name the same host; the host's record set is the union of their texts.
 */
export class DnsCompanion {
  private readonly watch: ListWatch<DnsEntry>;
  /** host -> entry key -> texts */
  private readonly published = new Map<string, Map<string, string[]>>();
  private readonly hostOf = new Map<string, string>();

  constructor(
    private readonly client: KubeClient,
    private readonly dns: ChallengeDnsServer,
    private readonly dnsClass = DEFAULT_CLASS,
  ) {
    this.watch = new ListWatch<DnsEntry>({
      client,
      path: '/apis/dns.gardener.cloud/v1alpha1/dnsentries',
      timeoutSeconds: 60,
      onEvent: async (ev) => {
        try {
          if (ev.type === 'DELETED') await this.remove(ev.object);
          else await this.reconcile(ev.object);
        } catch (err) {
          if (!isNotFound(err)) console.error(`[dns-companion] ${objectKey(ev.object)}: ${(err as Error).message}`);
        }
      },
      onError: (err) => console.error(`[dns-companion] watch: ${err.message}`),
    });
  }

  async start(): Promise<void> {
    this.watch.start();
    await this.watch.synced();
  }

  stop(): Promise<void> {
    return this.watch.stop();
  }

  private responsible(entry: DnsEntry): boolean {
    const cls = entry.metadata.annotations?.[DNS_CLASS_ANNOTATION] ?? DEFAULT_CLASS;
    return cls === this.dnsClass;
  }

  private async reconcile(entry: DnsEntry): Promise<void> {
    if (!this.responsible(entry)) return;
    if (entry.metadata.deletionTimestamp) return this.remove(entry);
    const key = objectKey(entry);
    const problem = dnsEntryProblem(entry.spec);
    if (problem) {
      await this.remove(entry);
      return this.setStatus(entry, 'Error', problem);
    }
    const host = entry.spec.dnsName!.replace(/\.$/, '');
    const oldHost = this.hostOf.get(key);
    if (oldHost && oldHost !== host) await this.unpublish(key, oldHost);
    const texts = entry.spec.text ?? [];
    const current = this.published.get(host)?.get(key);
    if (!current || current.join('\n') !== texts.join('\n')) {
      if (!this.published.has(host)) this.published.set(host, new Map());
      this.published.get(host)!.set(key, texts);
      this.hostOf.set(key, host);
      await this.republish(host);
    }
    await this.setStatus(
      entry,
      'Ready',
      `dns entry active (${texts.length} text record${texts.length === 1 ? '' : 's'})`,
    );
  }

  private async remove(entry: DnsEntry): Promise<void> {
    const key = objectKey(entry);
    const host = this.hostOf.get(key);
    if (host) await this.unpublish(key, host);
  }

  private async unpublish(key: string, host: string): Promise<void> {
    this.hostOf.delete(key);
    this.published.get(host)?.delete(key);
    await this.republish(host);
    if (this.published.get(host)?.size === 0) this.published.delete(host);
  }

  private async republish(host: string): Promise<void> {
    await this.dns.clearTxt(host);
    for (const texts of this.published.get(host)?.values() ?? []) {
      for (const t of texts) await this.dns.setTxt(host, t);
    }
  }

  private async setStatus(entry: DnsEntry, state: string, message: string): Promise<void> {
    const s = entry.status;
    if (s?.state === state && s.message === message && s.observedGeneration === entry.metadata.generation) return;
    const ns = entry.metadata.namespace ?? 'default';
    await this.client.mergePatch(
      `/apis/dns.gardener.cloud/v1alpha1/namespaces/${ns}/dnsentries/${entry.metadata.name}/status`,
      {
        status: {
          state,
          message,
          observedGeneration: entry.metadata.generation,
          provider: 'test/challtestsrv',
          providerType: 'challtestsrv',
          ttl: entry.spec.ttl,
        },
      },
    );
  }
}
