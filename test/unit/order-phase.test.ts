// Where an ACME order continues when it is created or re-read: decided by the order's and its challenges' status.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChallengeRecord, OrderProgress } from '../../actors/acme/acme-order.js';
import { phaseForOrder } from '../../actors/certificate/order/order-steps.js';

const challenge = (domain: string, status: string): ChallengeRecord => ({
  domain,
  wildcard: false,
  dnsName: `_acme-challenge.${domain}`,
  value: 'v',
  challengeUrl: `https://ca/chall/${domain}`,
  authorizationUrl: `https://ca/authz/${domain}`,
  status,
});
const order = (status: OrderProgress['status'], ...challenges: ChallengeRecord[]): OrderProgress => ({
  orderUrl: 'https://ca/order/1',
  status,
  challenges,
});

test('a new order publishes and answers its challenges; one answered waits for validation; a ready one is finalized', () => {
  assert.equal(phaseForOrder(order('pending', challenge('a.example.com', 'pending'))), 'publish');
  assert.equal(phaseForOrder(order('pending', challenge('a.example.com', 'processing'))), 'validate');
  assert.equal(phaseForOrder(order('ready', challenge('a.example.com', 'valid'))), 'finalize');
  assert.equal(phaseForOrder(order('invalid', challenge('a.example.com', 'invalid'))), 'invalid');
});

test('an order with a reused valid authorization and a pending one still publishes and answers the pending one', () => {
  // What a CA hands out when a name is added to a certificate whose other name it validated recently (Let's Encrypt
  // reuses valid authorizations for 30 days): without the answer the order would stay pending until it times out.
  assert.equal(
    phaseForOrder(order('pending', challenge('a.example.com', 'valid'), challenge('b.example.com', 'pending'))),
    'publish',
  );
  assert.equal(
    phaseForOrder(order('pending', challenge('a.example.com', 'valid'), challenge('b.example.com', 'processing'))),
    'validate',
  );
});
