// Gardener's flags (--renewal-window 720h) and spec fields (renewBefore, duration) are Go time.Duration strings, and
// status.backoff.recheckInterval is written with Go's Duration.String(). Users copy values between gardener docs, the
// seed and our resources, so both directions must behave exactly like Go's time package.

export type DurationParse = { ok: true; ms: number } | { ok: false; problem: string };

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign, accepted by Go
  μs: 1_000n, // U+03BC greek mu, accepted by Go
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_NS = (1n << 63n) - 1n; // Go's Duration is an int64 of nanoseconds

const ALLOWED = 'a Go duration such as "720h", "1h30m", "10s" or "500ms" (units: ns, us, ms, s, m, h; no days)';

/** Parses a Go duration string into nanoseconds; negative values are refused since no field here means "in the past". */
export function parseDurationNs(
  text: string,
  field = 'duration',
): { ok: true; ns: bigint } | { ok: false; problem: string } {
  const bad = (why: string) => ({
    ok: false as const,
    problem: `${field} "${text}" is invalid (${why}): use ${ALLOWED}`,
  });
  let s = text.trim();
  if (s === '') return bad('empty');
  if (s.startsWith('-')) return bad('negative durations are not allowed');
  if (s.startsWith('+')) s = s.slice(1);
  if (s === '0') return { ok: true, ns: 0n }; // Go's one unit-less special case
  let total = 0n;
  const component = /^(\d*)(?:\.(\d*))?([^\d.]+)/;
  while (s !== '') {
    const m = component.exec(s);
    if (!m) return bad(/^[\d.]+$/.test(s) ? `missing unit after "${s}"` : `cannot read "${s}"`);
    const [whole, intPart = '', fracPart = '', unit = ''] = m;
    if (intPart === '' && fracPart === '') return bad(`no number before "${unit}"`);
    const unitNs = UNIT_NS[unit];
    if (unitNs === undefined) return bad(`unknown unit "${unit}"`);
    let ns = BigInt(intPart === '' ? '0' : intPart) * unitNs;
    if (fracPart !== '') {
      // Scale the fraction exactly in integers so "30.5s" is 30500000000 ns, not a float approximation.
      const scale = 10n ** BigInt(fracPart.length);
      ns += (BigInt(fracPart) * unitNs) / scale;
    }
    total += ns;
    if (total > MAX_NS) return bad('too large');
    s = s.slice(whole.length);
  }
  return { ok: true, ns: total };
}

/** Parses a Go duration string into milliseconds (sub-millisecond parts are kept as a fraction). */
export function parseDuration(text: string, field = 'duration'): DurationParse {
  const r = parseDurationNs(text, field);
  return r.ok ? { ok: true, ms: Number(r.ns) / 1e6 } : r;
}

/** Formats milliseconds exactly like Go's time.Duration.String(): "2m0s", "1h0m0s", "500ms", "1.5µs", "0s". */
export function formatDuration(ms: number): string {
  return formatDurationNs(BigInt(Math.round(ms * 1e6)));
}

export function formatDurationNs(ns: bigint): string {
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  const u = ns < 0n ? -ns : ns;
  if (u < 1_000_000_000n) {
    // Go picks the largest unit below one second and prints a trimmed fraction.
    if (u < 1_000n) return `${sign}${u}ns`;
    if (u < 1_000_000n) return `${sign}${withFraction(u, 3)}µs`;
    return `${sign}${withFraction(u, 6)}ms`;
  }
  const hours = u / 3_600_000_000_000n;
  const minutes = (u / 60_000_000_000n) % 60n;
  const seconds = withFraction(u % 60_000_000_000n, 9);
  const h = hours > 0n ? `${hours}h` : '';
  const m = hours > 0n || minutes > 0n ? `${minutes}m` : '';
  return `${sign}${h}${m}${seconds}s`;
}

function withFraction(value: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const whole = value / scale;
  const frac = (value % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return frac === '' ? `${whole}` : `${whole}.${frac}`;
}
