import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { isNotFound } from '../../actors/kube/kube-api-error.js';
import { KubeClient } from '../../actors/kube/kube-client.js';
import type { KubeObject } from '../../actors/kube/kube-object.js';
import { repoRoot } from '../env/paths.js';
import type { ClusterRole } from '../env/stack.js';
import { sharedStack } from './test-env.js';

/** An admin client for one cluster role of the shared stack; close it when the test ends. */
export function adminClient(role: ClusterRole): KubeClient {
  return KubeClient.fromFile(sharedStack().clusters[role].kubeconfig);
}

/** A DNS-1123 name no other test (or earlier run on the same etcd) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** The single object of a YAML file under examples/, parsed like kubectl would. */
export function loadExample<T extends KubeObject>(relativePath: string): T {
  return yaml.load(readFileSync(join(repoRoot(), 'examples', relativePath), 'utf8')) as T;
}

/** Deletes and ignores "already gone": cleanup must not fail a test that failed before creating the object. */
export async function deleteIfExists(client: KubeClient, path: string): Promise<void> {
  try {
    await client.delete(path);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
