import type { ActorDefinition, ActorContext } from '../../runtime/index.js';
import type { ControllerDeps } from '../controller-deps.js';
import { isNotFound } from '../kube/kube-api-error.js';
import { recordEvent } from '../kube/events.js';
import { setUpAcmeAccount } from './account-setup.js';
import { issuerPath, issuerTypeProblem, type Issuer, type IssuerStatus } from './issuer-types.js';
import type { AcmeAccount } from '../acme/acme-account.js';

export type IssuerMsg =
  | { type: 'Observed'; issuer: Issuer }
  | { type: 'Deleted' }
  /** A Secret the issuer references was created, changed or deleted. */
  | { type: 'SecretChanged' }
  /** Try the account set-up again after a failure (a server may come back). */
  | { type: 'Retry' }
  | { type: 'AccountReady'; generation: number; accountUrl: string; status: string; secret: string; created: boolean }
  | { type: 'AccountFailed'; generation: number; message: string };

/** Persisted: the issuer as last observed (no secrets in it) and what we concluded. */
export interface IssuerState {
  issuer?: Issuer;
  accountUrl?: string;
  /** Generation whose account is set up; the account client itself lives only in memory. */
  readyGeneration?: number;
  /** Consecutive failed set-ups, for the retry backoff. */
  failures?: number;
}

/** 1 min, doubling, at most 10 min: a down CA or a missing secret is re-checked without hammering anything. */
const retryDelayMs = (failures: number) => Math.min(600_000, 60_000 * 2 ** Math.max(0, failures - 1));

export const ISSUER_KIND = 'issuer';
export const issuerId = (namespace: string, name: string) => `${namespace}/${name}`;

/**
 * One actor per Issuer: the only holder of its ACME account key (in memory, from the Secret) and the place that
 * reports the issuer's status. Slow work (secrets, the CA) runs outside the turn; its outcome comes back as a message.
 */
export function issuerKind(deps: ControllerDeps): ActorDefinition<IssuerState, IssuerMsg> {
  const kube = deps.kube.default;

  /** Writes the status when it changed, and records the change of state or message as an Event on the Issuer. */
  const patchStatus = async (ctx: ActorContext<IssuerState, IssuerMsg>, issuer: Issuer, status: IssuerStatus) => {
    const current = issuer.status ?? {};
    const same = (Object.keys(status) as Array<keyof IssuerStatus>).every((k) => JSON.stringify(current[k]) === JSON.stringify(status[k]));
    if (same) return;
    try {
      await kube.mergePatch(`${issuerPath(issuer.metadata.namespace!, issuer.metadata.name)}/status`, { status });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (current.state !== status.state || current.message !== status.message) {
      const ready = status.state === 'Ready';
      await recordEvent(kube, { ...issuer, apiVersion: 'cert.gardener.cloud/v1alpha1', kind: 'Issuer' }, ready ? 'Normal' : 'Warning', ready ? 'Ready' : 'Error', status.message ?? '')
        .catch((err: Error) => ctx.log.warn({ err: err.message }, 'could not record an event'));
    }
  };

  const quotaOf = (issuer: Issuer) => issuer.spec.requestsPerDayQuota ?? deps.config.defaultRequestsPerDayQuota;

  const setUp = (ctx: ActorContext<IssuerState, IssuerMsg>, issuer: Issuer) => {
    const generation = issuer.metadata.generation ?? 0;
    ctx.volatile.attempted = generation;
    ctx.cancelTimer('retry');
    ctx.pipeToSelf(setUpAcmeAccount(kube, issuer).then((outcome) => {
      // The client (with the key) stays in this pod's memory; the message carries no key material.
      ctx.volatile.account = outcome.account;
      return outcome;
    }), (o): IssuerMsg => o.ok
      ? { type: 'AccountReady', generation, accountUrl: o.value.account.accountUrl, status: o.value.account.status, secret: `${o.value.secret.namespace}/${o.value.secret.name}`, created: o.value.secret.created }
      : { type: 'AccountFailed', generation, message: o.error.message });
  };

  return {
    kind: ISSUER_KIND,
    initialState: () => ({}),
    parentOf: () => ({ kind: 'watcher-default', id: 'default' }),
    async handle(ctx, msg) {
      const s = ctx.state;
      switch (msg.type) {
        case 'Observed': {
          const issuer = msg.issuer;
          const generation = issuer.metadata.generation ?? 0;
          ctx.setState({ ...s, issuer });
          // Our own status patches come back as events of the same generation: nothing to do for them. (After a
          // failure a timer retries; a new activation, which has no account in memory, sets up once more.)
          if (ctx.volatile.attempted === generation) return;
          const { type, problem } = issuerTypeProblem(issuer.spec);
          if (problem || type !== 'acme') {
            await patchStatus(ctx, issuer, {
              state: 'Error',
              message: problem ?? `issuer type ${type} is not supported by this controller yet; use spec.acme`,
              ...(type ? { type } : {}),
              observedGeneration: generation,
            });
            return;
          }
          setUp(ctx, issuer);
          return;
        }
        case 'AccountReady': {
          const issuer = s.issuer;
          if (!issuer || msg.generation !== (issuer.metadata.generation ?? 0)) return; // superseded by a newer spec
          ctx.setState({ ...s, accountUrl: msg.accountUrl, readyGeneration: msg.generation, failures: 0 });
          ctx.log.info({ account: msg.accountUrl, secret: msg.secret, created: msg.created }, 'ACME account ready');
          await patchStatus(ctx, issuer, {
            state: 'Ready',
            message: msg.created ? `account registered; its key is stored in secret ${msg.secret}` : 'account ready',
            type: 'acme',
            acme: { uri: msg.accountUrl, status: msg.status, server: issuer.spec.acme?.server, email: issuer.spec.acme?.email },
            requestsPerDayQuota: quotaOf(issuer),
            observedGeneration: msg.generation,
          });
          return;
        }
        case 'AccountFailed': {
          const issuer = s.issuer;
          if (!issuer || msg.generation !== (issuer.metadata.generation ?? 0)) return;
          const failures = (s.failures ?? 0) + 1;
          ctx.setState({ ...s, failures });
          ctx.setTimer('retry', retryDelayMs(failures), { type: 'Retry' });
          ctx.log.warn({ reason: msg.message, retryInMs: retryDelayMs(failures) }, 'issuer not ready');
          await patchStatus(ctx, issuer, { state: 'Error', message: msg.message, type: 'acme', observedGeneration: msg.generation });
          return;
        }
        case 'SecretChanged':
        case 'Retry': {
          const issuer = s.issuer;
          if (!issuer || !issuer.spec.acme) return;
          // Set up again from the secret as it is now (a missing key may have been added, or a key replaced).
          delete ctx.volatile.account;
          ctx.setState({ ...s, readyGeneration: undefined });
          setUp(ctx, issuer);
          return;
        }
        case 'Deleted':
          delete ctx.volatile.account;
          ctx.cancelTimer('retry');
          ctx.setState({});
          ctx.passivate();
          return;
      }
    },
  };
}

/** The account client of an issuer activation, when it is set up (for the ACME steps of issue 4). */
export function accountOf(ctx: ActorContext<IssuerState, IssuerMsg>): AcmeAccount | undefined {
  return ctx.volatile.account as AcmeAccount | undefined;
}
