import type { ActorDefinition, ChildFailed } from '../../runtime/index.js';
import type { ControllerDeps } from '../controller-deps.js';
import { ListWatch } from '../kube/list-watch.js';
import { ISSUER_KIND, issuerId, type IssuerMsg } from '../issuer/issuer-actor.js';
import { issuerPath, referencedSecrets, type Issuer } from '../issuer/issuer-types.js';
import type { KubeObject } from '../kube/kube-object.js';
import { SecretDependents } from './secret-dependents.js';

export type DefaultWatcherMsg =
  | { type: 'Start' }
  | { type: 'Tick' }
  | { type: 'Keepalive' }
  | { type: 'RestartChild'; kind: string; id: string }
  | ChildFailed;

export const DEFAULT_WATCHER = { kind: 'watcher-default', id: 'default' } as const;

// The watch lives in memory; this reminder re-activates the watcher on another pod if its pod dies.
const KEEPALIVE_MS = 10_000;
const CHILD_RETRY_MS = 60_000;

/**
 * Watches Issuers in the default cluster (the issuer namespace) and routes every change to that issuer's actor. It
 * supervises the issuer actors: one that crash-loops is restarted a minute later.
 */
export function defaultWatcherKind(deps: ControllerDeps): ActorDefinition<Record<string, never>, DefaultWatcherMsg> {
  return {
    kind: DEFAULT_WATCHER.kind,
    persistent: false,
    initialState: () => ({}),
    async onActivate(ctx) {
      const ns = deps.config.issuerNamespace;
      const dependents = new SecretDependents();
      const watch = new ListWatch<Issuer>({
        client: deps.kube.default,
        path: issuerPath(ns),
        onEvent: (ev) => {
          const id = issuerId(ev.object.metadata.namespace ?? ns, ev.object.metadata.name);
          dependents.set(id, ev.type === 'DELETED' ? [] : referencedSecrets(ev.object));
          const msg: IssuerMsg = ev.type === 'DELETED' ? { type: 'Deleted' } : { type: 'Observed', issuer: ev.object };
          ctx.tell(ISSUER_KIND, id, msg);
        },
        onError: (err, failures) => ctx.log.warn({ err: err.message, failures }, 'issuer watch failed; retrying'),
      }).start();
      // Secrets of the issuer namespace, metadata only (the key material is never needed here): an issuer waiting for
      // its secret, or whose key was replaced, is set up again. The first list is skipped: issuers start from their own.
      let secretsSynced = false;
      const secrets = new ListWatch<KubeObject>({
        client: deps.kube.default,
        path: `/api/v1/namespaces/${ns}/secrets`,
        metadataOnly: true,
        onSynced: () => void (secretsSynced = true),
        onEvent: (ev) => {
          if (!secretsSynced) return;
          for (const id of dependents.of(`${ev.object.metadata.namespace ?? ns}/${ev.object.metadata.name}`)) ctx.tell(ISSUER_KIND, id, { type: 'SecretChanged' });
        },
        onError: (err, failures) => ctx.log.warn({ err: err.message, failures }, 'secret watch failed; retrying'),
      }).start();
      ctx.volatile.watch = watch;
      ctx.volatile.secrets = secrets;
      ctx.setTimer('tick', 60_000, { type: 'Tick' });
      await ctx.setReminder('keepalive', ctx.now() + KEEPALIVE_MS, { type: 'Keepalive' });
      ctx.log.info({ namespace: ns }, 'watching issuers');
    },
    async onDeactivate(ctx) {
      await (ctx.volatile.watch as ListWatch<Issuer> | undefined)?.stop();
      await (ctx.volatile.secrets as ListWatch<KubeObject> | undefined)?.stop();
    },
    async handle(ctx, msg) {
      switch (msg.type) {
        case 'Start':
          return 'watching';
        case 'Tick':
          // A pending timer keeps the watcher from being passivated while its watch runs.
          ctx.setTimer('tick', 60_000, { type: 'Tick' });
          return undefined;
        case 'Keepalive':
          await ctx.setReminder('keepalive', ctx.now() + KEEPALIVE_MS, { type: 'Keepalive' });
          return undefined;
        case '$ChildFailed':
          ctx.log.error({ child: msg.child, error: msg.error }, 'issuer actor failed; retrying in a minute');
          ctx.setTimer(`retry-${msg.child.id}`, CHILD_RETRY_MS, { type: 'RestartChild', kind: msg.child.kind, id: msg.child.id });
          return undefined;
        case 'RestartChild':
          ctx.resetChild(msg.kind, msg.id);
          return undefined;
      }
    },
  };
}
