// The DNS part of the order table (order-steps.ts): publish the challenge records, wait until the DNS controller
// reports them published, and see them at the precheck nameservers. The records are DNSEntries or (--use-dnsrecords)
// DNSRecords (dns/challenge-store.ts); a dns-persist-01 record is the issuer's, written only when the record there
// does not already authorise the account, so a renewal writes nothing.

import { dnsRecordSettings } from '../../dns/challenge-dnsrecord.js';
import {
  type ChallengeStore,
  challengeStore,
  getChallengeObject,
  updateChallengeObject,
  writeChallengeObject,
} from '../../dns/challenge-store.js';
import { followCname } from '../../dns/cname-chain.js';
import { persistAuthorizes, persistNeedOf, persistRecordValues } from '../../dns/persist-record.js';
import { precheckNameservers } from '../../dns/precheck-nameservers.js';
import { checkTxtPropagation, checkTxtPropagationWith } from '../../dns/txt-propagation.js';
import type { KubeClient } from '../../kube/kube-client.js';
import { identityOf } from '../certificate-env.js';
import { countChallenges, issuerLabel } from '../certificate-metrics.js';
import {
  type ChallengeGroup,
  challengeGroups,
  challengeObject,
  cnameKey,
  entryNamespace,
  isPersistent,
  type ObjectScope,
  publishedName,
  recordNamespace,
} from './challenges.js';
import type { PhaseData } from './order-memory.js';
import { continueWith, fail, go, type OrderStep, poll, retry } from './order-step.js';

const ENTRY_FALLBACK_POLL_MS = 2_000;
const ENTRY_TERMINATING_POLL_MS = 250;
/** However long another entry holds a name, an order waits at most this long for its turn. */
const MAX_BUSY_WAIT_MS = 30 * 60_000;

type Written = 'written' | 'unchanged' | 'terminating';

/** Polling that starts short (pebble and a nearby dns-controller answer in milliseconds) and doubles to `max`. */
function nextPoll(data: { pollDelayMs?: number }, first: number, max: number): number {
  const delay = data.pollDelayMs ?? first;
  data.pollDelayMs = Math.min(max, delay * 2);
  return delay;
}

const persistNeeds = (g: ChallengeGroup) =>
  g.values.map((v) => persistNeedOf(v, g.wildcard)).filter((n) => n !== undefined);

/**
 * An issuer's dns-persist-01 record: read first, and written only when no value there authorises every challenge of
 * the group (then with the values of other accounts kept, see persist-record.ts).
 */
async function ensurePersistentRecord(
  kube: KubeClient,
  store: ChallengeStore,
  scope: ObjectScope,
  g: ChallengeGroup,
  recordName: string,
  nowSeconds: number,
): Promise<Written> {
  const needs = persistNeeds(g);
  const shape = challengeObject(scope, g, recordName, []);
  const current = await getChallengeObject(kube, store, shape.metadata.namespace, shape.metadata.name);
  if (current?.metadata.deletionTimestamp) return 'terminating';
  const seen = current && store.view(current);
  const sameName = seen !== undefined && seen.recordName === recordName.replace(/\.$/, '');
  const existing = sameName ? seen.values : [];
  const values = persistRecordValues(existing, needs, nowSeconds);
  if (sameName && values === undefined) return 'unchanged';
  const desired = store.withValues(shape, values ?? existing);
  return current ? updateChallengeObject(kube, store, current, desired) : writeChallengeObject(kube, store, desired);
}

