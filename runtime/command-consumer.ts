import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, nanos, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from 'nats';
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

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly names: Names,
    private readonly shard: number,
    private readonly log: Logger,
    private readonly onMessage: (m: JsMsg) => void,
  ) {}

  async start(): Promise<void> {
    const stream = this.names.commandStream();
    const durable = this.names.commandConsumer(this.shard);
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
    this.messages?.stop();
    await this.loop;
  }
}
