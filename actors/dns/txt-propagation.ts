import { Resolver } from 'node:dns/promises';

/** TXT values of `name` as one nameserver answers them (a fresh resolver per query: no cached answers). */
export async function txtValuesAt(nameserver: string, name: string, timeoutMs = 2000): Promise<string[]> {
  const r = new Resolver({ timeout: timeoutMs, tries: 1 });
  r.setServers([nameserver]);
  try {
    return (await r.resolveTxt(name)).map((chunks) => chunks.join(''));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
    throw err;
  }
}

export interface PropagationResult {
  ready: boolean;
  /** Nameservers that do not (yet) answer every expected value, with what they lack or their error. */
  pending: Array<{ nameserver: string; reason: string }>;
}

/**
 * Whether every expected TXT value is visible at every precheck nameserver (the seed's --precheck-nameservers), the
 * check before telling the CA to validate: answering too early makes the challenge fail for good.
 */
export function checkTxtPropagation(
  name: string,
  expected: string[],
  nameservers: string[],
): Promise<PropagationResult> {
  return checkTxtPropagationWith(name, nameservers, (values) => {
    const seen = new Set(values);
    return { missing: expected.filter((v) => !seen.has(v)).length, of: expected.length };
  });
}

/**
 * The same with a judge of the values each nameserver answers: how many of the needed values are missing (e.g. a
 * dns-persist-01 record, where any value authorising the account will do).
 */
export async function checkTxtPropagationWith(
  name: string,
  nameservers: string[],
  judge: (values: string[]) => { missing: number; of: number },
): Promise<PropagationResult> {
  const pending: PropagationResult['pending'] = [];
  await Promise.all(
    nameservers.map(async (ns) => {
      try {
        const { missing, of } = judge(await txtValuesAt(ns, name));
        if (missing > 0) pending.push({ nameserver: ns, reason: `${missing} of ${of} values not visible` });
      } catch (err) {
        pending.push({ nameserver: ns, reason: (err as Error).message });
      }
    }),
  );
  return { ready: pending.length === 0, pending };
}
