// Two costs acme-client pays on every signed request that an issuer, the one client of its account, cannot afford:
// - it asks the CA for a fresh nonce (HEAD newNonce) before each request and ignores the Replay-Nonce header every
//   response carries, which RFC 8555 section 7.2 intends for the next request: reusing it halves the round trips;
// - it signs with the account key given as PEM, parsing the PEM again for every signature (about 1.5 ms of CPU per
//   request, more than the CA needs to answer): a parsed KeyObject signs the same.
// The issuer's client is the only user of its nonces. It has several requests in flight (issuer-actor.ts,
// ACME_IN_FLIGHT), so the nonces of the last responses are kept in a small pool and each is handed out once; a
// badNonce answer makes acme-client retry with a fresh one as before. The library version is pinned; if its
// internals change, the client is left as it is rather than broken.
import { createPrivateKey } from 'node:crypto';
import type * as acme from 'acme-client';

interface HttpClientInternals {
  accountKey: unknown;
  request(url: string, method: string, opts?: unknown): Promise<{ headers: Record<string, string | undefined> }>;
  getNonce(): Promise<string>;
  getJwk(): unknown;
}

/** As many as the issuer has requests in flight, and a few more. */
const NONCES_KEPT = 16;

export function tuneAcmeClient(client: acme.Client): void {
  const http = (client as unknown as { http?: HttpClientInternals }).http;
  if (
    !http ||
    typeof http.request !== 'function' ||
    typeof http.getNonce !== 'function' ||
    typeof http.getJwk !== 'function'
  )
    return;
  if (typeof http.accountKey === 'string' || Buffer.isBuffer(http.accountKey)) {
    http.getJwk(); // computed (and cached) from the PEM first
    http.accountKey = createPrivateKey(http.accountKey as string | Buffer);
  }
  // Newest last: a CA may expire old nonces, so the freshest is used first and the pool stays small.
  const saved: string[] = [];
  const request = http.request.bind(http);
  const getNonce = http.getNonce.bind(http);
  http.request = async (url, method, opts) => {
    const resp = await request(url, method, opts);
    const nonce = resp.headers?.['replay-nonce'];
    if (nonce && method !== 'head') {
      saved.push(nonce);
      if (saved.length > NONCES_KEPT) saved.shift();
    }
    return resp;
  };
  http.getNonce = async () => saved.pop() ?? getNonce();
}
