// Reads the command line the way the seed's pflag/cobra command does (--flag value, --flag=value, bool --flag and
// --flag=false, -c value, -cvalue, -c=value, grouped bool shorthands, "--" ends the flags), but stricter where pflag
// silently does the wrong thing: a stray argument such as the "false" in `--cascade-delete false` is an error here,
// not an ignored word that left the flag true. Nothing is printed: errors are thrown, help/version are reported.
import { parseDuration } from '../certificate/duration.js';
import { FLAGS, FLAGS_BY_NAME, FLAGS_BY_SHORT, type FlagSpec } from './flag-table.js';

/** string for string flags, boolean for bool, number for int, milliseconds for duration. */
export type FlagValue = string | boolean | number;

export class FlagError extends Error {
  constructor(
    message: string,
    readonly flag?: string,
  ) {
    super(message);
    this.name = 'FlagError';
  }
}

export interface ParsedFlags {
  /** Every flag of the table: the given value, else its default. */
  values: ReadonlyMap<string, FlagValue>;
  /** Names (long form) given on the command line, even when given with their default value. */
  explicit: ReadonlySet<string>;
  /** -h/--help was given; parsing stopped there, as cobra does, and the caller prints helpText(). */
  help: boolean;
  /** -v/--version, or the seed's `cert-controller-manager version`; the caller prints the version. */
  version: boolean;
  /** Arguments after "--" (the manager itself takes none). */
  rest: string[];
}

// Go's strconv.ParseBool, which pflag uses: exactly these spellings.
const BOOL_TEXT: ReadonlyMap<string, boolean> = new Map([
  ...['1', 't', 'T', 'true', 'TRUE', 'True'].map((s) => [s, true] as const),
  ...['0', 'f', 'F', 'false', 'FALSE', 'False'].map((s) => [s, false] as const),
]);

/**
 * Converts one textual value (from argv or a config file) for a flag. `label` names where it came from in the
 * message, e.g. "--issuer.renewal-window" or "cfg.yaml: issuer.renewal-window".
 */
export function parseFlagValue(spec: FlagSpec, text: string, label = `--${spec.name}`): FlagValue {
  switch (spec.type) {
    case 'string':
      return text;
    case 'bool': {
      const b = BOOL_TEXT.get(text);
      if (b === undefined)
        throw new FlagError(
          `${label} "${text}" is invalid (not a bool): use true or false (1/0, t/f also accepted)`,
          spec.name,
        );
      return b;
    }
    case 'int': {
      const n = /^[+-]?\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
      if (!Number.isSafeInteger(n))
        throw new FlagError(
          `${label} "${text}" is invalid (not a whole number): use an integer such as ${spec.default ?? '4'}`,
          spec.name,
        );
      return n;
    }
    case 'duration': {
      const r = parseDuration(text, label);
      if (!r.ok) throw new FlagError(r.problem, spec.name);
      return r.ms;
    }
  }
}

export function defaultValue(spec: FlagSpec): FlagValue {
  if (spec.default !== undefined) return parseFlagValue(spec, spec.default, `default of --${spec.name}`);
  return spec.type === 'string' ? '' : spec.type === 'bool' ? false : 0;
}

