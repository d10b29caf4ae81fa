// spec.ipAddresses, spec.uris and spec.emailAddresses: the SANs only CA and self-signed issuers put into a
// certificate (an ACME CA proves DNS names only). Checked as gardener v0.27.0 checks them (certificate/utils.go
// ParseIPAddresses, ParseURIs, ValidateEmailAddresses), with its messages.
import { isIP } from 'node:net';

export interface ExtraSans {
  ipAddresses: string[];
  uris: string[];
  emailAddresses: string[];
}

export function checkExtraSans(
  spec: { ipAddresses?: string[]; uris?: string[]; emailAddresses?: string[] },
  problems: string[],
): ExtraSans {
  const out: ExtraSans = { ipAddresses: [], uris: [], emailAddresses: [] };
  for (const ip of spec.ipAddresses ?? []) {
    if (isIP(ip) === 0) problems.push(`invalid IP address in 'spec.IPAddresses': invalid IP address: ${ip}`);
    else out.ipAddresses.push(ip);
  }
  for (const uri of spec.uris ?? []) {
    const problem = uriProblem(uri);
    if (problem) problems.push(`invalid URI in 'spec.URIs': invalid URI: ${uri}, ${problem}`);
    else out.uris.push(uri);
  }
  for (const email of spec.emailAddresses ?? []) {
    const problem = emailProblem(email);
    if (problem)
      problems.push(
        `invalid email address in 'spec.emailAddresses': invalid email address: ${email}, error: ${problem}`,
      );
    else out.emailAddresses.push(email);
  }
  return out;
}

function uriProblem(uri: string): string | undefined {
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(uri)) return 'scheme is missing';
  try {
    new URL(uri);
    return undefined;
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

/** An addr-spec as X.509 rfc822Name holds it: ASCII local part and domain, one "@". */
function emailProblem(email: string): string | undefined {
  if (/[^\x21-\x7e]/.test(email)) return 'only printable ASCII characters without spaces are allowed';
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return 'missing @ or the part before or after it';
  if (email.indexOf('@') !== at) return 'more than one @';
  if (!/^[a-zA-Z0-9.-]+$/.test(email.slice(at + 1))) return 'the domain part is not a host name';
  return undefined;
}
