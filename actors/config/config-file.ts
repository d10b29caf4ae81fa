// The seed's --config reads a YAML/JSON file whose keys are flag names, flat ("issuer.renewal-window: 720h") or
// nested ("issuer: {renewal-window: 720h}", "_" naming the prefix itself), and merges it under the command line
// (controller-manager-library pkg/config/configfile.go, MergeConfigFile with override=false). We do the same, plus a
// `nats:` section for our own flags, and refuse what the seed would silently mis-handle: unknown keys, a key given
// twice, arrays for single-valued flags. Values go through the very parsers the flags use.
import { extname, resolve } from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import { FLAGS_BY_NAME } from './flag-table.js';
import { FlagError, type FlagValue, parseFlagValue, suggestFlag } from './parse-flags.js';

export interface ConfigFileValues {
  /** Absolute path of the file the values came from (for messages). */
  path: string;
  /** Flag name -> value, only for the keys the file sets. */
  values: ReadonlyMap<string, FlagValue>;
}

export class ConfigFileError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'ConfigFileError';
  }
}

const MODULE = 'cert-controller-manager';
/** Only data formats: a config file must never run code, so cosmiconfig's .js/.ts places are left out. */
export const SEARCH_PLACES: readonly string[] = [
  `.${MODULE}rc`,
  `.${MODULE}rc.json`,
  `.${MODULE}rc.yaml`,
  `.${MODULE}rc.yml`,
  `.config/${MODULE}rc`,
  `.config/${MODULE}rc.json`,
  `.config/${MODULE}rc.yaml`,
  `.config/${MODULE}rc.yml`,
  `${MODULE}.config.json`,
  `${MODULE}.config.yaml`,
  `${MODULE}.config.yml`,
];
const DATA_EXTENSIONS = new Set(['', '.json', '.yaml', '.yml']);
// The seed reads files with YAML 1.1 (sigs.k8s.io/yaml), where yes/no/on/off are booleans; js-yaml reads YAML 1.2,
// where they are strings. For bool keys we accept them, so a seed config file keeps its meaning.
const YAML11_BOOL: ReadonlyMap<string, string> = new Map(
  [
    ['y', 'true'],
    ['yes', 'true'],
    ['on', 'true'],
    ['n', 'false'],
    ['no', 'false'],
    ['off', 'false'],
  ].flatMap(([w = '', b = '']) =>
    [w, w.toUpperCase(), w.charAt(0).toUpperCase() + w.slice(1)].map((v) => [v, b] as const),
  ),
);
/** Keys that only make sense on the command line. */
const COMMAND_LINE_ONLY = new Set(['config', 'help', 'version']);

/**
 * With a path (the --config flag), loads exactly that file; without one, looks for the search places in `searchFrom`
 * only (a daemon must not pick up a stray file from a parent directory). Returns undefined when nothing is found.
 */
export async function loadConfigFile(
  path?: string,
  searchFrom: string = process.cwd(),
): Promise<ConfigFileValues | undefined> {
  const explorer = cosmiconfig(MODULE, { searchPlaces: [...SEARCH_PLACES], searchStrategy: 'none', cache: false });
  let found: { config: unknown; filepath: string; isEmpty?: boolean } | null;
  const shown = path === undefined || path === '' ? undefined : resolve(path);
  try {
    if (shown !== undefined) {
      if (!DATA_EXTENSIONS.has(extname(shown).toLowerCase())) {
        throw new ConfigFileError(
          `config file ${shown}: only YAML or JSON files are supported (.yaml, .yml, .json or no extension)`,
          shown,
        );
      }
      found = await explorer.load(shown);
    } else {
      found = await explorer.search(searchFrom);
    }
  } catch (err) {
    if (err instanceof ConfigFileError) throw err;
    const e = err as NodeJS.ErrnoException & { filepath?: string };
    const where = e.filepath ?? shown ?? searchFrom;
    const why = e.code === 'ENOENT' ? 'file not found' : e.message;
    throw new ConfigFileError(`config file ${where}: ${why}`, where);
  }
  if (found === null) return undefined;
  return configValuesFromData(found.isEmpty ? {} : found.config, found.filepath);
}

/** Flattens and validates already-parsed file content; pure, so the rules are testable without files. */
export function configValuesFromData(data: unknown, path: string): ConfigFileValues {
  const fail = (msg: string) => new ConfigFileError(`config file ${path}: ${msg}`, path);
  if (data === null || data === undefined) return { path, values: new Map() };
  if (!isMapping(data)) throw fail('must be a mapping of flag names to values, e.g. "issuer.renewal-window: 720h"');
  const values = new Map<string, FlagValue>();
  const visit = (prefix: string, node: Record<string, unknown>): void => {
    for (const [key, value] of Object.entries(node)) {
      if (key === '_' && prefix === '')
        throw fail('key "_" (the value of its parent key) cannot be used at the top level');
      const name = flagName(key === '_' ? prefix : prefix === '' ? key : `${prefix}.${key}`);
      if (isMapping(value)) {
        visit(name, value);
        continue;
      }
      const spec = FLAGS_BY_NAME.get(name);
      if (!spec) {
        const hint = suggestFlag(name);
        throw fail(
          `unknown key "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; keys are flag names without the leading dashes`,
        );
      }
      if (COMMAND_LINE_ONLY.has(name)) throw fail(`key "${name}" can only be given on the command line`);
      if (values.has(name)) throw fail(`key "${name}" is given twice (flat and nested?)`);
      const text = textOf(value, spec.list, name, fail);
      values.set(
        name,
        parseFlagValue(spec, spec.type === 'bool' ? (YAML11_BOOL.get(text) ?? text) : text, `${path}: ${name}`),
      );
    }
  };
  try {
    visit('', data);
  } catch (err) {
    if (err instanceof FlagError) throw new ConfigFileError(err.message, path);
    throw err;
  }
  return { path, values };
}

/** `nats: {servers: ...}` and `nats.servers` name our flag --nats-servers. */
function flagName(dotted: string): string {
  return dotted.startsWith('nats.') ? `nats-${dotted.slice('nats.'.length)}` : dotted;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** The text a flag would have been given, like the seed turning YAML scalars into "--name=value". */
function textOf(value: unknown, list: boolean, name: string, fail: (msg: string) => Error): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (!list) throw fail(`key "${name}" takes a single value, not a list`);
    return value
      .map((v) => {
        if (typeof v !== 'string' && typeof v !== 'number')
          throw fail(`key "${name}": list items must be plain strings`);
        return String(v);
      })
      .join(',');
  }
  // YAML null (an empty value) or a timestamp that YAML turned into a date: say so instead of guessing.
  const what =
    value === null
      ? 'has no value'
      : value instanceof Date
        ? 'is a date; quote it as a string'
        : `has an unsupported value (${typeof value})`;
  throw fail(`key "${name}" ${what}`);
}
