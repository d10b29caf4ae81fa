import type { IncomingMessage } from 'node:http';
import { Agent, type RequestOptions, request } from 'node:https';
import { KubeApiError, type KubeStatus, KubeTimeoutError } from './kube-api-error.js';
import { loadDefaultKubeconfig, loadKubeconfigFile } from './kubeconfig.js';
import { KubeconfigAuth } from './kubeconfig-auth.js';
import type { RequestLane, RequestRateLimiter } from './request-rate-limiter.js';

export interface RequestOpts {
  body?: unknown;
  /** Defaults to application/json; use MERGE_PATCH for status and spec merges. */
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
  timeoutMs?: number;
  /** Extra request headers, e.g. an Accept asking for the Table view; they override the defaults. */
  headers?: Record<string, string>;
}

export const MERGE_PATCH = 'application/merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

/**
 * A small REST client over a kubeconfig: KubeconfigAuth supplies authentication and TLS, this class the HTTP.
 * It exists because we need what the generated clients make awkward: merge patches on custom resources, the /status
 * subresource, watch streams with our own timeouts, and a count of the writes we send.
 */
export class KubeClient {
  readonly server: string;
  /** The rate limiter's line of this client's requests (inLowLane). */
  private lane: RequestLane = 'normal';
  private lowLaneView: KubeClient | undefined;
  private readonly agent: Agent;
  /** The cluster's --<cluster>.qps/.burst limit; undefined: none (tests, tools). */
  limiter: RequestRateLimiter | undefined;

  constructor(private readonly auth: KubeconfigAuth) {
    this.server = auth.server;
    this.agent = new Agent({ keepAlive: true, maxSockets: 64 });
  }

  static fromFile(path: string): KubeClient {
    return new KubeClient(new KubeconfigAuth(loadKubeconfigFile(path)));
  }

  /** Without a path: $KUBECONFIG, ~/.kube/config, then (in a pod) the service account. */
  static fromClusterOrFile(path: string | undefined): KubeClient {
    return new KubeClient(new KubeconfigAuth(path ? loadKubeconfigFile(path) : loadDefaultKubeconfig()));
  }

  /**
   * This client with its requests in the rate limiter's low lane (request-rate-limiter.ts), for requests that may trail
   * the ones carrying state (Events, a certificate's backup copy). Same sockets, same limiter; made once.
   */
  inLowLane(): KubeClient {
    if (this.lane === 'low') return this;
    if (!this.lowLaneView) {
      const view = Object.create(this) as KubeClient;
      view.lane = 'low';
      this.lowLaneView = view;
    }
    return this.lowLaneView;
  }

  /** Opens a request; the caller reads the response stream. Used directly by watches. */
  async open(
    method: string,
    path: string,
    opts: RequestOpts = {},
  ): Promise<{ res: IncomingMessage; abort: () => void }> {
    await this.limiter?.acquire(this.lane);
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const options: RequestOptions = { method, headers: { accept: 'application/json', ...opts.headers } };
    await this.auth.apply(options);
    // One kept-alive agent, not a new one (and a TLS handshake on both sides) per request; only a proxied cluster
    // uses client-node's proxy agent.
    if (!this.auth.proxyUrl) options.agent = this.agent;
    let payload: string | undefined;
    if (opts.body !== undefined) {
      payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      (options.headers as Record<string, string>)['content-type'] = opts.contentType ?? 'application/json';
      (options.headers as Record<string, string>)['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const req = request(url, options, (res) => resolve({ res, abort: () => req.destroy() }));
      if (opts.timeoutMs)
        req.setTimeout(opts.timeoutMs, () => req.destroy(new KubeTimeoutError(method, path, opts.timeoutMs!)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** A whole request: JSON in, JSON out; a non-2xx answer throws KubeApiError carrying the API server's Status. */
  async request<T = unknown>(method: string, path: string, opts: RequestOpts = {}): Promise<T> {
    const { res } = await this.open(method, path, { timeoutMs: 30_000, ...opts });
    const body = await readBody(res);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw KubeApiError.from(method, path, status, parseStatus(body));
    return (body ? JSON.parse(body) : undefined) as T;
  }

  get<T = unknown>(path: string, query?: RequestOpts['query']): Promise<T> {
    return this.request<T>('GET', path, { query });
  }
  create<T = unknown>(path: string, body: unknown, query?: RequestOpts['query']): Promise<T> {
    return this.request<T>('POST', path, { body, query });
  }
  replace<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body });
  }
  mergePatch<T = unknown>(path: string, patch: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body: patch, contentType: MERGE_PATCH });
  }
  delete<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('DELETE', path, { body });
  }

  close(): void {
    this.agent.destroy();
  }
}

export function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function parseStatus(body: string): KubeStatus {
  try {
    return JSON.parse(body) as KubeStatus;
  } catch {
    return { message: body.slice(0, 500) };
  }
}
