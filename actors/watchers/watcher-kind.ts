// What every cluster-watcher actor shares: its watches live in memory and are started in onActivate; a durable
// keepalive reminder re-activates the watcher on another pod when its pod dies; a timer keeps it from passivating;
// and as the supervisor of its children it restarts a crash-looping child a minute later.
import type { ActorContext, ActorDefinition, ChildFailed, Message, OutgoingMessage } from '../../runtime/index.js';

const KEEPALIVE_MS = 10_000;
const TICK_MS = 60_000;
const CHILD_RETRY_MS = 60_000;

export type WatcherBaseMsg =
  | { type: 'Start' }
  | { type: 'Tick' }
  | { type: 'Keepalive' }
  | { type: 'RestartChild'; kind: string; id: string }
  | ChildFailed;

/** What a watcher's turns see. */
export type WatcherCtx = ActorContext<Record<string, never>, WatcherBaseMsg>;

export interface Stoppable {
  stop(): Promise<void>;
}

export interface WatcherSpec<M extends Message> {
  kind: string;
  /** Starts the watches of this activation; they are stopped when it ends. */
  start(ctx: ActorContext<Record<string, never>, WatcherBaseMsg | M>): Stoppable[] | Promise<Stoppable[]>;
  /** The watcher's own messages (e.g. questions about what it has seen). */
  handle?(ctx: ActorContext<Record<string, never>, WatcherBaseMsg | M>, msg: M): unknown;
  /** Which of them only read (allowed on the query subject). */
  queries?: readonly string[];
  /** Every TICK_MS (a minute) while the watcher lives: its periodic self-checks. */
  onTick?(ctx: ActorContext<Record<string, never>, WatcherBaseMsg | M>): void | Promise<void>;
}

/**
 * Hands an observed change to the actor that owns the object, confirmed once it is in that actor's mailbox: a plain
 * tell is lost when it meets a shard in handover, and a lost event would leave the object unreconciled until the
 * next change. Awaited by the watch, so events for one object stay in order.
 */
export async function route(
  ctx: ActorContext<Record<string, never>, never>,
  kind: string,
  id: string,
  msg: OutgoingMessage,
): Promise<boolean> {
  try {
    await ctx.deliver(kind, id, msg, 30_000);
    return true;
  } catch (err) {
    ctx.log.warn({ kind, id, type: msg.type, err: (err as Error).message }, 'could not route an event');
    return false;
  }
}

export function watcherKind<M extends Message>(
  spec: WatcherSpec<M>,
): ActorDefinition<Record<string, never>, WatcherBaseMsg | M> {
  return {
    kind: spec.kind,
    persistent: false,
    initialState: () => ({}),
    ...(spec.queries ? { queries: spec.queries } : {}),
    async onActivate(ctx) {
      ctx.volatile.watches = await spec.start(ctx);
      ctx.setTimer('tick', TICK_MS, { type: 'Tick' });
      await ctx.setReminder('keepalive', ctx.now() + KEEPALIVE_MS, { type: 'Keepalive' });
    },
    async onDeactivate(ctx) {
      await Promise.all(((ctx.volatile.watches as Stoppable[] | undefined) ?? []).map((w) => w.stop()));
    },
    async handle(ctx, msg) {
      const m = msg as WatcherBaseMsg;
      switch (m.type) {
        case 'Start':
          return 'watching';
        case 'Tick':
          ctx.setTimer('tick', TICK_MS, { type: 'Tick' });
          await spec.onTick?.(ctx);
          return undefined;
        case 'Keepalive':
          await ctx.setReminder('keepalive', ctx.now() + KEEPALIVE_MS, { type: 'Keepalive' });
          return undefined;
        case '$ChildFailed':
          ctx.log.error({ child: m.child, error: m.error }, 'child actor failed; retrying in a minute');
          ctx.setTimer(`retry-${m.child.kind}-${m.child.id}`, CHILD_RETRY_MS, {
            type: 'RestartChild',
            kind: m.child.kind,
            id: m.child.id,
          });
          return undefined;
        case 'RestartChild':
          ctx.resetChild(m.kind, m.id);
          return undefined;
        default:
          return spec.handle?.(ctx, msg as M);
      }
    },
  };
}
