import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpCall } from './http-probe.js';
import { writeKubeconfig } from './kubeconfig.js';
import { ManagedProcess } from './managed-process.js';
import { assertPortFree } from './ports.js';

export interface KubeApiServer {
  role: string;
  url: string;
  /** Admin kubeconfig (group system:masters). */
  kubeconfig: string;
  /** Kubeconfig of the user `cert-controller-manager`, so requests of the runtime pods can be told apart in the audit log. */
  runtimeKubeconfig: string;
  /** JSON lines, one per write request (create/update/patch/delete). */
  auditLog: string;
  caPem: string;
  adminToken: string;
  process: ManagedProcess;
}

/** Users of the token file: the admin and the identity our runtime pods use in tests. Both are cluster admins. */
export const RUNTIME_USER = 'cert-controller-manager';

// Only writes are audited, at Metadata level, once per request: enough to count API writes per issued certificate.
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
  verbs: ["create", "update", "patch", "delete", "deletecollection"]
- level: None
`;

/**
 * One kube-apiserver for one cluster role, on the shared etcd under its own prefix. Flags follow envtest's control
 * plane; the serving certificate is the one the API server generates itself into --cert-dir.
 * Starting again on the directory of a stopped server (same role and port) restarts that server: it keeps the tokens,
 * the service-account keys and the serving certificate (the API server only generates one when none is there), so
 * clients of the previous process keep working, as they would against a restarted real control plane.
 */
export async function startKubeApiServer(
  binary: string,
  role: string,
  dir: string,
  etcdUrl: string,
  port: number,
): Promise<KubeApiServer> {
  await assertPortFree(port, `kube-apiserver (${role})`);
  mkdirSync(dir, { recursive: true });
  const certDir = join(dir, 'certs');
  mkdirSync(certDir, { recursive: true });
  const { adminToken, runtimeToken } = ensureTokens(join(dir, 'tokens.csv'));
  ensureServiceAccountKeys(dir);
  writeFileSync(join(dir, 'audit-policy.yaml'), AUDIT_POLICY);
  const auditLog = join(dir, 'audit.log');
  const url = `https://127.0.0.1:${port}`;
  const proc = new ManagedProcess({
    name: `kube-apiserver(${role})`,
    command: binary,
    args: [
      `--etcd-servers=${etcdUrl}`,
      `--etcd-prefix=/${role}`,
      `--cert-dir=${certDir}`,
      `--secure-port=${port}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      '--disable-admission-plugins=ServiceAccount',
      '--authorization-mode=RBAC',
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      `--service-account-issuer=${url}/`,
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      `--audit-policy-file=${join(dir, 'audit-policy.yaml')}`,
      `--audit-log-path=${auditLog}`,
      '--audit-log-format=json',
      '--audit-log-mode=batch',
      '--audit-log-batch-max-wait=1s',
      '--v=0',
    ],
    logFile: join(dir, 'kube-apiserver.log'),
  });
  const certFile = join(certDir, 'apiserver.crt');
  let caPem = '';
  await proc.waitUntil(
    async () => {
      if (!existsSync(certFile)) return false;
      // The generated file holds the serving certificate followed by its self-signed CA: trusting the bundle works.
      caPem = readFileSync(certFile, 'utf8');
      const res = await httpCall(`${url}/readyz`, { ca: caPem, token: adminToken, timeoutMs: 2000 });
      return res.status === 200;
    },
    '/readyz answers 200',
    120_000,
    'look at the log below; etcd unreachable or a taken port are the usual causes',
  );
  const kubeconfig = join(dir, 'admin.kubeconfig');
  writeKubeconfig(kubeconfig, role, url, caPem, 'admin', adminToken);
  const runtimeKubeconfig = join(dir, 'runtime.kubeconfig');
  writeKubeconfig(runtimeKubeconfig, role, url, caPem, RUNTIME_USER, runtimeToken);
  return { role, url, kubeconfig, runtimeKubeconfig, auditLog, caPem, adminToken, process: proc };
}

/** The admin and runtime tokens of tokens.csv, created on first use. */
function ensureTokens(path: string): { adminToken: string; runtimeToken: string } {
  if (existsSync(path)) {
    const [admin, runtime] = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(',')[0]);
    if (admin && runtime) return { adminToken: admin, runtimeToken: runtime };
  }
  const adminToken = randomBytes(16).toString('hex');
  const runtimeToken = randomBytes(16).toString('hex');
  writeFileSync(
    path,
    `${adminToken},admin,admin,"system:masters"\n${runtimeToken},${RUNTIME_USER},${RUNTIME_USER},"system:masters"\n`,
    { mode: 0o600 },
  );
  return { adminToken, runtimeToken };
}

/** Keys that sign and verify service-account tokens, created on first use. */
function ensureServiceAccountKeys(dir: string): void {
  if (existsSync(join(dir, 'sa.pub')) && existsSync(join(dir, 'sa.key'))) return;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  writeFileSync(join(dir, 'sa.pub'), publicKey);
  writeFileSync(join(dir, 'sa.key'), privateKey, { mode: 0o600 });
}