/** The known name closest to a mistyped one (underscores, case, small typos), for "did you mean" hints. */
export function suggestFlag(name: string, candidates: Iterable<string> = FLAGS_BY_NAME.keys()): string | undefined {
  const wanted = name.toLowerCase().replace(/_/g, '-');
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(wanted.length / 6)) + 1;
  for (const c of candidates) {
    const d = c === wanted ? 0 : editDistance(wanted, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

function unknownFlag(shown: string, name: string): FlagError {
  const hint = suggestFlag(name);
  return new FlagError(
    `unknown flag ${shown}${hint ? `: did you mean --${hint}?` : ''} (--help lists all flags)`,
    name,
  );
}

export function parseFlags(argv: readonly string[]): ParsedFlags {
  const values = new Map<string, FlagValue>(FLAGS.map((f) => [f.name, defaultValue(f)]));
  const explicit = new Set<string>();
  const result = { values, explicit, help: false, version: false, rest: [] as string[] };
  // The seed's main() answers exactly `cert-controller-manager version` before any flag parsing.
  if (argv.length === 1 && argv[0] === 'version') return { ...result, version: true };

  const set = (spec: FlagSpec, text: string, label: string): void => {
    values.set(spec.name, parseFlagValue(spec, text, label));
    explicit.add(spec.name);
  };
  // pflag takes the next word as the value whatever it is; refusing a following long flag catches a forgotten value.
  const nextValue = (spec: FlagSpec, i: number, label: string): string => {
    const next = argv[i + 1];
    const looksLikeFlag = next?.startsWith('--') && (next === '--' || FLAGS_BY_NAME.has(next.slice(2).split('=')[0]!));
    if (next === undefined || looksLikeFlag) {
      const seen = next === undefined ? 'it is the last argument' : `the next argument is the flag ${next}`;
      throw new FlagError(`flag ${label} needs a ${spec.type} value, but ${seen} (write ${label}=VALUE)`, spec.name);
    }
    return next;
  };

  let lastBool: string | undefined; // a bool flag given without "=": a following "false" is the classic slip
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const afterBool = lastBool;
    lastBool = undefined;
    if (arg === '--') {
      result.rest = argv.slice(i + 1);
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = FLAGS_BY_NAME.get(name);
      if (!spec) throw unknownFlag(`--${name}`, name);
      const label = `--${name}`;
      if (spec.type === 'bool') {
        set(spec, eq < 0 ? 'true' : arg.slice(eq + 1), label);
        if (eq < 0) lastBool = label;
      } else if (eq >= 0) {
        set(spec, arg.slice(eq + 1), label);
      } else {
        set(spec, nextValue(spec, i, label), label);
        i++;
      }
      if (spec.name === 'help' && values.get('help') === true) return { ...result, help: true };
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // Shorthands: "-nv" groups bools; for a value flag the rest of the word ("-cissuer", "-c=issuer") is the value.
      for (let j = 1; j < arg.length; j++) {
        const ch = arg[j]!;
        const spec = FLAGS_BY_SHORT.get(ch);
        if (!spec) {
          const longHint = FLAGS_BY_NAME.has(arg.slice(1)) ? `; did you mean --${arg.slice(1)}?` : '';
          throw new FlagError(`unknown shorthand flag '${ch}' in ${arg}${longHint} (--help lists all flags)`, ch);
        }
        const label = `-${ch}`;
        const tail = arg.slice(j + 1);
        if (spec.type === 'bool' && !tail.startsWith('=')) {
          set(spec, 'true', label);
          if (tail === '') lastBool = label;
        } else if (tail !== '') {
          set(spec, tail.startsWith('=') ? tail.slice(1) : tail, label);
          j = arg.length;
        } else {
          set(spec, nextValue(spec, i, label), label);
          i++;
        }
        if (spec.name === 'help' && values.get('help') === true) return { ...result, help: true };
      }
      continue;
    }
    const hint =
      afterBool !== undefined && BOOL_TEXT.has(arg)
        ? `: bool flags take their value after "=", e.g. ${afterBool}=${arg}`
        : ': cert-controller-manager takes flags only';
    throw new FlagError(`unexpected argument "${arg}"${hint}`);
  }
  result.version = values.get('version') === true;
  return result;
}

function usageLine(f: FlagSpec): [string, string] {
  const names = f.short ? `  -${f.short}, --${f.name}` : `      --${f.name}`;
  const typed = f.type === 'bool' ? names : `${names} ${f.type}`;
  let help = f.help;
  const shown = f.shown === undefined ? f.default : f.shown;
  if (shown != null && f.type !== 'bool') help += f.type === 'string' ? ` (default "${shown}")` : ` (default ${shown})`;
  return [typed, help];
}

/** pflag's layout: flags sorted by name, help aligned three columns after the longest flag. */
export function helpText(): string {
  const byName = (a: FlagSpec, b: FlagSpec) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const lines = (origin: FlagSpec['origin']) =>
    FLAGS.filter((f) => f.origin === origin)
      .sort(byName)
      .map(usageLine);
  const seed = lines('seed');
  const ours = lines('actors');
  const width = Math.max(...[...seed, ...ours].map(([left]) => left.length)) + 3;
  const block = (rows: Array<[string, string]>) => rows.map(([left, help]) => left.padEnd(width) + help).join('\n');
  return (
    `Usage:\n  cert-controller-manager [flags]\n\nFlags:\n${block(seed)}\n\n` +
    `Actor runtime flags (this implementation; not in gardener's cert-controller-manager):\n${block(ours)}\n`
  );
}
