/** The fields of a metav1.Status we act on. */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: Array<{ field?: string; message?: string; reason?: string }> };
}

/** A refusal by the API server, with its reason (NotFound, Conflict, Invalid, Expired, ...) kept for decisions. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
    readonly status: KubeStatus,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }

  static from(method: string, path: string, statusCode: number, status: KubeStatus): KubeApiError {
    const reason = status.reason ?? String(statusCode);
    return new KubeApiError(
      statusCode,
      reason,
      `${method} ${path}: ${statusCode} ${reason}: ${status.message ?? ''}`.trim(),
      status,
    );
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 404;
}
export function isGone(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 410;
}

/** No answer (or, on a watch, no bytes) within the request's timeout. */
export class KubeTimeoutError extends Error {
  constructor(method: string, path: string, ms: number) {
    super(`kube request timed out after ${ms} ms: ${method} ${path}`);
    this.name = 'KubeTimeoutError';
  }
}
