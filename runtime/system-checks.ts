import type { KV } from 'nats';
import type { Envelope } from './actor-types.js';
import { decode, encode } from './codec.js';
import { getLive, isKeyExists } from './kv.js';

/** Why a decoded value is not an actor envelope, or undefined when it is one. */
export function envelopeProblem(env: Envelope): string | undefined {
  if (!env || typeof env !== 'object') return 'envelope is not a map';
  if (typeof env.k !== 'string' || typeof env.i !== 'string') return 'envelope needs string fields k (kind) and i (id)';
  if (!env.m || typeof env.m !== 'object' || typeof env.m.type !== 'string')
    return 'envelope field m must be a message with a string type';
  return undefined;
}

/** The shard count fixed at the system's first start (stored then by whichever pod came first). */
export async function storedShardCount(config: KV, shards: number): Promise<number> {
  try {
    await config.create('shards', encode({ shards }));
    return shards;
  } catch (err) {
    if (!isKeyExists(err)) throw err;
    const e = await getLive(config, 'shards');
    return e ? decode<{ shards: number }>(e.value).shards : shards;
  }
}
