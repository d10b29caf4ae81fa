// What Ingresses, Services and Gateways say about the Certificates they want, read from their annotations the way
// gardener's source controllers read them (pkg/cert/source), and the Certificate object built from it. Pure: no I/O,
// so the source-object actor only compares and writes.
import { createHash } from 'node:crypto';
import type {
  Certificate,
  CertificatePrivateKeySpec,
  CertificateSpec,
  ObjectRef,
} from '../certificate/certificate-spec.js';
import { parseDuration } from '../certificate/duration.js';
import { labelKeyProblem, labelValueProblem, toLabelValue } from '../certificate/label-syntax.js';
import { ALLOWED_KEY_SIZES } from '../certificate/private-key-settings.js';
import {
  DEFAULT_CERT_CLASS,
  type SourceControllerConfig,
  type SourceControllerName,
} from '../config/effective-config.js';
import { DNSRECORD_ANNOTATIONS } from '../dns/challenge-dnsrecord.js';
import { SOURCE_OBJECT_ANNOTATION, type SourceObjectKind, sourceObjectId } from '../kinds.js';
import type { KubeObject, ObjectMeta } from '../kube/kube-object.js';
import { type GatewayListener, gatewayListenersOf, type IstioServer, istioServersOf } from './gateway-spec.js';

export const ANNOT_CLASS = 'cert.gardener.cloud/class';
export const ANNOT_PURPOSE = 'cert.gardener.cloud/purpose';
/** The Gardener Cert-Broker's label, still honoured on Ingresses. */
export const LABEL_PURPOSE = 'garden.sapcloud.io/purpose';
export const ANNOT_SECRET_NAME = 'cert.gardener.cloud/secretname';
export const ANNOT_SECRET_NAMESPACE = 'cert.gardener.cloud/secret-namespace';
export const ANNOT_DNS_NAMES = 'cert.gardener.cloud/dnsnames';
/** The dns-controller-manager's annotation, also read on Services. */
export const ANNOT_DNS_DNSNAMES = 'dns.gardener.cloud/dnsnames';
export const ANNOT_COMMON_NAME = 'cert.gardener.cloud/commonname';
export const ANNOT_ISSUER = 'cert.gardener.cloud/issuer';
export const ANNOT_FOLLOW_CNAME = 'cert.gardener.cloud/follow-cname';
export const ANNOT_SECRET_LABELS = 'cert.gardener.cloud/secret-labels';
export const ANNOT_PREFERRED_CHAIN = 'cert.gardener.cloud/preferred-chain';
export const ANNOT_KEY_ALGORITHM = 'cert.gardener.cloud/private-key-algorithm';
export const ANNOT_KEY_SIZE = 'cert.gardener.cloud/private-key-size';
export const ANNOT_KEY_ENCODING = 'cert.gardener.cloud/private-key-encoding';
export const ANNOT_RENEW_BEFORE = 'cert.gardener.cloud/renew-before';
/** The ACME profile of the generated Certificate (an extension of this controller, like spec.profile). */
export const ANNOT_PROFILE = 'cert.gardener.cloud/profile';

// How a generated Certificate is found again: labels for the list (values must be label-safe), and the exact
// identity in an annotation (a long name only survives as a hashed label value).
export const LABEL_SOURCE_KIND = 'cert.gardener.cloud/source-kind';
const LABEL_SOURCE_NAMESPACE = 'cert.gardener.cloud/source-namespace';
const LABEL_SOURCE_NAME = 'cert.gardener.cloud/source-name';
export const ANNOT_SOURCE_OBJECT = SOURCE_OBJECT_ANNOTATION;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const MAX_COMMON_NAME = 64;
const MIN_RENEW_BEFORE_MS = 5 * 60_000;

export type SourceKind = SourceObjectKind;
/**
 * Per source kind: the object's kind, the seed controller that handles it, and the part of generated Certificate
 * names that stands for it (gardener's generateName `<name>-<kind>-`: "gateway" for both kinds of Gateway).
 */
