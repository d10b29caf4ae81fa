// Where an order's challenge records go: DNSEntries for a dns-controller-manager (gardener's default), or with
// --use-dnsrecords DNSRecords for a Gardener provider extension. Both are objects in the dns cluster with a name, a
// spec holding the TXT values, and a status saying whether they are published; this is the one place that knows how
// each kind says it, so the order's steps, the dns watcher and the start-up sweep work with either.
import { isNotFound, KubeApiError } from '../kube/kube-api-error.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { KubeObject } from '../kube/kube-object.js';
import { ANNOTATION_CONFIRM_DELETION, type DNSRecord } from './challenge-dnsrecord.js';
import { ANNOTATION_ACME_DNS_CHALLENGE, type DNSEntry, isOwnChallengeEntry } from './challenge-entry.js';

export type ChallengeObject = DNSEntry | DNSRecord;

/** What a challenge object says about its record, whichever kind it is. */
export interface RecordView {
  recordName: string;
  values: string[];
  /** The status is about the current spec (DNSEntry: observedGeneration not behind; DNSRecord: equal). */
  current: boolean;
  /** Published for the current spec. */
  ready: boolean;
  /** The kind's own state word (DNSEntry status.state, DNSRecord status.lastOperation.state) and message. */
  state?: string;
  message?: string;
  /** Refused for good (DNSEntry `Invalid`): waiting does not help. */
  refused?: string;
  /** Another object holds the name (the dns-controller-manager's "already busy"): wait for our turn. */
  busy: boolean;
  /** Where it stands, for messages: "is Pending: waiting for ...". */
  describe: string;
}

export interface ChallengeStore {
  readonly kind: 'DNSEntry' | 'DNSRecord';
  /** The collection (all namespaces without `ns`) or one object. */
  path(ns?: string, name?: string): string;
  view(o: KubeObject): RecordView;
  /** The same object with other TXT values (persistent records keep everything else). */
  withValues(o: ChallengeObject, values: string[]): ChallengeObject;
  /** gardener's start-up clean-up rule for leftovers of this kind. */
  isOwnChallenge(o: KubeObject, dnsClass: string): boolean;
  /** Deletes the object; a DNSRecord first gets gardener's deletion confirmation. */
  remove(kube: KubeClient, ns: string, name: string): Promise<void>;
}

const orUndefined = async <T>(p: Promise<T>): Promise<T | undefined> => {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
};

const DNSENTRY_STORE: ChallengeStore = {
  kind: 'DNSEntry',
  path: (ns, name) =>
    `/apis/dns.gardener.cloud/v1alpha1/${ns ? `namespaces/${ns}/` : ''}dnsentries${name ? `/${name}` : ''}`,
  view(o) {
    const e = o as DNSEntry;
    const observed = e.status?.observedGeneration;
    const current = observed === undefined || observed >= (e.metadata.generation ?? 0);
    const state = e.status?.state;
    const message = e.status?.message;
    return {
      recordName: e.spec.dnsName,
      values: e.spec.text ?? [],
      current,
      ready: state === 'Ready' && current,
      ...(state ? { state } : {}),
      ...(message ? { message } : {}),
      ...(state === 'Invalid' ? { refused: message ?? 'name refused' } : {}),
      busy: state === 'Error' && /already busy/.test(message ?? ''),
      describe: `is ${state ?? 'not processed yet'}${message ? `: ${message}` : ''}`,
    };
  },
  withValues: (o, values) => ({ ...(o as DNSEntry), spec: { ...(o as DNSEntry).spec, text: values } }),
  isOwnChallenge: (o, dnsClass) => isOwnChallengeEntry(o, dnsClass),
  async remove(kube, ns, name) {
    await orUndefined(kube.delete(this.path(ns, name)));
  },
};

