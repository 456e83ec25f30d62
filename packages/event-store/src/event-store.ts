// PostgreSQL event store: one `events` table per service database (migrations/). Appends go
// through es_append in one round trip with an expected version (those of one turn of the event
// loop outside a transaction share one, see appends.ts); readers page the global log by
// (transaction_id, global_position) below the xid8 horizon, so an event committed late by a slow
// transaction is never skipped (a bare `global_position > last` would lose it).

import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { type AppendedRow, type AppendRequest, appendOne, CoalescedAppends } from './appends.ts';
import {
  type ChainVerification,
  canonicalEvent,
  canonicalEventFromParts,
  canonicalJson,
  verifyChain,
} from './canonical.ts';
import {
  DuplicateEventError,
  EventStoreError,
  type ExpectedVersionDescription,
  StreamVersionConflictError,
} from './errors.ts';
import type { PersonalDataCipher, PersonalFields } from './personal-data.ts';
import { quoteIdent } from './privileges.ts';
import { readOneStream, StreamReads } from './stream-reads.ts';
import type { Queryable } from './transaction.ts';

export interface EventMetadata {
  correlationId?: string;
  causationId?: string;
  /** Who caused the event: the token's subject and organisation, or a service. */
  actor?: { sub: string; org: string };
  /** W3C trace context of the request or message that caused the event. */
  traceparent?: string;
  [key: string]: unknown;
}

export interface NewEvent<T = unknown> {
  type: string;
  data: T;
  eventId?: string;
  schemaVersion?: number;
  metadata?: EventMetadata;
  /** Personal fields to seal with the subject's key before the event is written. */
  personal?: PersonalFields;
}

export interface RecordedEvent<T = unknown> {
  globalPosition: number;
  transactionId: string;
  streamId: string;
  streamType: string;
  streamVersion: number;
  eventId: string;
  type: string;
  schemaVersion: number;
  data: T;
  metadata: EventMetadata;
  recordedAt: Date;
  prevHash: string;
  hash: string;
}

/** A reader's place in the global log. */
export interface LogPosition {
  transactionId: string;
  globalPosition: number;
}

export const START_OF_LOG: LogPosition = Object.freeze({ transactionId: '0', globalPosition: 0 });

/** `number`: the stream must be at exactly this version (0 = must not exist). */
export type ExpectedVersion = number | 'no-stream' | 'any' | 'stream-exists';

export interface AppendOptions {
  expectedVersion?: ExpectedVersion;
  /** Append inside the caller's transaction (for example with a consumer's inbox insert). */
  client?: Queryable;
  /** Clock for `recorded_at`; defaults to the process clock. */
  now?: Date;
}

export interface AppendResult {
  /** The stream's version after the append: the next expected version. */
  nextExpectedVersion: number;
  lastPosition: LogPosition;
  events: { eventId: string; streamVersion: number; hash: string; globalPosition: number }[];
}

export interface ReadAllOptions {
  after?: LogPosition;
  limit?: number;
  /** Only streams of these types (the stream id's prefix before the first `-`). */
  streamTypes?: readonly string[];
  client?: Queryable;
  /** Open sealed personal fields (projections); the relay publishes them sealed. */
  decrypt?: boolean;
}

export interface EventStoreOptions {
  pool: pg.Pool;
  cipher?: PersonalDataCipher;
  /** When set, appends NOTIFY this channel so readers in other processes wake early. */
  notifyChannel?: string;
  /** Told of every append that reached the database (metrics). */
  onAppend?: (streamType: string, events: number) => void;
  /**
   * Appends made outside a transaction in the same turn of the event loop share one statement and
   * one commit (default true); false gives every append its own.
   */
  coalesceAppends?: boolean;
}

interface EventRow {
  global_position: string;
  transaction_id: string;
  stream_id: string;
  stream_type: string;
  stream_version: number;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
  prev_hash: string;
  hash: string;
}

// transaction_id is selected as text (xid8 has no JS type); ORDER BY must name events.transaction_id,
// or it would sort by that text output column ('10' before '9') instead of the xid8 order.
const EVENT_COLUMNS = `global_position, transaction_id::text AS transaction_id, stream_id, stream_type, stream_version,
  event_id, event_type, schema_version, data, metadata, recorded_at, prev_hash, hash`;

const ANY = -1;
const STREAM_EXISTS = -2;

/** The stream type is the id's prefix: `referral-<uuid>` is of type `referral`. */
export function streamTypeOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash > 0 ? streamId.slice(0, dash) : streamId;
}

