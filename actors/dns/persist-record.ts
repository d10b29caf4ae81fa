// The TXT value of a dns-persist-01 record (draft-ietf-acme-dns-persist, the RFC 8659 issue-value syntax):
// `<issuer-domain-name>; accounturi=<account URL>[; policy=wildcard][; persistUntil=<unix seconds>]`. The record is
// kept for good, so an order only has to check that a value already there authorises it; it writes one only when none
// does. A wildcard authorization needs `policy=wildcard`, and a value that has it is never narrowed again: a base and
// a wildcard certificate of one domain would otherwise rewrite the record in turn.

/** What one challenge needs from the record. */
export interface PersistNeed {
  /** One of the challenge's issuer-domain-names (the CA's). */
  issuerDomainName: string;
  accountUri: string;
  wildcard: boolean;
}

interface PersistValue {
  issuerDomainName: string;
  params: Map<string, string>;
}

const trimWsp = (s: string) => s.replace(/^[ \t]+|[ \t]+$/g, '');

/** Parses a value as the CA does; undefined for anything malformed (the CA skips or refuses those). */
function parsePersistValue(txt: string): PersistValue | undefined {
  const [head, ...rest] = txt.split(';');
  const issuerDomainName = trimWsp(head ?? '');
  if (issuerDomainName === '') return undefined;
  const params = new Map<string, string>();
  for (const raw of rest) {
    const param = trimWsp(raw);
    const eq = param.indexOf('=');
    if (eq <= 0) return undefined;
    const tag = trimWsp(param.slice(0, eq)).toLowerCase();
    const value = trimWsp(param.slice(eq + 1));
    if (params.has(tag) || !/^[\x21-\x3a\x3c-\x7e]*$/.test(value)) return undefined;
    params.set(tag, value);
  }
  return { issuerDomainName, params };
}

/** The value of a challenge record (the part the CA names; the policy is added where it is published). */
export function persistChallengeValue(issuerDomainName: string, accountUri: string): string {
  return `${issuerDomainName}; accounturi=${accountUri}`;
}

/** The need of a challenge whose record value `persistChallengeValue` made. */
export function persistNeedOf(value: string, wildcard: boolean): PersistNeed | undefined {
  const v = parsePersistValue(value);
  const accountUri = v?.params.get('accounturi');
  return v && accountUri ? { issuerDomainName: v.issuerDomainName, accountUri, wildcard } : undefined;
}

/** Whether a TXT value authorises the need at `nowSeconds`, by the CA's rules. */
export function persistAuthorizes(txt: string, need: PersistNeed, nowSeconds: number): boolean {
  const v = parsePersistValue(txt);
  if (!v || v.issuerDomainName !== need.issuerDomainName || v.params.get('accounturi') !== need.accountUri)
    return false;
  if (need.wildcard && v.params.get('policy')?.toLowerCase() !== 'wildcard') return false;
  const until = v.params.get('persistuntil');
  return until === undefined || (/^\d+$/.test(until) && Number(until) >= nowSeconds);
}

/**
 * The values the record should have for these needs: undefined when the existing ones authorise every need (nothing
 * to write), else the existing values plus one value covering all needs (widened to `policy=wildcard` when a need or
 * an existing value of the same account has it). Values of other accounts or CAs stay as they are.
 */
export function persistRecordValues(
  existing: readonly string[],
  needs: readonly PersistNeed[],
  nowSeconds: number,
): string[] | undefined {
  if (needs.length === 0) return undefined;
  if (needs.every((n) => existing.some((v) => persistAuthorizes(v, n, nowSeconds)))) return undefined;
  const [first] = needs as [PersistNeed];
  const ours = (v: string) => {
    const p = parsePersistValue(v);
    return p?.issuerDomainName === first.issuerDomainName && p.params.get('accounturi') === first.accountUri;
  };
  const wildcard =
    needs.some((n) => n.wildcard) ||
    existing.some((v) => ours(v) && parsePersistValue(v)?.params.get('policy')?.toLowerCase() === 'wildcard');
  const value = `${persistChallengeValue(first.issuerDomainName, first.accountUri)}${wildcard ? '; policy=wildcard' : ''}`;
  return [...existing.filter((v) => !ours(v)), value];
}
