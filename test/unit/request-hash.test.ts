// The hash label must equal gardener v0.27.0's, byte for byte: a Secret gardener issued is then reused after a
// switch-over instead of ordered again. The vectors below were computed with gardener's algorithm
// (pkg/controller/issuer/certificate/reconciler.go buildSpecNewHash, IssuerKey.String, ToKeyType/IsDefaultKeyType)
// in a standalone Go program, and four of them cross-checked with `printf 'example.com\0default-issuer\0' |
// openssl dgst -sha224`; inputs and outputs are written here so anyone can recompute them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CertificateSpec } from '../../actors/certificate/certificate-spec.js';
import { type IssuerKey, issuerKeyString, requestHash } from '../../actors/certificate/request-hash.js';

const rsaDefaults = { algorithm: 'RSA', rsaSize: 2048, ecdsaSize: 256 } as const;
const ecdsaDefaults = { algorithm: 'ECDSA', rsaSize: 2048, ecdsaSize: 256 } as const;
const defaultIssuer: IssuerKey = { cluster: 'default', namespace: '', name: 'default-issuer' };
// An ECDSA CSR made with openssl (CN csr.example.com, SANs csr.example.com and www.csr.example.com), as spec.csr.
const CSR =
  'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlJQkZ6Q0J2Z0lCQURBYU1SZ3dGZ1lEVlFRRERBOWpjM0l1WlhoaGJYQnNaUzVqYjIwd1dUQVRCZ2NxaGtqTwpQUUlCQmdncWhrak9QUU1CQndOQ0FBVFBPcTBxQmsyK0R0WlE5VXJkbFJ0WGVBSTgzcFRUZDd5MzJHdk5peFdSCnF3TVRmdk1SUGhLSlF2VXR0VFNJY0NONjZNZVRzRVdXTXR0ekNnNWE0UXVlb0VJd1FBWUpLb1pJaHZjTkFRa08KTVRNd01UQXZCZ05WSFJFRUtEQW1nZzlqYzNJdVpYaGhiWEJzWlM1amIyMkNFM2QzZHk1amMzSXVaWGhoYlhCcwpaUzVqYjIwd0NnWUlLb1pJemowRUF3SURTQUF3UlFJaEFOL0pvc0hHV1NCbFBMYzdTelNVNGRRVVg5a3BlZXlVCngyV0MxbzArMlo3YUFpQWRIVTh0TWhRWjFHbjBFaEMyRXZPd0txbkxaclRQMHovU0wzdWVYNHU4cFE9PQotLS0tLUVORCBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K';

