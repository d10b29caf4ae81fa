/** Which actors depend on which Secrets ("namespace/name"), kept current as the actors' specs change. */
export class SecretDependents {
  private readonly bySecret = new Map<string, Set<string>>();
  private readonly byActor = new Map<string, string[]>();

  set(actorId: string, secrets: string[]): void {
    for (const s of this.byActor.get(actorId) ?? []) {
      const ids = this.bySecret.get(s);
      ids?.delete(actorId);
      if (ids?.size === 0) this.bySecret.delete(s);
    }
    if (secrets.length === 0) this.byActor.delete(actorId);
    else this.byActor.set(actorId, secrets);
    for (const s of secrets) {
      if (!this.bySecret.has(s)) this.bySecret.set(s, new Set());
      this.bySecret.get(s)!.add(actorId);
    }
  }

  of(secret: string): string[] {
    return [...(this.bySecret.get(secret) ?? [])];
  }
}
