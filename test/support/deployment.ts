import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { certificatePath } from '../../actors/certificate/certificate-kube.js';
import type { TlsSecret } from '../../actors/certificate/certificate-secret.js';
import type { Certificate, CertificateSpec, CertificateStatus } from '../../actors/certificate/certificate-spec.js';
import { type Issuer, issuerPath } from '../../actors/issuer/issuer-types.js';
import { isNotFound } from '../../actors/kube/kube-api-error.js';
import { KubeClient } from '../../actors/kube/kube-client.js';
import { ActorClient } from '../../runtime/index.js';
import { TEST_NATS_USERS } from '../env/nats-users.js';
import type { ClusterRole, StackInfo } from '../env/stack.js';
import { ControllerPod } from './controller-pod.js';
import { eventually, sharedStack } from './test-env.js';

export interface DeploymentOptions {
  pods?: number;
  /** Extra controller flags (after the deployment's own). */
  args?: string[];
  /** Leave out the class flag (certificates of the default class). */
  defaultClass?: boolean;
  /** A stack of the test's own (one whose servers it restarts) instead of the shared one. */
  stack?: StackInfo;
  /** Other API servers for some roles (e.g. one the test restarts). */
  clusters?: Partial<StackInfo['clusters']>;
  /** Leave out --dns-namespace: challenge entries go to their certificates' namespaces (gardener's default). */
  noDnsNamespace?: boolean;
}

/**
 * One cert-controller-manager deployment of a test file on the shared stack: its own actor system, issuer and dns
 * namespaces and certificate class (so test files never act on each other's objects), N pods, admin clients for the
 * four clusters and a NATS client for the actor system.
 */
export class TestDeployment {
  readonly stack: StackInfo;
  readonly id = randomBytes(3).toString('hex');
  /** Namespace of issuers (default cluster), challenge entries (dns), certificates (source) and secrets (target). */
  readonly ns = `t-${this.id}`;
  readonly system = `cm${this.id}`;
  readonly certClass: string;
  readonly pods: ControllerPod[] = [];
  readonly kube: Record<ClusterRole, KubeClient>;
  nc!: NatsConnection;
  client!: ActorClient;
  private podSeq = 0;

  constructor(private readonly opts: DeploymentOptions = {}) {
    const shared = opts.stack ?? sharedStack();
    this.stack = { ...shared, clusters: { ...shared.clusters, ...opts.clusters } };
    this.certClass = opts.defaultClass ? 'gardencert' : `class-${this.id}`;
    this.kube = {
      default: KubeClient.fromFile(this.stack.clusters.default.kubeconfig),
      source: KubeClient.fromFile(this.stack.clusters.source.kubeconfig),
      dns: KubeClient.fromFile(this.stack.clusters.dns.kubeconfig),
      target: KubeClient.fromFile(this.stack.clusters.target.kubeconfig),
    };
  }

  args(extra: string[] = []): string[] {
    return [
      '--issuer-namespace',
      this.ns,
      ...(this.opts.noDnsNamespace ? [] : ['--dns-namespace', this.ns]),
      '--actor-system',
      this.system,
      ...(this.opts.defaultClass ? [] : ['--cert-class', this.certClass]),
      '--precheck-nameservers',
      this.stack.dns.server,
      '--precheck-additional-wait',
      '0s',
      '--lease-duration',
      '5s',
      '--lease-renew-deadline',
      '4s',
      '--lease-retry-period',
      '1500ms',
      // The real dns lane's dns cluster has external-dns-management's own CRDs; the controller would otherwise
      // server-side-apply (forced) its DNSEntry copy over them at start.
      ...(this.stack.dns.lane === 'real' ? ['--dns.disable-deploy-crds'] : []),
      ...(this.opts.args ?? []),
      ...extra,
    ];
  }

  async start(): Promise<this> {
    await Promise.all(
      (['default', 'source', 'dns', 'target'] as const).map((r) =>
        this.kube[r].create('/api/v1/namespaces', { metadata: { name: this.ns } }).catch(() => undefined),
      ),
    );
    await Promise.all(Array.from({ length: this.opts.pods ?? 1 }, () => this.startPod()));
    this.nc = await connect({ servers: this.stack.nats.urls, ...TEST_NATS_USERS.runtime });
    // The system's shard count exists once a pod ran; with no pods yet the first startPod connects the client.
    if (this.pods.length > 0) this.client = await ActorClient.connect(this.nc, this.system);
    return this;
  }

