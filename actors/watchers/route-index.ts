// The routes (VirtualServices, HTTPRoutes) bound to each Gateway, kept by the source watcher from its route watch so
// that a Gateway's snapshot carries its route hosts and a route change finds the Gateways it touches (gardener's
// per-controller state, istio/state.go and gatewayapi/state.go). Pure.

export class RouteIndex {
  private readonly byRoute = new Map<string, { gateways: string[]; hosts: string[] }>();
  private readonly byGateway = new Map<string, Set<string>>();

  /** Records a route ("namespace/name"); returns the Gateways whose route hosts may have changed (old and new). */
  set(route: string, gateways: readonly string[], hosts: readonly string[]): string[] {
    const before = this.delete(route);
    const unique = [...new Set(gateways)];
    this.byRoute.set(route, { gateways: unique, hosts: [...hosts] });
    for (const g of unique) {
      const routes = this.byGateway.get(g) ?? new Set<string>();
      routes.add(route);
      this.byGateway.set(g, routes);
    }
    return [...new Set([...before, ...unique])];
  }

  /** Forgets a route; returns the Gateways it was bound to. */
  delete(route: string): string[] {
    const known = this.byRoute.get(route);
    if (!known) return [];
    this.byRoute.delete(route);
    for (const g of known.gateways) {
      const routes = this.byGateway.get(g);
      routes?.delete(route);
      if (routes?.size === 0) this.byGateway.delete(g);
    }
    return known.gateways;
  }

  clear(): void {
    this.byRoute.clear();
    this.byGateway.clear();
  }

  /**
   * The hosts of the routes bound to a Gateway, routes in the order the API server lists them (by "namespace/name",
   * byte by byte: etcd's key order), which is the order gardener takes them in.
   */
  hostsFor(gateway: string): string[] {
    const routes = [...(this.byGateway.get(gateway) ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return routes.flatMap((r) => this.byRoute.get(r)?.hosts ?? []);
  }
}
