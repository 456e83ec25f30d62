// Idempotent consumer: each message's handler runs in a database transaction with an inbox
// insert keyed by (group, ce_source, ce_id); a redelivered message finds its inbox row and is
// skipped. Messages waiting in a partition share a transaction, in order, until it has run for a
// few milliseconds (a run): under a backlog the BEGIN, COMMIT and commit flush of each message
// become one per run, and a message that fails takes its run back to one message at a time.
// Transient failures retry with exponential backoff; a message that keeps failing (or
// one that can never succeed, marked `permanent`) is copied to `<topic>.dlq` with its error and
// the partition moves on. Offsets are committed only after the transaction (or the dead letter).
// A database that cannot be reached is no fault of the message: it waits, without using up its
// attempts. Every fetch and heartbeat the broker answers is noted, so readiness can tell a
// consumer that has lost the broker from one that is merely idle.
import type { PersonalDataCipher } from '@placements/event-store';
import { isDatabaseUnavailable, withTransaction } from '@placements/event-store';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import type pg from 'pg';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { type CloudEventAttributes, fromKafkaHeaders, headerText } from './cloud-events.ts';
import { consumerMetrics } from './metrics.ts';
import { deadLetterTopicOf } from './topics.ts';

function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent ? /^00-([0-9a-f]{32})-/.exec(traceparent)?.[1] : undefined;
}

export interface IncomingEvent extends CloudEventAttributes {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** The message value, parsed, with sealed personal fields opened when a cipher is configured. */
  data: unknown;
}

export type EventHandler = (event: IncomingEvent, client: pg.PoolClient) => Promise<void>;

export interface IdempotentConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  pool: pg.Pool;
  handle: EventHandler;
  cipher?: PersonalDataCipher;
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  fromBeginning?: boolean;
  /** Partitions handled at once (each in order); every one holds a database connection while busy. */
  partitionsConsumedConcurrently?: number;
  logger: Logger;
  registry?: Registry;
  /**
   * Called after a message's transaction committed, with the connection it ran on, before that
   * goes back to the pool (e.g. to wake in-process readers of what the handler appended).
   */
  afterCommit?: (event: IncomingEvent, client: pg.PoolClient) => void;
  /**
   * Which CloudEvent types the handler reads. Any other type is passed over from its headers alone:
   * no parse, no transaction, no inbox row (its offset still moves on). A topic carries every event
   * of its service, and most consumers want a few of them. Default: every message.
   */
  accepts?: (cloudEventType: string) => boolean;
  /**
   * How long a run of waiting messages may keep adding messages to its transaction, in ms, and at
   * most how many it takes. What it adds to the time until a message is readable is bounded by
   * this plus one handler. Default 20 ms and 100 messages; a budget of 0 gives every message a
   * transaction of its own.
   */
  runBudgetMs?: number;
  maxRunMessages?: number;
}

/** Marks an error that retrying cannot fix: the message goes to the dead-letter topic at once. */
export function isPermanentError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}

export class IdempotentConsumer {
  readonly #options: IdempotentConsumerOptions;
  readonly #metrics: ReturnType<typeof consumerMetrics>;
  #consumer: Consumer | undefined;
  #producer: Producer | undefined;
  #running = false;
  #crashed: Error | undefined;
  #lastContactAt = 0;

  constructor(options: IdempotentConsumerOptions) {
    this.#options = options;
    this.#metrics = consumerMetrics(options.registry ?? new Registry());
  }

  get running(): boolean {
    return this.#running;
  }

  get crashError(): Error | undefined {
    return this.#crashed;
  }

  get groupId(): string {
    return this.#options.groupId;
  }

  /** When the broker last answered this consumer (a fetch, even an empty one, or a heartbeat). */
  get lastContactAt(): Date | undefined {
    return this.#lastContactAt ? new Date(this.#lastContactAt) : undefined;
  }