  async startPod(extra: string[] = []): Promise<ControllerPod> {
    const pod = new ControllerPod(`${this.system}-p${this.podSeq++}`, this.stack, this.args(extra));
    this.pods.push(pod);
    await pod.ready();
    if (this.nc && !this.client) this.client = await ActorClient.connect(this.nc, this.system);
    return pod;
  }

  async stop(): Promise<void> {
    await Promise.all(this.pods.map((p) => p.stop()));
    // For debugging: CERTMGMT_POD_LOGS=dir keeps every pod's log lines.
    const dir = process.env.CERTMGMT_POD_LOGS;
    if (dir)
      for (const p of this.pods)
        writeFileSync(join(dir, `${p.name}.log`), p.lines.map((l) => JSON.stringify(l)).join('\n'));
    await this.nc?.close();
    for (const k of Object.values(this.kube)) k.close();
  }

  /** Issuers and Certificates of this deployment carry its class, as gardener requires with --cert-class. */
  classAnnotations(): Record<string, string> {
    return this.opts.defaultClass ? {} : { 'cert.gardener.cloud/class': this.certClass };
  }

  /** The ACME issuer of this deployment on the shared pebble (auto registration). */
  async issuer(
    name: string,
    acme: Partial<NonNullable<Issuer['spec']['acme']>> = {},
    extra: Partial<Issuer['spec']> = {},
  ): Promise<void> {
    await this.kube.default.create(issuerPath(this.ns), {
      apiVersion: 'cert.gardener.cloud/v1alpha1',
      kind: 'Issuer',
      metadata: { name, namespace: this.ns, annotations: this.classAnnotations() },
      spec: {
        acme: {
          server: this.stack.acme.directoryUrl,
          email: 'ops@example.com',
          autoRegistration: true,
          privateKeySecretRef: { name: `${name}-account`, namespace: this.ns },
          ...acme,
        },
        ...extra,
      },
    });
  }

  async waitIssuer(name: string, state = 'Ready'): Promise<Issuer> {
    let last: Issuer | undefined;
    return eventually(
      async () => {
        const i = await this.kube.default.get<Issuer>(issuerPath(this.ns, name));
        last = i;
        return i.status?.state === state && i.status.observedGeneration === i.metadata.generation ? i : false;
      },
      `issuer ${name} to be ${state}`,
      60_000,
      100,
    ).catch((err: Error) => {
      // What CI shows of a stuck issuer: its status, and what the pods said about it.
      const said = this.pods
        .flatMap((p) => p.lines.filter((l) => l.id === `${this.ns}/${name}`).map((l) => `${p.name}: ${l.msg}`))
        .slice(-15);
      throw new Error(
        `${err.message}; generation ${last?.metadata.generation}, status ${JSON.stringify(last?.status)}; pods said: ${said.join(' | ')}`,
      );
    });
  }

  /** A Certificate of this deployment's class in its namespace. */
  async certificate(
    name: string,
    spec: CertificateSpec,
    annotations: Record<string, string> = {},
  ): Promise<Certificate> {
    return this.kube.source.create<Certificate>(certificatePath(this.ns), {
      apiVersion: 'cert.gardener.cloud/v1alpha1',
      kind: 'Certificate',
      metadata: {
        name,
        namespace: this.ns,
        annotations: { 'cert.gardener.cloud/class': this.certClass, ...annotations },
      },
      spec,
    });
  }

  /** The Certificate a source controller generated for a Secret of an Ingress or Service, once it exists. */
  eventuallyGenerated(kind: 'ingress' | 'service', secret: string): Promise<Certificate> {
    return eventually(
      async () => {
        const list = await this.kube.source.get<{ items: Certificate[] }>(certificatePath(this.ns), {
          labelSelector: `cert.gardener.cloud/source-kind=${kind}`,
        });
        return list.items.find((c) => c.spec.secretRef?.name === secret) ?? false;
      },
      `a certificate for ${kind} secret ${secret}`,
      60_000,
    );
  }

