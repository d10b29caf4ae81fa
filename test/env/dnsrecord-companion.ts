import { isNotFound } from '../../actors/kube/kube-api-error.js';
import type { KubeClient } from '../../actors/kube/kube-client.js';
import type { KubeObject } from '../../actors/kube/kube-object.js';
import { objectKey } from '../../actors/kube/kube-object.js';
import { ListWatch } from '../../actors/kube/list-watch.js';
import type { TxtRecords } from './txt-records.js';

/** The provider type this stand-in serves (a provider extension serves its own type only). */
export const STANDIN_DNSRECORD_TYPE = 'challtestsrv';
/** The finalizer gardener's extension library puts on every DNSRecord it handles. */
export const DNSRECORD_FINALIZER = 'extensions.gardener.cloud/dnsrecord';
const CONFIRM_DELETION = 'confirmation.gardener.cloud/deletion';
const API = '/apis/extensions.gardener.cloud/v1alpha1';

export interface DnsRecordObject extends KubeObject {
  spec: {
    name: string;
    recordType: string;
    type: string;
    secretRef: { name: string; namespace?: string };
    values: string[];
    class?: string;
  };
  status?: {
    observedGeneration?: number;
    lastOperation?: { type: string; state: string; description: string; progress: number; lastUpdateTime: string };
    lastError?: { description: string; lastUpdateTime: string };
  };
}

/**
 * Stand-in for a Gardener provider extension's DNSRecord controller (nothing else in the stack reconciles DNSRecords):
 * it serves DNSRecords of type `challtestsrv` and of no class (the shoot class, an extension's default), publishing
 * their TXT values into pebble-challtestsrv. It behaves as gardener's extension library does where the certificate
 * controller relies on it: the credentials Secret must exist; the finalizer `extensions.gardener.cloud/dnsrecord`;
 * status.lastOperation `Processing` (progress 1) while reconciling, then `Succeeded` (progress 100) with
 * status.observedGeneration, or `Error` with status.lastError. Gardener refuses to delete an extension object
 * without the annotation `confirmation.gardener.cloud/deletion: "true"`; this stand-in, which has no admission
 * webhook, keeps the finalizer of such a record instead, so a deletion without confirmation never completes.
 */
export class DnsRecordCompanion {
  private readonly watch: ListWatch<DnsRecordObject>;
  /** A failed reconcile is retried after a while, as an extension's controller requeues it. */
  private readonly retries = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly client: KubeClient,
    private readonly records: TxtRecords,
  ) {
    this.watch = new ListWatch<DnsRecordObject>({
      client,
      path: `${API}/dnsrecords`,
      timeoutSeconds: 60,
      onEvent: async (ev) => {
        try {
          if (ev.type === 'DELETED') await this.records.remove(this.key(ev.object));
          else await this.reconcile(ev.object);
        } catch (err) {
          if (!isNotFound(err))
            console.error(`[dnsrecord-companion] ${objectKey(ev.object)}: ${(err as Error).message}`);
        }
      },
      onError: (err) => console.error(`[dnsrecord-companion] watch: ${err.message}`),
    });
  }

  async start(): Promise<void> {
    this.watch.start();
    await this.watch.synced();
  }

  stop(): Promise<void> {
    for (const t of this.retries.values()) clearTimeout(t);
    this.retries.clear();
    return this.watch.stop();
  }

  private key(r: DnsRecordObject): string {
    return `DNSRecord ${objectKey(r)}`;
  }

  private path(r: DnsRecordObject): string {
    return `${API}/namespaces/${r.metadata.namespace}/dnsrecords/${r.metadata.name}`;
  }

  private async reconcile(r: DnsRecordObject, retried = false): Promise<void> {
    if (r.spec.type !== STANDIN_DNSRECORD_TYPE || (r.spec.class ?? '') !== '') return;
    const finalizers = r.metadata.finalizers ?? [];
    // Our own status writes come back as events: a generation already reconciled waits for the retry timer.
    const observed = r.status?.observedGeneration === r.metadata.generation;
    if (observed && !retried && !r.metadata.deletionTimestamp) return;
    if (r.metadata.deletionTimestamp) {
      if (!finalizers.includes(DNSRECORD_FINALIZER)) return;
      if (r.metadata.annotations?.[CONFIRM_DELETION] !== 'true') {
        if (r.status?.lastOperation?.type === 'Delete' && !retried) return;
        return this.setStatus(r, 'Delete', 'Error', `deletion of DNSRecord ${objectKey(r)} was not confirmed`);
      }
      await this.records.remove(this.key(r));
      await this.client.mergePatch(this.path(r), {
        metadata: { finalizers: finalizers.filter((f) => f !== DNSRECORD_FINALIZER) },
      });
      return;
    }
    if (observed && r.status?.lastOperation?.state === 'Succeeded') return;
    if (!finalizers.includes(DNSRECORD_FINALIZER)) {
      // The next event (this patch) reconciles it.
      await this.client.mergePatch(this.path(r), { metadata: { finalizers: [...finalizers, DNSRECORD_FINALIZER] } });
      return;
    }
    const type = r.status?.lastOperation ? 'Reconcile' : 'Create';
    if (r.status?.lastOperation?.state !== 'Processing') {
      await this.setStatus(r, type, 'Processing', 'Reconciling the DNSRecord', false);
    }
    const secretNs = r.spec.secretRef.namespace || r.metadata.namespace;
    try {
      await this.client.get(`/api/v1/namespaces/${secretNs}/secrets/${r.spec.secretRef.name}`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return this.setStatus(r, type, 'Error', `secret ${secretNs}/${r.spec.secretRef.name} not found`);
    }
    if (r.spec.recordType !== 'TXT') return this.setStatus(r, type, 'Error', 'only TXT records are served here');
    await this.records.set(this.key(r), r.spec.name.replace(/\.$/, ''), r.spec.values);
    await this.setStatus(r, type, 'Succeeded', 'DNSRecord successfully reconciled');
  }

  /** Writes lastOperation (and observedGeneration when the reconcile ended, lastError when it failed). */
  private async setStatus(
    r: DnsRecordObject,
    type: string,
    state: string,
    description: string,
    ended = true,
  ): Promise<void> {
    const now = new Date().toISOString();
    const lastOperation = { type, state, description, progress: state === 'Succeeded' ? 100 : 1, lastUpdateTime: now };
    const status: Record<string, unknown> = { lastOperation };
    if (ended) status.observedGeneration = r.metadata.generation;
    status.lastError = state === 'Error' ? { description, lastUpdateTime: now } : null;
    await this.client.mergePatch(`${this.path(r)}/status`, { status });
    if (state === 'Error') this.retryLater(r);
  }

  private retryLater(r: DnsRecordObject): void {
    const key = this.key(r);
    clearTimeout(this.retries.get(key));
    this.retries.set(
      key,
      setTimeout(() => {
        this.retries.delete(key);
        this.client
          .get<DnsRecordObject>(this.path(r))
          .then((fresh) => this.reconcile(fresh, true))
          .catch((err: Error) => {
            if (!isNotFound(err)) console.error(`[dnsrecord-companion] ${objectKey(r)}: ${err.message}`);
          });
      }, 2_000),
    );
  }
}
