// `kubectl get issuer` / `kubectl get cert [-o wide]` print the Table the API server builds from the CRDs'
// additionalPrinterColumns. Users compare that output with the cert-management README, so the columns must match it.
// kubectl prints a column's header as its name upper-cased and hides columns of priority > 0 unless `-o wide`;
// printedHeader() applies exactly those two rules (kubectl itself is not available in CI).

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { KubeObject } from '../../actors/kube/kube-object.js';
import { adminClient, deleteIfExists, loadExample, uniqueName } from '../support/kube.js';

interface TableColumn {
  name: string;
  type: string;
  priority: number;
}
interface Table {
  kind: string;
  columnDefinitions: TableColumn[];
  rows: Array<{ cells: unknown[]; object: KubeObject }>;
}

const AS_TABLE = { accept: 'application/json;as=Table;g=meta.k8s.io;v=v1' };
const ISSUERS = '/apis/cert.gardener.cloud/v1alpha1/namespaces/default/issuers';
const CERTS = '/apis/cert.gardener.cloud/v1alpha1/namespaces/default/certificates';

const defaultCluster = adminClient('default');
const source = adminClient('source');
after(() => {
  defaultCluster.close();
  source.close();
});

function printedHeader(table: Table, wide: boolean): string[] {
  return table.columnDefinitions.filter((c) => wide || c.priority === 0).map((c) => c.name.toUpperCase());
}

/** The table row of one object; the collection may hold objects of other tests. */
function rowOf(table: Table, name: string): Record<string, unknown> {
  const row = table.rows.find((r) => r.object.metadata.name === name);
  assert.ok(row, `no row for ${name} in ${table.rows.map((r) => r.object.metadata.name).join(', ')}`);
  return Object.fromEntries(table.columnDefinitions.map((c, i) => [c.name, row.cells[i]]));
}

test("`kubectl get issuer` shows NAME SERVER EMAIL STATUS TYPE AGE, -o wide adds v0.27.0's INCLUDED_DOMAINS", async () => {
  const issuer = loadExample<KubeObject & { spec: { acme: { server: string; email: string } } }>(
    'local/20-issuer-pebble.yaml',
  );
  issuer.metadata.name = uniqueName('table-issuer');
  await defaultCluster.create(ISSUERS, issuer);
  try {
    const table = await defaultCluster.request<Table>('GET', ISSUERS, { headers: AS_TABLE });
    assert.equal(table.kind, 'Table');
    assert.deepEqual(
      table.columnDefinitions.map((c) => c.name),
      ['Name', 'SERVER', 'EMAIL', 'STATUS', 'TYPE', 'AGE', 'INCLUDED_DOMAINS'],
    );
    assert.deepEqual(
      table.columnDefinitions.map((c) => c.priority),
      [0, 0, 0, 0, 0, 0, 2000],
    );
    assert.deepEqual(printedHeader(table, false), ['NAME', 'SERVER', 'EMAIL', 'STATUS', 'TYPE', 'AGE']);
    assert.deepEqual(printedHeader(table, true), [
      'NAME',
      'SERVER',
      'EMAIL',
      'STATUS',
      'TYPE',
      'AGE',
      'INCLUDED_DOMAINS',
    ]);
    const row = rowOf(table, issuer.metadata.name);
    assert.equal(row.Name, issuer.metadata.name);
    assert.equal(row.SERVER, issuer.spec.acme.server);
    assert.equal(row.EMAIL, issuer.spec.acme.email);
  } finally {
    await deleteIfExists(defaultCluster, `${ISSUERS}/${issuer.metadata.name}`);
  }
});

test('`kubectl get cert` shows NAME COMMON NAME ISSUER STATUS AGE, and -o wide adds ISSUANCE_DATE, EXPIRATION_DATE and DNS_NAMES', async () => {
  const cert = loadExample<KubeObject & { spec: Record<string, unknown> }>('local/30-cert-simple.yaml');
  cert.metadata.name = uniqueName('table-cert');
  await source.create(CERTS, cert);
  try {
    // The columns show status, which only the controller writes: write what it would after issuing.
    await source.mergePatch(`${CERTS}/${cert.metadata.name}/status`, {
      status: {
        state: 'Ready',
        commonName: 'cert1.example.com',
        dnsNames: ['cert1.example.com', 'cert1-foo.example.com'],
        issuanceDate: '2029-10-01T00:00:00Z',
        expirationDate: '2030-01-01T00:00:00Z',
        issuerRef: { name: 'issuer-local', namespace: 'default', cluster: 'default' },
      },
    });
    const table = await source.request<Table>('GET', CERTS, { headers: AS_TABLE });
    assert.deepEqual(
      table.columnDefinitions.map((c) => c.name),
      ['Name', 'COMMON NAME', 'ISSUER', 'STATUS', 'ISSUANCE_DATE', 'EXPIRATION_DATE', 'DNS_NAMES', 'AGE'],
    );
    assert.deepEqual(printedHeader(table, false), ['NAME', 'COMMON NAME', 'ISSUER', 'STATUS', 'AGE']);
    assert.deepEqual(printedHeader(table, true), [
      'NAME',
      'COMMON NAME',
      'ISSUER',
      'STATUS',
      'ISSUANCE_DATE',
      'EXPIRATION_DATE',
      'DNS_NAMES',
      'AGE',
    ]);
    assert.equal(rowOf(table, cert.metadata.name).ISSUANCE_DATE, '2029-10-01T00:00:00Z');
    const row = rowOf(table, cert.metadata.name);
    assert.equal(row['COMMON NAME'], 'cert1.example.com');
    assert.equal(row.ISSUER, 'issuer-local');
    assert.equal(row.STATUS, 'Ready');
    assert.equal(row.EXPIRATION_DATE, '2030-01-01T00:00:00Z');
    assert.match(String(row.DNS_NAMES), /cert1\.example\.com.*cert1-foo\.example\.com/);
  } finally {
    await deleteIfExists(source, `${CERTS}/${cert.metadata.name}`);
  }
});