export class PostgresEventStore {
  readonly pool: pg.Pool;
  readonly #cipher: PersonalDataCipher | undefined;
  readonly #notifyChannel: string | undefined;
  readonly #onAppend: ((streamType: string, events: number) => void) | undefined;
  readonly #appended = new EventEmitter();
  /** Stream types appended inside a caller's transaction, by connection, until it commits. */
  readonly #uncommitted = new WeakMap<object, Set<string>>();
  /** Reads of whole streams outside a transaction, coalesced per turn of the event loop. */
  readonly #streamReads: StreamReads<EventRow>;
  /** Appends outside a transaction, coalesced per turn of the event loop. */
  readonly #appends: CoalescedAppends | undefined;

  constructor(options: EventStoreOptions) {
    this.pool = options.pool;
    this.#streamReads = new StreamReads(options.pool, EVENT_COLUMNS);
    this.#cipher = options.cipher;
    this.#notifyChannel = options.notifyChannel;
    this.#appends =
      options.coalesceAppends === false
        ? undefined
        : new CoalescedAppends(options.pool, options.notifyChannel);
    this.#onAppend = options.onAppend;
    this.#appended.setMaxListeners(100);
  }

  get cipher(): PersonalDataCipher | undefined {
    return this.#cipher;
  }

  /** In-process wake-up for readers after an append (polling remains the correctness path). */
  onAppended(listener: (streamType: string) => void): () => void {
    this.#appended.on('appended', listener);
    return () => this.#appended.off('appended', listener);
  }

