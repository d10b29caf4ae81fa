import type { KubeClient } from '../../actors/kube/kube-client.js';
import type { KubeObject } from '../../actors/kube/kube-object.js';
import { ListWatch } from '../../actors/kube/list-watch.js';

export interface Seen<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  at: number;
  object: T;
}

/** Every event of the objects at a path, with the time it was seen: what a test asserts about their history. */
export class ObjectTimeline<T extends KubeObject> {
  readonly events: Seen<T>[] = [];
  private readonly watch: ListWatch<T>;

  constructor(client: KubeClient, path: string) {
    this.watch = new ListWatch<T>({
      client,
      path,
      timeoutSeconds: 60,
      onEvent: (ev) => {
        this.events.push({ type: ev.type as Seen<T>['type'], at: Date.now(), object: ev.object });
      },
    });
  }

  async start(): Promise<this> {
    this.watch.start();
    await this.watch.synced();
    return this;
  }

  stop(): Promise<void> {
    return this.watch.stop();
  }

  /** The events of one object, by name. */
  of(name: string): Seen<T>[] {
    return this.events.filter((e) => e.object.metadata.name === name);
  }

  names(): string[] {
    return [...new Set(this.events.map((e) => e.object.metadata.name))];
  }

  /** When the object first passed `check`, or undefined. */
  firstAt(name: string, check: (o: T) => boolean): number | undefined {
    return this.of(name).find((e) => e.type !== 'DELETED' && check(e.object))?.at;
  }

  deletedAt(name: string): number | undefined {
    return this.of(name).find((e) => e.type === 'DELETED')?.at;
  }
}
