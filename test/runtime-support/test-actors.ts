// Actor kinds used only by the runtime's tests and benchmark.
import type { ActorDefinition, ChildFailed, Message } from '../../runtime/index.js';

export type CounterMsg =
  | { type: 'Inc' }
  | { type: 'Get' }
  | { type: 'Hold'; ms: number }
  | { type: 'Boom' }
  | { type: 'Remind'; at: number; holdOn?: string; failFirst?: number }
  /**
   * holdOn: on that pod the reminder's turn never ends (a pod killed mid-turn); failFirst: its first turns throw (a
   * state write failing while NATS restarts).
   */
  | { type: 'Reminded'; holdOn?: string }
  | { type: 'Ping' }
  | { type: 'Pipe'; ms: number }
  | { type: 'Piped'; value: number }
  | { type: 'Later'; ms: number; fail?: boolean };

/** Every acknowledged Inc appends who applied it; the log proves order, uniqueness and single activation. */
export interface CounterState {
  /** Set by schema 2's migration: which schema the state was converted from. */
  migratedFrom?: number;
  n: number;
  log: Array<[n: number, pod: string, epoch: number]>;
  reminded: number;
  piped: number;
}

/** Reminder turns still to fail, per actor, in this pod's process. */
const reminderFailures = new Map<string, number>();

export function counterKind(pod: string, keepLog = true, schemaVersion = 1): ActorDefinition<CounterState, CounterMsg> {
  return {
    kind: 'counter',
    schemaVersion,
    // Schema 2 only exists to prove that older persisted states are converted on activation.
    ...(schemaVersion > 1
      ? { migrate: (old: unknown, from: number) => ({ ...(old as CounterState), migratedFrom: from }) }
      : {}),
    initialState: () => ({ n: 0, log: [], reminded: 0, piped: 0 }),
    validate: (m: Message) =>
      ['Inc', 'Get', 'Hold', 'Boom', 'Remind', 'Reminded', 'Ping', 'Pipe', 'Piped', 'Later'].includes(m.type)
        ? undefined
        : `unknown message type ${m.type}`,
    async handle(ctx, msg) {
      const s = ctx.state;
      switch (msg.type) {
        case 'Inc': {
          const n = s.n + 1;
          ctx.setState({ ...s, n, log: keepLog ? [...s.log, [n, pod, ctx.epoch]] : s.log });
          return { n, pod, epoch: ctx.epoch };
        }
        case 'Get':
          return { ...s, pod, epoch: ctx.epoch };
        case 'Ping':
          return pod;
        case 'Hold':
          // Deliberately occupies the turn (tests of busy mailboxes and in-flight kills).
          await new Promise((r) => setTimeout(r, msg.ms));
          return pod;
        case 'Boom':
          throw new Error('boom on purpose');
        case 'Remind':
          if (msg.failFirst) reminderFailures.set(ctx.id, msg.failFirst);
          await ctx.setReminder('wake', msg.at, { type: 'Reminded', ...(msg.holdOn ? { holdOn: msg.holdOn } : {}) });
          return 'armed';
        case 'Reminded':
          if (msg.holdOn === pod) {
            ctx.log.info('reminder turn holding');
            await new Promise(() => {});
          }
          if ((reminderFailures.get(ctx.id) ?? 0) > 0) {
            reminderFailures.set(ctx.id, reminderFailures.get(ctx.id)! - 1);
            throw new Error('reminder turn failing on purpose');
          }
          ctx.setState({ ...s, reminded: s.reminded + 1 });
          return s.reminded + 1;
        case 'Pipe':
          ctx.pipeToSelf(new Promise<number>((r) => setTimeout(() => r(msg.ms), msg.ms)), (o) => ({
            type: 'Piped',
            value: o.ok ? o.value : -1,
          }));
          return 'started';
        case 'Piped':
          ctx.setState({ ...s, piped: s.piped + 1 });
          return undefined;
        case 'Later':
          // Answered when the work is done; the mailbox moves on at once (replyLater).
          return ctx.replyLater(
            new Promise((resolve, reject) =>
              setTimeout(
                () => (msg.fail ? reject(new Error('later, and failed')) : resolve(`later from ${pod}`)),
                msg.ms,
              ),
            ),
          );
      }
    },
  };
}