export const PUBLISH_STEP: OrderStep<'publish'> = {
  does: "writes one record object per challenge record into the dns cluster: a DNSEntry, or with --use-dnsrecords a DNSRecord (a wildcard and its base share one; followCNAME: at the end of the CNAME chain; dns-persist-01: the issuer's persistent record, written only when it does not authorise the account yet); skipDNSChallengeValidation: none",
  awaits:
    'nothing: the object names (and CNAME targets) are persisted; an object of the name still being deleted: poll',
  next: ['await-entries', 'answer'],
  resume: 'reread',
  stage: 1,
  initial: () => ({}),
  async start(s) {
    const { work, config, request } = s;
    // skipDNSChallengeValidation: the issuer's CA does not look at DNS; the challenges are answered at once.
    if (work.dns?.skipDNSChallengeValidation) return continueWith('answer');
    const certificate = identityOf(s.ctx);
    const store = challengeStore(config.dns.useDnsRecords);
    const scope: ObjectScope = { certificate, config, issuer: work.issuer };
    if (config.dns.useDnsRecords) {
      const settings = dnsRecordSettings(s.ctx.state.cert?.metadata.annotations, certificate.namespace);
      if ('problem' in settings) return fail(settings.problem);
      scope.recordSettings = settings;
    }
    const groups = challengeGroups(work.challenges ?? []);
    let cnameTargets = work.cnameTargets;
    if (request.followCNAME && !cnameTargets) {
      const nameservers = precheckNameservers(config.precheckNameservers, work.dns?.precheckNameservers);
      cnameTargets = {};
      try {
        for (const g of groups) {
          const target = await followCname(g.recordName, nameservers);
          if (target !== g.recordName) cnameTargets[cnameKey(g)] = target;
        }
      } catch (err) {
        return retry(`spec.followCNAME: ${(err as Error).message}`, true);
      }
    }
    const targets = { cnameTargets };
    const nowSeconds = Math.floor(s.ctx.now() / 1000);
    let outcomes: Written[];
    try {
      outcomes = await Promise.all(
        groups.map((g) =>
          isPersistent(g)
            ? ensurePersistentRecord(s.env.dns, store, scope, g, publishedName(targets, g), nowSeconds)
            : writeChallengeObject(s.env.dns, store, challengeObject(scope, g, publishedName(targets, g), g.values)),
        ),
      );
    } catch (err) {
      const where = `namespace ${entryNamespace(config, certificate)} of the dns cluster`;
      return retry(`writing the challenge ${store.kind}s in ${where} failed: ${(err as Error).message}`, true);
    }
    // An object of the same name from the previous order is still being deleted: write again once it is gone.
    if (outcomes.includes('terminating')) return poll(ENTRY_TERMINATING_POLL_MS);
    countChallenges(s.ctx, { issuer: issuerLabel(work.issuer), count: work.challenges?.length ?? 0 });
    const names = groups.map((g) => challengeObject(scope, g, '', []).metadata.name);
    const kept = groups.filter(isPersistent).map((g) => challengeObject(scope, g, '', []).metadata.name);
    const patch = { entries: names, keptEntries: kept.length > 0 ? kept : undefined, cnameTargets };
    // Nothing written (a dns-persist-01 renewal): no event will come, so look at once.
    if (outcomes.every((o) => o === 'unchanged')) return continueWith('await-entries', patch);
    return go('await-entries', patch, ENTRY_FALLBACK_POLL_MS);
  },
};