export const SOURCE_KINDS: Record<SourceKind, { kind: string; controller: SourceControllerName; nameSegment: string }> =
  {
    ingress: { kind: 'Ingress', controller: 'ingress-cert', nameSegment: 'ingress' },
    service: { kind: 'Service', controller: 'service-cert', nameSegment: 'service' },
    'istio-gateway': { kind: 'Gateway', controller: 'istio-gateways-dns', nameSegment: 'gateway' },
    'k8s-gateway': { kind: 'Gateway', controller: 'k8s-gateways-dns', nameSegment: 'gateway' },
  };
/** Where Ingresses and Services are served; Gateways are served at the versions their CRDs offer (gateway-crds.ts). */
export const BUILTIN_SOURCE_APIS: Record<'ingress' | 'service', { apiVersion: string; collection: string }> = {
  ingress: { apiVersion: 'networking.k8s.io/v1', collection: '/apis/networking.k8s.io/v1/ingresses' },
  service: { apiVersion: 'v1', collection: '/api/v1/services' },
};

/** The part of a source object that decides its Certificates (what the watcher routes and the actor keeps). */
export interface SourceSnapshot extends KubeObject {
  apiVersion: string;
  kind: string;
  metadata: Pick<
    ObjectMeta,
    'name' | 'namespace' | 'uid' | 'resourceVersion' | 'labels' | 'annotations' | 'deletionTimestamp'
  >;
  spec: {
    /** Ingress */
    tls?: Array<{ hosts?: string[]; secretName?: string }>;
    /** Service */
    type?: string;
    /** Istio Gateway */
    servers?: IstioServer[];
    /** Gateway API Gateway */
    listeners?: GatewayListener[];
  };
  /**
   * Gateways: the hosts of the routes bound to it (VirtualService spec.hosts, HTTPRoute spec.hostnames), routes in
   * namespace/name order (gardener's list order), put in by the source watcher so that the actor needs no lookups.
   */
  routeHosts?: string[];
}

/** Desired Certificates of one source object; `complete: false` (bad input) means: create and update, delete nothing. */
export interface DesiredCertificates {
  certificates: Certificate[];
  problems: string[];
  complete: boolean;
}

/**
 * The snapshot of an API object. `apiVersion`: the version the object was read at (Gateways: their CRD's served
 * version; Ingresses and Services have a fixed one); `routeHosts`: for Gateways, see SourceSnapshot.
 */
export function snapshotOf(
  kind: SourceKind,
  obj: KubeObject & { spec?: Record<string, unknown> },
  served: { apiVersion?: string; routeHosts?: string[] } = {},
): SourceSnapshot {
  const m = obj.metadata;
  const { [LAST_APPLIED]: _big, ...annotations } = m.annotations ?? {};
  const apiVersion =
    served.apiVersion ??
    (kind === 'ingress' || kind === 'service' ? BUILTIN_SOURCE_APIS[kind].apiVersion : (obj.apiVersion ?? ''));
  return {
    apiVersion,
    kind: SOURCE_KINDS[kind].kind,
    metadata: {
      name: m.name,
      namespace: m.namespace ?? 'default',
      ...(m.uid ? { uid: m.uid } : {}),
      ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
      ...(m.labels ? { labels: m.labels } : {}),
      annotations,
      ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp } : {}),
    },
    spec: specOf(kind, obj.spec ?? {}),
    ...(served.routeHosts ? { routeHosts: served.routeHosts } : {}),
  };
}

function specOf(kind: SourceKind, spec: Record<string, unknown>): SourceSnapshot['spec'] {
  switch (kind) {
    case 'ingress': {
      const tls = Array.isArray(spec.tls)
        ? (spec.tls as Array<{ hosts?: string[]; secretName?: string }>).map((t) => ({
            ...(t.hosts ? { hosts: [...t.hosts] } : {}),
            ...(t.secretName !== undefined ? { secretName: t.secretName } : {}),
          }))
        : undefined;
      return tls ? { tls } : {};
    }
    case 'service':
      return typeof spec.type === 'string' ? { type: spec.type } : {};
    case 'istio-gateway':
      return { servers: istioServersOf(spec) };
    case 'k8s-gateway':
      return { listeners: gatewayListenersOf(spec) };
  }
}

