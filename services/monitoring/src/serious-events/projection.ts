// The serious events read model: one row per Reg 40 event recorded (seriousevent-<id> streams), the
// summary kept exactly as stored (sealed when a child is named) and opened only when answering.
import type { RecordedEvent } from '@placements/event-store';
import type pg from 'pg';
import { insertRows } from '../read-models/keyed-rows.ts';

export const SERIOUS_EVENT_STREAM_TYPE = 'seriousevent';

export function seriousEventStreamId(seriousEventId: string): string {
  return `${SERIOUS_EVENT_STREAM_TYPE}-${seriousEventId}`;
}

const seriousEvents = {
  name: 'serious_events',
  columns: [
    'serious_event_id',
    'event_id',
    'urn',
    'provider_id',
    'category',
    'occurred_at',
    'placement_id',
    'placing_la',
    'child_ref',
    'summary',
    'recorded_at',
  ],
};

export async function applySeriousEvents(
  events: readonly RecordedEvent[],
  client: pg.PoolClient,
): Promise<void> {
  const rows = events
    .filter(
      (event) => event.streamType === SERIOUS_EVENT_STREAM_TYPE && event.type === 'SeriousEventRecorded',
    )
    .map((event) => {
      const d = event.data as {
        seriousEventId: string;
        urn: string;
        providerId: string;
        category: string;
        occurredAt: string;
        placementId: string | null;
        placingLa: string | null;
        childRef: string | null;
        summary: unknown;
        recordedAt: string;
      };
      return {
        serious_event_id: d.seriousEventId,
        event_id: event.eventId,
        urn: d.urn,
        provider_id: d.providerId,
        category: d.category,
        occurred_at: d.occurredAt,
        placement_id: d.placementId,
        placing_la: d.placingLa,
        child_ref: d.childRef,
        summary: d.summary,
        recorded_at: d.recordedAt,
      };
    });
  await insertRows(client, seriousEvents, rows);
}

export async function resetSeriousEvents(client: pg.PoolClient): Promise<void> {
  await client.query('DELETE FROM serious_events');
}