export const AWAIT_ENTRIES_STEP: OrderStep<'await-entries'> = {
  does: 'waits until the DNS controller reports every record object published at its current generation (DNSEntry Ready; DNSRecord lastOperation Succeeded)',
  awaits: 'EntryChanged from the dns watcher; a GET of the objects every 2 s is the fallback; --propagation-timeout',
  next: ['propagation', 'publish'],
  resume: 'reread',
  stage: 1,
  initial: (): PhaseData['await-entries'] => ({ ready: new Set<string>() }),
  async start(s) {
    const { config, work, data } = s;
    const certificate = identityOf(s.ctx);
    const store = challengeStore(config.dns.useDnsRecords);
    const problems: string[] = [];
    for (const name of (work.entries ?? []).filter((n) => !data.ready.has(n))) {
      const ns = recordNamespace(config, certificate, work, name);
      const object = await getChallengeObject(s.env.dns, store, ns, name);
      if (!object) return go('publish'); // deleted by someone: write it again
      const view = store.view(object);
      const what = `${store.kind} ${ns}/${name} (${view.recordName})`;
      if (view.ready) data.ready.add(name);
      // The dns-controller-manager refuses the name for good: waiting would not help.
      else if (view.refused !== undefined) return fail(`${what} is Invalid: ${view.refused}`);
      else {
        // Another entry (another certificate or controller) holds the name: wait for our turn, the timeout
        // counting from when it was free.
        if (view.busy) data.busyAt = s.ctx.now();
        problems.push(`${what} ${view.describe}`);
      }
    }
    if (problems.length === 0) return continueWith('propagation');
    const waitingSince = Math.max(work.since, data.busyAt ?? 0);
    const tooLong = s.ctx.now() - work.since > MAX_BUSY_WAIT_MS;
    if (tooLong || s.ctx.now() - waitingSince > config.propagationTimeoutMs) {
      const who =
        store.kind === 'DNSRecord'
          ? 'a Gardener provider extension serving the DNSRecords of this provider type'
          : `a dns-controller-manager serving class "${config.dns.class || 'default'}"`;
      return fail(
        `challenge DNS records were not published within ${config.propagationTimeoutMs / 1000}s ` +
          `(--propagation-timeout): ${problems.join('; ')}; is ${who} in the dns cluster?`,
      );
    }
    return poll(ENTRY_FALLBACK_POLL_MS);
  },
};

export const PROPAGATION_STEP: OrderStep<'propagation'> = {
  does: 'checks the TXT values at every --precheck-nameservers server (real DNS queries; dns-persist-01: a value authorising the account), then waits --precheck-additional-wait',
  awaits: 'DNS answers, polled from 50 ms doubling to 2 s; --propagation-timeout',
  next: ['answer'],
  resume: 'reread',
  stage: 1,
  initial: () => ({}),
  async start(s) {
    const { config, work, data } = s;
    // An Advance from before a cancelled timer can come early: the additional wait is counted, not assumed.
    if (data.visibleAt !== undefined) {
      const left = data.visibleAt + config.precheckAdditionalWaitMs - s.ctx.now();
      return left > 0 ? poll(left) : go('answer');
    }
    const nameservers = precheckNameservers(config.precheckNameservers, work.dns?.precheckNameservers);
    const nowSeconds = Math.floor(s.ctx.now() / 1000);
    const results = await Promise.all(
      challengeGroups(work.challenges ?? []).map(async (g) => {
        // With followCNAME the record is looked up where it was written, the end of the chain.
        const name = publishedName(work, g);
        if (!isPersistent(g)) return { name, ...(await checkTxtPropagation(name, g.values, nameservers)) };
        const needs = persistNeeds(g);
        const result = await checkTxtPropagationWith(name, nameservers, (values) => ({
          missing: needs.filter((n) => !values.some((v) => persistAuthorizes(v, n, nowSeconds))).length,
          of: needs.length,
        }));
        return { name, ...result };
      }),
    );
    const pending = results.filter((r) => !r.ready);
    if (pending.length === 0) {
      if (config.precheckAdditionalWaitMs <= 0) return continueWith('answer');
      data.visibleAt = s.ctx.now();
      return poll(config.precheckAdditionalWaitMs);
    }
    if (s.ctx.now() - work.since > config.propagationTimeoutMs) {
      const detail = pending
        .map((p) => `${p.name}: ${p.pending.map((x) => `${x.nameserver} ${x.reason}`).join(', ')}`)
        .join('; ');
      return fail(
        `TXT records not visible at the precheck nameservers within ${config.propagationTimeoutMs / 1000}s ` +
          `(--propagation-timeout): ${detail}`,
      );
    }
    return poll(nextPoll(data, 50, 2_000));
  },
};