/** What routing compares: a change elsewhere (status, rules, ports, resourceVersion alone) changes no Certificate. */
export function snapshotSignature(s: SourceSnapshot): string {
  const { resourceVersion: _rv, ...meta } = s.metadata;
  return JSON.stringify([
    s.apiVersion,
    meta.uid,
    meta.deletionTimestamp,
    meta.labels?.[LABEL_PURPOSE],
    sortedEntries(meta.annotations),
    s.spec,
    s.routeHosts,
  ]);
}

/** A source object of one of the controller's classes (no annotation: the default class). */
export function handlesSourceClass(
  cfg: Pick<SourceControllerConfig, 'certClasses'>,
  annotations: Record<string, string> | undefined,
): boolean {
  return cfg.certClasses.includes(annotations?.[ANNOT_CLASS] || DEFAULT_CERT_CLASS);
}

/**
 * Worth routing when of our class: an Ingress or Gateway marked managed, a Service naming a secret (the rest cannot
 * want one).
 */
export function asksForCertificates(kind: SourceKind, s: SourceSnapshot): boolean {
  const a = s.metadata.annotations ?? {};
  if (kind === 'service') return a[ANNOT_SECRET_NAME] !== undefined;
  return a[ANNOT_PURPOSE] === 'managed' || s.metadata.labels?.[LABEL_PURPOSE] === 'managed-cert';
}

export function sourceLabels(kind: SourceKind, namespace: string, name: string): Record<string, string> {
  return {
    [LABEL_SOURCE_KIND]: kind,
    [LABEL_SOURCE_NAMESPACE]: toLabelValue(namespace),
    [LABEL_SOURCE_NAME]: toLabelValue(name),
  };
}

export function labelSelectorOf(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/**
 * Gardener's domain annotations: `cert.gardener.cloud/dnsnames` (on Services also `dns.gardener.cloud/dnsnames`,
 * unless "*" or "all", which mean "every name" to the dns controller) with `cert.gardener.cloud/commonname` in front.
 * `undefined` when no dnsnames annotation applies (on Services a commonname alone is enough).
 */
export function annotatedDomains(annotations: Record<string, string>, forService: boolean): string[] | undefined {
  let list = annotations[ANNOT_DNS_NAMES];
  if (list === undefined && forService) {
    const dns = annotations[ANNOT_DNS_DNSNAMES];
    if (dns !== undefined && dns.trim() !== '*' && dns.trim() !== 'all') list = dns;
  }
  const cn = annotations[ANNOT_COMMON_NAME]?.trim() ?? '';
  if (list === undefined && !(forService && cn !== '')) return undefined;
  return mergeCommonName(cn, splitList(list ?? ''));
}

/** The common name first, then the other names without it (gardener's mergeCommonName). */
export function mergeCommonName(cn: string, names: readonly string[]): string[] {
  const rest = [...new Set(names.map((n) => n.trim()).filter((n) => n !== '' && n !== cn))];
  return cn ? [cn, ...rest] : rest;
}

/** The optional annotations shared by all source kinds, as Certificate spec fields; bad values are named and left out. */
export function commonOptions(annotations: Record<string, string>): {
  spec: Partial<CertificateSpec>;
  problems: string[];
} {
  const spec: Partial<CertificateSpec> = {};
  const problems: string[] = [];
  const a = annotations;

  if (a[ANNOT_ISSUER] !== undefined) {
    const ref = parseIssuer(a[ANNOT_ISSUER]);
    if (typeof ref === 'string') problems.push(ref);
    else spec.issuerRef = ref;
  }
  if (a[ANNOT_FOLLOW_CNAME] !== undefined) {
    const b = parseGoBool(a[ANNOT_FOLLOW_CNAME]);
    if (b === undefined)
      problems.push(
        `annotation ${ANNOT_FOLLOW_CNAME} "${a[ANNOT_FOLLOW_CNAME]}" is not a boolean: use "true" or "false"`,
      );
    else if (b) spec.followCNAME = true;
  }
  if (a[ANNOT_SECRET_LABELS] !== undefined) {
    const labels = parseSecretLabels(a[ANNOT_SECRET_LABELS]);
    problems.push(...labels.problems);
    if (Object.keys(labels.labels).length > 0) spec.secretLabels = labels.labels;
  }
  if (a[ANNOT_PREFERRED_CHAIN]?.trim()) spec.preferredChain = a[ANNOT_PREFERRED_CHAIN].trim();
  if (a[ANNOT_PROFILE]?.trim()) spec.profile = a[ANNOT_PROFILE].trim();
  const key = parsePrivateKey(a);
  problems.push(...key.problems);
  if (key.privateKey) spec.privateKey = key.privateKey;
  if (a[ANNOT_RENEW_BEFORE] !== undefined) {
    const text = a[ANNOT_RENEW_BEFORE].trim();
    const d = parseDuration(text, `annotation ${ANNOT_RENEW_BEFORE}`);
    if (!d.ok) problems.push(d.problem);
    else if (d.ms < MIN_RENEW_BEFORE_MS)
      problems.push(`annotation ${ANNOT_RENEW_BEFORE} "${text}" is too short: it must be at least 5m`);
    else spec.renewBefore = text;
  }
  return { spec, problems };
}

/** `name` or `namespace/name`. */
export function parseIssuer(text: string): ObjectRef | string {
  const t = text.trim();
  const slash = t.indexOf('/');
  const [namespace, name] = slash < 0 ? [undefined, t] : [t.slice(0, slash), t.slice(slash + 1)];
  if (name === '' || name.includes('/') || namespace === '') {
    return `annotation ${ANNOT_ISSUER} "${text}" is not an issuer: use "name" or "namespace/name"`;
  }
  return namespace === undefined ? { name } : { namespace, name };
}

/** `k=v,k2=v2`; keys and values must be valid label parts (the Certificate would refuse them later, far from here). */
export function parseSecretLabels(text: string): { labels: Record<string, string>; problems: string[] } {
  const labels: Record<string, string> = {};
  const problems: string[] = [];
  for (const raw of text.split(',')) {
    const pair = raw.trim();
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq < 0) {
      problems.push(`annotation ${ANNOT_SECRET_LABELS}: "${pair}" is not key=value`);
      continue;
    }
    const k = pair.slice(0, eq).trim();
    const v = pair.slice(eq + 1).trim();
    const problem = labelKeyProblem(k) ?? labelValueProblem(v);
    if (problem) problems.push(`annotation ${ANNOT_SECRET_LABELS}: ${problem}`);
    else labels[k] = v;
  }
  return { labels, problems };
}

