// In-database subscriptions: a projection reads the global log past its checkpoint and applies a
// batch and the new checkpoint in one transaction, so a read model is exactly as far as its
// checkpoint says. One instance at a time processes a subscription (advisory transaction lock).
// In-process wake-ups and optional LISTEN make it prompt; polling keeps it correct.
import type pg from 'pg';
import { deleteCheckpoint, readCheckpoint, saveCheckpoint } from './checkpoints.ts';
import type { LogPosition, PostgresEventStore, RecordedEvent } from './event-store.ts';
import { withTransaction } from './transaction.ts';

/** Namespace of the advisory locks taken by subscriptions (first key of the two-key form). */
const SUBSCRIPTION_LOCK_CLASS = 0x5e_b5;

export interface SubscriptionLogger {
  error(details: object, message: string): void;
  warn?(details: object, message: string): void;
}

export interface SubscriptionOptions {
  name: string;
  store: PostgresEventStore;
  handle: (events: RecordedEvent[], client: pg.PoolClient) => Promise<void>;
  streamTypes?: readonly string[];
  batchSize?: number;
  pollIntervalMs?: number;
  /** Open sealed personal fields before the handler sees them. */
  decrypt?: boolean;
  logger?: SubscriptionLogger;
  /** Called after each committed batch (metrics). */
  onBatch?: (count: number, position: LogPosition) => void;
}

export class EventSubscription {
  readonly name: string;
  readonly #options: SubscriptionOptions;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #unsubscribe: (() => void) | undefined;
  #lastError: Error | undefined;

  constructor(options: SubscriptionOptions) {
    this.name = options.name;
    this.#options = options;
  }

  get running(): boolean {
    return this.#running;
  }

  get lastError(): Error | undefined {
    return this.#lastError;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = this.#options.store.onAppended(() => this.#wake?.());
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#unsubscribe?.();
    this.#wake?.();
    await this.#loop;
  }

  /**
   * Processes batches until the log is exhausted below the horizon; returns how many events.
   * While another holder (this process's own loop, or another instance) is applying a batch, it
   * waits for that batch instead of reporting a read model as caught up when it is not.
   */
  async catchUp(options: { lockWaitMs?: number } = {}): Promise<number> {
    const deadline = Date.now() + (options.lockWaitMs ?? 30_000);
    let total = 0;
    for (;;) {
      const processed = await this.processBatch();
      if (processed === 0) return total;
      if (processed < 0) {
        if (Date.now() > deadline) return total;
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      total += processed;
    }
  }

  /** Empties the read model (via `reset`) and the checkpoint in one transaction, then replays from zero. */
  async rebuild(reset: (client: pg.PoolClient) => Promise<void>): Promise<number> {
    await withTransaction(this.#options.store.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
        SUBSCRIPTION_LOCK_CLASS,
        this.name,
      ]);
      await reset(client);
      await deleteCheckpoint(client, this.name);
    });
    return this.catchUp();
  }

  /** One batch: -1 when another instance holds the subscription, else the number of events applied. */
  async processBatch(): Promise<number> {
    const { store, handle, batchSize = 500, streamTypes, decrypt = true } = this.#options;
    const result = await withTransaction(store.pool, async (client) => {
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked',
        [SUBSCRIPTION_LOCK_CLASS, this.name],
      );
      if (!rows[0]?.locked) return { count: -1 };
      const after = await readCheckpoint(client, this.name);
      const events = await store.readAll({
        after,
        limit: batchSize,
        client,
        decrypt,
        ...(streamTypes ? { streamTypes } : {}),
      });
      if (events.length === 0) return { count: 0 };
      await handle(events, client);
      const last = events[events.length - 1]!;
      const position = { transactionId: last.transactionId, globalPosition: last.globalPosition };
      await saveCheckpoint(client, this.name, position);
      return { count: events.length, position };
    });
    if (result.position) this.#options.onBatch?.(result.count, result.position);
    return result.count;
  }

  async #run(): Promise<void> {
    const { pollIntervalMs = 200, batchSize = 500 } = this.#options;
    let backoff = 0;
    while (this.#running) {
      let processed = 0;
      try {
        processed = await this.processBatch();
        this.#lastError = undefined;
        backoff = 0;
      } catch (error) {
        this.#lastError = error instanceof Error ? error : new Error(String(error));
        this.#options.logger?.error(
          { err: this.#lastError, subscription: this.name },
          'subscription batch failed',
        );
        backoff = Math.min(backoff ? backoff * 2 : 500, 10_000);
      }
      if (!this.#running) break;
      if (processed >= batchSize && backoff === 0) continue;
      await this.#sleep(backoff || pollIntervalMs);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      // A wake-up arrives as soon as the append returns, possibly before the writer's
      // transaction is visible below the horizon: read again shortly after.
      this.#wake = () => {
        this.#wake = undefined;
        setTimeout(done, 2);
      };
    });
  }
}
