import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface ProbeOptions {
  ca?: string | Buffer;
  token?: string;
  timeoutMs?: number;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

export interface ProbeResponse {
  status: number;
  body: string;
}

/** A plain HTTP(S) request used by the test environment to probe servers and talk to their management APIs. */
export function httpCall(url: string, opts: ProbeOptions = {}): Promise<ProbeResponse> {
  const u = new URL(url);
  // pebble 2.10 answers 400 to requests without a User-Agent (RFC 8555 6.1).
  const headers: Record<string, string> = { 'user-agent': 'cert-management-actors-tests', ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
  const reqFn = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = reqFn(
      u,
      { method: opts.method ?? 'GET', headers, ca: opts.ca, timeout: opts.timeoutMs ?? 5000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${opts.timeoutMs ?? 5000} ms: ${url}`)));
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
