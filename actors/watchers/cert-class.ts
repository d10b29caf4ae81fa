import { DEFAULT_CERT_CLASS } from '../config/effective-config.js';

/** On Certificates and Issuers: which controller deployment is responsible (gardener's classes). */
export const CLASS_ANNOTATION = 'cert.gardener.cloud/class';

/** Whether this deployment handles an object of the given class annotation (none or empty means "gardencert"). */
export function handlesClass(certClasses: readonly string[], annotations: Record<string, string> | undefined): boolean {
  return certClasses.includes(annotations?.[CLASS_ANNOTATION] || DEFAULT_CERT_CLASS);
}
