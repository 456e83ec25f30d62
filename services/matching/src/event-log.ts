// How matching writes to its event log. A command may touch several streams (an accept appends to
// the offer and to the home; a move to two placements and two homes): they are appended in ONE
// transaction, each with the version it was read at, so a concurrent writer on any of them makes
// the whole command retry from a fresh read. That is what keeps places from being overbooked.
// Integration events are checked against the catalogue's strict schemas before they are written,
// and personal fields are sealed with the child's key.
import { integrationEvents, isIntegrationEventName, subjectIdFor } from '@placements/contracts';
import {
  type EventMetadata,
  type NewEvent,
  type PostgresEventStore,
  StreamVersionConflictError,
  withTransaction,
} from '@placements/event-store';
import type pg from 'pg';

export interface DomainEvent {
  type: string;
  data: object;
}

export interface StreamAppend {
  streamId: string;
  /** The version the stream was read at; 0 when it did not exist. */
  expectedVersion: number;
  events: readonly DomainEvent[];
}

export function toNewEvent(event: DomainEvent, metadata: EventMetadata): NewEvent {
  if (!isIntegrationEventName(event.type)) return { type: event.type, data: event.data, metadata };
  const definition = integrationEvents[event.type];
  // A strict schema violation here is a bug in this service, not bad input: fail before writing.
  const data = definition.schema.parse(event.data) as Record<string, unknown>;
  // The catalogue marks the child's fields and the free text people write about the child.
  const fields = definition.personal.filter((field) => data[field] !== undefined);
  if (fields.length === 0) return { type: event.type, data, metadata };
  return {
    type: event.type,
    data,
    metadata,
    personal: { subjectId: subjectIdFor(String(data.placingLa), String(data.childRef)), fields },
  };
}

/**
 * Appends to every stream inside the caller's transaction. Streams are written in id order so two
 * commands touching the same streams always lock them in the same order (no deadlock).
 */
export async function appendAll(
  store: PostgresEventStore,
  client: pg.PoolClient,
  appends: readonly StreamAppend[],
  metadata: EventMetadata,
  now: Date,
): Promise<void> {
  const merged = new Map<string, StreamAppend>();
  for (const append of appends) {
    if (append.events.length === 0) continue;
    const existing = merged.get(append.streamId);
    merged.set(
      append.streamId,
      existing ? { ...existing, events: [...existing.events, ...append.events] } : append,
    );
  }
  for (const streamId of [...merged.keys()].sort()) {
    const { expectedVersion, events } = merged.get(streamId)!;
    await store.append(
      streamId,
      events.map((event) => toNewEvent(event, metadata)),
      { client, expectedVersion: expectedVersion === 0 ? 'no-stream' : expectedVersion, now },
    );
  }
}

export interface CommandRunner {
  pool: pg.Pool;
  store: PostgresEventStore;
}

/** Postgres aborts one side of a deadlock or serialization failure; both are safe to retry. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);

/**
 * Runs read–decide–append in a transaction, retrying from a fresh read when another writer got
 * there first. After the retries a conflict surfaces (409 concurrent-update), never a 500.
 */
export async function runCommand<T>(
  runner: CommandRunner,
  work: (client: pg.PoolClient) => Promise<T>,
  attempts = 8,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTransaction(runner.pool, work, {
        afterCommit: (client) => runner.store.notifyCommittedOn(client),
      });
    } catch (error) {
      const retryable =
        error instanceof StreamVersionConflictError ||
        RETRYABLE_SQLSTATES.has((error as { code?: string }).code ?? '');
      if (!retryable || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.floor(Math.random() * 8 * attempt)));
    }
  }
}

interface TrackedStream {
  state: unknown;
  version: number;
  evolve: (state: unknown, event: DomainEvent) => unknown;
  events: DomainEvent[];
}

/**
 * The streams one command reads and writes, inside one transaction. A stream read twice (a move
 * within the same home) is read once and its new events are folded in before the second decision,
 * so both decisions see each other; commit appends everything with the versions first read.
 */
export class UnitOfWork {
  readonly #store: PostgresEventStore;
  readonly #client: pg.PoolClient;
  readonly #streams = new Map<string, TrackedStream>();

  constructor(store: PostgresEventStore, client: pg.PoolClient) {
    this.#store = store;
    this.#client = client;
  }

  async load<S>(
    streamId: string,
    evolve: (state: S, event: { type: string; data: unknown }) => S,
    initial: S,
  ): Promise<S> {
    const tracked = this.#streams.get(streamId);
    if (tracked) return tracked.state as S;
    const { state, version } = await this.#store.aggregateStream(streamId, evolve, initial, {
      client: this.#client,
    });
    this.#streams.set(streamId, {
      state,
      version,
      evolve: evolve as TrackedStream['evolve'],
      events: [],
    });
    return state;
  }

  /** Records new events on a loaded stream and returns its state after them. */
  record<S>(streamId: string, events: readonly DomainEvent[]): S {
    const tracked = this.#streams.get(streamId);
    if (!tracked) throw new Error(`stream ${streamId} must be loaded before events are recorded on it`);
    for (const event of events) {
      tracked.state = tracked.evolve(tracked.state, event);
      tracked.events.push(event);
    }
    return tracked.state as S;
  }

  /** The version a stream will be at after commit. */
  versionOf(streamId: string): number {
    const tracked = this.#streams.get(streamId);
    return tracked ? tracked.version + tracked.events.length : 0;
  }

  async commit(metadata: EventMetadata, now: Date): Promise<void> {
    await appendAll(
      this.#store,
      this.#client,
      [...this.#streams.entries()].map(([streamId, tracked]) => ({
        streamId,
        expectedVersion: tracked.version,
        events: tracked.events,
      })),
      metadata,
      now,
    );
  }
}
