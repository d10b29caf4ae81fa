// Checks on DNS names before they reach an ACME server: a CA rejects a bad name only after an order (and a quota
// token) has been spent, and its error ("rejectedIdentifier") does not say which field to fix. Gardener itself leaves
// name syntax to the CA; we check early because the message then names the field and the rule.

export type NameCheck = { ok: true; name: string } | { ok: false; problem: string };

const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const MAX_NAME = 253;
const MAX_LABEL = 63;

/**
 * Validates one DNS name for a certificate and returns it lower-cased. `field` names where it came from
 * (e.g. "spec.dnsNames[2]") so the message tells the user what to edit.
 */
export function checkDomainName(raw: string, field = 'domain name'): NameCheck {
  const bad = (why: string): NameCheck => ({ ok: false, problem: `${field} "${raw}" is not a valid DNS name: ${why}` });
  if (raw.trim() === '') return { ok: false, problem: `${field} is empty: give a DNS name such as "www.example.com"` };
  if (raw !== raw.trim()) return bad('remove the surrounding spaces');
  if (raw.endsWith('.')) return bad('remove the trailing dot (certificates name hosts without the root dot)');
  if (/[^\x20-\x7e]/.test(raw))
    return bad(
      'non-ASCII or control characters are not allowed; write internationalised names in punycode ("xn--...")',
    );
  const name = raw.toLowerCase();
  if (name.length > MAX_NAME) return bad(`it has ${name.length} characters, at most ${MAX_NAME} are allowed`);
  const labels = name.split('.');
  if (labels.length < 2) return bad('it needs at least one dot; ACME CAs only issue for fully qualified domain names');
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) {
    return bad('it looks like an IP address; only DNS names can be validated with DNS-01 challenges');
  }
  for (const [i, label] of labels.entries()) {
    if (label.includes('*')) {
      if (i !== 0 || label !== '*') {
        return bad('a wildcard is only allowed as the whole leftmost label, as in "*.example.com"');
      }
      continue;
    }
    if (label === '') return bad('it contains an empty label (two dots in a row or a leading dot)');
    if (label.length > MAX_LABEL)
      return bad(`label "${label}" has ${label.length} characters, at most ${MAX_LABEL} are allowed`);
    if (!LABEL.test(label)) {
      return bad(`label "${label}" may only contain a-z, 0-9 and "-", and must not start or end with "-"`);
    }
  }
  return { ok: true, name };
}

/** Names that occur more than once, compared case-insensitively (DNS is case-insensitive), each reported once. */
export function findDuplicates(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    if (seen.has(key)) dups.add(key);
    seen.add(key);
  }
  return [...dups];
}

/**
 * The certificate's names in the order gardener uses (utils.ExtractDomains): the common name first, then the other
 * names, with the common name dropped from the rest because a CSR conventionally repeats it as a SAN. Repeats
 * among the other names are kept here so that a caller can report them, as gardener does ("duplicate domain").
 */
export function mergeCommonName(commonName: string | undefined, names: readonly string[]): string[] {
  if (commonName === undefined) return [...names];
  const cn = commonName.toLowerCase();
  const rest = [...names];
  const at = rest.findIndex((n) => n.toLowerCase() === cn);
  if (at >= 0) rest.splice(at, 1); // only the first: a second copy in dnsNames is a real duplicate
  return [commonName, ...rest];
}