function parsePrivateKey(a: Record<string, string>): { privateKey?: CertificatePrivateKeySpec; problems: string[] } {
  const problems: string[] = [];
  const key: CertificatePrivateKeySpec = {};
  if (a[ANNOT_KEY_ALGORITHM] !== undefined) {
    const alg = a[ANNOT_KEY_ALGORITHM].trim().toUpperCase();
    if (alg === 'RSA' || alg === 'ECDSA') key.algorithm = alg;
    else
      problems.push(
        `annotation ${ANNOT_KEY_ALGORITHM} "${a[ANNOT_KEY_ALGORITHM]}" is not supported: use "RSA" or "ECDSA"`,
      );
  }
  if (a[ANNOT_KEY_SIZE] !== undefined) {
    const text = a[ANNOT_KEY_SIZE].trim();
    const size = /^\d+$/.test(text) ? Number(text) : NaN;
    const allowed = key.algorithm ? ALLOWED_KEY_SIZES[key.algorithm] : undefined;
    if (!Number.isSafeInteger(size) || size <= 0)
      problems.push(`annotation ${ANNOT_KEY_SIZE} "${text}" is not a key size in bits`);
    else if (allowed && !allowed.includes(size))
      problems.push(
        `annotation ${ANNOT_KEY_SIZE} ${size} is not allowed for ${key.algorithm}: use ${allowed.join(', ')}`,
      );
    // Without an algorithm the size is checked by the Certificate against the deployment's default algorithm.
    else key.size = size;
  }
  if (a[ANNOT_KEY_ENCODING] !== undefined) {
    const enc = a[ANNOT_KEY_ENCODING].trim().toUpperCase();
    if (enc === 'PKCS1' || enc === 'PKCS8') key.encoding = enc;
    else
      problems.push(
        `annotation ${ANNOT_KEY_ENCODING} "${a[ANNOT_KEY_ENCODING]}" is not supported: use "PKCS1" or "PKCS8"`,
      );
  }
  return Object.keys(key).length > 0 ? { privateKey: key, problems } : { problems };
}

