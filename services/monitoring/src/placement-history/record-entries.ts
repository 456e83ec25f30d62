// Writing entries into children's histories (and received home events into home streams) inside the
// caller's transaction. Entries whose id is already in the log are skipped first, so a redelivered or
// replayed source event adds nothing; a concurrent writer that wins the race makes the append fail
// and the caller's transaction retry.
import { type IntegrationEventName, todayInEngland } from '@placements/contracts';
import type { NewEvent, PostgresEventStore, Queryable } from '@placements/event-store';
import type pg from 'pg';
import { type ChildKey, type EntrySource, historyEntry, historyStreamId } from './history-entry.ts';

export async function recordEntries(
  store: PostgresEventStore,
  client: Queryable,
  streamId: string,
  entries: readonly NewEvent[],
  now: Date,
): Promise<number> {
  if (entries.length === 0) return 0;
  const { rows } = await client.query<{ event_id: string }>(
    'SELECT event_id::text AS event_id FROM events WHERE event_id = ANY($1::uuid[])',
    [entries.map((entry) => entry.eventId)],
  );
  const present = new Set(rows.map((row) => row.event_id));
  const fresh = entries.filter((entry) => !present.has(entry.eventId!));
  if (fresh.length === 0) return 0;
  await store.append(streamId, fresh, { client, expectedVersion: 'any', now });
  return fresh.length;
}

/** One of this service's own recorded events, as read back from its stream (sealed fields kept sealed). */
export interface OwnEvent {
  eventId: string;
  type: IntegrationEventName;
  data: unknown;
  recordedAt: Date;
  traceparent?: string | undefined;
}

export function ownEventSource(event: OwnEvent): EntrySource {
  return {
    id: event.eventId,
    source: '/monitoring',
    type: `uk.placements.monitoring.${event.type}.v1`,
    time: event.recordedAt.toISOString(),
    traceparent: event.traceparent,
  };
}

/** Records one of this service's events in the histories of the children it concerns. */
export async function recordOwnEventInHistories(
  store: PostgresEventStore,
  client: Queryable,
  event: OwnEvent,
  children: readonly ChildKey[],
  now: Date,
): Promise<void> {
  const seen = new Set<string>();
  for (const child of children) {
    const streamId = historyStreamId(child);
    if (seen.has(streamId)) continue;
    seen.add(streamId);
    await recordEntries(
      store,
      client,
      streamId,
      [historyEntry(child, event.type, event.data, ownEventSource(event))],
      now,
    );
  }
}

/**
 * Children placed at a home on a day: started on or before it, not ended before it (a child who
 * moves out that day was still there).
 */
export async function childrenAtHome(
  client: Queryable,
  urn: string,
  day: string,
): Promise<{ placementId: string; placingLa: string; childRef: string }[]> {
  const { rows } = await client.query<{ placement_id: string; placing_la: string; child_ref: string }>(
    `SELECT placement_id::text AS placement_id, placing_la, child_ref FROM monitoring_placements
      WHERE home_urn = $1 AND start_date IS NOT NULL AND start_date <= $2::date
        AND (end_date IS NULL OR end_date >= $2::date)
      ORDER BY placement_id`,
    [urn, day],
  );
  return rows.map((row) => ({
    placementId: row.placement_id,
    placingLa: row.placing_la,
    childRef: row.child_ref,
  }));
}

/**
 * When a child's placement starts, the Reg 44 visits and serious events already recorded at the home
 * since the start date belong in the child's history too (the start may be recorded after them).
 */
export async function backfillOversight(
  store: PostgresEventStore,
  client: pg.PoolClient,
  child: ChildKey,
  urn: string,
  startDate: string,
  endDate: string | null,
  now: Date,
): Promise<void> {
  const { rows } = await client.query<{ event_id: string }>(
    `SELECT event_id::text AS event_id FROM reg44_visits
      WHERE urn = $1 AND visit_date >= $2::date AND ($3::date IS NULL OR visit_date <= $3::date)
     UNION ALL
     SELECT event_id::text FROM serious_events
      WHERE urn = $1 AND (occurred_at AT TIME ZONE 'Europe/London')::date >= $2::date
        AND ($3::date IS NULL OR (occurred_at AT TIME ZONE 'Europe/London')::date <= $3::date)`,
    [urn, startDate, endDate],
  );
  if (rows.length === 0) return;
  const streamId = historyStreamId(child);
  const missing = rows.map((row) => row.event_id).filter((id) => id);
  const { rows: events } = await client.query<{
    event_id: string;
    event_type: IntegrationEventName;
    data: unknown;
    recorded_at: Date;
    metadata: { traceparent?: string };
  }>(
    `SELECT event_id::text AS event_id, event_type, data, recorded_at, metadata FROM events
      WHERE event_id = ANY($1::uuid[]) ORDER BY transaction_id, global_position`,
    [missing],
  );
  const entries = events.map((event) =>
    historyEntry(
      child,
      event.event_type,
      event.data,
      ownEventSource({
        eventId: event.event_id,
        type: event.event_type,
        data: event.data,
        recordedAt: event.recorded_at,
        traceparent: event.metadata.traceparent,
      }),
    ),
  );
  await recordEntries(store, client, streamId, entries, now);
}

/** The day an instant falls on in England. */
export function englandDay(instant: string): string {
  return todayInEngland(new Date(instant));
}
