/** NATS subjects and KV keys used by one actor system; `system` separates several systems on one NATS. */
export class Names {
  constructor(readonly system: string) {
    if (!/^[a-zA-Z0-9_-]+$/.test(system))
      throw new Error(`invalid actor system name "${system}": use letters, digits, - and _`);
  }

  /** Where messages for all actors of one shard go; only the shard's lease holder subscribes. */
  shardSubject(shard: number): string {
    return `${this.system}.shard.${shard}`;
  }
  /**
   * Read-only requests for the actors of one shard: only message types a kind declares as `queries` are delivered
   * from here, so NATS permissions on this subject family give observers reads without commands.
   */
  querySubject(shard: number): string {
    return `${this.system}.query.${shard}`;
  }
  /** Durable commands for an actor, captured by the commands stream. */
  commandSubject(shard: number, kind: string, id: string): string {
    return `${this.system}.cmd.${shard}.${kind}.${idToken(id)}`;
  }
  commandFilter(shard: number): string {
    return `${this.system}.cmd.${shard}.>`;
  }
  commandStream(): string {
    return `${this.system}_commands`;
  }
  commandConsumer(shard: number): string {
    return `${this.system}_shard_${shard}`;
  }
  /** Cluster-wide admin entry point (any pod answers, gathering from all). */
  adminSubject(): string {
    return `${this.system}.admin`;
  }
  /** One pod's own admin subject (a plain subscription: every pod must be reachable individually). */
  podAdminSubject(pod: string): string {
    return `${this.system}.admin.pod.${idToken(pod)}`;
  }
  bucket(purpose: 'config' | 'members' | 'leases' | 'state' | 'reminders' | 'quota'): string {
    return `${this.system}_${purpose}`;
  }
  stateKey(kind: string, id: string): string {
    return `${kind}.${idToken(id)}`;
  }
  reminderKey(shard: number, kind: string, id: string, name: string): string {
    return `${shard}.${kind}.${idToken(id)}.${idToken(name)}`;
  }
  leaseKey(shard: number): string {
    return `shard.${shard}`;
  }
  memberKey(pod: string): string {
    return `member.${idToken(pod)}`;
  }
}

/** Kubernetes names contain dots and slashes; KV keys and subject tokens must not. base64url is reversible. */
export function idToken(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url') || '_';
}

export function validKind(kind: string): boolean {
  return /^[a-z][a-z0-9-]*$/.test(kind);
}