/** Throws on every message; its parent is the supervisor "root". */
export const crasherKind: ActorDefinition<{ seen: number }, Message> = {
  kind: 'crasher',
  initialState: () => ({ seen: 0 }),
  supervision: { maxRestarts: 3, windowMs: 60_000, minBackoffMs: 20, maxBackoffMs: 200, jitter: 0.2 },
  parentOf: () => ({ kind: 'supervisor', id: 'root' }),
  handle() {
    throw new Error('crasher always fails');
  },
};

export interface SupervisorState {
  failed: Array<{ kind: string; id: string; restarts: number; error: string }>;
}

export const supervisorKind: ActorDefinition<
  SupervisorState,
  ChildFailed | { type: 'Get' } | { type: 'ResetChild'; kind: string; id: string }
> = {
  kind: 'supervisor',
  initialState: () => ({ failed: [] }),
  handle(ctx, msg) {
    switch (msg.type) {
      case '$ChildFailed':
        ctx.setState({ failed: [...ctx.state.failed, { ...msg.child, restarts: msg.restarts, error: msg.error }] });
        return undefined;
      case 'ResetChild':
        ctx.resetChild(msg.kind, msg.id);
        return undefined;
      case 'Get':
        return ctx.state;
    }
  },
};

/** Counts messages in memory only: the cheapest possible actor, for throughput and per-actor memory figures. */
export const sinkKind: ActorDefinition<{ n: number }, { type: 'Hit' } | { type: 'Count' }> = {
  kind: 'sink',
  persistent: false,
  initialState: () => ({ n: 0 }),
  handle(ctx, msg) {
    if (msg.type === 'Hit') ctx.setState({ n: ctx.state.n + 1 });
    return ctx.state.n;
  },
};

export type ProbeMsg = { type: 'MeasureAsks'; target: { kind: string; id: string }; n: number } | { type: 'Heap' };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Runs measurements from inside a pod: asks from here to a target, and this process's heap after a full GC. */
export const probeKind: ActorDefinition<Record<string, never>, ProbeMsg> = {
  kind: 'probe',
  persistent: false,
  initialState: () => ({}),
  async handle(ctx, msg) {
    if (msg.type === 'Heap') {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      return { heapUsed: process.memoryUsage().heapUsed, gcExposed: Boolean(gc) };
    }
    const lat: number[] = [];
    for (let i = 0; i < msg.n; i++) {
      const t = performance.now();
      await ctx.ask(msg.target.kind, msg.target.id, { type: 'Count' });
      lat.push(performance.now() - t);
    }
    lat.sort((a, b) => a - b);
    return { p50: percentile(lat, 0.5), p99: percentile(lat, 0.99) };
  },
};

/** Resources this pod's holder activations have opened and not yet released (per process). */
let openResources = 0;
/** Incarnations of holders this process has started (activations and restarts). */
let incarnations = 0;

/**
 * Opens a resource on activation and must release it on every stop and restart: proves onDeactivate, ctx.volatile,
 * and that a restart after a failed turn (Crash) starts a new incarnation.
 */
export const holderKind: ActorDefinition<Record<string, never>, { type: 'Open' } | { type: 'Crash' }> = {
  kind: 'holder',
  persistent: false,
  initialState: () => ({}),
  supervision: { minBackoffMs: 10, maxBackoffMs: 50 },
  onActivate(ctx) {
    openResources++;
    ctx.volatile.resource = { incarnation: ++incarnations };
  },
  onDeactivate(ctx) {
    if (ctx.volatile.resource) openResources--;
  },
  handle(ctx, msg) {
    if (msg.type === 'Crash') throw new Error('holder crashing on purpose');
    const resource = ctx.volatile.resource as { incarnation: number } | undefined;
    return { open: openResources, mine: Boolean(resource), incarnation: resource?.incarnation };
  },
};
