// Kubernetes label rules, checked before writing: an API server refusal of a Secret or DNSEntry write surfaces as a
// generic 422 long after the user's edit, while a check here names the offending key in status.message.
import { createHash } from 'node:crypto';

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix))) {
    return `label key "${key}": the prefix before "/" must be a lower-case DNS subdomain of at most 253 characters`;
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return `label key "${key}": the name must be 1-63 characters of A-Z, a-z, 0-9, "-", "_", ".", starting and ending alphanumeric`;
  }
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value === '' || (value.length <= 63 && NAME.test(value))) return undefined;
  return `label value "${value}" must be at most 63 characters of A-Z, a-z, 0-9, "-", "_", ".", starting and ending alphanumeric`;
}

/**
 * Turns any text into a valid label value that stays recognisable: kept as is when already valid, otherwise
 * sanitised and, if it had to change or is too long, suffixed with a hash of the original so that two different
 * inputs cannot collide on the same value.
 */
export function toLabelValue(text: string): string {
  if (labelValueProblem(text) === undefined) return text;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 10);
  const cleaned = text
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .slice(0, 63 - 11)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned === '' ? hash : `${cleaned}-${hash}`;
}
