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
/** Polls between full checks (lock, checkpoint, read) when the quick check finds nothing new. */
const FULL_CHECK_EVERY = 25;

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
  /**
   * Least time between the starts of two batches when appends wake the subscription (default
   * 10 ms): a lone append is applied at once, while under a steady stream of appends each batch
   * (a transaction of several statements) carries the appends of that time instead of one or two.
   */
  lingerMs?: number;
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
  /** When the last poll started (performance.now()). */
  #pollStartedAt = Number.NEGATIVE_INFINITY;
  #unsubscribe: (() => void) | undefined;
  #lastError: Error | undefined;
  /**
   * A position this instance knows the checkpoint has reached (it committed it itself). Checkpoints
   * only move forward, so "nothing after it" means nothing to do, answered by one statement instead
   * of a transaction; the full check still runs every FULL_CHECK_EVERY polls, in case the checkpoint
   * was reset elsewhere.
   */
  #reached: LogPosition | undefined;
  #pollsSinceFullCheck = 0;

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
    const { streamTypes } = this.#options;
    // Woken only by appends it reads ('*': something was appended, type unknown).
    this.#unsubscribe = this.#options.store.onAppended((type) => {
      if (!streamTypes || type === '*' || streamTypes.includes(type)) this.#wake?.();
    });
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
    this.#reached = undefined;
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
      const read = { after, limit: batchSize, client, decrypt };
      // A reader of some stream types also moves past the other types' events it has looked at.
      const { events, scannedTo } = streamTypes
        ? await store.readAllOfTypes({ ...read, streamTypes })
        : { events: await store.readAll(read), scannedTo: undefined };
      if (events.length > 0) await handle(events, client);
      const last = events.at(-1);
      const position =
        scannedTo ??
        (last ? { transactionId: last.transactionId, globalPosition: last.globalPosition } : undefined);
      if (!position) return { count: 0, reached: after };
      await saveCheckpoint(client, this.name, position);
      return { count: events.length, position };
    });
    if (result.reached) this.#reached = result.reached;
    if (result.position) {
      this.#reached = result.position;
      if (result.count > 0) this.#options.onBatch?.(result.count, result.position);
    }
    return result.count;
  }

  /**
   * A batch, unless this is a timed poll (no append of a type it reads woke it) and one statement
   * shows there is nothing past the position already reached.
   */
  async #poll(woken: boolean): Promise<number> {
    const reached = this.#reached;
    if (!woken && reached && ++this.#pollsSinceFullCheck < FULL_CHECK_EVERY) {
      if (!(await this.#options.store.hasEventsAfter(reached, this.#options.streamTypes))) return 0;
    }
    this.#pollsSinceFullCheck = 0;
    return this.processBatch();
  }

  async #run(): Promise<void> {
    const { pollIntervalMs = 200, batchSize = 500 } = this.#options;
    let backoff = 0;
    let woken = true;
    while (this.#running) {
      let processed = 0;
      try {
        this.#pollStartedAt = performance.now();
        processed = await this.#poll(woken);
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
      if (processed >= batchSize && backoff === 0) {
        woken = true;
        continue;
      }
      woken = await this.#sleep(backoff || pollIntervalMs);
    }
  }

  /** Sleeps until the interval passes (false) or an append wakes it (true). */
  #sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), ms);
      function done(woken: boolean) {
        clearTimeout(timer);
        resolve(woken);
      }
      // A wake-up arrives as soon as the append returns, possibly before the writer's
      // transaction is visible below the horizon: read again shortly after, or once the linger
      // since the last poll has passed.
      this.#wake = () => {
        this.#wake = undefined;
        const linger = this.#pollStartedAt + (this.#options.lingerMs ?? 10) - performance.now();
        setTimeout(() => done(true), Math.max(2, linger));
      };
    });
  }
}
