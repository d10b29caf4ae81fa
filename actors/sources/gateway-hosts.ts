// Which hosts of the routes bound to a Gateway (VirtualService spec.hosts, HTTPRoute spec.hostnames) join the names
// of one of its servers or listeners: gardener's appendHostsFromVirtualServices / appendHostsFromHTTPRoutes
// (pkg/controller/source/gateways/*/handler.go), the same rule for both kinds of Gateway.

/** `*.example.com` covers `a.example.com` but not `a.b.example.com` (gardener's MatchesWildcardSingleSubdomain). */
export function coveredBySingleWildcard(host: string, pattern: string): boolean {
  return (
    pattern.startsWith('*.') &&
    host.endsWith(pattern.slice(1)) &&
    !host.slice(0, host.length - pattern.length + 1).includes('.')
  );
}

/** `*.example.com` covers `a.example.com` and `a.b.example.com` (gardener's MatchesWildcardAnySubdomain). */
export function coveredByAnyWildcard(host: string, pattern: string): boolean {
  return pattern.startsWith('*.') && host.endsWith(pattern.slice(1));
}

/**
 * A route host that can go into a certificate. Gardener takes every one; a VirtualService also routes for the mesh,
 * where short names (`reviews`) and `*` are usual, and a certificate with such a name fails as a whole.
 */
function certifiable(host: string): boolean {
  return host !== '*' && host.includes('.');
}

/**
 * The names of a server or listener followed by the route hosts that belong to it, in route order. A host is left out
 * when it is there already or covered by a one-level wildcard there; with names of its own (`fitTo`: the server's
 * hosts, the listener's hostname) also when it does not fit them: a wildcard of theirs covers it at any depth, or it
 * is a wildcard covering one of them. Without names of its own every route host belongs to it.
 */
export function withRouteHosts(
  own: readonly string[],
  routeHosts: readonly string[],
  fitTo: readonly string[],
): string[] {
  const hosts = [...own];
  for (const host of routeHosts) {
    if (!certifiable(host)) continue;
    if (hosts.some((h) => h === host || coveredBySingleWildcard(host, h))) continue;
    if (fitTo.length > 0 && !fitTo.some((f) => coveredByAnyWildcard(host, f) || coveredByAnyWildcard(f, host)))
      continue;
    hosts.push(host);
  }
  return hosts;
}
