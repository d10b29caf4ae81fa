// A CA that does not answer in time, or a network error acme-client gave up on, must reach the order step as a
// transient network error with the request named, not as acme-client's "Cannot read properties of undefined".
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import * as acme from 'acme-client';
// Importing the account module installs the interceptor, as in the pod.
import '../../actors/acme/acme-account.js';
import { describeAcmeError } from '../../actors/acme/acme-errors.js';
import { AcmeTransportError } from '../../actors/acme/acme-transport-errors.js';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('a request without an answer in time fails as ETIMEDOUT, naming the request', async () => {
  const held: Array<() => void> = [];
  const server = createServer((_req, res) => held.push(() => res.end()));
  const url = await listen(server);
  try {
    const err = await acme.axios.post(`${url}/finalize/1`, '{}', { timeout: 200 }).then(
      () => assert.fail('answered'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof AcmeTransportError, `got ${(err as Error).message}`);
    assert.equal(err.code, 'ETIMEDOUT');
    assert.match(err.message, /^POST http:\/\/127\.0\.0\.1:\d+\/finalize\/1: no answer within 0\.2 s$/);
    assert.match(describeAcmeError(err, url), /is unreachable \(ETIMEDOUT\)/);
  } finally {
    for (const release of held) release();
    server.close();
  }
});

test('a network error acme-client has retried to its limit keeps its code', async () => {
  const server = createServer();
  const url = await listen(server);
  server.close(); // nothing listens there any more: connection refused
  const settings = (acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }).acmeSettings;
  const before = settings.retryMaxAttempts;
  settings.retryMaxAttempts = 0; // its last attempt is the first
  try {
    const err = await acme.axios.get(`${url}/directory`).then(
      () => assert.fail('answered'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof AcmeTransportError, `got ${(err as Error).message}`);
    assert.equal(err.code, 'ECONNREFUSED');
    assert.doesNotMatch(err.message, /reading/);
  } finally {
    settings.retryMaxAttempts = before;
  }
});

test('an answer, even an error status, still goes to acme-client as before', async () => {
  const server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end('{"type":"urn:ietf:params:acme:error:malformed"}');
  });
  const url = await listen(server);
  try {
    const res = await acme.axios.get(`${url}/missing`, { validateStatus: () => true });
    assert.equal(res.status, 404);
  } finally {
    server.close();
  }
});
