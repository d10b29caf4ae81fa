// Which issuer serves a certificate, following gardener's Support.IssuerClusterObjectKey, FindIssuerKeyByBestMatch
// and checkDomainRangeRestriction (pkg/controller/issuer/core/support.go, certificate/reconciler.go).
// One deliberate difference: gardener picks the best-scoring issuer even if it covers only some of the names and
// then fails the certificate; here an issuer is chosen by its domains only if it covers every name, otherwise the
// default issuer is tried, so a certificate mixing domains is not stuck on an issuer that cannot serve it.
import { domainRangeFit, isInDomainRanges, parseDomainRanges } from './domain-range.js';

export interface DomainSelection {
  include?: string[];
  exclude?: string[];
}

export interface IssuerCandidate {
  /** 'target': an Issuer of the target cluster (--allow-target-issuers); absent means the default cluster. */
  cluster?: 'default' | 'target';
  namespace: string;
  name: string;
  /** spec.acme.domains */
  domains?: DomainSelection;
  /** acme, ca or selfSigned; absent when the Issuer names none or several (it reports that itself). */
  type?: 'acme' | 'ca' | 'selfSigned';
}

export interface IssuerKey {
  cluster: 'default' | 'target';
  namespace: string;
  name: string;
}

export interface IssuerSelectionInput {
  issuerRef?: { name: string; namespace?: string };
  /** The certificate's names (commonName first), as spec validation returns them. */
  names: readonly string[];
  issuers: readonly IssuerCandidate[];
  /** --default-issuer; "" means there is none. */
  defaultIssuer: string;
  /** --default-issuer-domain-ranges as given (comma list) or already split; empty means any domain. */
  defaultIssuerDomainRanges?: string | readonly string[];
  /** --issuer-namespace: where issuers live on the default cluster. */
  issuerNamespace: string;
  /** --allow-target-issuers: an issuerRef with another namespace names an Issuer of the target cluster. */
  allowTargetIssuers?: boolean;
}

export type SelectedBy = 'issuerRef' | 'domains' | 'default';

export type IssuerSelection =
  | {
      ok: true;
      issuer: IssuerKey;
      selectedBy: SelectedBy /** false: not (yet) seen; the caller waits or fails. */;
      known: boolean;
    }
  | { ok: false; problems: string[] };

const clusterOf = (i: IssuerCandidate) => i.cluster ?? 'default';

export function selectIssuer(input: IssuerSelectionInput): IssuerSelection {
  const find = (key: IssuerKey) =>
    input.issuers.find((i) => clusterOf(i) === key.cluster && i.namespace === key.namespace && i.name === key.name);
  const ranges = parseDomainRanges(input.defaultIssuerDomainRanges);

  if (input.issuerRef) {
    const key = refKey(input.issuerRef, input);
    if (key.cluster === 'target' && !input.allowTargetIssuers) {
      return {
        ok: false,
        problems: [
          `spec.issuerRef.namespace "${key.namespace}": target issuers not allowed (issuers are looked up in namespace "${input.issuerNamespace}", --issuer-namespace, unless --allow-target-issuers); remove spec.issuerRef.namespace or move the issuer`,
        ],
      };
    }
    const isDefault = key.cluster === 'default' && key.name === input.defaultIssuer;
    return verdict(key, 'issuerRef', find(key), isDefault ? ranges : undefined, input);
  }

  let best: { issuer: IssuerCandidate; fit: number } | undefined;
  for (const issuer of sorted(input.issuers)) {
    const here = clusterOf(issuer) === 'target' ? input.allowTargetIssuers : issuer.namespace === input.issuerNamespace;
    if (!here || !issuer.domains) continue;
    if (domainProblems(issuer, input.names).length > 0) continue;
    const isDefault = clusterOf(issuer) === 'default' && issuer.name === input.defaultIssuer;
    if (isDefault && !input.names.every((n) => isInDomainRanges(n, ranges))) continue;
    // Gardener's score: 1000 per covered name plus the length of the most specific matching range.
    const fit = input.names.reduce((sum, n) => sum + 1000 + domainRangeFit(n, issuer.domains?.include), 0);
    if (!best || fit > best.fit) best = { issuer, fit };
  }
  if (best)
    return {
      ok: true,
      issuer: { cluster: clusterOf(best.issuer), namespace: best.issuer.namespace, name: best.issuer.name },
      selectedBy: 'domains',
      known: true,
    };

  if (input.defaultIssuer === '') {
    return {
      ok: false,
      problems: [
        `no issuer covers ${list(input.names)} and no default issuer is configured: set spec.issuerRef, or add the domains to an issuer's spec.acme.domains.include`,
      ],
    };
  }
  const key: IssuerKey = { cluster: 'default', namespace: input.issuerNamespace, name: input.defaultIssuer };
  return verdict(key, 'default', find(key), ranges, input);
}

