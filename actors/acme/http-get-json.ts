import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';

/** RFC 8555 6.1: every ACME request names its client (pebble 2.10, like Let's Encrypt, refuses requests without one). */
export const ACME_USER_AGENT = 'cert-management-actors (acme-client)';

/**
 * One GET for a JSON document with a hard timeout. Plain node:https on purpose: acme-client's axios instance retries
 * network errors for over a minute and then fails with an internal TypeError, which hides "connection refused".
 */
export function getJson<T>(
  url: string,
  timeoutMs: number,
): Promise<{ status: number; body: T | undefined; headers: Record<string, string | string[] | undefined> }> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = get(
      url,
      { timeout: timeoutMs, headers: { accept: 'application/json', 'user-agent': ACME_USER_AGENT } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          let body: T | undefined;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
    );
    req.on('error', reject);
  });
}
