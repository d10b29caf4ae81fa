// acme-client turns a request that got no answer in time (axios' ECONNABORTED) and a network error it has retried
// to its limit into "Cannot read properties of undefined (reading 'config')": its response interceptor validates a
// response that is not there. Seen in bursts of 5000 certificates, where a busy CA took longer than our 30 s: the
// certificate failed with that message instead of retrying. An interceptor of ours runs first and hands such errors
// on as a plain Error with the network code and the request, which acme-client passes through untouched (it only
// handles errors that carry an axios config), so the order step sees a transient ETIMEDOUT/ECONN* and retries.
// Network errors acme-client would still retry keep going to it until its last attempt.
import type * as acme from 'acme-client';

interface AxiosLikeError {
  code?: string;
  message?: string;
  response?: unknown;
  config?: { method?: string; url?: string; retryAttempt?: number; timeout?: number };
}

interface Interceptors {
  use(fulfilled: null, rejected: (err: unknown) => unknown): number;
  handlers?: unknown[];
}

export class AcmeTransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The error to hand on, or undefined when acme-client should see the original (an answer, or a retry to come). */
export function transportError(err: AxiosLikeError, maxAttempts: number): AcmeTransportError | undefined {
  if (err.response !== undefined || !err.config) return undefined;
  const timedOut = err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT';
  const lastAttempt = (err.config.retryAttempt ?? 0) >= maxAttempts;
  if (!timedOut && !lastAttempt) return undefined;
  const request = `${(err.config.method ?? 'get').toUpperCase()} ${err.config.url ?? ''}`;
  return timedOut
    ? new AcmeTransportError(`${request}: no answer within ${(err.config.timeout ?? 0) / 1000} s`, 'ETIMEDOUT')
    : new AcmeTransportError(`${request}: ${err.message ?? 'network error'}`, err.code ?? 'ECONNRESET');
}

/** Puts our interceptor in front of acme-client's; leaves everything as it is if axios' internals differ. */
export function installTransportErrors(instance: typeof acme.axios): boolean {
  const interceptors = instance.interceptors.response as unknown as Interceptors;
  // Read at each error: acme-client's settings can be changed after start.
  const maxAttempts = () =>
    (instance.defaults as { acmeSettings?: { retryMaxAttempts?: number } }).acmeSettings?.retryMaxAttempts ?? 0;
  interceptors.use(null, (err) => Promise.reject(transportError(err as AxiosLikeError, maxAttempts()) ?? err));
  const handlers = interceptors.handlers;
  if (!Array.isArray(handlers) || handlers.length < 2) return false;
  handlers.unshift(handlers.pop());
  return true;
}
