// The ceiling for bench:issue: plain acme-client issuing DNS-01 certificates against the same pebble and DNS server,
// publishing the TXT records straight into challtestsrv (no Kubernetes, no actors), with the same key type.

import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import * as acme from 'acme-client';
import { httpCall } from '../env/http-probe.js';

const genKey = promisify(generateKeyPair);

export interface RawResult {
  certs: number;
  seconds: number;
  certsPerSecond: number;
  p50Seconds: number;
  /** Certificates whose first attempt failed (a request timed out or was refused) and were ordered again. */
  retries: number;
}

// acme-client's axios has no timeout of its own: one request that never gets an answer would hold its worker forever
// (seen at N = 1000 with pebble idle). Time it out and order that certificate again instead.
const REQUEST_TIMEOUT_MS = 30_000;
const ATTEMPTS = 3;

/** The certificate key: ECDSA P-256, or RSA-2048 (the seed's default for Certificates without spec.privateKey). */
export type RawKeyType = 'ecdsa256' | 'rsa2048';

export async function rawAcmeIssuance(opts: {
  directoryUrl: string;
  dnsManagementUrl: string;
  certs: number;
  concurrency: number;
  domain: string;
  key?: RawKeyType;
}): Promise<RawResult> {
  const client = new acme.Client({
    directoryUrl: opts.directoryUrl,
    accountKey: await acme.crypto.createPrivateEcdsaKey('P-256'),
    // Poll quickly: pebble validates at once, and acme-client's default backoff starts at seconds.
    backoffAttempts: 50,
    backoffMin: 20,
    backoffMax: 500,
  });
  await client.createAccount({ termsOfServiceAgreed: true, contact: ['mailto:raw@example.com'] });
  const post = async (path: string, body: object) => {
    const r = await httpCall(`${opts.dnsManagementUrl}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      timeoutMs: 10_000,
    });
    if (r.status !== 200) throw new Error(`challtestsrv ${path}: ${r.status}`);
  };
  const one = async (i: number): Promise<void> => {
    const name = `raw-${i}.${opts.domain}`;
    const order = await client.createOrder({ identifiers: [{ type: 'dns', value: name }] });
    const authorizations = await client.getAuthorizations(order);
    for (const authz of authorizations) {
      const challenge = authz.challenges.find((c) => c.type === 'dns-01')!;
      const value = await client.getChallengeKeyAuthorization(challenge);
      const host = `_acme-challenge.${authz.identifier.value}.`;
      await post('/set-txt', { host, value });
      await client.completeChallenge(challenge);
      await client.waitForValidStatus(challenge);
      await post('/clear-txt', { host });
    }
    const { privateKey } =
      opts.key === 'rsa2048'
        ? await genKey('rsa', { modulusLength: 2048 })
        : await genKey('ec', { namedCurve: 'P-256' });
    const [, csr] = await acme.crypto.createCsr(
      { commonName: name, altNames: [name] },
      privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    );
    const finalized = await client.finalizeOrder(order, csr);
    const valid = finalized.status === 'valid' ? finalized : await client.waitForValidStatus(finalized);
    await client.getCertificate(valid);
  };
  acme.axios.defaults.timeout = REQUEST_TIMEOUT_MS;
  let retries = 0;
  const attempt = async (i: number): Promise<number> => {
    const t0 = performance.now();
    for (let n = 1; ; n++) {
      try {
        await one(i);
        return (performance.now() - t0) / 1000;
      } catch (err) {
        if (n >= ATTEMPTS) throw err;
        retries++;
      }
    }
  };
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(opts.concurrency, opts.certs) }, async () => {
      while (next < opts.certs) latencies.push(await attempt(next++));
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    certs: opts.certs,
    seconds,
    certsPerSecond: opts.certs / seconds,
    p50Seconds: latencies[Math.floor(latencies.length / 2)]!,
    retries,
  };
}
