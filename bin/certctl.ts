#!/usr/bin/env node
// certctl: the operator CLI over NATS (see `certctl --help` and the README's "certctl" section).
import { connect, Events, type NatsConnection } from 'nats';
import { parseCertctl, USAGE, UsageError } from '../actors/certctl/certctl-args.js';
import { runCertctl } from '../actors/certctl/certctl-commands.js';
import { ActorClient, ActorError } from '../runtime/index.js';

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseCertctl>;
  try {
    parsed = parseCertctl(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`certctl: ${err.message}\nRun 'certctl --help' for usage.\n`);
      return 2;
    }
    throw err;
  }
  const { command, options, issuerNamespace } = parsed;
  if (command.cmd === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.servers,
      name: 'certctl',
      timeout: options.timeoutMs,
      maxReconnectAttempts: 0,
      ...(options.user ? { user: options.user, pass: options.password ?? '' } : {}),
    });
  } catch (err) {
    process.stderr.write(
      `certctl: cannot connect to NATS at ${options.servers.join(', ')}: ${(err as Error).message}\n`,
    );
    return 1;
  }
  // The server reports a denied publish asynchronously; remember it so a request that then times out is explained.
  const denied: string[] = [];
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === Events.Error && /permissions violation/i.test(String(s.data))) denied.push(String(s.data));
    }
  })();
  try {
    const client = await ActorClient.connectViaAdmin(nc, options.system, options.timeoutMs);
    const result = await runCertctl(client, command, options.timeoutMs, issuerNamespace);
    process.stdout.write(options.output === 'json' ? `${JSON.stringify(result.json, null, 2)}\n` : result.text);
    return result.exitCode ?? 0;
  } catch (err) {
    const e = err as Error & { code?: string };
    const violation = denied.length
      ? denied[denied.length - 1]
      : /permissions violation/i.test(e.message)
        ? e.message
        : undefined;
    if (violation) {
      process.stderr.write(
        `certctl: permission denied: NATS user "${options.user ?? '(none)'}" may not do this (${violation}); ${command.cmd.startsWith('renew') ? 'renewing needs the operator user' : "check the user's permissions in nats.conf"}\n`,
      );
      return 3;
    }
    if ((err instanceof ActorError && err.code === 'timeout') || e.code === 'TIMEOUT') {
      process.stderr.write(
        `certctl: no answer from actor system "${options.system}" within ${options.timeoutMs} ms: are cert-controller-manager pods running with --actor-system ${options.system}? (${e.message})\n`,
      );
      return 1;
    }
    process.stderr.write(`certctl: ${e.message}\n`);
    return 1;
  } finally {
    await nc.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`certctl: ${err.message}\n`);
    process.exit(1);
  },
);