const vectors: Array<[string, CertificateSpec, IssuerKey, typeof rsaDefaults | typeof ecdsaDefaults, string]> = [
  [
    'V1 commonName only',
    { commonName: 'example.com' },
    defaultIssuer,
    rsaDefaults,
    '1ec2854dfac244c945b76061fc27dfd77228e99fdea538dfcbe4d1cf',
  ],
  [
    'V2 commonName and dnsNames',
    { commonName: 'example.com', dnsNames: ['www.example.com', 'api.example.com'] },
    defaultIssuer,
    rsaDefaults,
    '1a12b13ee79e3d6c472b3ceb7b19f0cc927ebff9e48c2dab55d4c8b3',
  ],
  [
    'V3 dnsNames in the other order',
    { commonName: 'example.com', dnsNames: ['api.example.com', 'www.example.com'] },
    defaultIssuer,
    rsaDefaults,
    '7ab0dda25b1819e8dbd1e736acad8cb44c1250136c61149aab065515',
  ],
  [
    'V4 wildcard commonName and its base',
    { commonName: '*.example.com', dnsNames: ['example.com'] },
    defaultIssuer,
    rsaDefaults,
    'cee87be32d663a20dfa1c0f7b0af7b38bfac5d927549ee6803c9bcbb',
  ],
  [
    'V5 ECDSA 384',
    { commonName: 'example.com', privateKey: { algorithm: 'ECDSA', size: 384 } },
    defaultIssuer,
    rsaDefaults,
    '93266eb1ec4c4408b2123d31c53380b037cdfc8a2ee2e97e2bb2e564',
  ],
  [
    'V6 ECDSA without size (P256)',
    { commonName: 'example.com', privateKey: { algorithm: 'ECDSA' } },
    defaultIssuer,
    rsaDefaults,
    '3e8c178a10346ff3bfef9e969ff8bf3806dd400c95407a9770fe075b',
  ],
  [
    'V7 RSA 2048 spelled out (= the default, as V1)',
    { commonName: 'example.com', privateKey: { algorithm: 'RSA', size: 2048 } },
    defaultIssuer,
    rsaDefaults,
    '1ec2854dfac244c945b76061fc27dfd77228e99fdea538dfcbe4d1cf',
  ],
  [
    'V8 RSA 4096',
    { commonName: 'example.com', privateKey: { algorithm: 'RSA', size: 4096 } },
    defaultIssuer,
    rsaDefaults,
    '174563b2832c0da1583e8106bbfd284b2980e9d2fe30f83a958e3d3a',
  ],
  ['V9 CSR', { csr: CSR }, defaultIssuer, rsaDefaults, '79a99334a0c9a05000218cefff07bf4a21681a76b869451a38818a6d'],
  [
    'V10 target issuer',
    { commonName: 'example.com' },
    { cluster: 'target', namespace: 'team-a', name: 'my-issuer' },
    rsaDefaults,
    '80e2858dd34f5e40c9745e106451a16bab84f4dfb6d99b4c1188551b',
  ],
  [
    'V11 default-cluster issuer by name',
    { commonName: 'example.com' },
    { cluster: 'default', namespace: 'ignored', name: 'my-issuer' },
    rsaDefaults,
    'ec81222c08aaebba03b3011e38e79ad8c044b3e89dfb4d510058cfd4',
  ],
  [
    'V12 dnsNames only',
    { dnsNames: ['example.com', 'www.example.com'] },
    defaultIssuer,
    rsaDefaults,
    '1b4fed2efe5e887e6ec267ff017bc375ff65332e72c7176f9140363d',
  ],
  [
    'V13 letter case is kept',
    { commonName: 'Example.COM' },
    defaultIssuer,
    rsaDefaults,
    '1501d6c9fd0be27a15548a4861380db25ff0f37f61ccd6c45f84921d',
  ],
  [
    'V14 V1 with --default-private-key-algorithm=ECDSA',
    { commonName: 'example.com' },
    defaultIssuer,
    ecdsaDefaults,
    '1ec2854dfac244c945b76061fc27dfd77228e99fdea538dfcbe4d1cf',
  ],
  [
    'V15 V5 with --default-private-key-algorithm=ECDSA',
    { commonName: 'example.com', privateKey: { algorithm: 'ECDSA', size: 384 } },
    defaultIssuer,
    ecdsaDefaults,
    '93266eb1ec4c4408b2123d31c53380b037cdfc8a2ee2e97e2bb2e564',
  ],
  [
    'V16 emails, IPs and URIs',
    {
      commonName: 'example.com',
      emailAddresses: ['admin@example.com'],
      ipAddresses: ['10.0.0.1'],
      uris: ['spiffe://example.com/a'],
    },
    defaultIssuer,
    rsaDefaults,
    '5802a5f7ef243d74c3090bea212b5576a27d28200e41e6115a1c1e83',
  ],
  [
    'V17 CSR with a non-default key type',
    { csr: CSR, privateKey: { algorithm: 'ECDSA', size: 384 } },
    defaultIssuer,
    rsaDefaults,
    '17660c2f718f506796f35dac60e0169f43cfb03e6794dda72be2fbb2',
  ],
];

for (const [name, spec, issuer, defaults, expected] of vectors) {
  test(`gardener's hash: ${name}`, () => assert.equal(requestHash(spec, issuer, defaults), expected));
}

test('what gardener does not hash does not change the hash', () => {
  const base: CertificateSpec = { commonName: 'example.com' };
  const h = requestHash(base, defaultIssuer, rsaDefaults);
  const same: CertificateSpec[] = [
    { ...base, secretName: 'x', secretLabels: { a: 'b' }, renewBefore: '240h', duration: '1h', isCA: false },
    { ...base, preferredChain: 'ISRG Root X1', followCNAME: true, privateKey: { encoding: 'PKCS8' } },
    { ...base, privateKey: { algorithm: 'RSA', size: 1024 } }, // a combination gardener refuses adds nothing
  ];
  for (const spec of same) assert.equal(requestHash(spec, defaultIssuer, rsaDefaults), h, JSON.stringify(spec));
});

test("the issuer key is gardener's IssuerKey.String()", () => {
  assert.equal(issuerKeyString(defaultIssuer), 'default-issuer');
  assert.equal(issuerKeyString({ cluster: 'target', namespace: 'team-a', name: 'x' }), 'target:team-a/x');
});
