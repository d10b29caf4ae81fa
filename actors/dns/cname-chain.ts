// followCNAME (gardener: legobridge delegatingprovider): a `_acme-challenge` name may be a CNAME pointing into a
// zone the dns-controller-manager can write; the challenge record is then written at the end of the chain. Asked at
// the precheck nameservers, the first that answers; a loop is an error.
import { Resolver } from 'node:dns/promises';

const MAX_HOPS = 10;

async function cnameAt(nameserver: string, name: string): Promise<string | undefined> {
  const r = new Resolver({ timeout: 2000, tries: 1 });
  r.setServers([nameserver]);
  try {
    const [target] = await r.resolveCname(name);
    return target?.replace(/\.$/, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return undefined;
    throw err;
  }
}

/** The name at the end of `name`'s CNAME chain (the name itself without one). */
export async function followCname(name: string, nameservers: readonly string[]): Promise<string> {
  const seen = new Set<string>([name.toLowerCase()]);
  let current = name;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    let next: string | undefined;
    let lastError: Error | undefined;
    for (const ns of nameservers) {
      try {
        next = await cnameAt(ns, current);
        lastError = undefined;
        break;
      } catch (err) {
        lastError = err as Error;
      }
    }
    if (lastError) throw new Error(`looking up the CNAME of ${current} failed: ${lastError.message}`);
    if (next === undefined) return current;
    if (seen.has(next.toLowerCase())) throw new Error(`the CNAME chain of ${name} loops at ${next}`);
    seen.add(next.toLowerCase());
    current = next;
  }
  throw new Error(`the CNAME chain of ${name} is longer than ${MAX_HOPS} names`);
}
