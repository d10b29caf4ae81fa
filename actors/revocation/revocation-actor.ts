import type { ActorDefinition } from '../../runtime/index.js';
import type { ControllerDeps } from '../controller-deps.js';
import { parseCertificateId, REVOCATION_KIND, SOURCE_WATCHER } from '../kinds.js';
import { isTransient } from '../transient-error.js';
import { sourceClusterId } from '../watchers/source-watcher.js';
import { apiMessage, getRevocation, writeRevocationStatus } from './revocation-kube.js';
import { prepareStep } from './revocation-prelude.js';
import { nextStep, normalizeStatus, type RevocationStep } from './revocation-rules.js';
import type { RevocationEnv, StepResult, StepScope } from './revocation-step.js';
import { REVOCATION_STEPS } from './revocation-steps.js';
import type {
  CertificateRevocation,
  RevocationActorState,
  RevocationCtx,
  RevocationMsg,
  RevocationStatus,
} from './revocation-types.js';

/** What one activation keeps in memory only: pacing, and what it last did (for operators). */
interface RevocationMemory {
  transientFailures: number;
  renewalPolls: number;
  lastStep?: RevocationStep;
  lastError?: string;
}
const memoryOf = (ctx: RevocationCtx): RevocationMemory => {
  const v = ctx.volatile as { revocation?: RevocationMemory };
  v.revocation ??= { transientFailures: 0, renewalPolls: 0 };
  return v.revocation;
};

/** After an Error: 5 s, doubling, at most 10 min (gardener retries failed revocations with its rate limiter). */
const errorBackoffMs = (failures: number) => Math.min(600_000, 5_000 * 2 ** Math.max(0, failures - 1));
/** An API server or the network away: 1 s doubling to a minute, without touching the status. */
const transientBackoffMs = (failures: number) => Math.min(60_000, 1_000 * 2 ** Math.max(0, failures - 1));

/**
 * One actor per CertificateRevocation of the source cluster, supervised by the source watcher that routes it. It
 * follows gardener v0.27.0's revocation reconciler step by step; every step starts from the CertificateRevocation as
 * the API server has it now and ends with its status written, so the status is the whole progress and a revocation
 * continues on whichever pod its actor lands (a durable reminder brings the next step). Each step runs inside one
 * turn, so --revocations.pool.size bounds how many revocations a pod works on at once, as gardener's worker pool
 * does; the ACME requests go to the issuer actor, which holds the account.
 */
export function revocationKind(deps: ControllerDeps): ActorDefinition<RevocationActorState, RevocationMsg> {
  const env: RevocationEnv = {
    deps,
    source: deps.kube.source,
    target: deps.kube.target,
    cluster: sourceClusterId(deps),
  };

  function runStep(scope: StepScope, memory: RevocationMemory): Promise<StepResult> | StepResult {
    const step = nextStep(scope.status, scope.renew);
    memory.lastStep = step;
    memory.renewalPolls = step === 'check-renewal' ? memory.renewalPolls + 1 : 0;
    return REVOCATION_STEPS[step].run(scope, memory.renewalPolls);
  }

  /** Writes the status when it changed (every write is an API call and a watch event). */
  async function writeIfChanged(cr: CertificateRevocation, status: RevocationStatus): Promise<void> {
    const next = normalizeStatus(status);
    if (JSON.stringify(next) === JSON.stringify(normalizeStatus(cr.status ?? {}))) return;
    await writeRevocationStatus(env.source, cr, next);
  }

  async function carryOut(ctx: RevocationCtx, cr: CertificateRevocation, result: StepResult): Promise<void> {
    const memory = memoryOf(ctx);
    switch (result.kind) {
      case 'idle':
        await ctx.cancelReminder('step');
        return;
      case 'recheck':
        await ctx.setReminder('step', ctx.now() + result.afterMs, { type: 'Step' });
        return;
      case 'status':
        await writeIfChanged(cr, result.status);
        delete memory.lastError;
        if (ctx.state.failures) ctx.setState({});
        if (result.afterMs !== undefined) {
          await ctx.setReminder('step', ctx.now() + result.afterMs, { type: 'Step' });
          return;
        }
        await ctx.cancelReminder('step');
        ctx.log.info({ state: result.status.state, message: result.status.message }, 'revocation finished');
        return;
      case 'error': {
        const failures = (ctx.state.failures ?? 0) + 1;
        const delay = errorBackoffMs(failures);
        memory.lastError = result.message;
        ctx.setState({ failures });
        ctx.log.warn({ reason: result.message, failures, retryInMs: delay }, 'revocation step failed');
        // The retry first: it must stand even if the status cannot be written.
        await ctx.setReminder('step', ctx.now() + delay, { type: 'Step' });
        await writeIfChanged(cr, {
          ...cr.status,
          observedGeneration: cr.metadata.generation ?? 0,
          state: 'Error',
          message: result.message,
        });
        return;
      }
    }
  }

  async function step(ctx: RevocationCtx): Promise<void> {
    const id = parseCertificateId(ctx.id);
    if (!id) throw new Error(`malformed revocation actor id ${ctx.id}`);
    const memory = memoryOf(ctx);
    let cr: CertificateRevocation | undefined;
    try {
      cr = await getRevocation(env.source, id.namespace, id.name);
      if (!cr) return forget(ctx);
      const prepared = await prepareStep(ctx, env, cr);
      const result = 'kind' in prepared ? prepared : await runStep(prepared, memory);
      await carryOut(ctx, cr, result);
      memory.transientFailures = 0;
    } catch (err) {
      const message = apiMessage(err);
      if (!isTransient(err) && cr) {
        // A refusal no retry changes (e.g. a Forbidden write): reported like any failed step, never a crash.
        await carryOut(ctx, cr, { kind: 'error', message }).catch((e: Error) =>
          ctx.log.warn({ err: e.message }, 'could not report a failed revocation step'),
        );
        return;
      }
      memory.transientFailures += 1;
      const delay = transientBackoffMs(memory.transientFailures);
      ctx.log.warn({ err: message, step: memory.lastStep, retryInMs: delay }, 'transient failure; retrying the step');
      await ctx.setReminder('step', ctx.now() + delay, { type: 'Step' });
    }
  }

  async function forget(ctx: RevocationCtx): Promise<void> {
    await ctx.cancelReminder('step');
    ctx.setState({});
    ctx.passivate();
  }

  return {
    kind: REVOCATION_KIND,
    // --revocations.pool.size (gardener's worker pool "revocations"): revocation steps running at once on this pod.
    maxConcurrentTurns: deps.config.revocationConcurrency,
    initialState: () => ({}),
    parentOf: () => ({ ...SOURCE_WATCHER }),
    queries: ['Describe'],
    async handle(ctx, msg) {
      switch (msg.type) {
        case 'Observed':
        case 'Step':
          return step(ctx);
        case 'Deleted':
          return forget(ctx);
        case 'Describe': {
          const m = memoryOf(ctx);
          return {
            id: ctx.id,
            failures: ctx.state.failures ?? 0,
            ...(m.lastStep ? { lastStep: m.lastStep } : {}),
            ...(m.lastError ? { lastError: m.lastError } : {}),
          };
        }
      }
    },
  };
}
