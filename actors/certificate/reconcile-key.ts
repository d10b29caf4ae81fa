import type { Certificate } from './certificate-spec.js';

/** `gardener.cloud/operation: reconcile` on a Certificate: retry now, whatever the backoff says (then removed). */
export const OPERATION_ANNOTATION = 'gardener.cloud/operation';

/** generation|reconcile-annotation: what was last reconciled, so our own status echoes do nothing. */
export const reconcileKey = (cert: Certificate) =>
  `${cert.metadata.generation ?? 0}|${cert.metadata.annotations?.[OPERATION_ANNOTATION] ?? ''}`;
