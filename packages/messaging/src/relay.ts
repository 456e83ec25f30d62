// Outbox relay: the event store is the outbox. The relay reads events past its checkpoint in
// global order, publishes them with the idempotent producer keyed by aggregate id, and moves the
// checkpoint only after the broker acknowledged, chunk by chunk: a crash republishes at most the
// unacknowledged chunk, and consumers' inboxes absorb the repeat. One relay per service is active
// (a session advisory lock); a broker outage only delays publishing.
import {
  type LogPosition,
  type PostgresEventStore,
  type RecordedEvent,
  readCheckpoint,
  saveCheckpoint,
} from '@placements/event-store';
import { CompressionTypes, type Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import pg from 'pg';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { type CloudEventAttributes, toKafkaHeaders } from './cloud-events.ts';
import { relayMetrics } from './metrics.ts';

/** Namespace of the relay's session advisory lock (first key of the two-key form). */
const RELAY_LOCK_CLASS = 0x0e_1a;
/** Batches (polls) between reads of the relay's checkpoint from the database while it holds the lock. */
const CHECKPOINT_READ_EVERY = 25;

export interface OutboundMessage {
  topic: string;
  key: string;
  attributes: CloudEventAttributes;
  /** Message value; defaults to the event's data as stored (personal fields sealed). */
  value?: unknown;
}

export interface OutboxRelayOptions {
  /** Checkpoint and lock name, e.g. `relay:referral`. */
  name: string;
  store: PostgresEventStore;
  /** Connection string for the lock session (the service's own database). */
  lockConnectionString: string;
  kafka: Kafka;
  /** Messages for an event; an empty array for events that stay internal. */
  route: (event: RecordedEvent) => OutboundMessage[];
  batchSize?: number;
  chunkSize?: number;
  pollIntervalMs?: number;
  /**
   * Least time between the starts of two batches when appends wake the relay (default 10 ms):
   * a lone append is published at once, while under a steady stream of appends each batch
   * carries the appends of that time instead of one or two (a read, a produce request and a
   * checkpoint write per batch), like a producer's linger.
   */
  lingerMs?: number;
  logger: Logger;
  registry?: Registry;
}

export interface RelayStatus {
  running: boolean;
  active: boolean;
  position: LogPosition | undefined;
  lastError: string | undefined;
  lastPublishedAt: Date | undefined;
}

export class OutboxRelay {
  readonly #options: Required<
    Pick<OutboxRelayOptions, 'batchSize' | 'chunkSize' | 'pollIntervalMs' | 'lingerMs'>
  > &
    OutboxRelayOptions;
  readonly #metrics: ReturnType<typeof relayMetrics>;
  #running = false;
  #loop: Promise<void> | undefined;
  #lock: pg.Client | undefined;
  #producer: Producer | undefined;
  #wake: (() => void) | undefined;
  #unsubscribe: (() => void) | undefined;
  /**
   * The checkpoint as this relay last wrote it, trusted while it holds the lock (no other relay
   * writes it then) and read again every CHECKPOINT_READ_EVERY batches in case an operator moved it.
   */
  #written: LogPosition | undefined;
  #batchesSinceRead = 0;
  /** When the last batch started (performance.now()). */
  #batchStartedAt = Number.NEGATIVE_INFINITY;
  #status: RelayStatus = {
    running: false,
    active: false,
    position: undefined,
    lastError: undefined,
    lastPublishedAt: undefined,
  };

  constructor(options: OutboxRelayOptions) {
    this.#options = { batchSize: 1000, chunkSize: 200, pollIntervalMs: 250, lingerMs: 10, ...options };
    this.#metrics = relayMetrics(options.registry ?? new Registry());
  }

  get status(): RelayStatus {
    return { ...this.#status };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#status.running = true;
    this.#unsubscribe = this.#options.store.onAppended(() => this.#wake?.());
    this.#loop = this.#run();
  }

  /** Finishes the chunk in flight, then releases the lock and disconnects. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#unsubscribe?.();
    this.#wake?.();
    await this.#loop;
    this.#status.running = false;
  }

  /** Publishes everything below the horizon now (tests, benchmarks, ops commands). */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.#publishBatch();
      if (published === 0) return total;
      total += published;
    }
  }

  async #run(): Promise<void> {
    const { logger, pollIntervalMs, batchSize } = this.#options;
    let backoff = 0;
    while (this.#running) {
      let published = 0;
      try {
        if (!(await this.#ensureLock())) {
          await this.#sleep(2_000);
          continue;
        }
        await this.#ensureProducer();
        this.#batchStartedAt = performance.now();
        published = await this.#publishBatch();
        backoff = 0;
        this.#status.lastError = undefined;
      } catch (error) {
        this.#metrics.failures.inc({ relay: this.#options.name });
        this.#status.lastError = error instanceof Error ? error.message : String(error);
        logger.warn({ err: error, relay: this.#options.name }, 'outbox relay could not publish; will retry');
        backoff = Math.min(backoff ? backoff * 2 : 250, 5_000);
        await this.#resetProducer();
      }
      if (!this.#running) break;
      if (published >= batchSize && backoff === 0) continue;
      await this.#sleep(backoff || pollIntervalMs);
    }
    await this.#resetProducer();
    await this.#releaseLock();
  }

  async #publishBatch(): Promise<number> {
    const { store, batchSize, chunkSize, route, name } = this.#options;
    let after: LogPosition;
    if (this.#lock && this.#written && ++this.#batchesSinceRead < CHECKPOINT_READ_EVERY)
      after = this.#written;
    else {
      after = await readCheckpoint(store.pool, name);
      this.#batchesSinceRead = 0;
      if (this.#lock) this.#written = after;
    }
    this.#status.position = after;
    const events = await store.readAll({ after, limit: batchSize });
    if (events.length === 0) {
      this.#metrics.lagEvents.set({ relay: name }, 0);
      this.#metrics.lagSeconds.set({ relay: name }, 0);
      return 0;
    }
    this.#metrics.lagEvents.set({ relay: name }, events.length);
    this.#metrics.lagSeconds.set({ relay: name }, (Date.now() - events[0]!.recordedAt.getTime()) / 1000);
    const producer = await this.#ensureProducer();
    let published = 0;
    for (let start = 0; start < events.length; start += chunkSize) {
      if (!this.#lock && this.#running) throw new Error('relay lock lost');
      const chunk = events.slice(start, start + chunkSize);
      const byTopic = new Map<string, Message[]>();
      for (const event of chunk) {
        for (const message of route(event)) {
          const list = byTopic.get(message.topic) ?? [];
          list.push({
            key: message.key,
            value: JSON.stringify(message.value ?? event.data),
            headers: toKafkaHeaders(message.attributes),
          });
          byTopic.set(message.topic, list);
        }
      }
      if (byTopic.size > 0) {
        await producer.sendBatch({
          acks: -1,
          compression: CompressionTypes.None,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
      }
      const last = chunk[chunk.length - 1]!;
      const position = { transactionId: last.transactionId, globalPosition: last.globalPosition };
      await saveCheckpoint(store.pool, name, position);
      this.#written = position;
      const now = Date.now();
      for (const [topic, messages] of byTopic)
        this.#metrics.published.inc({ relay: name, topic }, messages.length);
      for (const event of chunk)
        this.#metrics.latency.observe({ relay: name }, (now - event.recordedAt.getTime()) / 1000);
      this.#status.position = { transactionId: last.transactionId, globalPosition: last.globalPosition };
      this.#status.lastPublishedAt = new Date(now);
      published += chunk.length;
    }
    return published;
  }

  async #ensureLock(): Promise<boolean> {
    if (this.#lock) return true;
    const client = new pg.Client({ connectionString: this.#options.lockConnectionString });
    client.on('error', (error) => {
      this.#options.logger.warn({ err: error, relay: this.#options.name }, 'relay lock session lost');
      if (this.#lock === client) {
        this.#lock = undefined;
        this.#status.active = false;
      }
    });
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
      [RELAY_LOCK_CLASS, this.#options.name],
    );
    if (!rows[0]?.locked) {
      await client.end();
      return false;
    }
    this.#lock = client;
    this.#written = undefined;
    this.#status.active = true;
    this.#options.logger.info({ relay: this.#options.name }, 'outbox relay active');
    return true;
  }

  async #releaseLock(): Promise<void> {
    const lock = this.#lock;
    this.#lock = undefined;
    this.#status.active = false;
    if (!lock) return;
    try {
      await lock.end();
    } catch {
      // The session is gone already; the server released the lock with it.
    }
  }

  async #ensureProducer(): Promise<Producer> {
    if (this.#producer) return this.#producer;
    const producer = this.#options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 3_000 },
    });
    await producer.connect();
    this.#producer = producer;
    return producer;
  }

  async #resetProducer(): Promise<void> {
    const producer = this.#producer;
    this.#producer = undefined;
    if (!producer) return;
    try {
      await producer.disconnect();
    } catch {
      // Disconnecting from an unreachable broker: nothing to clean up.
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        const linger = this.#batchStartedAt + this.#options.lingerMs - performance.now();
        setTimeout(done, Math.max(1, linger));
      };
    });
  }
}