/**
 * The issuer an issuerRef names, as gardener resolves it (Support.IssuerClusterObjectKey): no namespace means the
 * default cluster; with a namespace a known Issuer of the target cluster in that namespace wins, then one of the
 * default cluster of that name (in the issuer namespace); unknown ones are on the default cluster when the namespace
 * is the issuer namespace, else on the target cluster. (gardener also takes a target Issuer of that name from another
 * namespace; here a reference means its namespace.)
 */
function refKey(ref: { name: string; namespace?: string }, input: IssuerSelectionInput): IssuerKey {
  const onDefault: IssuerKey = { cluster: 'default', namespace: input.issuerNamespace, name: ref.name };
  if (!ref.namespace) return onDefault;
  const onTarget: IssuerKey = { cluster: 'target', namespace: ref.namespace, name: ref.name };
  const known = (k: IssuerKey) =>
    input.issuers.some((i) => clusterOf(i) === k.cluster && i.namespace === k.namespace && i.name === k.name);
  if (input.allowTargetIssuers && known(onTarget)) return onTarget;
  if (ref.namespace === input.issuerNamespace || known(onDefault)) return onDefault;
  return onTarget;
}

function verdict(
  key: IssuerKey,
  selectedBy: SelectedBy,
  issuer: IssuerCandidate | undefined,
  ranges: string[] | undefined,
  input: IssuerSelectionInput,
): IssuerSelection {
  const problems: string[] = [];
  const outside = input.names.filter((n) => !isInDomainRanges(n, ranges));
  if (outside.length > 0 && ranges) {
    const hint =
      selectedBy === 'default'
        ? "no issuer's spec.acme.domains covers all names either; set spec.issuerRef to an issuer for them"
        : 'choose another issuer in spec.issuerRef';
    problems.push(
      `${list(outside)} ${outside.length > 1 ? 'are' : 'is'} outside the domain ranges of the default issuer "${key.name}" (${ranges.join(', ')}): ${hint}, or widen --default-issuer-domain-ranges`,
    );
  }
  if (issuer) problems.push(...domainProblems(issuer, input.names));
  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, issuer: key, selectedBy, known: issuer !== undefined };
}

function domainProblems(issuer: IssuerCandidate, names: readonly string[]): string[] {
  const include = nonEmpty(issuer.domains?.include);
  const exclude = nonEmpty(issuer.domains?.exclude);
  const excluded = names.filter((n) => exclude !== undefined && isInDomainRanges(n, exclude));
  const notIncluded = names.filter((n) => !excluded.includes(n) && !isInDomainRanges(n, include));
  const problems: string[] = [];
  if (excluded.length > 0) {
    problems.push(
      `${list(excluded)} ${excluded.length > 1 ? 'are' : 'is'} excluded by issuer "${issuer.name}" (spec.acme.domains.exclude: ${exclude?.join(', ')})`,
    );
  }
  if (notIncluded.length > 0) {
    problems.push(
      `${list(notIncluded)} ${notIncluded.length > 1 ? 'are' : 'is'} not covered by issuer "${issuer.name}" (spec.acme.domains.include: ${include?.join(', ')})`,
    );
  }
  return problems;
}

// Gardener treats a missing include list as "all domains"; an empty list is treated the same here rather than as
// "no domain", since an issuer that can serve nothing is never what the user meant.
function nonEmpty(ranges: string[] | undefined): string[] | undefined {
  return ranges && ranges.length > 0 ? ranges : undefined;
}

function sorted(issuers: readonly IssuerCandidate[]): IssuerCandidate[] {
  return [...issuers].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

function list(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}
