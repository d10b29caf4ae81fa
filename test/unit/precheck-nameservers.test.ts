import assert from 'node:assert/strict';
import { test } from 'node:test';
import { precheckNameservers, resolvConfNameservers } from '../../actors/dns/precheck-nameservers.js';

const conf = 'search example.svc\nnameserver 10.0.0.10\n# nameserver 1.1.1.1\nnameserver fd00::53\noptions ndots:5\n';

test('the flag wins, the issuer list wins over the flag, a missing port is :53', () => {
  assert.deepEqual(precheckNameservers(['8.8.8.8:53', '1.1.1.1'], undefined), ['8.8.8.8:53', '1.1.1.1:53']);
  assert.deepEqual(precheckNameservers(['8.8.8.8:53'], ['127.0.0.1:5353']), ['127.0.0.1:5353']);
});

test('an empty list means /etc/resolv.conf, and without servers there Google', () => {
  assert.deepEqual(resolvConfNameservers(conf), ['10.0.0.10', 'fd00::53']);
  assert.deepEqual(
    precheckNameservers([], undefined, () => conf),
    ['10.0.0.10:53', '[fd00::53]:53'],
  );
  assert.deepEqual(
    precheckNameservers(['8.8.8.8'], [], () => conf),
    ['10.0.0.10:53', '[fd00::53]:53'],
  );
  assert.deepEqual(
    precheckNameservers([], undefined, () => 'search x\n'),
    ['8.8.8.8:53', '8.8.4.4:53'],
  );
  const missing = () => {
    throw new Error('ENOENT');
  };
  assert.deepEqual(precheckNameservers([], undefined, missing), ['8.8.8.8:53', '8.8.4.4:53']);
});