  async start(): Promise<void> {
    const { kafka, groupId, topics, logger } = this.#options;
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5_000 },
    });
    this.#producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    consumer.on(consumer.events.CRASH, (event) => {
      this.#crashed = event.payload.error;
      logger.error(
        { err: event.payload.error, group: groupId, restart: event.payload.restart },
        'consumer crashed',
      );
    });
    const contact = () => {
      this.#lastContactAt = Date.now();
    };
    consumer.on(consumer.events.FETCH, contact);
    consumer.on(consumer.events.HEARTBEAT, contact);
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { topic, partition, offsetLag } = event.payload;
      this.#metrics.lag.set({ group: groupId, topic, partition: String(partition) }, Number(offsetLag));
    });
    await consumer.connect();
    await this.#producer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: this.#options.fromBeginning ?? true });
    this.#consumer = consumer;
    this.#running = true;
    contact();
    await consumer.run({
      autoCommit: true,
      partitionsConsumedConcurrently: this.#options.partitionsConsumedConcurrently ?? 3,
      // Offsets are resolved as messages are applied: a stop between runs leaves the rest unresolved.
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.#onBatch(payload),
    });
  }

  /** Lets the message in hand finish, commits its offset and leaves the group. */
  async stop(): Promise<void> {
    this.#running = false;
    const consumer = this.#consumer;
    this.#consumer = undefined;
    if (consumer) await consumer.disconnect();
    const producer = this.#producer;
    this.#producer = undefined;
    if (producer) await producer.disconnect();
  }

  /** A fetched batch of one partition, in order: runs of waiting messages, each in one transaction. */
  async #onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = batch;
    let next = 0;
    while (next < messages.length && isRunning() && !isStale()) {
      const run = await this.#applyRun(topic, partition, messages, next);
      if (run.taken > 0) {
        next += run.taken;
      } else {
        // The first message goes on its own, with retries and the dead-letter topic: it alone was
        // waiting, or it did not decode, or a handler failed and rolled the run back. Messages
        // ahead of a failed one go again one by one; the failure was the failed one's first attempt.
        const failedAt = next + (run.failedAt ?? 0);
        for (; next < failedAt; next++) {
          await this.#onMessage(topic, partition, messages[next]!, heartbeat);
          resolveOffset(messages[next]!.offset);
        }
        await this.#onMessage(topic, partition, messages[next]!, heartbeat, run.failure);
        next += 1;
      }
      resolveOffset(messages[next - 1]!.offset);
      await heartbeat();
    }
  }

  /** Whether the handler reads this message's type (a message without one is decoded, and dead-lettered). */
  #reads(message: KafkaMessage): boolean {
    const type = headerText(message.headers, 'ce_type');
    return type === undefined || !this.#options.accepts || this.#options.accepts(type);
  }

  /**
   * Applies the messages from `start` in one transaction, in order, while the run's budget lasts,
   * and returns how many it took. Takes none when fewer than two are waiting or the first does not
   * decode; when a handler fails nothing is applied, and `failedAt` (from `start`) says whose it was.
   */
  async #applyRun(
    topic: string,
    partition: number,
    messages: readonly KafkaMessage[],
    start: number,
  ): Promise<{ taken: number; failedAt?: number; failure?: unknown }> {
    const { pool, handle, runBudgetMs = 20, maxRunMessages = 100 } = this.#options;
    if (runBudgetMs <= 0 || messages.length - start < 2) return { taken: 0 };
    const outcomes: { event?: IncomingEvent; applied: boolean }[] = [];
    let handling: number | undefined;
    let taken: number;
    try {
      taken = await withTransaction(
        pool,
        async (client) => {
          const began = performance.now();
          let index = start;
          for (; index < messages.length && index - start < maxRunMessages; index++) {
            if (index > start && performance.now() - began >= runBudgetMs) break;
            const message = messages[index]!;
            if (!this.#reads(message)) {
              outcomes.push({ applied: false });
              continue;
            }
            let event: IncomingEvent;
            try {
              event = await this.#decode(topic, partition, message);
            } catch {
              // It goes on its own (to the dead-letter topic if it is malformed); the run ends before it.
              break;
            }
            handling = index;
            const applied = await this.#insertInbox(client, event);
            if (applied) await handle(event, client);
            handling = undefined;
            outcomes.push({ event, applied });
          }
          return index - start;
        },
        {
          afterCommit: (client) => {
            for (const { event, applied } of outcomes) {
              if (event && applied) this.#options.afterCommit?.(event, client);
            }
          },
        },
      );
    } catch (error) {
      // A database that cannot be reached is no message's failure: each waits for it on its own.
      if (handling === undefined || isDatabaseUnavailable(error)) return { taken: 0 };
      return { taken: 0, failedAt: handling - start, failure: error };
    }
    for (const { event, applied } of outcomes) {
      if (event) this.#noteApplied(event, applied);
      else this.#metrics.processed.inc({ group: this.#options.groupId, topic, outcome: 'not-read' });
    }
    return { taken };
  }

  /**
   * Applies one message in a transaction of its own: retried with backoff, dead-lettered when it
   * keeps failing or cannot succeed, waiting while the database cannot be reached. `failure` is a
   * first attempt already made (in a run).
   */
  async #onMessage(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
    failure?: unknown,
  ): Promise<void> {
    const { groupId, maxAttempts = 5, initialBackoffMs = 200, maxBackoffMs = 5_000, logger } = this.#options;
    if (!this.#reads(message)) {
      this.#metrics.processed.inc({ group: groupId, topic, outcome: 'not-read' });
      return;
    }
    let lastError: unknown;
    let event: IncomingEvent | undefined;
    let failures = 0;
    let unavailable = 0;
    // The run's failure is handled as this message's first attempt.
    let earlier = failure;
    for (;;) {
      try {
        if (earlier !== undefined) {
          const error = earlier;
          earlier = undefined;
          throw error;
        }
        event ??= await this.#decode(topic, partition, message);
        const applied = await this.#apply(event);
        this.#noteApplied(event, applied);
        return;
      } catch (error) {
        lastError = error;
        if (isDatabaseUnavailable(error)) {
          // Not the message's fault: it waits for the database however long that takes, its offset
          // uncommitted, instead of using up its attempts and landing on the dead-letter topic. A
          // consumer that is stopping leaves it, uncommitted, to the next one.
          if (!this.#running) throw error;
          unavailable += 1;
          this.#metrics.retries.inc({ group: groupId, topic });
          const delay = Math.min(initialBackoffMs * 2 ** Math.min(unavailable - 1, 16), maxBackoffMs);
          logger.warn(
            { err: error, group: groupId, topic, partition, offset: message.offset, retryInMs: delay },
            'database unavailable; the message waits for it',
          );
          await sleep(delay);
          await heartbeat();
          continue;
        }
        failures += 1;
        if (isPermanentError(error) || failures >= maxAttempts) break;
        this.#metrics.retries.inc({ group: groupId, topic });
        const delay = Math.min(initialBackoffMs * 2 ** (failures - 1), maxBackoffMs);
        logger.warn(
          {
            err: error,
            group: groupId,
            topic,
            partition,
            offset: message.offset,
            attempt: failures,
            retryInMs: delay,
          },
          'message handler failed; retrying',
        );
        await sleep(delay * (0.8 + Math.random() * 0.4));
        await heartbeat();
      }
    }
    await this.#deadLetter(
      topic,
      partition,
      message.offset,
      message.key,
      message.value,
      message.headers,
      lastError,
      maxAttempts,
    );
  }

  /** Counts and logs a message its transaction committed (or found already applied). */
  #noteApplied(event: IncomingEvent, applied: boolean): void {
    const { groupId, logger } = this.#options;
    this.#metrics.processed.inc({
      group: groupId,
      topic: event.topic,
      outcome: applied ? 'applied' : 'duplicate',
    });
    // The trace id carried from the HTTP request that caused the event links this line to it.
    logger.info(
      {
        trace_id: traceIdOf(event.traceparent),
        type: event.type,
        group: groupId,
        topic: event.topic,
        partition: event.partition,
        offset: event.offset,
        duplicate: !applied,
      },
      applied ? 'message applied' : 'message already applied',
    );
  }

  /** The inbox row that makes a redelivered message a duplicate; false when it is one. */
  async #insertInbox(client: pg.PoolClient, event: IncomingEvent): Promise<boolean> {
    const inserted = await client.query(
      `INSERT INTO inbox (consumer_group, source, message_id, event_type, topic, kafka_partition, kafka_offset)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [this.#options.groupId, event.source, event.id, event.type, event.topic, event.partition, event.offset],
    );
    return inserted.rowCount !== 0;
  }

  async #decode(topic: string, partition: number, message: KafkaMessage): Promise<IncomingEvent> {
    const attributes = fromKafkaHeaders(message.headers);
    let data: unknown;
    try {
      data = message.value ? JSON.parse(message.value.toString('utf8')) : null;
    } catch (error) {
      throw Object.assign(new Error('message value is not JSON', { cause: error }), { permanent: true });
    }
    if (this.#options.cipher) data = await this.#options.cipher.open(data);
    return {
      ...attributes,
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      data,
    };
  }

  async #apply(event: IncomingEvent): Promise<boolean> {
    return withTransaction(
      this.#options.pool,
      async (client) => {
        if (!(await this.#insertInbox(client, event))) return false;
        await this.#options.handle(event, client);
        return true;
      },
      { afterCommit: (client, applied) => applied && this.#options.afterCommit?.(event, client) },
    );
  }

  async #deadLetter(
    topic: string,
    partition: number,
    offset: string,
    key: Buffer | null,
    value: Buffer | null,
    headers: IHeaders | undefined,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    const { groupId, logger } = this.#options;
    const reason = error instanceof Error ? error : new Error(String(error));
    logger.error(
      { err: reason, group: groupId, topic, partition, offset, deadLetterTopic: deadLetterTopicOf(topic) },
      'message dead-lettered',
    );
    // If this send fails the handler throws, the offset is not committed and the message returns.
    await this.#producer!.send({
      topic: deadLetterTopicOf(topic),
      acks: -1,
      messages: [
        {
          key,
          value,
          headers: {
            ...headers,
            dlq_error: reason.message.slice(0, 2000),
            dlq_error_name: reason.name,
            dlq_attempts: String(isPermanentError(error) ? 1 : attempts),
            dlq_topic: topic,
            dlq_partition: String(partition),
            dlq_offset: offset,
            dlq_group: groupId,
            dlq_failed_at: new Date().toISOString(),
          },
        },
      ],
    });
    this.#metrics.deadLetters.inc({ group: groupId, topic });
    this.#metrics.processed.inc({ group: groupId, topic, outcome: 'dead-lettered' });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
