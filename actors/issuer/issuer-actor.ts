import type { ActorContext, ActorDefinition } from '../../runtime/index.js';
import type { AcmeAccount } from '../acme/acme-account.js';
import { listEvents } from '../certificate/certificate-kube.js';
import { renewBeforeProblem } from '../certificate/renewal.js';
import type { ControllerDeps } from '../controller-deps.js';
import { challengeStore } from '../dns/challenge-store.js';
import { deletePersistentRecords, persistentNamespace } from '../dns/persistent-records.js';
import { FifoLimit } from '../fifo-limit.js';
import { CERTIFICATE_KIND, DEFAULT_WATCHER, ISSUER_KIND, parseIssuerActorId } from '../kinds.js';
import { recordEvent } from '../kube/events.js';
import { isNotFound } from '../kube/kube-api-error.js';
import { withoutManagedFields } from '../kube/kube-object.js';
import { runAcmeOperation } from './acme-operations.js';
import { type SignReply, signWithCa } from './ca-signing.js';
import { decideGrant, type GrantBook, pruneGrants, releaseGrant } from './issuance-grants.js';
import { issuerChallengeType, withChallengeType } from './issuer-challenge-type.js';
import type { AcmeReply, GrantReply, IssuerMsg, QuotaReply } from './issuer-messages.js';
import {
  ISSUER_SETUPS,
  type IssuerType,
  profileProblem,
  type SetupMaterial,
  type SetupOutcome,
  type SetupReady,
} from './issuer-setups.js';
import { type Issuer, type IssuerStatus, issuerPath, issuerTypeProblem } from './issuer-types.js';
import { type QuotaBucketState, quotaBurst, refill } from './quota-bucket.js';

export type { IssuerMsg } from './issuer-messages.js';

/** Persisted: the issuer as last observed (no secrets in it), what we concluded, and the quota and grants. */
export interface IssuerState {
  issuer?: Issuer;
  accountUrl?: string;
  /** Generation that is set up; what it set up (account client, CA key) lives only in memory. */
  readyGeneration?: number;
  /** Why the issuer is not ready (its status message), for certificates that ask. */
  problem?: string;
  /** Consecutive failed set-ups, for the retry backoff. */
  failures?: number;
  /** The request quota: persisted, so neither a restart nor a failover hands out a fresh day's burst. */
  bucket?: QuotaBucketState;
  /** Lifetime of the last certificate issued through this issuer: spec.renewBefore is checked against it. */
  lifetimeMs?: number;
  /** The issuer was set up for dns-persist-01: its persistent records may exist and go when that ends. */
  persistRecords?: boolean;
  /** What the ACME CA offers beyond RFC 8555 (profiles, renewal information), as the last set-up found. */
  offers?: SetupReady['offers'];
}