const DNSRECORD_STORE: ChallengeStore = {
  kind: 'DNSRecord',
  path: (ns, name) =>
    `/apis/extensions.gardener.cloud/v1alpha1/${ns ? `namespaces/${ns}/` : ''}dnsrecords${name ? `/${name}` : ''}`,
  view(o) {
    const r = o as DNSRecord;
    const op = r.status?.lastOperation;
    // gardener's rule (dnsrecordprovider.go): Succeeded, and observed at exactly this generation.
    const current = r.status?.observedGeneration === r.metadata.generation;
    const detail = op?.description || r.status?.lastError?.description;
    return {
      recordName: r.spec.name,
      values: r.spec.values ?? [],
      current,
      ready: op?.state === 'Succeeded' && current,
      ...(op?.state ? { state: op.state } : {}),
      ...(detail ? { message: detail } : {}),
      busy: false,
      describe: op
        ? `has state ${op.state ?? ''}${detail ? ` (${detail})` : ''}`
        : 'is not processed yet (no provider extension has taken it up)',
    };
  },
  withValues: (o, values) => ({ ...(o as DNSRecord), spec: { ...(o as DNSRecord).spec, values } }),
  // gardener deletes every DNSRecord with the challenge annotation at start, whatever its class.
  isOwnChallenge: (o) => (o.metadata.annotations?.[ANNOTATION_ACME_DNS_CHALLENGE] ?? '') !== '',
  async remove(kube, ns, name) {
    const path = this.path(ns, name);
    const current = await orUndefined(kube.get<DNSRecord>(path));
    if (!current) return;
    if (current.metadata.annotations?.[ANNOTATION_CONFIRM_DELETION] !== 'true')
      await orUndefined(
        kube.mergePatch(path, { metadata: { annotations: { [ANNOTATION_CONFIRM_DELETION]: 'true' } } }),
      );
    await orUndefined(kube.delete(path));
  },
};

export const challengeStore = (useDnsRecords: boolean): ChallengeStore =>
  useDnsRecords ? DNSRECORD_STORE : DNSENTRY_STORE;

export function getChallengeObject(
  kube: KubeClient,
  store: ChallengeStore,
  ns: string,
  name: string,
): Promise<ChallengeObject | undefined> {
  return orUndefined(kube.get<ChallengeObject>(store.path(ns, name)));
}

/** JSON with sorted keys: the API server returns a custom resource's fields in its own order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/**
 * Creates the object, or brings the spec (and our labels and annotations) of the one of that name in line with a
 * merge patch, so what the DNS controller owns on it (finalizer, status) stays. 'terminating': one of that name is
 * still being deleted (a real controller holds it until its records are gone); write again once it is gone.
 */
export async function writeChallengeObject(
  kube: KubeClient,
  store: ChallengeStore,
  o: ChallengeObject,
): Promise<'written' | 'unchanged' | 'terminating'> {
  const ns = o.metadata.namespace;
  try {
    await kube.create(store.path(ns), o);
    return 'written';
  } catch (err) {
    if (!(err instanceof KubeApiError) || err.statusCode !== 409) throw err;
  }
  const current = await getChallengeObject(kube, store, ns, o.metadata.name);
  if (!current || current.metadata.deletionTimestamp) return 'terminating';
  return updateChallengeObject(kube, store, current, o);
}

/** Patches `current` to `desired` when spec, labels or annotations differ. */
export async function updateChallengeObject(
  kube: KubeClient,
  store: ChallengeStore,
  current: ChallengeObject,
  desired: ChallengeObject,
): Promise<'written' | 'unchanged'> {
  const { labels, annotations } = desired.metadata;
  const has = (have: Record<string, string> | undefined, want: Record<string, string>) =>
    Object.entries(want).every(([k, v]) => have?.[k] === v);
  const same =
    canonical(current.spec) === canonical(desired.spec) &&
    has(current.metadata.labels, labels) &&
    has(current.metadata.annotations, annotations);
  if (same) return 'unchanged';
  await kube.mergePatch(store.path(current.metadata.namespace, current.metadata.name), {
    metadata: { labels, annotations },
    spec: desired.spec,
  });
  return 'written';
}
