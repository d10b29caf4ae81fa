import { txtValuesAt } from '../../actors/dns/txt-propagation.js';
import type { KubeClient } from '../../actors/kube/kube-client.js';
import type { DnsEntry } from '../env/dns-companion.js';
import { eventually } from './test-env.js';

export const DNSENTRIES = '/apis/dns.gardener.cloud/v1alpha1/namespaces/default/dnsentries';

/** Creates a DNS-01 challenge entry the way the cert controller does (one entry per domain, all its texts). */
export async function createChallengeEntry(
  client: KubeClient,
  name: string,
  domain: string,
  texts: string[],
): Promise<DnsEntry> {
  return client.create<DnsEntry>(DNSENTRIES, {
    apiVersion: 'dns.gardener.cloud/v1alpha1',
    kind: 'DNSEntry',
    metadata: { name, namespace: 'default', annotations: { 'cert.gardener.cloud/acme-dns-challenge': 'true' } },
    spec: { dnsName: `_acme-challenge.${domain}`, ttl: 120, text: texts },
  });
}

/** Waits until the dns companion reports the entry's current generation Ready, i.e. its records are published. */
export async function waitEntryReady(client: KubeClient, name: string): Promise<DnsEntry> {
  return eventually(
    async () => {
      const e = await client.get<DnsEntry>(`${DNSENTRIES}/${name}`);
      return e.status?.state === 'Ready' && e.status.observedGeneration === e.metadata.generation ? e : undefined;
    },
    `DNSEntry ${name} to become Ready`,
    30_000,
  );
}

/** The TXT values the challenge DNS server answers for a host right now ([] when it has none). */
export function txtRecords(dnsServer: string, host: string): Promise<string[]> {
  return txtValuesAt(dnsServer, host);
}
