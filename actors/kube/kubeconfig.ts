import { accessSync, readFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
// client-node's small modules, imported by path: its index (and its KubeConfig class) load the generated API clients,
// about 75 MB of RSS per pod that a controller speaking REST itself never uses (measured: 41 MB bare Node, 118 MB
// with the index, 44 MB with these). The package has no "exports" map, so these paths are part of what it ships.
import {
  type Cluster,
  type Context,
  newClusters,
  newContexts,
  newUsers,
  type User,
} from '@kubernetes/client-node/dist/config_types.js';
import yaml from 'js-yaml';

/** A kubeconfig as parsed: every cluster, user and context, and which context is current. */
export interface Kubeconfig {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string | undefined;
}

/** The cluster and user a client talks with: the current context resolved. */
export interface KubeconfigSelection {
  cluster: Cluster;
  user: User;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Parses kubeconfig text; relative certificate and key paths are taken relative to `baseDir`, as kubectl does. */
export function parseKubeconfig(text: string, baseDir: string): Kubeconfig {
  const doc = (yaml.load(text) ?? {}) as Record<string, unknown>;
  const absolute = (file: string | undefined): string | undefined =>
    file && !isAbsolute(file) ? join(baseDir, file) : file;
  const clusters = newClusters(doc.clusters).map((c) => ({ ...c, caFile: absolute(c.caFile) }));
  const tokenFiles = new Map<string, string>();
  for (const entry of Array.isArray(doc.users) ? doc.users : []) {
    const file = entry?.user?.tokenFile;
    if (typeof entry?.name === 'string' && typeof file === 'string' && file) tokenFiles.set(entry.name, file);
  }
  const users = newUsers(doc.users).map((u) => {
    const user = { ...u, certFile: absolute(u.certFile), keyFile: absolute(u.keyFile) };
    // client-go's `tokenFile` (Gardener's generic token kubeconfigs use it), which client-node's parser does not
    // know: read through the token-file authenticator, so a rotated token is picked up as client-go does.
    const tokenFile = tokenFiles.get(u.name);
    if (!u.token && !u.authProvider && !u.exec && tokenFile)
      return { ...user, authProvider: { name: 'tokenFile', config: { tokenFile: absolute(tokenFile) } } };
    return user;
  });
  const current = doc['current-context'];
  return {
    clusters,
    users,
    contexts: newContexts(doc.contexts),
    currentContext: typeof current === 'string' && current ? current : undefined,
  };
}

/**
 * Several kubeconfigs (KUBECONFIG=a:b) as one, by client-go's rule that gardener's controller follows: the first file
 * to name a cluster, user or context wins, and so does the first file that sets a current context.
 */
export function mergeKubeconfigs(configs: Kubeconfig[]): Kubeconfig {
  const firstByName = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const list of lists) for (const item of list) if (!seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  return {
    clusters: firstByName(configs.map((c) => c.clusters)),
    users: firstByName(configs.map((c) => c.users)),
    contexts: firstByName(configs.map((c) => c.contexts)),
    currentContext: configs.find((c) => c.currentContext)?.currentContext,
  };
}

/** The current context's cluster and user; an error names what is missing, so a bad kubeconfig fails at start. */
export function selectCurrent(config: Kubeconfig, source: string): KubeconfigSelection {
  const contextName = config.currentContext;
  if (!contextName) throw new Error(`kubeconfig ${source} has no current-context`);
  const context = config.contexts.find((c) => c.name === contextName);
  if (!context) throw new Error(`kubeconfig ${source}: current-context "${contextName}" is not among its contexts`);
  const cluster = config.clusters.find((c) => c.name === context.cluster);
  if (!cluster)
    throw new Error(`kubeconfig ${source}: context "${contextName}" names unknown cluster "${context.cluster}"`);
  const user = config.users.find((u) => u.name === context.user) ?? { name: context.user ?? '' };
  return { cluster, user };
}

export function loadKubeconfigFile(path: string): KubeconfigSelection {
  return selectCurrent(parseKubeconfig(readFileSync(path, 'utf8'), dirname(path)), path);
}

/**
 * Where a pod finds its cluster when no --kubeconfig is given, in client-go's order: $KUBECONFIG (a list),
 * ~/.kube/config, then the pod's service account. `serviceAccountDir` is a parameter for tests only.
 */
export function loadDefaultKubeconfig(
  env: NodeJS.ProcessEnv = process.env,
  serviceAccountDir = SERVICE_ACCOUNT_DIR,
): KubeconfigSelection {
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  if (listed.length > 0) {
    const readable = listed.filter(exists);
    if (readable.length === 0) throw new Error(`KUBECONFIG names no readable file: ${listed.join(delimiter)}`);
    const merged = mergeKubeconfigs(readable.map((f) => parseKubeconfig(readFileSync(f, 'utf8'), dirname(f))));
    return selectCurrent(merged, `KUBECONFIG=${env.KUBECONFIG}`);
  }
  const home = env.HOME ? join(env.HOME, '.kube', 'config') : undefined;
  if (home && exists(home)) return loadKubeconfigFile(home);
  if (exists(join(serviceAccountDir, 'token'))) return inClusterSelection(env, serviceAccountDir);
  throw new Error('no kubeconfig: give --kubeconfig (or KUBECONFIG), or run in a pod with a service account');
}

/**
 * The pod's service account. Its token is a tokenFile auth provider, so it is read again as the kubelet rotates it
 * instead of once at start.
 */
function inClusterSelection(env: NodeJS.ProcessEnv, dir: string): KubeconfigSelection {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error('in a pod without KUBERNETES_SERVICE_HOST/PORT: give --kubeconfig');
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    cluster: { name: 'inCluster', server, caFile: join(dir, 'ca.crt'), skipTLSVerify: false },
    user: { name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } } },
  };
}

function exists(path: string): boolean {
  try {
    accessSync(path);
    return true;
  } catch {
    return false;
  }
}
