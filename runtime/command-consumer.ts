import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  nanos,
  RetentionPolicy,
  StorageType,
} from 'nats';
import type { Logger } from 'pino';
import type { Names } from './names.js';

/** The stream that captures durable commands: deduplicated by message id, removed once acknowledged. */
export async function ensureCommandStream(jsm: JetStreamManager, names: Names, replicas: number): Promise<void> {
  const config = {
    name: names.commandStream(),
    subjects: [`${names.system}.cmd.>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: replicas,
    duplicate_window: nanos(120_000),
  };
  try {
    await jsm.streams.info(config.name);
  } catch {
    try {
      await jsm.streams.add(config);
    } catch (err) {
      // Another pod created it at the same moment.
      if (!/already in use|exists/i.test((err as Error).message)) throw err;
    }
  }
}

/** Consumes one shard's commands while this pod owns the shard. */
export class ShardCommandConsumer {
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly names: Names,
    private readonly shard: number,
    private readonly log: Logger,
    private readonly onMessage: (m: JsMsg) => void,
  ) {}

  /**
   * Starts consuming; a failure (JetStream busy or briefly without a leader) is retried with backoff while the shard
   * is held, because a shard without its consumer would leave its commands waiting for the next owner.
   */
  async start(attempt = 0): Promise<void> {
    try {
      await this.open();
    } catch (err) {
      if (this.stopped) return;
      const delay = Math.min(10_000, 250 * 2 ** attempt);
      this.log.warn(
        { shard: this.shard, err: (err as Error).message, retryInMs: delay },
        'command consumer failed to start; retrying',
      );
      this.retry = setTimeout(() => void this.start(attempt + 1), delay);
    }
  }

  private async open(): Promise<void> {
    const stream = this.names.commandStream();
    const durable = this.names.commandConsumer(this.shard);
    // A fresh consumer per lease holder. The previous holder's pull requests stay open on the server until they
    // expire, and commands delivered into them would wait out ack_wait before coming back; deleting the consumer
    // cancels them, and its unacknowledged commands (still in the work-queue stream) are delivered to us at once.
    // A command the previous holder already applied is recognised by the actor's dedupe record.
    await this.jsm.consumers.delete(stream, durable).catch((err: Error) => {
      if (!/not found/i.test(err.message)) throw err;
    });
    await this.jsm.consumers.add(stream, {
      durable_name: durable,
      filter_subject: this.names.commandFilter(this.shard),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(30_000),
      max_ack_pending: 1000,
    });
    const consumer = await this.js.consumers.get(stream, durable);
    const messages = await consumer.consume({ max_messages: 256 });
    if (this.stopped) {
      messages.stop();
      return;
    }
    this.messages = messages;
    this.loop = (async () => {
      try {
        for await (const m of messages) this.onMessage(m);
      } catch (err) {
        this.log.warn({ shard: this.shard, err: (err as Error).message }, 'command consumer ended');
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.messages?.stop();
    await this.loop;
  }
}
