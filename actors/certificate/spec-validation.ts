// Turns a Certificate spec into the request the certificate actor works with, or into every problem at once: a user
// fixing one problem per reconcile (with a 24 h recheck in between) would wait days. Rules follow gardener's
// utils.ExtractDomains, validateDomainsAndCsr, determineSecretRef and the ACME checks in its certificate reconciler.

import type { CertificateSpec, ObjectRef } from './certificate-spec.js';
import { type CsrInfo, parseCsr } from './csr.js';
import { checkDomainName, findDuplicates, mergeCommonName } from './domain-names.js';
import { formatDuration, parseDuration } from './duration.js';
import { checkExtraSans, type ExtraSans } from './extra-sans.js';
import { labelKeyProblem, labelValueProblem } from './label-syntax.js';
import {
  GARDENER_PRIVATE_KEY_DEFAULTS,
  type PrivateKeyDefaults,
  type PrivateKeySettings,
  resolvePrivateKey,
} from './private-key-settings.js';

export interface NormalizedRequest {
  commonName?: string;
  /** Every name to validate and put into the certificate: commonName first, lower-cased, without repeats. */
  dnsNames: string[];
  /** spec.dnsNames alone (CA and self-signed issuers decide themselves whether the commonName joins them). */
  specDnsNames: string[];
  /** IP, URI and email SANs: CA and self-signed issuers only (an ACME issuer ignores them, as gardener's). */
  extraSans: ExtraSans;
  csr?: CsrInfo;
  /** The key we generate; absent with a CSR, whose key stays with the user. */
  privateKey?: PrivateKeySettings;
  renewBeforeMs?: number;
  renewBeforePercentage?: number;
  /** ACME profile asked for by the Certificate (checked against the CA's list when the issuer grants the order). */
  profile?: string;
  durationMs?: number;
  isCA: boolean;
  preferredChain?: string;
  followCNAME: boolean;
  issuerRef?: ObjectRef;
  /** Where the certificate goes; absent means a name is generated later (gardener does the same). */
  secretRef?: { name: string; namespace: string };
  secretLabels: Record<string, string>;
  renew: boolean;
  ensureRenewedAfterMs?: number;
}

export type SpecValidation = { ok: true; request: NormalizedRequest } | { ok: false; problems: string[] };

export interface ValidationOptions {
  /** The certificate's namespace: the default for secretRef.namespace. */
  namespace: string;
  privateKeyDefaults?: PrivateKeyDefaults;
  /**
   * The rules of the selected issuer's type. 'any' checks only what holds for every type, to choose the issuer by
   * the certificate's names before its type is known.
   */
  issuerKind?: IssuerKind;
  /** --renewal-window; a CA certificate's duration must be at least twice this. */
  renewalWindowMs?: number;
}

/** Labels the controller writes itself on certificate secrets; a user value would break reuse and clean-up. */
export type IssuerKind = 'acme' | 'ca' | 'selfSigned' | 'any';

/** gardener's default lifetimes: 2 x 90 days for CA issuers, 90 days for self-signed ones. */
const DEFAULT_DURATION_MS = { ca: 180 * 86_400_000, selfSigned: 90 * 86_400_000 } as const;

export const MANAGED_SECRET_LABELS = ['cert.gardener.cloud/hash', 'cert.gardener.cloud/certificate'];
const MAX_DNS_NAMES = 99; // gardener's limit; with the common name that is the 100 names public CAs allow
const MIN_RENEW_BEFORE_MS = 5 * 60_000; // gardener: "renewBefore must be at least 5 minutes"

