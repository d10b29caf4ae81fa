/** 32-bit FNV-1a: stable across processes and versions, which is all shard assignment needs. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function shardOf(kind: string, id: string, shardCount: number): number {
  return fnv1a32(`${kind}/${id}`) % shardCount;
}

/** A well-mixed 32-bit score for (shard, member): murmur3's finalizer over FNV of both. */
function score(shard: number, member: string): number {
  let h = fnv1a32(`${member}#${shard}`);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Rendezvous (highest random weight) hashing: every pod computes the same owner from the same member list, and a
 * join or leave moves only the shards that the changed member wins or loses.
 */
export function rendezvousOwner(shard: number, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const m of members) {
    const s = score(shard, m);
    if (s > bestScore || (s === bestScore && best !== undefined && m < best)) {
      best = m;
      bestScore = s;
    }
  }
  return best;
}

/** The shards `member` should own given the live members. */
export function desiredShards(member: string, members: readonly string[], shardCount: number): Set<number> {
  const out = new Set<number>();
  for (let s = 0; s < shardCount; s++) if (rendezvousOwner(s, members) === member) out.add(s);
  return out;
}
