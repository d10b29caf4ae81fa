import { type JetStreamClient, type KV, type KvEntry, StorageType } from 'nats';

/** JetStream's "wrong last sequence" error: the compare-and-set lost, someone else wrote first. */
const CAS_CONFLICT = 10071;

export function isCasConflict(err: unknown): boolean {
  const e = err as { api_error?: { err_code?: number }; message?: string };
  return e?.api_error?.err_code === CAS_CONFLICT || /wrong last sequence/i.test(e?.message ?? '');
}

/** `create` on an existing key. */
export function isKeyExists(err: unknown): boolean {
  const e = err as { api_error?: { err_code?: number }; message?: string };
  return isCasConflict(err) || /key exists/i.test(e?.message ?? '');
}

export interface BucketOptions {
  replicas: number;
  history?: number;
  /** Lease reads must come from the stream leader: a follower may serve a stale lease. */
  allowDirect?: boolean;
  ttlMs?: number;
}

export async function openBucket(js: JetStreamClient, name: string, opts: BucketOptions): Promise<KV> {
  return js.views.kv(name, {
    replicas: opts.replicas,
    history: opts.history ?? 1,
    storage: StorageType.File,
    allow_direct: opts.allowDirect ?? false,
    ...(opts.ttlMs ? { ttl: opts.ttlMs } : {}),
  });
}

/** A live entry, or undefined for absent and deleted keys (KV returns DEL/PURGE markers as entries). */
export async function getLive(kv: KV, key: string): Promise<KvEntry | undefined> {
  const e = await kv.get(key);
  return e && e.operation === 'PUT' ? e : undefined;
}
