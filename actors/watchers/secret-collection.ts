// gardener's garbage collection of outdated certificate Secrets (certificate/reconciler.go, at start and every 7
// days): a Secret labelled cert.gardener.cloud/certificate=true that no Certificate references and whose certificate
// expired more than 14 days ago is deleted. Undecodable ones are kept (they may be someone else's).
import { CERTIFICATE_LABEL, type TlsSecret } from '../certificate/certificate-secret.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { KubeObject } from '../kube/kube-object.js';
import { readCertificateChain } from '../x509/certificate-info.js';

const GRACE_MS = 14 * 86_400_000;

export interface CollectionOptions {
  kube: KubeClient;
  /** Metadata of the Secrets the target watcher sees. */
  candidates: Iterable<KubeObject>;
  /** "namespace/name" of every Secret a Certificate references. */
  referenced: ReadonlySet<string>;
  now: number;
  log(fields: Record<string, unknown>, message: string): void;
}

export async function collectOutdatedSecrets(o: CollectionOptions): Promise<number> {
  let deleted = 0;
  for (const meta of o.candidates) {
    const { namespace, name, labels } = meta.metadata;
    if (labels?.[CERTIFICATE_LABEL] !== 'true' || o.referenced.has(`${namespace}/${name}`)) continue;
    const path = `/api/v1/namespaces/${namespace}/secrets/${name}`;
    const secret = await o.kube.get<TlsSecret>(path).catch(() => undefined);
    const crt = secret?.data?.['tls.crt'];
    if (!crt) continue;
    let notAfterMs: number;
    try {
      notAfterMs = readCertificateChain(Buffer.from(crt, 'base64').toString('utf8')).notAfterMs;
    } catch {
      continue;
    }
    if (notAfterMs + GRACE_MS >= o.now) continue;
    await o.kube
      .delete(path)
      .catch((err: Error) =>
        o.log({ secret: `${namespace}/${name}`, err: err.message }, 'could not delete an outdated secret'),
      );
    deleted++;
    o.log(
      { secret: `${namespace}/${name}`, expired: new Date(notAfterMs).toISOString() },
      'deleted an outdated certificate secret',
    );
  }
  return deleted;
}
