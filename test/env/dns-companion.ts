import { isNotFound } from '../../actors/kube/kube-api-error.js';
import type { KubeClient } from '../../actors/kube/kube-client.js';
import type { KubeObject } from '../../actors/kube/kube-object.js';
import { objectKey } from '../../actors/kube/kube-object.js';
import { ListWatch } from '../../actors/kube/list-watch.js';
import type { TxtRecords } from './txt-records.js';

export interface DnsEntry extends KubeObject {
  spec: { dnsName?: string; ttl?: number; text?: string[]; targets?: string[]; ownerId?: string };
  status?: { state?: string; message?: string; observedGeneration?: number };
}

const DNS_CLASS_ANNOTATION = 'dns.gardener.cloud/class';
const DEFAULT_CLASS = 'gardendns';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Why the real dns-controller-manager would refuse this entry, or undefined when it is fine. Its name rule
 * (external-dns-management pkg/dns/validation.go): without a trailing dot, one leading `_` allowed (it is read as a
 * letter), an optional leading `*.`, then a lower-case RFC 1123 subdomain. So `_acme-challenge.<domain>` and
 * `_validation-persist.<domain>` pass, and dns-account-01's `_<label>._acme-challenge.<domain>` does not.
 */
export function dnsEntryProblem(spec: DnsEntry['spec']): string | undefined {
  const name = spec.dnsName ?? '';
  if (!name) return 'dnsName is missing';
  let check = name.replace(/\.$/, '');
  if (check.startsWith('_')) check = `x${check.slice(1)}`;
  const labels = (check.startsWith('*.') ? check.slice(2) : check).split('.');
  if (check.length > 253 || labels.some((l) => !DNS1123_LABEL.test(l))) {
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

  constructor(
    private readonly client: KubeClient,
    private readonly records: TxtRecords,
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
    const problem = dnsEntryProblem(entry.spec);
    if (problem) {
      await this.remove(entry);
      // The real controller ends entries it refuses Invalid; targets are only the stand-in's limit.
      return this.setStatus(entry, problem.startsWith('targets') ? 'Error' : 'Invalid', problem);
    }
    const texts = entry.spec.text ?? [];
    await this.records.set(this.key(entry), entry.spec.dnsName!.replace(/\.$/, ''), texts);
    await this.setStatus(
      entry,
      'Ready',
      `dns entry active (${texts.length} text record${texts.length === 1 ? '' : 's'})`,
    );
  }

  private key(entry: DnsEntry): string {
    return `DNSEntry ${objectKey(entry)}`;
  }

  private remove(entry: DnsEntry): Promise<void> {
    return this.records.remove(this.key(entry));
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
