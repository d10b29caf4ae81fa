// Domain ranges as gardener's pkg/cert/utils/domainrange.go defines them, used by --default-issuer-domain-ranges
// and by an issuer's spec.acme.domains.include/exclude:
//   "example.com"   covers example.com and every name below it (a.example.com, *.example.com)
//   "*.example.com" is normalised to ".example.com" and covers only names below example.com, not example.com itself
// A name is compared as written, so the wildcard name "*.example.com" lies in both ranges above; matching a
// wildcard by its base domain instead would wrongly put "*.example.com" outside the range "*.example.com".

/** Lower-cases, turns a leading "*." into "." and drops a trailing dot (gardener's NormalizeDomainRange). */
export function normalizeDomainRange(range: string): string {
  let r = range.trim().toLowerCase();
  if (r.startsWith('*.')) r = r.slice(1);
  return r.endsWith('.') ? r.slice(0, -1) : r;
}

/**
 * Parses the --default-issuer-domain-ranges flag. Empty items are dropped: in gardener a stray comma ("a.com,")
 * yields an empty range, which matches every domain and silently lifts the restriction.
 * Returns undefined for "no restriction".
 */
export function parseDomainRanges(flag: string | readonly string[] | undefined): string[] | undefined {
  if (flag === undefined) return undefined;
  const items = (typeof flag === 'string' ? flag.split(',') : [...flag])
    .map(normalizeDomainRange)
    .filter((r) => r !== '');
  return items.length > 0 ? items : undefined;
}

export function isInDomainRange(name: string, range: string): boolean {
  const r = normalizeDomainRange(range);
  if (r === '') return true;
  let d = name.toLowerCase();
  if (d.endsWith('.')) d = d.slice(0, -1);
  if (!d.endsWith(r)) return false;
  if (d.length === r.length) return true;
  return r.startsWith('.') || d[d.length - r.length - 1] === '.';
}

/** True when no ranges are given (no restriction) or one of them covers the name. */
export function isInDomainRanges(name: string, ranges: readonly string[] | undefined): boolean {
  if (ranges === undefined || ranges.length === 0) return true;
  return ranges.some((r) => isInDomainRange(name, r));
}

/**
 * How specifically the ranges cover the name: the length of the longest covering range, 0 if none does.
 * Gardener ranks issuers with this, so the issuer for "dev.example.com" beats the one for "example.com".
 */
export function domainRangeFit(name: string, ranges: readonly string[] | undefined): number {
  if (ranges === undefined || ranges.length === 0) return 1; // gardener's "*" for "everything"
  let best = 0;
  for (const r of ranges) if (isInDomainRange(name, r)) best = Math.max(best, normalizeDomainRange(r).length);
  return best;
}