/** 1 min, doubling, at most 10 min: a down CA or a missing secret is re-checked without hammering anything. */
/** Writes spec.acme.privateKeySecretRef when auto registration chose the Secret (gardener does the same). */
async function recordAccountSecret(
  kube: ControllerDeps['kube']['default'],
  issuer: Issuer,
  secret: { namespace: string; name: string },
): Promise<Issuer | undefined> {
  const ref = issuer.spec.acme?.privateKeySecretRef;
  if (ref?.name === secret.name && (ref.namespace || issuer.metadata.namespace) === secret.namespace) return undefined;
  try {
    const patch = { spec: { acme: { privateKeySecretRef: { name: secret.name, namespace: secret.namespace } } } };
    return withoutManagedFields(
      await kube.mergePatch<Issuer>(issuerPath(issuer.metadata.namespace!, issuer.metadata.name), patch),
    );
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

const attemptKey = (issuer: Issuer) => `${issuer.metadata.uid ?? ''}/${issuer.metadata.generation ?? 0}`;

const retryDelayMs = (failures: number) => Math.min(600_000, 60_000 * 2 ** Math.max(0, failures - 1));
/**
 * ACME requests of one account in flight at once (each order operation is one or a few requests). Enough to keep the
 * CA busy while the controller and the CA share a machine, few enough not to flood a real CA's per-account limits
 * (Let's Encrypt allows 20 new orders per second per account, and more for the rest).
 */
const ACME_IN_FLIGHT = 16;
/** A grant not released for this long no longer locks its domains (its certificate vanished mid-order). */
const GRANT_LOCK_TTL_MS = 15 * 60_000;
/** Queued requests per issuer; a few hundred bytes each (CSRs, order URLs), so 50,000 is some 10 MB at worst. */
const ISSUER_MAILBOX_CAPACITY = 50_000;

type Ctx = ActorContext<IssuerState, IssuerMsg>;
interface Volatile {
  /** uid/generation of the Issuer last set up: a recreated Issuer (new uid, generation 1 again) is set up anew. */
  attempted?: string;
  /** The set-up of the Issuer's type (ISSUER_SETUPS): the ACME account client or the CA key, in memory only. */
  setup?: Promise<SetupOutcome>;
  /** Certificates told to come back when the issuer is ready or a domain lock is freed. */
  waiters?: Set<string>;
  /**
   * Running orders and their challenge domains. In memory only: persisting them would write the whole set at every
   * grant and release (the issuer's hottest path). After a failover the new activation starts without locks, so a
   * second certificate for a domain whose order is already running could start too; its challenge then fails and
   * backs off, it does not corrupt the first (see docs/ARCHITECTURE.md).
   */
  grants?: GrantBook['grants'];
  /** The ACME requests in flight and waiting (ACME_IN_FLIGHT). */
  acmeLimit?: FifoLimit;
}
const vol = (ctx: Ctx) => ctx.volatile as Volatile;

/** The Issuer's type, by gardener's precedence; undefined when the spec names none or several (an Error). */
const typeOf = (issuer: Issuer): IssuerType | undefined => issuerTypeProblem(issuer.spec).type;

/**
 * One actor per Issuer: the only holder of its ACME account key or CA key (in memory, from the Secret), the one
 * place that talks to the CA for the account (its turns serialize the calls) or signs with the CA key, the keeper of
 * the request quota and of the per-domain challenge locks, and the place that reports the issuer's status.
 */
export function issuerKind(deps: ControllerDeps): ActorDefinition<IssuerState, IssuerMsg> {
  // An Issuer of the target cluster (--allow-target-issuers) is read and written there, with its Secrets.
  const kubeOf = (ctx: Ctx) =>
    parseIssuerActorId(ctx.id)?.cluster === 'target' ? deps.kube.target : deps.kube.default;

  /**
   * Writes the status when it changed, and records a change of state or message as an Event on the Issuer (gardener
   * records none; they show in `kubectl describe issuer`). `eventMessage` speaks where the status has no message.
   */
  const patchStatus = async (ctx: Ctx, issuer: Issuer, status: IssuerStatus, eventMessage?: string) => {
    const current = issuer.status ?? {};
    const same = (Object.keys(status) as Array<keyof IssuerStatus>).every(
      (k) => JSON.stringify(current[k] ?? null) === JSON.stringify(status[k] ?? null),
    );
    if (same) return;
    try {
      await kubeOf(ctx).mergePatch(`${issuerPath(issuer.metadata.namespace!, issuer.metadata.name)}/status`, {
        status,
      });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (current.state !== status.state || (current.message ?? null) !== (status.message ?? null)) {
      const ready = status.state === 'Ready';
      await recordEvent(
        kubeOf(ctx),
        { ...issuer, apiVersion: 'cert.gardener.cloud/v1alpha1', kind: 'Issuer' },
        ready ? 'Normal' : 'Warning',
        ready ? 'Ready' : 'Error',
        eventMessage ?? status.message ?? '',
      ).catch((err: Error) => ctx.log.warn({ err: err.message }, 'could not record an event'));
    }
  };

  const quotaOf = (issuer: Issuer) =>
    ISSUER_SETUPS[typeOf(issuer) ?? 'acme'].quota(issuer, deps.config.defaultRequestsPerDayQuota);

  /** Starts (or restarts) the set-up of the Issuer's type; its outcome comes back as SetUpDone/SetUpFailed. */
  const setUp = (ctx: Ctx, issuer: Issuer, type: IssuerType) => {
    const generation = issuer.metadata.generation ?? 0;
    const v = vol(ctx);
    v.attempted = attemptKey(issuer);
    ctx.cancelTimer('retry');
    const attempt = ISSUER_SETUPS[type].setUp(kubeOf(ctx), issuer, ctx.now());
    v.setup = attempt;
    attempt.catch(() => {});
    ctx.pipeToSelf(
      attempt,
      (o): IssuerMsg =>
        o.ok
          ? { type: 'SetUpDone', generation, ready: o.value.ready }
          : { type: 'SetUpFailed', generation, message: o.error.message },
    );
  };

  /** The quota in force, the tokens in the bucket now (a full burst before the first grant), the running orders. */
  const quotaView = (ctx: Ctx) => {
    const quota = ctx.state.issuer ? quotaOf(ctx.state.issuer) : deps.config.defaultRequestsPerDayQuota;
    const bucket = ctx.state.bucket ? refill(ctx.state.bucket, quota, ctx.now()) : undefined;
    return {
      requestsPerDayQuota: quota,
      tokens: bucket ? Math.floor(bucket.tokens * 100) / 100 : quotaBurst(quota),
      activeGrants: Object.keys(vol(ctx).grants ?? {}).length,
    };
  };

  const wakeWaiters = (ctx: Ctx) => {
    const v = vol(ctx);
    for (const id of v.waiters ?? []) ctx.tell(CERTIFICATE_KIND, id, { type: 'IssuerReady' });
    v.waiters?.clear();
  };
  /**
   * The issuer no longer asks for dns-persist-01 (deleted, or another type): its persistent records would go on
   * authorising the account, so they are deleted. A failure keeps the mark, and the next set-up tries again.
   */
  const dropPersistentRecords = async (ctx: Ctx) => {
    if (!ctx.state.persistRecords) return;
    const issuer = parseIssuerActorId(ctx.id);
    if (!issuer) return;
    try {
      const store = challengeStore(deps.config.dns.useDnsRecords);
      const ns = persistentNamespace(deps.config.dns.namespace, issuer);
      const count = await deletePersistentRecords(deps.kube.dns, store, ns, issuer);
      ctx.log.info({ count, namespace: ns }, 'deleted the dns-persist-01 records of the issuer');
      ctx.setState({ ...ctx.state, persistRecords: undefined });
    } catch (err) {
      ctx.log.warn({ err: (err as Error).message }, 'could not delete the dns-persist-01 records of the issuer');
    }
  };

  const addWaiter = (ctx: Ctx, certificate: string) => {
    const v = vol(ctx);
    v.waiters ??= new Set();
    v.waiters.add(certificate);
  };

  /**
   * What the set-up holds (account client, CA key), setting it up again in a fresh activation: after a failover the
   * keys are only in their Secrets.
   */
  const material = async (ctx: Ctx): Promise<SetupMaterial | string> => {
    const s = ctx.state;
    const issuer = s.issuer;
    if (!issuer) return `issuer ${ctx.id} does not exist`;
    const type = typeOf(issuer);
    if (s.readyGeneration !== (issuer.metadata.generation ?? 0) || !type)
      return `issuer ${ctx.id} is not ready: ${s.problem ?? 'it is being set up'}`;
    if (!vol(ctx).setup) setUp(ctx, issuer, type);
    try {
      return (await vol(ctx).setup!).material;
    } catch (err) {
      return `issuer ${ctx.id} is not ready: ${(err as Error).message}`;
    }
  };

  const account = async (ctx: Ctx): Promise<AcmeAccount | string> => {
    const m = await material(ctx);
    if (typeof m === 'string') return m;
    return m.type === 'acme' ? m.account : `issuer ${ctx.id} is of type ${m.type}: it places no ACME orders`;
  };

  const grant = (ctx: Ctx, msg: Extract<IssuerMsg, { type: 'Grant' }>): GrantReply => {
    const s = ctx.state;
    const issuer = s.issuer;
    if (!issuer) {
      addWaiter(ctx, msg.certificate);
      return {
        granted: false,
        reason: 'missing',
        message: `issuer ${ctx.id} does not exist; create it, or correct spec.issuerRef`,
      };
    }
    if (s.readyGeneration !== (issuer.metadata.generation ?? 0)) {
      addWaiter(ctx, msg.certificate);
      return {
        granted: false,
        reason: 'not-ready',
        message: `issuer ${ctx.id} is not ready: ${s.problem ?? 'it is being set up'}`,
      };
    }
    // Known once one certificate came from this issuer: a renewBefore it cannot meet is refused before a token goes.
    const tooLong =
      msg.renewBeforeMs !== undefined && s.lifetimeMs !== undefined
        ? renewBeforeProblem(msg.renewBeforeMs, 0, s.lifetimeMs)
        : undefined;
    if (tooLong)
      return {
        granted: false,
        reason: 'invalid',
        message: `${tooLong} (issuer ${ctx.id} issues certificates living ${Math.round(s.lifetimeMs! / 3_600_000)}h)`,
      };
    const type = typeOf(issuer) ?? 'acme';
    // CA and self-signed issuers spend nothing at a CA and write no challenges: no token, no domain lock.
    if (!ISSUER_SETUPS[type].limited) return { granted: true, issuerType: type, dns: {} };
    const profile = msg.profile || issuer.spec.acme?.profile || undefined;
    if (msg.profile && !s.offers?.profiles?.includes(msg.profile))
      return {
        granted: false,
        reason: 'invalid',
        message: profileProblem('spec.profile', msg.profile, s.offers?.profiles),
      };
    const now = ctx.now();
    const v = vol(ctx);
    const book = pruneGrants(
      { ...(s.bucket ? { bucket: s.bucket } : {}), grants: v.grants ?? {} },
      now,
      GRANT_LOCK_TTL_MS,
    );
    const d = decideGrant(book, {
      certificate: msg.certificate,
      hash: msg.hash,
      attempt: msg.attempt,
      domains: msg.domains,
      issuerName: issuer.metadata.name,
      quota: quotaOf(issuer),
      now,
      lockTtlMs: GRANT_LOCK_TTL_MS,
    });
    v.grants = d.book.grants;
    if (d.book.bucket !== s.bucket) ctx.setState({ ...s, ...(d.book.bucket ? { bucket: d.book.bucket } : {}) });
    if (d.granted) {
      const acme = issuer.spec.acme;
      const dns = {
        precheckNameservers: acme?.precheckNameservers,
        skipDNSChallengeValidation: acme?.skipDNSChallengeValidation,
      };
      return {
        granted: true,
        issuerType: 'acme',
        dns,
        ...(profile ? { profile } : {}),
        renewalInfo: s.offers?.renewalInfo === true,
      };
    }
    if (d.reason === 'busy') {
      addWaiter(ctx, msg.certificate);
      return { granted: false, reason: 'busy', message: d.message };
    }
    // Also woken early when the issuer changes (a raised quota).
    addWaiter(ctx, msg.certificate);
    return { granted: false, reason: 'quota', retryAt: d.retryAt, message: d.message };
  };

  return {
    kind: ISSUER_KIND,
    // --issuer.issuers.pool.size: issuer turns (ACME requests) running at once on this pod, over all its issuers.
    maxConcurrentTurns: deps.config.issuerConcurrency,
    // Every certificate of the issuer asks it at each step: thousands at once must queue here, not be refused.
    mailboxCapacity: ISSUER_MAILBOX_CAPACITY,
    initialState: () => ({}),
    parentOf: () => ({ ...DEFAULT_WATCHER }),
    queries: ['Quota', 'Describe'],
    validate(msg) {
      const m = msg as Partial<Extract<IssuerMsg, { type: 'Grant' }>>;
      if (
        m.type === 'Grant' &&
        (typeof m.certificate !== 'string' || typeof m.hash !== 'string' || !Array.isArray(m.domains))
      )
        return 'Grant needs certificate, hash and domains';
      if (m.type === 'Grant' && m.attempt !== undefined && !(Number.isInteger(m.attempt) && m.attempt >= 0))
        return 'Grant attempt must be a whole number, 0 or more';
      return undefined;
    },
    async handle(ctx, msg) {
      const s = ctx.state;
      switch (msg.type) {
        case 'Observed': {
          // Without managed fields: a kilobyte or two less per state write.
          const issuer = withoutManagedFields(msg.issuer);
          const generation = issuer.metadata.generation ?? 0;
          ctx.setState({ ...s, issuer });
          // Our own status patches come back as events of the same generation: nothing to do for them. (After a
          // failure a timer retries; a new activation, which has no account in memory, sets up once more.)
          if (vol(ctx).attempted === attemptKey(issuer)) return;
          const { type, problem } = issuerTypeProblem(issuer.spec);
          if (problem || !type) {
            const message = problem ?? 'the issuer names no type';
            ctx.setState({ ...ctx.state, readyGeneration: undefined, problem: message });
            vol(ctx).attempted = attemptKey(issuer);
            await patchStatus(ctx, issuer, {
              state: 'Error',
              message,
              ...(type ? { type } : {}),
              requestsPerDayQuota: quotaOf(issuer),
              observedGeneration: generation,
            });
            return;
          }
          if (s.readyGeneration !== generation) ctx.setState({ ...ctx.state, readyGeneration: undefined });
          setUp(ctx, issuer, type);
          return;
        }
        case 'SetUpDone': {
          let issuer = s.issuer;
          if (!issuer || msg.generation !== (issuer.metadata.generation ?? 0)) return; // superseded by a newer spec
          const ready = msg.ready;
          ctx.log.info({ type: ready.status.type, account: ready.accountUrl }, 'issuer set up');
          // As gardener: the Issuer names the account secret auto registration made (a new generation, our own).
          const recorded = ready.recordSecret
            ? await recordAccountSecret(kubeOf(ctx), issuer, ready.recordSecret)
            : undefined;
          issuer = recorded ?? issuer;
          const generation = issuer.metadata.generation ?? 0;
          vol(ctx).attempted = attemptKey(issuer);
          const challenge = issuerChallengeType(issuer);
          const persist = 'type' in challenge && challenge.type === 'dns-persist-01';
          ctx.setState({
            ...s,
            issuer,
            accountUrl: ready.accountUrl,
            offers: ready.offers,
            readyGeneration: generation,
            failures: 0,
            problem: undefined,
            ...(persist ? { persistRecords: true } : {}),
          });
          if (!persist) await dropPersistentRecords(ctx);
          await patchStatus(
            ctx,
            issuer,
            {
              state: 'Ready',
              message: null,
              type: ready.status.type,
              // A type's part of the status goes when the Issuer changes type.
              acme: ready.status.acme ?? null,
              ca: ready.status.ca ?? null,
              requestsPerDayQuota: quotaOf(issuer),
              observedGeneration: generation,
            },
            ready.eventMessage,
          );
          wakeWaiters(ctx);
          return;
        }
        case 'SetUpFailed': {
          const issuer = s.issuer;
          if (!issuer || msg.generation !== (issuer.metadata.generation ?? 0)) return;
          const failures = (s.failures ?? 0) + 1;
          ctx.setState({ ...s, failures, readyGeneration: undefined, problem: msg.message });
          delete vol(ctx).setup;
          ctx.setTimer('retry', retryDelayMs(failures), { type: 'Retry' });
          ctx.log.warn({ reason: msg.message, retryInMs: retryDelayMs(failures) }, 'issuer not ready');
          await patchStatus(ctx, issuer, {
            state: 'Error',
            message: msg.message,
            type: typeOf(issuer) ?? 'acme',
            requestsPerDayQuota: quotaOf(issuer),
            observedGeneration: msg.generation,
          });
          return;
        }
        case 'SecretChanged':
        case 'Retry': {
          const issuer = s.issuer;
          const type = issuer && typeOf(issuer);
          if (!issuer || !type || type === 'selfSigned') return;
          // Set up again from the secret as it is now (a missing key may have been added, or a key replaced).
          delete vol(ctx).setup;
          ctx.setState({ ...s, readyGeneration: undefined });
          setUp(ctx, issuer, type);
          return;
        }
        case 'Deleted': {
          const v = vol(ctx);
          delete v.setup;
          delete v.attempted;
          ctx.cancelTimer('retry');
          await dropPersistentRecords(ctx);
          ctx.setState({
            ...(s.bucket ? { bucket: s.bucket } : {}),
            ...(ctx.state.persistRecords ? { persistRecords: true } : {}),
          });
          // Certificates with a running order hear of it at once; their orders wait (grants are kept) until an
          // Issuer of this name is back and ready, and then continue.
          const message = `issuer ${ctx.id} does not exist; create it again, or correct spec.issuerRef`;
          for (const id of new Set([...Object.keys(v.grants ?? {}), ...(v.waiters ?? [])]))
            ctx.tell(CERTIFICATE_KIND, id, { type: 'IssuerUnavailable', message });
          for (const id of Object.keys(v.grants ?? {})) addWaiter(ctx, id);
          return;
        }
        case 'Grant':
          return grant(ctx, msg);
        case 'Watch':
          if (s.issuer && s.readyGeneration === (s.issuer.metadata.generation ?? 0))
            ctx.tell(CERTIFICATE_KIND, msg.certificate, { type: 'IssuerReady' });
          else addWaiter(ctx, msg.certificate);
          return undefined;
        case 'Release': {
          const v = vol(ctx);
          if (msg.lifetimeMs !== undefined && msg.lifetimeMs !== s.lifetimeMs)
            ctx.setState({ ...s, lifetimeMs: msg.lifetimeMs });
          if (!v.grants?.[msg.certificate]) return undefined;
          v.grants = releaseGrant({ grants: v.grants }, msg.certificate).grants;
          wakeWaiters(ctx);
          return undefined;
        }
        case 'Acme': {
          const acct = await account(ctx);
          if (typeof acct === 'string') {
            // The certificate waits for IssuerReady instead of failing its order.
            addWaiter(ctx, msg.certificate);
            return { ok: false, error: acct, transient: true, unavailable: true } satisfies AcmeReply;
          }
          // Order operations of different certificates run side by side, up to ACME_IN_FLIGHT at a time and first
          // come, first served; the turn ends at once, so grants and releases are not held up behind the CA. What
          // must be one at a time (account set-up, quota, domain locks) stays in turns.
          const v = vol(ctx);
          v.acmeLimit ??= new FifoLimit(ACME_IN_FLIGHT);
          const operation = withChallengeType(msg.operation, s.issuer);
          const queuedAt = performance.now();
          return ctx.replyLater(
            v.acmeLimit.run(async () => {
              const started = performance.now();
              const result: AcmeReply = await runAcmeOperation(acct, operation);
              ctx.log.debug(
                {
                  op: operation.op,
                  ms: Math.round((performance.now() - started) * 10) / 10,
                  queuedMs: Math.round((started - queuedAt) * 10) / 10,
                },
                'acme operation',
              );
              return result;
            }),
          );
        }
        case 'Sign': {
          const m = await material(ctx);
          if (typeof m === 'string') {
            addWaiter(ctx, msg.certificate);
            return { ok: false, error: m, transient: true, unavailable: true } satisfies SignReply;
          }
          if (m.type !== 'ca')
            return {
              ok: false,
              error: `issuer ${ctx.id} is of type ${m.type}: it signs nothing`,
              invalid: true,
            } satisfies SignReply;
          return (await signWithCa(m.ca, msg.request, ctx.now())) satisfies SignReply;
        }
        case 'Describe': {
          const issuer = s.issuer;
          const events = issuer
            ? await listEvents(kubeOf(ctx), issuer.metadata.namespace!, 'Issuer', issuer.metadata.name).catch(() => [])
            : [];
          return {
            id: ctx.id,
            exists: issuer !== undefined,
            ...(issuer
              ? {
                  type: typeOf(issuer),
                  server: issuer.spec.acme?.server,
                  email: issuer.spec.acme?.email,
                  status: issuer.status ?? {},
                }
              : {}),
            ready: issuer !== undefined && s.readyGeneration === (issuer.metadata.generation ?? 0),
            ...(s.problem ? { problem: s.problem } : {}),
            ...(s.accountUrl ? { accountUrl: s.accountUrl } : {}),
            ...quotaView(ctx),
            events,
          };
        }
        case 'Quota':
          return { issuer: ctx.id, ...quotaView(ctx) } satisfies QuotaReply;
      }
    },
  };
}
