// Installing and removing the upstream gateway CRDs in a running API server (the shared stack's source cluster), as
// an operator would while the controller runs.
import { installCrds, loadCrds } from '../../actors/kube/install-crds.js';
import { isNotFound } from '../../actors/kube/kube-api-error.js';
import type { KubeClient } from '../../actors/kube/kube-client.js';
import { type GatewayCrdSet, gatewayCrdsDir } from '../env/gateway-crds.js';
import { eventually } from './test-env.js';

const CRDS_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/** Installs the CRDs of a set (all, or the named ones) and waits until they are served. */
export async function installGatewayCrds(kube: KubeClient, set: GatewayCrdSet, only?: string[]): Promise<void> {
  const crds = loadCrds(await gatewayCrdsDir(set)).filter((c) => !only || only.includes(c.metadata.name));
  await installCrds(kube, crds);
}

/** Deletes CRDs (their objects go with them) and waits until they are gone. */
export async function removeCrds(kube: KubeClient, names: string[]): Promise<void> {
  for (const name of names)
    await kube.delete(`${CRDS_PATH}/${name}`).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
  for (const name of names)
    await eventually(
      () =>
        kube.get(`${CRDS_PATH}/${name}`).then(
          () => false,
          (err) => (isNotFound(err) ? true : Promise.reject(err)),
        ),
      `CRD ${name} to be gone`,
      60_000,
    );
}
