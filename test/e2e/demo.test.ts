import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// `npm run demo -- --once` end to end: its own stack, three pods, the examples, the views, a clean exit.
test('the demo brings the examples to Ready and prints the seed views and certctl actors', async () => {
  const demo = fileURLToPath(new URL('../demo/demo.js', import.meta.url));
  const child = spawn(process.execPath, [demo, '--once'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, out.slice(-3000));
  assert.match(
    out,
    /\$ kubectl get issuer\nNAME\s+SERVER\s+EMAIL\s+STATUS\s+TYPE\s+AGE\nissuer-local\s+https:\/\/127\.0\.0\.1:\d+\/dir\s+admin@example\.com\s+Ready\s+acme/,
  );
  const certs = out.slice(out.indexOf('$ kubectl get cert -o wide'), out.indexOf('$ certctl actors'));
  assert.match(certs, /NAME\s+COMMON NAME\s+ISSUER\s+STATUS\s+ISSUANCE_DATE\s+EXPIRATION_DATE\s+DNS_NAMES\s+AGE/);
  for (const name of ['cert-simple', 'cert-csr', 'echoheaders-ingress-', 'test-service-service-'])
    assert.match(certs, new RegExp(`${name}\\S*\\s+\\S+\\s+issuer-local\\s+Ready`));
  assert.match(
    out,
    /\$ certctl actors\nPOD\s+ALIVE\s+SHARDS\s+ACTORS\s+MAILBOX\s+RESTARTS\n(pod-\d\s+yes\s+\d+.*\n){3}/,
  );
  assert.match(out, /certificate\s+4\s+0/);
});