  async append(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (events.length === 0) throw new RangeError('append needs at least one event');
    const expected = options.expectedVersion ?? 'any';
    const attempts = expected === 'any' && !options.client ? 5 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#appendOnce(streamId, events, expected, options);
      } catch (error) {
        if (!(error instanceof StreamVersionConflictError) || attempt >= attempts) throw error;
      }
    }
  }

  async #appendOnce(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedVersion,
    options: AppendOptions,
  ): Promise<AppendResult> {
    const recordedAt = (options.now ?? new Date()).toISOString();
    const ids: string[] = [];
    const canonicalEvents: string[] = [];
    // The events of one command usually share one metadata object: canonicalise it once.
    let lastMetadata: EventMetadata | undefined;
    let lastCanonicalMetadata = '';
    for (const event of events) {
      const eventId = event.eventId ?? randomUUID();
      const schemaVersion = event.schemaVersion ?? 1;
      let body: unknown = event.data;
      if (event.personal) {
        if (!this.#cipher)
          throw new Error(`event ${event.type} has personal fields but the store has no cipher`);
        body = await this.#cipher.seal(event.data as object, event.personal);
      }
      if (event.metadata === undefined || event.metadata !== lastMetadata) {
        lastMetadata = event.metadata;
        lastCanonicalMetadata = canonicalJson(event.metadata ?? {});
      }
      const canonicalMetadata = lastCanonicalMetadata;
      // The canonical text is both what the chain hashes and what the row stores (es_append parses
      // it), so what verify() recomputes from the row is exactly what was hashed.
      ids.push(eventId);
      canonicalEvents.push(
        canonicalEventFromParts({
          eventId,
          streamId,
          type: event.type,
          schemaVersion,
          canonicalData: canonicalJson(body),
          canonicalMetadata,
          recordedAt,
        }),
      );
    }
    const request: AppendRequest = {
      streamId,
      streamType: streamTypeOf(streamId),
      expected: expectedToNumber(expected),
      // Canonical JSON never contains a raw newline: it separates the events.
      canonicalEvents: canonicalEvents.join('\n'),
      recordedAt,
    };
    let rows: AppendedRow[];
    try {
      rows = options.client
        ? await appendOne(options.client, request, this.#notifyChannel)
        : this.#appends
          ? await this.#appends.append(request)
          : await appendOne(this.pool, request, this.#notifyChannel);
    } catch (error) {
      throw translateAppendError(error, streamId, expected);
    }
    const last = rows[rows.length - 1]!;
    this.#onAppend?.(streamTypeOf(streamId), rows.length);
    if (!options.client) this.#appended.emit('appended', streamTypeOf(streamId));
    else {
      const types = this.#uncommitted.get(options.client) ?? new Set<string>();
      types.add(streamTypeOf(streamId));
      this.#uncommitted.set(options.client, types);
    }
    return {
      nextExpectedVersion: last.stream_version,
      lastPosition: { transactionId: last.transaction_id, globalPosition: Number(last.global_position) },
      events: rows.map((row, index) => ({
        eventId: ids[index]!,
        streamVersion: row.stream_version,
        hash: row.hash,
        globalPosition: Number(row.global_position),
      })),
    };
  }

  /**
   * Wakes this process's readers when another process appends (the appending store must be
   * configured with the same `notifyChannel`). Polling remains the correctness path: a lost
   * connection only delays readers until their next poll.
   */
  async listen(connectionString: string): Promise<() => Promise<void>> {
    if (!this.#notifyChannel) throw new Error('listen() needs the store to be created with a notifyChannel');
    const channel = this.#notifyChannel;
    const client = new pg.Client({ connectionString });
    client.on('notification', (message) => this.#appended.emit('appended', message.payload ?? '*'));
    client.on('error', () => undefined);
    await client.connect();
    await client.query(`LISTEN ${quoteIdent(channel)}`);
    return async () => {
      await client.end().catch(() => undefined);
    };
  }

  /** Lets readers know about an append made inside a caller's transaction, once it has committed. */
  notifyCommitted(streamType: string): void {
    this.#appended.emit('appended', streamType);
  }

  /**
   * Wakes the readers of the stream types appended on a connection since its last commit (call it
   * after the commit, before the connection goes back to the pool). Nothing appended, no wake-up.
   */
  notifyCommittedOn(client: object): void {
    const types = this.#uncommitted.get(client);
    if (!types) return;
    this.#uncommitted.delete(client);
    for (const type of types) this.#appended.emit('appended', type);
  }

  async readStream<T = unknown>(
    streamId: string,
    options: { fromVersion?: number; client?: Queryable; decrypt?: boolean } = {},
  ): Promise<RecordedEvent<T>[]> {
    const fromVersion = options.fromVersion ?? 0;
    const rows = options.client
      ? await readOneStream<EventRow>(options.client, EVENT_COLUMNS, streamId, fromVersion)
      : await this.#streamReads.read(streamId, fromVersion);
    return this.#toEvents<T>(rows, options.decrypt ?? true);
  }

  /** Folds a stream into state; version 0 means the stream does not exist. */
  async aggregateStream<S, E = unknown>(
    streamId: string,
    evolve: (state: S, event: RecordedEvent<E>) => S,
    initial: S,
    options: { client?: Queryable } = {},
  ): Promise<{ state: S; version: number }> {
    const events = await this.readStream<E>(streamId, options);
    let state = initial;
    for (const event of events) state = evolve(state, event);
    return { state, version: events.at(-1)?.streamVersion ?? 0 };
  }

  /**
   * Reads the global log after a position, in (transaction_id, global_position) order, and only
   * below the read horizon (es_read_horizon: the oldest transaction still in progress in this
   * database): everything returned is final, and nothing that commits later can sort before it.
   */
  async readAll<T = unknown>(options: ReadAllOptions = {}): Promise<RecordedEvent<T>[]> {
    return this.#readAll<T>(options, '(SELECT es_read_horizon())');
  }

  /**
   * readAll of some stream types, and how far the log was examined: when fewer than `limit` events
   * matched, every event up to `scannedTo` (the last one below the horizon, of any type) has been
   * looked at, so a reader can move its position there instead of scanning the other types'
   * events again on every poll. The horizon is taken once, so both answers describe the same,
   * final part of the log (no transaction can later commit an event below it).
   */
  async readAllOfTypes<T = unknown>(
    options: ReadAllOptions & { streamTypes: readonly string[] },
  ): Promise<{ events: RecordedEvent<T>[]; scannedTo: LogPosition | undefined }> {
    const client = options.client ?? this.pool;
    const { rows } = await client.query<{ xmin: string }>('SELECT es_read_horizon()::text AS xmin');
    const horizon = rows[0]!.xmin;
    const events = await this.#readAll<T>({ ...options, client }, `'${BigInt(horizon)}'::xid8`);
    if (events.length >= (options.limit ?? 1000)) return { events, scannedTo: undefined };
    const after = options.after ?? START_OF_LOG;
    const { rows: head } = await client.query<{ transaction_id: string; global_position: string }>(
      `SELECT transaction_id::text AS transaction_id, global_position FROM events
        WHERE transaction_id < $1::xid8 AND (transaction_id, global_position) > ($2::xid8, $3::bigint)
        ORDER BY events.transaction_id DESC, events.global_position DESC
        LIMIT 1`,
      [horizon, after.transactionId, after.globalPosition],
    );
    const last = head[0];
    return {
      events,
      scannedTo: last
        ? { transactionId: last.transaction_id, globalPosition: Number(last.global_position) }
        : undefined,
    };
  }

  async #readAll<T>(options: ReadAllOptions, horizon: string): Promise<RecordedEvent<T>[]> {
    const after = options.after ?? START_OF_LOG;
    const params: unknown[] = [after.transactionId, after.globalPosition, options.limit ?? 1000];
    let typeFilter = '';
    if (options.streamTypes && options.streamTypes.length > 0) {
      params.push(options.streamTypes);
      typeFilter = 'AND stream_type = ANY($4::text[])';
    }
    const { rows } = await (options.client ?? this.pool).query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
          AND transaction_id < ${horizon}
          ${typeFilter}
        ORDER BY events.transaction_id, events.global_position
        LIMIT $3`,
      params,
    );
    return this.#toEvents<T>(rows, options.decrypt ?? false);
  }

  /**
   * Whether readAll after this position (of these stream types) would return anything now: one
   * cheap statement, no transaction, for readers that poll.
   */
  async hasEventsAfter(after: LogPosition, streamTypes?: readonly string[]): Promise<boolean> {
    const params: unknown[] = [after.transactionId, after.globalPosition];
    let typeFilter = '';
    if (streamTypes && streamTypes.length > 0) {
      params.push(streamTypes);
      typeFilter = 'AND stream_type = ANY($3::text[])';
    }
    const { rows } = await this.pool.query<{ found: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM events
                       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
                         AND transaction_id < (SELECT es_read_horizon())
                         ${typeFilter}) AS found`,
      params,
    );
    return rows[0]?.found === true;
  }

  /** The last position readers can see now, and how many committed events wait behind the horizon. */
  async horizon(
    client?: Queryable,
  ): Promise<{ head: LogPosition; pendingBehindHorizon: number; oldestOpenSeconds: number }> {
    const { rows } = await (client ?? this.pool).query<{
      transaction_id: string | null;
      global_position: string | null;
      pending: string;
      oldest: number | null;
    }>(
      `WITH h AS (SELECT es_read_horizon() AS xmin)
       SELECT (SELECT transaction_id::text FROM events, h WHERE transaction_id < h.xmin
                ORDER BY events.transaction_id DESC, events.global_position DESC LIMIT 1) AS transaction_id,
              (SELECT global_position FROM events, h WHERE transaction_id < h.xmin
                ORDER BY events.transaction_id DESC, events.global_position DESC LIMIT 1) AS global_position,
              (SELECT count(*) FROM events, h WHERE transaction_id >= h.xmin) AS pending,
              (SELECT extract(epoch FROM now() - min(xact_start))::float8 FROM pg_stat_activity
                WHERE backend_xid IS NOT NULL AND datname = current_database()) AS oldest`,
    );
    const row = rows[0]!;
    return {
      head: row.transaction_id
        ? { transactionId: row.transaction_id, globalPosition: Number(row.global_position) }
        : START_OF_LOG,
      pendingBehindHorizon: Number(row.pending),
      oldestOpenSeconds: row.oldest ?? 0,
    };
  }

  /** Recomputes a stream's hash chain from the stored rows (ciphertext included, as written). */
  async verifyStream(streamId: string, client?: Queryable): Promise<ChainVerification> {
    const raw = await this.readStream(streamId, { decrypt: false, ...(client ? { client } : {}) });
    return verifyChain(
      raw.map((event) => ({
        position: event.streamVersion,
        prevHash: event.prevHash,
        hash: event.hash,
        canonical: canonicalEvent({
          eventId: event.eventId,
          streamId: event.streamId,
          type: event.type,
          schemaVersion: event.schemaVersion,
          data: event.data,
          metadata: event.metadata,
          recordedAt: event.recordedAt.toISOString(),
        }),
      })),
    );
  }

  async #toEvents<T>(rows: EventRow[], decrypt: boolean): Promise<RecordedEvent<T>[]> {
    const events: RecordedEvent<T>[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const data = decrypt && this.#cipher ? await this.#cipher.open(row.data) : row.data;
      events[i] = {
        globalPosition: Number(row.global_position),
        transactionId: row.transaction_id,
        streamId: row.stream_id,
        streamType: row.stream_type,
        streamVersion: row.stream_version,
        eventId: row.event_id,
        type: row.event_type,
        schemaVersion: row.schema_version,
        data: data as T,
        metadata: row.metadata,
        recordedAt: row.recorded_at,
        prevHash: row.prev_hash,
        hash: row.hash,
      };
    }
    return events;
  }
}

function expectedToNumber(expected: ExpectedVersion): number {
  if (expected === 'any') return ANY;
  if (expected === 'no-stream') return 0;
  if (expected === 'stream-exists') return STREAM_EXISTS;
  if (!Number.isInteger(expected) || expected < 0)
    throw new RangeError(`invalid expected version ${expected}`);
  return expected;
}

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
}

function translateAppendError(error: unknown, streamId: string, expected: ExpectedVersion): unknown {
  const pgError = error as PgError;
  const description: ExpectedVersionDescription = expected;
  if (pgError.code === 'ES409') {
    const actual = Number(pgError.detail);
    return new StreamVersionConflictError(
      streamId,
      description,
      Number.isFinite(actual) ? actual : undefined,
      error,
    );
  }
  if (pgError.code === '23505' && pgError.constraint === 'events_pkey') {
    return new StreamVersionConflictError(streamId, description, undefined, error);
  }
  if (pgError.code === '23505' && pgError.constraint === 'events_event_id_key') {
    return new DuplicateEventError(error);
  }
  if (pgError.code === 'ES403') {
    return new EventStoreError('APPEND_ONLY_VIOLATION', 'the event log is append-only', { cause: error });
  }
  return error;
}
