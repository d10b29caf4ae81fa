// certctl's command line, parsed into a command (pure; bin/certctl.ts does the I/O).
import { parseArgs } from 'node:util';

export type CertctlCommand =
  | { cmd: 'get-certs'; namespace?: string }
  | { cmd: 'get-issuers' }
  | { cmd: 'get-revocations'; namespace?: string }
  | { cmd: 'status-certificate'; namespace: string; name: string }
  | { cmd: 'renew'; namespace: string; name: string }
  | { cmd: 'renew-all'; namespace?: string }
  | { cmd: 'actors' }
  | { cmd: 'actor'; kind: string; id: string }
  | { cmd: 'quota'; namespace?: string; name: string }
  | { cmd: 'help' };

export interface CertctlOptions {
  servers: string[];
  user?: string;
  password?: string;
  system: string;
  output: 'table' | 'json';
  timeoutMs: number;
}

export class UsageError extends Error {}

export const USAGE = `certctl: operate cert-controller-manager pods over NATS

Usage:
  certctl get certs|certificates [-n NAMESPACE]   certificates with state, issuer, expiry, order step
  certctl get issuers                             issuers with state, account, quota
  certctl get revocations [-n NAMESPACE]          CertificateRevocations with certificate, state, dates
  certctl status certificate NAMESPACE/NAME       certificate, issuer, DNSEntries, Secret and their Events
  certctl renew NAMESPACE/NAME                    renew now (operator user)
  certctl renew --all [-n NAMESPACE]              renew every certificate (operator user)
  certctl actors                                  pods, shards, actors by kind, mailbox depth, restarts
  certctl actor KIND ID                           one actor's state
  certctl quota [NAMESPACE/]ISSUER                request quota of an issuer

Flags:
  -o, --output table|json     output format (default table)
  -n, --namespace NAMESPACE   restrict get certs / get revocations / renew --all to a namespace
      --nats-servers URLS     comma separated (env CERTCTL_NATS_SERVERS, default nats://127.0.0.1:4222)
      --nats-user USER        (env CERTCTL_NATS_USER)
      --nats-password PASS    (env CERTCTL_NATS_PASSWORD)
      --actor-system NAME     (env CERTCTL_ACTOR_SYSTEM, default certmgmt)
      --issuer-namespace NS   namespace of issuers for quota ISSUER without a namespace (default default)
      --timeout DURATION      per request, e.g. 10s (default 10s)
  -h, --help
`;

function splitRef(ref: string | undefined, what: string): { namespace: string; name: string } {
  const m = /^([a-z0-9][a-z0-9.-]*)\/([a-z0-9][a-z0-9.-]*)$/.exec(ref ?? '');
  if (!m) throw new UsageError(`${what} must be NAMESPACE/NAME, got "${ref ?? ''}"`);
  return { namespace: m[1]!, name: m[2]! };
}

function duration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!m) throw new UsageError(`--timeout "${text}" is not a duration such as 10s or 500ms`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

const CERTCTL_OPTIONS = {
  output: { type: 'string', short: 'o' },
  namespace: { type: 'string', short: 'n' },
  all: { type: 'boolean' },
  'nats-servers': { type: 'string' },
  'nats-user': { type: 'string' },
  'nats-password': { type: 'string' },
  'actor-system': { type: 'string' },
  'issuer-namespace': { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseCertctl(
  argv: string[],
  env: Record<string, string | undefined>,
): { command: CertctlCommand; options: CertctlOptions; issuerNamespace: string } {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof CERTCTL_OPTIONS }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: CERTCTL_OPTIONS });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  const output = v.output ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UsageError(`-o ${output}: use table or json`);
  const options: CertctlOptions = {
    servers: (v['nats-servers'] ?? env.CERTCTL_NATS_SERVERS ?? 'nats://127.0.0.1:4222')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    system: v['actor-system'] ?? env.CERTCTL_ACTOR_SYSTEM ?? 'certmgmt',
    output,
    timeoutMs: duration(v.timeout ?? '10s'),
    ...((v['nats-user'] ?? env.CERTCTL_NATS_USER) ? { user: v['nats-user'] ?? env.CERTCTL_NATS_USER } : {}),
    ...((v['nats-password'] ?? env.CERTCTL_NATS_PASSWORD)
      ? { password: v['nats-password'] ?? env.CERTCTL_NATS_PASSWORD }
      : {}),
  };
  const issuerNamespace = v['issuer-namespace'] ?? 'default';
  const [verb, noun, arg, ...rest] = parsed.positionals;
  const extra = (n: number) => {
    if (parsed.positionals.length > n) throw new UsageError(`unexpected argument "${parsed.positionals[n]}"`);
  };
  if (v.help || !verb || verb === 'help') return { command: { cmd: 'help' }, options, issuerNamespace };
  switch (verb) {
    case 'get':
      extra(2);
      if (noun === 'certs' || noun === 'certificates' || noun === 'cert')
        return {
          command: { cmd: 'get-certs', ...(v.namespace ? { namespace: v.namespace } : {}) },
          options,
          issuerNamespace,
        };
      if (noun === 'issuers' || noun === 'issuer') return { command: { cmd: 'get-issuers' }, options, issuerNamespace };
      if (noun === 'revocations' || noun === 'revocation' || noun === 'certrevoke')
        return {
          command: { cmd: 'get-revocations', ...(v.namespace ? { namespace: v.namespace } : {}) },
          options,
          issuerNamespace,
        };
      throw new UsageError(`get ${noun ?? ''}: use "get certs", "get issuers" or "get revocations"`);
    case 'status':
      extra(3);
      if (noun !== 'certificate' && noun !== 'cert')
        throw new UsageError(`status ${noun ?? ''}: use "status certificate NAMESPACE/NAME"`);
      return { command: { cmd: 'status-certificate', ...splitRef(arg, 'the certificate') }, options, issuerNamespace };
    case 'renew':
      if (v.all) {
        extra(1);
        return {
          command: { cmd: 'renew-all', ...(v.namespace ? { namespace: v.namespace } : {}) },
          options,
          issuerNamespace,
        };
      }
      extra(2);
      return { command: { cmd: 'renew', ...splitRef(noun, 'the certificate') }, options, issuerNamespace };
    case 'actors':
      extra(1);
      return { command: { cmd: 'actors' }, options, issuerNamespace };
    case 'actor':
      extra(3);
      if (!noun || !arg)
        throw new UsageError('actor needs KIND and ID, e.g. "actor certificate source/default/my-cert"');
      return { command: { cmd: 'actor', kind: noun, id: arg }, options, issuerNamespace };
    case 'quota': {
      extra(2);
      if (!noun) throw new UsageError('quota needs an issuer: quota [NAMESPACE/]NAME');
      const ref = noun.includes('/') ? splitRef(noun, 'the issuer') : { name: noun };
      return { command: { cmd: 'quota', ...ref }, options, issuerNamespace };
    }
    default:
      void rest;
      throw new UsageError(`unknown command "${verb}"`);
  }
}
