// How the source watcher hands source objects (Ingresses, Services, Gateways) to their source-object actors: an object
// of the controller's classes that asks for certificates is routed when something that decides its Certificates
// changed (not for status or rules), and so is one that stopped asking, so that its Certificates are deleted.
import type { ActorContext } from '../../runtime/index.js';
import { CERTIFICATES_API } from '../certificate/certificate-kube.js';
import type { Certificate } from '../certificate/certificate-spec.js';
import type { SourceControllerConfig } from '../config/effective-config.js';
import type { ControllerDeps } from '../controller-deps.js';
import { parseSourceObjectId, SOURCE_OBJECT_KIND, sourceObjectId } from '../kinds.js';
import type { KubeList } from '../kube/kube-object.js';
import {
  ANNOT_SOURCE_OBJECT,
  asksForCertificates,
  handlesSourceClass,
  LABEL_SOURCE_KIND,
  SOURCE_KINDS,
  type SourceKind,
  type SourceSnapshot,
  snapshotSignature,
} from '../sources/source-annotations.js';
import { generatedByUs, type SourceObjectMsg } from '../sources/source-object-actor.js';
import { route } from './watcher-kind.js';

type Ctx = ActorContext<Record<string, never>, never>;

export class SourceRouter {
  /** Signature last routed per actor id; an id in here is followed until it is deleted or stops asking. */
  private readonly routed = new Map<string, string>();
  private readonly cfg: SourceControllerConfig;

  constructor(
    private readonly ctx: Ctx,
    private readonly deps: ControllerDeps,
    readonly kind: SourceKind,
  ) {
    this.cfg = deps.config.sources[SOURCE_KINDS[kind].controller];
  }

  private asks(s: SourceSnapshot): boolean {
    return handlesSourceClass(this.cfg, s.metadata.annotations) && asksForCertificates(this.kind, s);
  }

  private idOf(s: SourceSnapshot): string {
    return sourceObjectId(this.kind, s.metadata.namespace ?? 'default', s.metadata.name);
  }

  /** The object as it is now. */
  async observed(s: SourceSnapshot): Promise<void> {
    const id = this.idOf(s);
    const asks = this.asks(s);
    if (!asks && !this.routed.has(id)) return;
    const signature = snapshotSignature(s);
    if (this.routed.get(id) === signature) return;
    if (asks) this.routed.set(id, signature);
    else this.routed.delete(id);
    await route(this.ctx, SOURCE_OBJECT_KIND, id, { type: 'Observed', object: s } satisfies SourceObjectMsg);
  }

  /** The object is gone (`s`: as last seen). */
  async deleted(s: SourceSnapshot): Promise<void> {
    const id = this.idOf(s);
    if (!this.routed.delete(id) && !this.asks(s)) return;
    await route(this.ctx, SOURCE_OBJECT_KIND, id, { type: 'Deleted' } satisfies SourceObjectMsg);
  }

  /** Every object of the kind is gone (their CRD was deleted): each actor routed so far hears of it. */
  async allDeleted(): Promise<void> {
    await this.prune(() => false);
  }

  /**
   * Objects routed earlier that a new watch (one started again, e.g. at another version) did not list are gone: no
   * watch reported their deletion.
   */
  async prune(exists: (namespace: string, name: string) => boolean): Promise<void> {
    for (const id of [...this.routed.keys()]) {
      const ref = parseSourceObjectId(id);
      if (ref && exists(ref.namespace, ref.name)) continue;
      this.routed.delete(id);
      await route(this.ctx, SOURCE_OBJECT_KIND, id, { type: 'Deleted' } satisfies SourceObjectMsg);
    }
  }

  /**
   * After a (re)list: Certificates generated for objects this activation has not routed (the watcher was away while
   * their object was deleted or stopped asking) are handed to their actors, which delete what is obsolete.
   * `current` gives an object's snapshot as it is now, undefined when it is gone.
   */
  async sweep(current: (namespace: string, name: string) => SourceSnapshot | undefined): Promise<void> {
    try {
      const list = await this.deps.kube.source.get<KubeList<Certificate>>(`${CERTIFICATES_API}/certificates`, {
        labelSelector: `${LABEL_SOURCE_KIND}=${this.kind}`,
      });
      const ids = new Set(
        list.items.filter((c) => generatedByUs(c, this.cfg)).map((c) => c.metadata.annotations![ANNOT_SOURCE_OBJECT]!),
      );
      for (const id of ids) {
        const ref = parseSourceObjectId(id);
        if (!ref || ref.kind !== this.kind || this.routed.has(id)) continue;
        const s = current(ref.namespace, ref.name);
        await route(
          this.ctx,
          SOURCE_OBJECT_KIND,
          id,
          (s ? { type: 'Observed', object: s } : { type: 'Deleted' }) satisfies SourceObjectMsg,
        );
      }
    } catch (err) {
      this.ctx.log.warn(
        { err: (err as Error).message, kind: this.kind },
        'could not look for certificates of vanished source objects; next relist',
      );
    }
  }
}
