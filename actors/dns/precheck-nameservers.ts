// Which nameservers the propagation check asks (gardener v0.27.0 pkg/shared/dns_utils.go): --precheck-nameservers
// (default 8.8.8.8:53,8.8.4.4:53), or the issuer's spec.acme.precheckNameservers when it sets them; an empty list
// means the resolvers of /etc/resolv.conf, and without any there, Google's. A server without a port gets :53.
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';

const FALLBACK = ['8.8.8.8:53', '8.8.4.4:53'];

/** `nameserver` lines of a resolv.conf. */
export function resolvConfNameservers(text: string): string[] {
  return text
    .split('\n')
    .map((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1])
    .filter((s): s is string => s !== undefined);
}

function withPort(server: string): string {
  if (/^\[.*\]:\d+$/.test(server)) return server;
  if (isIPv6(server)) return `[${server}]:53`;
  return /:\d+$/.test(server) ? server : `${server}:53`;
}

export function precheckNameservers(
  configured: readonly string[],
  fromIssuer: readonly string[] | undefined,
  readResolvConf: () => string = () => readFileSync('/etc/resolv.conf', 'utf8'),
): string[] {
  let servers = (fromIssuer ?? configured).map((s) => s.trim()).filter((s) => s !== '');
  if (servers.length === 0) {
    try {
      servers = resolvConfNameservers(readResolvConf());
    } catch {
      servers = [];
    }
  }
  return (servers.length > 0 ? servers : FALLBACK).map(withPort);
}