  getCertificate(name: string): Promise<Certificate> {
    return this.kube.source.get<Certificate>(certificatePath(this.ns, name));
  }

  /** Waits until the certificate's status for its current generation has the state (and passes `check`). */
  async waitCertificate(
    name: string,
    state: string,
    timeoutMs = 60_000,
    check: (s: CertificateStatus, c: Certificate) => boolean = () => true,
  ): Promise<Certificate> {
    let last: CertificateStatus | undefined;
    try {
      return await eventually(
        async () => {
          const c = await this.getCertificate(name);
          last = c.status;
          return c.status?.state === state &&
            c.status.observedGeneration === c.metadata.generation &&
            check(c.status, c)
            ? c
            : false;
        },
        `certificate ${name} to be ${state}`,
        timeoutMs,
        100,
      );
    } catch (err) {
      // What CI shows of a stuck certificate: what the pods said about it, and their warnings.
      const lines: Array<Record<string, unknown>> = this.pods.flatMap((p) =>
        p.lines.map((l) => ({ pod: p.name, ...l })),
      );
      const said = lines
        .filter((l) => String(l.id ?? '').endsWith(`/${this.ns}/${name}`))
        .map((l) => `${l.pod}: ${l.msg}${l.err ? ` (${String(l.err).slice(0, 100)})` : ''}`)
        .slice(-15);
      const warned = lines
        .filter((l) => Number(l.level) >= 40)
        .map(
          (l) => `${l.pod} ${l.actor ?? ''} ${l.id ?? ''}: ${l.msg}${l.err ? ` (${String(l.err).slice(0, 100)})` : ''}`,
        )
        .slice(-10);
      throw new Error(
        `${(err as Error).message}; last status: ${JSON.stringify(last)}; pods said: ${said.join(' | ') || 'nothing'}; warnings: ${warned.join(' | ') || 'none'}`,
      );
    }
  }

  async secret(name: string, namespace = this.ns): Promise<TlsSecret | undefined> {
    try {
      return await this.kube.target.get<TlsSecret>(`/api/v1/namespaces/${namespace}/secrets/${name}`);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async events(name: string): Promise<Array<{ type: string; reason: string; message: string }>> {
    const list = await this.kube.source.get<{
      items: Array<{ type: string; reason: string; message: string; involvedObject: { name: string; kind: string } }>;
    }>(`/api/v1/namespaces/${this.ns}/events`);
    return list.items.filter((e) => e.involvedObject.name === name && e.involvedObject.kind === 'Certificate');
  }

  /**
   * Waits for an Event on the Certificate `name` that `match`es (Events are sent after the status they tell of, and
   * may trail it in a burst); the Events seen last are in the error if none comes.
   */
  async waitEvent(
    name: string,
    match: (e: { type: string; reason: string; message: string }) => boolean,
    timeoutMs = 30_000,
  ): Promise<void> {
    let seen: unknown[] = [];
    await eventually(
      async () => {
        const events = await this.events(name);
        seen = events;
        return events.some(match);
      },
      `an Event on Certificate ${name}`,
      timeoutMs,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; its Events: ${JSON.stringify(seen)}`);
    });
  }

  /** Log lines of all pods (killed ones included) about one certificate actor. */
  logsOf(certName: string, msg?: string, namespace = this.ns): Array<Record<string, unknown>> {
    const id = `source/${namespace}/${certName}`;
    return this.pods.flatMap((p) => p.lines).filter((l) => l.id === id && (msg === undefined || l.msg === msg));
  }

  /** ACME orders created for a certificate, counted from the pods' logs. */
  ordersOf(certName: string): number {
    return this.logsOf(certName, 'order created').length;
  }

  async deleteCertificate(name: string): Promise<void> {
    try {
      await this.kube.source.delete(certificatePath(this.ns, name));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async certificateGone(name: string): Promise<void> {
    await eventually(
      async () => {
        try {
          await this.getCertificate(name);
          return false;
        } catch (err) {
          return !!isNotFound(err);
        }
      },
      `certificate ${name} to be gone`,
      60_000,
      100,
    );
  }
}