export async function validateCertificateSpec(
  spec: CertificateSpec,
  options: ValidationOptions,
): Promise<SpecValidation> {
  const problems: string[] = [];
  const kind = options.issuerKind ?? 'acme';
  const acme = kind === 'acme';
  const hasNames = spec.commonName !== undefined || (spec.dnsNames?.length ?? 0) > 0;
  const request: NormalizedRequest = {
    dnsNames: [],
    specDnsNames: [],
    extraSans: { ipAddresses: [], uris: [], emailAddresses: [] },
    isCA: spec.isCA === true,
    followCNAME: spec.followCNAME === true,
    secretLabels: {},
    renew: spec.renew === true,
  };

  if (hasNames && spec.csr !== undefined) {
    problems.push(
      'spec.csr cannot be combined with spec.commonName or spec.dnsNames: the CSR already names the domains; remove one side',
    );
  } else if (!hasNames && spec.csr === undefined) {
    problems.push('no domain requested: set spec.commonName and/or spec.dnsNames, or spec.csr');
  } else if (spec.csr !== undefined) {
    const parsed = await parseCsr(spec.csr, 'spec.csr', acme);
    if (parsed.ok) {
      request.csr = parsed.csr;
      collectNames(parsed.csr.commonName, parsed.csr.dnsNames, 'spec.csr', request, problems);
    } else {
      problems.push(...parsed.problems);
    }
  } else {
    collectSpecNames(spec, request, problems, acme);
  }
  if (kind === 'selfSigned' && spec.csr === undefined && !spec.commonName) {
    problems.push('spec.commonName must be set for a self-signed certificate: it names the certificate and its issuer');
  }

  if (spec.csr === undefined) {
    const key = resolvePrivateKey(spec.privateKey, options.privateKeyDefaults ?? GARDENER_PRIVATE_KEY_DEFAULTS);
    if (key.ok) request.privateKey = key.settings;
    else problems.push(...key.problems);
  } else if (kind === 'selfSigned' && request.csr) {
    // Self-signing needs the private key, which a CSR's owner keeps: a new key of the CSR's type (as gardener).
    const { algorithm, size } = request.csr.publicKey;
    const key = resolvePrivateKey({ algorithm, size, encoding: spec.privateKey?.encoding });
    if (key.ok) request.privateKey = key.settings;
    else problems.push(...key.problems.map((p) => p.replace('spec.privateKey.size', 'the key size of spec.csr')));
  }

  // gardener's ACME path ignores these SANs; the other types check and use them.
  if (!acme && kind !== 'any') request.extraSans = checkExtraSans(spec, problems);

  if (spec.renewBefore !== undefined) {
    const d = parseDuration(spec.renewBefore, 'spec.renewBefore');
    if (!d.ok) problems.push(d.problem);
    else if (d.ms < MIN_RENEW_BEFORE_MS)
      problems.push(`spec.renewBefore "${spec.renewBefore}" is too short: it must be at least 5m`);
    else request.renewBeforeMs = d.ms;
  }
  if (spec.renewBeforePercentage !== undefined) {
    const p = spec.renewBeforePercentage;
    if (!Number.isInteger(p) || p < 1 || p > 99)
      problems.push(`spec.renewBeforePercentage ${p} is not a whole number from 1 to 99`);
    else if (spec.renewBefore !== undefined)
      problems.push('spec.renewBefore and spec.renewBeforePercentage cannot both be set: keep one');
    else request.renewBeforePercentage = p;
  }
  if (spec.profile !== undefined && spec.profile !== '') {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(spec.profile))
      problems.push(`spec.profile "${spec.profile}" is not a profile name (letters, digits, ".", "_", "-")`);
    else if (kind === 'ca' || kind === 'selfSigned')
      problems.push('spec.profile names an ACME profile: remove it for a CA or self-signed issuer');
    else request.profile = spec.profile;
  }
  if (spec.duration !== undefined) {
    const d = parseDuration(spec.duration, 'spec.duration');
    if (!d.ok) problems.push(d.problem);
    else if (acme)
      problems.push(
        'spec.duration cannot be set for an ACME issuer: the CA decides the lifetime; remove spec.duration',
      );
    else request.durationMs = d.ms;
  }
  if (kind === 'ca' || kind === 'selfSigned') {
    request.durationMs ??= DEFAULT_DURATION_MS[kind];
    const min = 2 * (options.renewalWindowMs ?? 0);
    if (request.durationMs < min)
      problems.push(
        `certificate duration must be at least ${formatDuration(min)} (twice the renewal window, --renewal-window): raise spec.duration`,
      );
  }
  // Gardener refuses any isCA with ACME, even false; false asks for nothing, so only true is refused here.
  if (acme && spec.isCA === true)
    problems.push(
      'spec.isCA cannot be set for an ACME issuer: public CAs do not issue CA certificates; remove spec.isCA',
    );
  if (kind === 'selfSigned' && spec.isCA !== true) problems.push("self signed certificates must set 'spec.isCA: true'");

  if (spec.ensureRenewedAfter !== undefined) {
    const t = Date.parse(spec.ensureRenewedAfter);
    if (Number.isNaN(t))
      problems.push(
        `spec.ensureRenewedAfter "${spec.ensureRenewedAfter}" is not an RFC 3339 time such as "2025-01-31T12:00:00Z"`,
      );
    else request.ensureRenewedAfterMs = t;
  }
  if (spec.issuerRef !== undefined) {
    if (!spec.issuerRef.name)
      problems.push('spec.issuerRef.name is empty: name an issuer, or remove spec.issuerRef to use the default issuer');
    else request.issuerRef = { ...spec.issuerRef };
  }
  if (spec.preferredChain) request.preferredChain = spec.preferredChain;
  resolveSecret(spec, options.namespace, request, problems);

  return problems.length > 0 ? { ok: false, problems } : { ok: true, request };
}

