// Follows a few CustomResourceDefinitions by name in one cluster: one ListWatch per CRD with a metadata.name field
// selector, so the RBAC rule can name them (resourceNames) and no other CRD (some are hundreds of KB) is held.
import type { KubeClient } from '../kube/kube-client.js';
import { ListWatch } from '../kube/list-watch.js';
import type { CustomResourceDefinition } from '../sources/gateway-apis.js';
import type { Stoppable } from './watcher-kind.js';

const CRDS_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

export class CrdPresence implements Stoppable {
  private readonly watches = new Map<string, ListWatch<CustomResourceDefinition>>();
  private readonly synced = new Set<string>();

  /**
   * `onChange` runs once every CRD has been listed, then after every change of one of them; calls do not overlap
   * (each watch awaits it, and it is only called once all are listed).
   */
  constructor(
    client: KubeClient,
    names: readonly string[],
    onChange: () => Promise<void>,
    onError: (crd: string, err: Error, failures: number) => void,
  ) {
    const unique = [...new Set(names)];
    let running: Promise<void> = Promise.resolve();
    const changed = () => {
      if (this.synced.size < unique.length) return running;
      running = running.then(onChange).catch((err: Error) => onError(unique.join(', '), err, 1));
      return running;
    };
    for (const name of unique) {
      const watch = new ListWatch<CustomResourceDefinition>({
        client,
        path: CRDS_PATH,
        fieldSelector: `metadata.name=${name}`,
        onEvent: () => (this.synced.has(name) ? changed() : undefined),
        onSynced: () => {
          this.synced.add(name);
          return changed();
        },
        onError: (err, failures) => onError(name, err, failures),
      });
      this.watches.set(name, watch);
    }
    for (const w of this.watches.values()) w.start();
  }

  /** The CRD as last seen; undefined when there is none. */
  get(name: string): CustomResourceDefinition | undefined {
    return this.watches.get(name)?.get(name);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.watches.values()].map((w) => w.stop()));
  }
}