/** Go's strconv.ParseBool, which gardener uses for follow-cname. */
function parseGoBool(text: string): boolean | undefined {
  const t = text.trim();
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(t)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(t)) return false;
  return undefined;
}

/**
 * A deterministic name, so that a create repeated after a lost answer finds its own object instead of making a
 * second one (gardener uses generateName `<prefix><name>-<kind>-`): the same shape with a hash of the secret. Both
 * kinds of Gateway are "gateway" there, so their hash also covers the kind: an Istio and a Gateway API Gateway of one
 * name and secret get two Certificates.
 */
export function certificateName(
  prefix: string,
  sourceName: string,
  kind: SourceKind,
  secret: { namespace: string; name: string },
): string {
  const segment = SOURCE_KINDS[kind].nameSegment;
  const hashed = `${segment === kind ? '' : `${kind}:`}${secret.namespace}/${secret.name}`;
  const hash = createHash('sha256').update(hashed).digest('hex').slice(0, 8);
  const base = `${prefix}${sourceName}-${segment}`
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 253 - 9);
  return `${base.replace(/[^a-z0-9]+$/, '')}-${hash}`;
}

/** The generated Certificate for one secret of a source object. */
export function buildCertificate(
  kind: SourceKind,
  src: SourceSnapshot,
  cfg: SourceControllerConfig,
  secret: { namespace: string; name: string },
  domains: string[],
  options: Partial<CertificateSpec>,
): Certificate {
  const ns = src.metadata.namespace ?? 'default';
  const namespace = cfg.targetNamespace || ns;
  // The first name becomes the common name only if X.509 allows it (64 characters), as gardener does.
  const [first, ...rest] = domains;
  const names: Partial<CertificateSpec> =
    first !== undefined && [...first].length <= MAX_COMMON_NAME
      ? { commonName: first, ...(rest.length > 0 ? { dnsNames: rest } : {}) }
      : { dnsNames: domains };
  // Always spec.secretRef, as gardener generates it: the issuer controller writes the same value back, so the
  // generated spec and the recorded one never disagree.
  const spec: CertificateSpec = { ...names, secretRef: { name: secret.name, namespace: secret.namespace }, ...options };
  // An owner in another namespace would count as absent to the garbage collector, which would delete the Certificate.
  const ownerReferences =
    namespace === ns && src.metadata.uid
      ? [
          {
            apiVersion: src.apiVersion,
            kind: src.kind,
            name: src.metadata.name,
            uid: src.metadata.uid,
            controller: true,
          },
        ]
      : undefined;
  return {
    apiVersion: 'cert.gardener.cloud/v1alpha1',
    kind: 'Certificate',
    metadata: {
      name: certificateName(cfg.targetNamePrefix, src.metadata.name, kind, secret),
      namespace,
      labels: sourceLabels(kind, ns, src.metadata.name),
      annotations: {
        // --use-dnsrecords: the source names the DNS provider of its Certificates' DNSRecords (gardener copies these).
        ...dnsRecordAnnotations(src.metadata.annotations),
        [ANNOT_CLASS]: cfg.certTargetClass,
        [ANNOT_SOURCE_OBJECT]: sourceObjectId(kind, ns, src.metadata.name),
        // With --cascade-delete the Secret is owned by the source object too (gardener's source controllers).
        'cert.gardener.cloud/forward-owner-refs': 'true',
      },
      ...(ownerReferences ? { ownerReferences } : {}),
    },
    spec,
  };
}

function dnsRecordAnnotations(a: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(DNSRECORD_ANNOTATIONS.filter((k) => a?.[k]).map((k) => [k, a![k]!]));
}

/** The spec fields a source controls; others (e.g. ensureRenewedAfter, set by `renew: true`) are left as they are. */
export const MANAGED_SPEC_FIELDS = [
  'commonName',
  'dnsNames',
  'issuerRef',
  'secretName',
  'secretRef',
  'secretLabels',
  'followCNAME',
  'preferredChain',
  'privateKey',
  'renewBefore',
] as const;

export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function sortedEntries(r: Record<string, string> | undefined): Array<[string, string]> {
  return Object.entries(r ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