/**
 * ACME names must be DNS names (the CA validates them); gardener checks no syntax for CA and self-signed issuers,
 * whose commonName may be any text ("My Root CA").
 */
function collectSpecNames(spec: CertificateSpec, request: NormalizedRequest, problems: string[], dns: boolean): void {
  const dnsNames = spec.dnsNames ?? [];
  if (dnsNames.length > MAX_DNS_NAMES)
    problems.push(`spec.dnsNames has ${dnsNames.length} entries: at most ${MAX_DNS_NAMES} are allowed`);
  let cn: string | undefined;
  if (spec.commonName !== undefined) {
    const length = [...spec.commonName].length;
    if (length > 64) {
      problems.push(
        `spec.commonName has ${length} characters but X.509 allows at most 64: move the long name to spec.dnsNames and use a shorter commonName`,
      );
    }
    const c = dns ? checkDomainName(spec.commonName, 'spec.commonName') : { ok: true as const, name: spec.commonName };
    if (c.ok) cn = c.name;
    else problems.push(c.problem);
  }
  const names: string[] = [];
  for (const [i, raw] of dnsNames.entries()) {
    const c = dns ? checkDomainName(raw, `spec.dnsNames[${i}]`) : { ok: true as const, name: raw };
    if (c.ok) names.push(c.name);
    else problems.push(c.problem);
  }
  request.specDnsNames = names;
  collectNames(cn, names, 'spec.dnsNames', request, problems);
}

// Gardener puts the common name in front of the other names unless they already contain it, then refuses any
// name that still appears twice: a repeated dnsNames entry is an error, the common name repeated once is not.
function collectNames(
  cn: string | undefined,
  names: string[],
  field: string,
  request: NormalizedRequest,
  problems: string[],
): void {
  const all = mergeCommonName(cn, names);
  const dups = findDuplicates(all);
  if (dups.length > 0)
    problems.push(`${field} lists ${dups.map((d) => `"${d}"`).join(', ')} more than once: remove the repeats`);
  if (cn !== undefined) request.commonName = cn;
  request.dnsNames = [...new Set(all)];
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Kubernetes object names (DNS-1123 subdomains), as the API server checks them. */
function objectNameProblem(name: string): string | undefined {
  if (name.length > 253) return 'at most 253 characters';
  return SUBDOMAIN.test(name)
    ? undefined
    : 'use lower-case letters, digits, "-" and ".", starting and ending alphanumeric';
}

/** Namespace names (DNS-1123 labels). */
function namespaceProblem(name: string): string | undefined {
  if (name.length > 63) return 'at most 63 characters';
  return LABEL.test(name) ? undefined : 'use lower-case letters, digits and "-", starting and ending alphanumeric';
}

function resolveSecret(spec: CertificateSpec, namespace: string, request: NormalizedRequest, problems: string[]): void {
  if (spec.secretRef !== undefined) {
    const name = spec.secretRef.name ?? '';
    if (name === '')
      problems.push('spec.secretRef.name is empty: name the secret, or remove spec.secretRef to get a generated name');
    else if (spec.secretName && spec.secretName !== name) {
      problems.push(
        `spec.secretName "${spec.secretName}" conflicts with spec.secretRef.name "${name}": set only one of them`,
      );
    } else request.secretRef = { name, namespace: spec.secretRef.namespace || namespace };
  } else if (spec.secretName) {
    request.secretRef = { name: spec.secretName, namespace };
  }
  // Checked now, not when the Secret is written: by then the ACME order would be spent.
  if (request.secretRef) {
    const field = spec.secretRef ? 'spec.secretRef' : 'spec.secretName';
    const nameProblem = objectNameProblem(request.secretRef.name);
    if (nameProblem) {
      problems.push(
        `${field}${spec.secretRef ? '.name' : ''} "${request.secretRef.name}" is not a valid Secret name: ${nameProblem}`,
      );
      delete request.secretRef;
    } else if (spec.secretRef?.namespace && namespaceProblem(spec.secretRef.namespace)) {
      problems.push(
        `spec.secretRef.namespace "${spec.secretRef.namespace}" is not a valid namespace: ${namespaceProblem(spec.secretRef.namespace)}`,
      );
      delete request.secretRef;
    }
  }
  for (const [key, value] of Object.entries(spec.secretLabels ?? {})) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem) problems.push(`spec.secretLabels: ${problem}`);
    else if (MANAGED_SECRET_LABELS.includes(key))
      problems.push(`spec.secretLabels must not set "${key}": the controller manages that label`);
    else request.secretLabels[key] = value;
  }
}
