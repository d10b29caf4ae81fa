import type { ChallengeDnsServer } from './pebble.js';

/**
 * The TXT records the stand-ins publish into challtestsrv: per host the union of what every object naming that host
 * asks for, so the DNSEntry and the DNSRecord stand-ins (and several objects of one name) never clear each other's
 * values. challtestsrv can only clear a host as a whole, so a change re-publishes the host's whole set.
 */
export class TxtRecords {
  /** host -> object key -> values */
  private readonly published = new Map<string, Map<string, string[]>>();
  private readonly hostOf = new Map<string, string>();

  constructor(private readonly dns: ChallengeDnsServer) {}

  /** Publishes the object's values at `host` (moving them when the object named another host before). */
  async set(key: string, host: string, values: readonly string[]): Promise<void> {
    const oldHost = this.hostOf.get(key);
    if (oldHost && oldHost !== host) await this.remove(key);
    const current = this.published.get(host)?.get(key);
    if (current && current.join('\n') === values.join('\n')) return;
    if (!this.published.has(host)) this.published.set(host, new Map());
    this.published.get(host)!.set(key, [...values]);
    this.hostOf.set(key, host);
    await this.republish(host);
  }

  async remove(key: string): Promise<void> {
    const host = this.hostOf.get(key);
    if (!host) return;
    this.hostOf.delete(key);
    this.published.get(host)?.delete(key);
    await this.republish(host);
    if (this.published.get(host)?.size === 0) this.published.delete(host);
  }

  private async republish(host: string): Promise<void> {
    await this.dns.clearTxt(host);
    for (const values of this.published.get(host)?.values() ?? []) {
      for (const v of values) await this.dns.setTxt(host, v);
    }
  }
}
