import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CERTIFICATES_API } from '../../actors/certificate/certificate-kube.js';
import type { Certificate } from '../../actors/certificate/certificate-spec.js';
import type { KubeList } from '../../actors/kube/kube-object.js';
import { TestDeployment } from '../support/deployment.js';
import { installGatewayCrds, removeCrds } from '../support/gateway-crds.js';
import { eventually } from '../support/test-env.js';

test('-c ingress-cert runs only the Ingress source: Certificates are generated but not issued by this deployment', async () => {
  const d = new TestDeployment({ pods: 1, args: ['-c', 'ingress-cert'] });
  await d.start();
  try {
    // A Certificate of our class that only the issuer controller would act on.
    await d.certificate('direct', { commonName: 'direct.example.com', issuerRef: { name: 'none' } });
    await d.kube.source.create(`/apis/networking.k8s.io/v1/namespaces/${d.ns}/ingresses`, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'web',
        namespace: d.ns,
        annotations: { 'cert.gardener.cloud/purpose': 'managed', 'cert.gardener.cloud/class': d.certClass },
      },
      spec: {
        tls: [{ hosts: ['web.example.com'], secretName: 'web-tls' }],
        rules: [
          {
            host: 'web.example.com',
            http: {
              paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }],
            },
          },
        ],
      },
    });
    const generated = await eventually(
      async () => {
        const list = await d.kube.source.get<KubeList<Certificate>>(
          `${CERTIFICATES_API}/namespaces/${d.ns}/certificates`,
          { labelSelector: 'cert.gardener.cloud/source-kind=ingress' },
        );
        return list.items.length === 1 ? list.items[0] : false;
      },
      'the Ingress certificate to be generated',
      60_000,
    );
    assert.deepEqual(generated!.spec.dnsNames ?? [generated!.spec.commonName], ['web.example.com']);
    // The source controller has done its work; the issuer controller is not running here, so neither certificate
    // got a finalizer or a status from this deployment.
    for (const name of ['direct', generated!.metadata.name]) {
      const c = await d.getCertificate(name);
      assert.equal(c.status, undefined, `${name} has no status`);
      assert.ok(!(c.metadata.finalizers ?? []).length, `${name} has no finalizer`);
    }
    const view = await d.client.admin<{ byKind?: unknown; pods: Array<{ byKind: Record<string, unknown> }> }>({
      op: 'actors',
      limit: 0,
    });
    const kinds = new Set(view.pods.flatMap((p) => Object.keys(p.byKind)));
    assert.ok(
      !kinds.has('certificate') && !kinds.has('watcher-default'),
      `no issuer-controller actors: ${[...kinds].join(', ')}`,
    );
  } finally {
    await d.stop();
  }
});

test('-c with the gateway controllers but without watch-gateways-crds: the CRDs found at start decide until the next start, as with gardener', async () => {
  const crds = [
    'gateways.networking.istio.io',
    'virtualservices.networking.istio.io',
    'gateways.gateway.networking.k8s.io',
    'httproutes.gateway.networking.k8s.io',
  ];
  const d = new TestDeployment({ pods: 1, args: ['-c', 'istio-gateways-dns,k8s-gateways-dns'] });
  await removeCrds(d.kube.source, crds);
  await installGatewayCrds(d.kube.source, 'gateway-api');
  await d.start();
  const annotations = { 'cert.gardener.cloud/purpose': 'managed', 'cert.gardener.cloud/class': d.certClass };
  const gatewayApi = (name: string) =>
    d.kube.source.create(`/apis/gateway.networking.k8s.io/v1/namespaces/${d.ns}/gateways`, {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name, namespace: d.ns, annotations },
      spec: {
        gatewayClassName: 'test',
        listeners: [
          {
            name: 'https',
            hostname: `${name}.example.com`,
            port: 443,
            protocol: 'HTTPS',
            tls: { certificateRefs: [{ name: `${name}-tls` }] },
          },
        ],
      },
    });
  const generated = (kind: string, name: string) =>
    d.kube.source
      .get<KubeList<Certificate>>(`${CERTIFICATES_API}/namespaces/${d.ns}/certificates`, {
        labelSelector: `cert.gardener.cloud/source-kind=${kind},cert.gardener.cloud/source-name=${name}`,
      })
      .then((l) => l.items);
  const waitGenerated = (kind: string, name: string) =>
    eventually(async () => (await generated(kind, name)).length === 1, `a certificate for ${kind} ${name}`, 60_000);
  try {
    await gatewayApi('first');
    await waitGenerated('k8s-gateway', 'first');

    // Istio's CRDs arrive while the pod runs: noticed, logged, not acted on.
    await installGatewayCrds(d.kube.source, 'istio');
    await eventually(
      () => d.pods[0]!.lines.some((l) => /watch-gateways-crds is not enabled: restart to pick it up/.test(l.msg)),
      'the log line about the new CRD',
      30_000,
    );
    await d.kube.source.create(`/apis/networking.istio.io/v1/namespaces/${d.ns}/gateways`, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'mesh', namespace: d.ns, annotations },
      spec: {
        servers: [
          {
            hosts: ['mesh.example.com'],
            port: { number: 443, name: 'https', protocol: 'HTTPS' },
            tls: { mode: 'SIMPLE', credentialName: 'mesh-tls' },
          },
        ],
      },
    });
    // Created after it and handled: by then the Istio Gateway would have been too, had it been watched.
    await gatewayApi('second');
    await waitGenerated('k8s-gateway', 'second');
    assert.deepEqual(await generated('istio-gateway', 'mesh'), []);

    // The next start finds the Istio CRDs.
    await d.pods[0]!.stop();
    await d.startPod();
    await waitGenerated('istio-gateway', 'mesh');
  } finally {
    await d.stop();
    await removeCrds(d.kube.source, crds);
  }
});
