/** Turns acme-client / network failures into messages an operator can act on (they reach status.message). */
export function describeAcmeError(err: unknown, directoryUrl: string): string {
  const e = err as { code?: string; message?: string; response?: { status?: number }; type?: string; detail?: string };
  const msg = e?.message ?? String(err);
  const code = e?.code ?? '';
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH'].includes(code) ||
    /ECONNREFUSED|ENOTFOUND|timeout/i.test(msg)
  ) {
    return `ACME server ${directoryUrl} is unreachable (${code || msg}); check spec.acme.server and the network`;
  }
  if (/self[- ]signed|unable to verify|certificate/i.test(msg) && /CERT|certificate|verify/i.test(code + msg)) {
    return `TLS to ACME server ${directoryUrl} failed (${msg}); the server's certificate is not trusted (NODE_EXTRA_CA_CERTS adds a CA)`;
  }
  if (/externalAccountBinding|external account/i.test(msg)) {
    return `ACME server ${directoryUrl} requires a valid external account binding: ${msg}; set spec.acme.externalAccountBinding (keyID and keySecretRef with hmacKey)`;
  }
  return `ACME server ${directoryUrl}: ${msg}`;
}

/** acme-client reports "account does not exist" for onlyReturnExisting lookups of unknown keys. */
export function isAccountMissing(err: unknown): boolean {
  return /accountDoesNotExist|does not exist|No account|unable to find existing account/i.test(
    (err as Error)?.message ?? '',
  );
}
