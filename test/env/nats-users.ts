// The NATS users of the test stack (nats.conf's authorization block). Test servers listen on loopback only and live
// for one test run, so fixed passwords are fine here; a deployment sets its own (deploy/nats/users.env).
export interface NatsUser {
  user: string;
  pass: string;
}

export const TEST_NATS_USERS = {
  runtime: { user: 'runtime', pass: 'runtime-test-password' },
  operator: { user: 'operator', pass: 'operator-test-password' },
  observer: { user: 'observer', pass: 'observer-test-password' },
} as const satisfies Record<string, NatsUser>;

/** The environment nats-server needs for nats.conf's passwords. */
export const NATS_PASSWORD_ENV = {
  NATS_RUNTIME_PASSWORD: TEST_NATS_USERS.runtime.pass,
  NATS_OPERATOR_PASSWORD: TEST_NATS_USERS.operator.pass,
  NATS_OBSERVER_PASSWORD: TEST_NATS_USERS.observer.pass,
};
