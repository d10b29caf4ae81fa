import { ActorError } from '../runtime/index.js';
import { KubeApiError } from './kube/kube-api-error.js';

/**
 * Whether a failed turn is worth retrying as it is: network failures, timeouts, 5xx, 429 and conflicts pass; other
 * API refusals (403, 422, ...) and refused messages do not.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof KubeApiError) return err.statusCode >= 500 || err.statusCode === 429 || err.statusCode === 409;
  if (err instanceof ActorError) return err.code !== 'invalid-message' && err.code !== 'unknown-kind';
  return true;
}
