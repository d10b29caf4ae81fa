// The Gateways of one kind (Istio, or Gateway API) and the routes bound to them (VirtualServices, HTTPRoutes), both
// in the source cluster, turned into snapshots that carry the route hosts and routed to the source-object actors.
// The watches start, move to another version and stop as their CRDs come, change and go (gardener restarts instead).
import type { ActorContext } from '../../runtime/index.js';
import type { ControllerDeps } from '../controller-deps.js';
import { type KubeObject, objectKey } from '../kube/kube-object.js';
import { ListWatch } from '../kube/list-watch.js';
import {
  type CrdState,
  collectionPath,
  GATEWAY_APIS,
  type GatewayKind,
  NOT_ESTABLISHED,
  sameCrdState,
} from '../sources/gateway-apis.js';
import { ROUTE_BINDINGS } from '../sources/route-bindings.js';
import { type SourceSnapshot, snapshotOf } from '../sources/source-annotations.js';
import { RouteIndex } from './route-index.js';
import { SourceRouter } from './source-router.js';
import type { Stoppable } from './watcher-kind.js';

type Ctx = ActorContext<Record<string, never>, never>;

interface Running {
  watch: ListWatch<KubeObject>;
  version: string;
  synced: boolean;
}

export class GatewaySourceWatch implements Stoppable {
  private gatewayCrd: CrdState | undefined;
  private routeCrd: CrdState | undefined;
  private gateways: Running | undefined;
  private routes: Running | undefined;
  private readonly index = new RouteIndex();
  private readonly router: SourceRouter;
  // Watch events, CRD changes and the routing they cause run one at a time, in order: a route event and a Gateway
  // event computing the same Gateway's snapshot must not overtake each other on their way to its actor.
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly deps: ControllerDeps,
    readonly kind: GatewayKind,
  ) {
    this.router = new SourceRouter(ctx, deps, kind);
  }

  /** The states of the Gateway CRD and the route CRD: (re)starts or stops the watches accordingly. */
  setCrds(gatewayCrd: CrdState, routeCrd: CrdState): Promise<void> {
    return this.enqueue(async () => {
      const apis = GATEWAY_APIS[this.kind];
      const first = this.gatewayCrd === undefined;
      if (!this.routeCrd || !sameCrdState(this.routeCrd, routeCrd)) {
        this.routeCrd = routeCrd;
        this.log(apis.routes.crd, routeCrd);
        void this.routes?.watch.stop();
        this.routes = undefined;
        this.index.clear();
        if (routeCrd.state === 'served') this.routes = this.watchRoutes(routeCrd.version);
        // Without the route CRD there are no routes: the Gateways are routed without route hosts.
        if (this.ready()) await this.refreshAll();
      }
      if (first || !sameCrdState(this.gatewayCrd!, gatewayCrd)) {
        const was = this.gatewayCrd;
        this.gatewayCrd = gatewayCrd;
        this.log(apis.gateways.crd, gatewayCrd);
        void this.gateways?.watch.stop();
        this.gateways = undefined;
        if (gatewayCrd.state === 'served') this.gateways = this.watchGateways(gatewayCrd.version);
        else if (gatewayCrd.state === 'absent' && (first || was?.state !== 'absent')) {
          // The CRD is gone, and all its Gateways with it (or it went while no pod ran): so go their Certificates,
          // as the garbage collector would take them by their owner references.
          await this.router.sweep(() => undefined);
          await this.router.allDeleted();
        }
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.gateways?.watch.stop(), this.routes?.watch.stop()]);
  }

  private log(crd: string, state: CrdState): void {
    const what = `${this.kind === 'istio-gateway' ? 'Istio' : 'Gateway API'} ${crd.split('.')[0]}`;
    if (state.state === 'served') this.ctx.log.info({ crd, version: state.version }, `watching ${what}`);
    else if (state.state === 'absent') this.ctx.log.info({ crd }, `no CRD ${crd}: not watching ${what}`);
    // Every new CRD is briefly not established; a CRD served only at versions we cannot read stays so.
    else
      this.ctx.log[state.why === NOT_ESTABLISHED ? 'info' : 'warn'](
        { crd, why: state.why },
        `CRD ${crd} is not usable: not watching ${what}`,
      );
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue
      .then(() => (this.stopped ? undefined : work()))
      .catch((err: Error) => this.ctx.log.warn({ err: err.message, kind: this.kind }, 'gateway source routing failed'));
    this.queue = next;
    return next;
  }

  /** Gateway snapshots may be routed once the Gateways are listed and the routes known (listed, or there is no CRD). */
  private ready(): boolean {
    return !!this.gateways?.synced && (this.routeCrd?.state === 'absent' || !!this.routes?.synced);
  }

  private snapshot(gateway: KubeObject): SourceSnapshot {
    return snapshotOf(this.kind, gateway, {
      apiVersion: `${GATEWAY_APIS[this.kind].gateways.group}/${this.gateways!.version}`,
      routeHosts: this.index.hostsFor(objectKey(gateway)),
    });
  }

  private async refreshAll(): Promise<void> {
    for (const g of this.gateways?.watch.items() ?? []) await this.router.observed(this.snapshot(g));
  }

  /**
   * Once the Gateways are listed and their routes known: every Gateway routed as it is now; those routed before but
   * not listed (gone while no watch ran, e.g. before a move to another version) and Certificates of Gateways this
   * activation never saw (gone while no pod ran) handed to their actors.
   */
  private async catchUp(): Promise<void> {
    await this.refreshAll();
    const listed = (namespace: string, name: string) => this.gateways?.watch.get(`${namespace}/${name}`);
    await this.router.prune((namespace, name) => listed(namespace, name) !== undefined);
    await this.router.sweep((namespace, name) => {
      const g = listed(namespace, name);
      return g && this.snapshot(g);
    });
  }

  private watchGateways(version: string): Running {
    const running: Running = { version, synced: false, watch: undefined as unknown as ListWatch<KubeObject> };
    const current = () => this.gateways === running;
    running.watch = new ListWatch<KubeObject>({
      client: this.deps.kube.source,
      path: collectionPath(GATEWAY_APIS[this.kind].gateways, version),
      onEvent: (ev) =>
        this.enqueue(async () => {
          if (!current()) return;
          // A deletion needs no route hosts: it is routed even while the routes are not known.
          if (ev.type === 'DELETED') await this.router.deleted(this.snapshot(ev.object));
          else if (this.ready()) await this.router.observed(this.snapshot(ev.object));
        }),
      onSynced: () =>
        this.enqueue(async () => {
          if (!current()) return;
          running.synced = true;
          if (this.ready()) await this.catchUp();
        }),
      onError: (err, failures) =>
        this.ctx.log.warn({ err: err.message, failures, kind: this.kind }, 'gateway watch failed; retrying'),
    });
    running.watch.start();
    return running;
  }

  private watchRoutes(version: string): Running {
    const apis = GATEWAY_APIS[this.kind];
    const bindings = ROUTE_BINDINGS[this.kind];
    const running: Running = { version, synced: false, watch: undefined as unknown as ListWatch<KubeObject> };
    const current = () => this.routes === running;
    running.watch = new ListWatch<KubeObject>({
      client: this.deps.kube.source,
      path: collectionPath(apis.routes, version),
      onEvent: (ev) =>
        this.enqueue(async () => {
          if (!current()) return;
          const key = objectKey(ev.object);
          const touched =
            ev.type === 'DELETED'
              ? this.index.delete(key)
              : this.index.set(key, bindings.gatewaysOf(ev.object), bindings.hostsOf(ev.object));
          if (!this.ready()) return;
          for (const g of touched) {
            const gateway = this.gateways?.watch.get(g);
            if (gateway) await this.router.observed(this.snapshot(gateway));
          }
        }),
      onSynced: () =>
        this.enqueue(async () => {
          if (!current()) return;
          const wasReady = this.ready();
          running.synced = true;
          if (!this.ready()) return;
          if (wasReady) await this.refreshAll();
          else await this.catchUp();
        }),
      onError: (err, failures) =>
        this.ctx.log.warn(
          { err: err.message, failures, kind: this.kind },
          `${apis.routes.resource} watch failed; retrying (their Gateways wait)`,
        ),
    });
    running.watch.start();
    return running;
  }
}
