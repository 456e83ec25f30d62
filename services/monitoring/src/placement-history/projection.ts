// Read models fed by the children's histories: the list of children with a history, the placements
// (who lived where, when) and the statutory notices about them. One pass over each batch: rows are
// loaded once, every event folded in memory, and each table written in one statement.
import type { RecordedEvent } from '@placements/event-store';
import type pg from 'pg';
import { evolveNoticeRow, NOTICE_EVENTS, type NoticeRow, noticesTable } from '../analytics/notice-row.ts';
import {
  evolvePlacementRow,
  PLACEMENT_EVENTS,
  type PlacementRow,
  placementsTable,
} from '../placements/placement-row.ts';
import { type KeyedTable, loadRows, saveRows } from '../read-models/keyed-rows.ts';
import { childOfStream } from './history-entry.ts';

export interface ChildRow {
  stream_id: string;
  placing_la: string;
  child_ref: string;
  entries: number;
  first_recorded_at: string;
  last_recorded_at: string;
}

export const childrenTable: KeyedTable = {
  name: 'monitoring_children',
  key: 'stream_id',
  keyType: 'text',
  columns: ['stream_id', 'placing_la', 'child_ref', 'entries', 'first_recorded_at', 'last_recorded_at'],
};

export function evolveChildRow(row: ChildRow | undefined, event: RecordedEvent): ChildRow {
  const child = childOfStream(event.streamId)!;
  const at = event.recordedAt.toISOString();
  return {
    stream_id: event.streamId,
    placing_la: child.placingLa,
    child_ref: child.childRef,
    entries: Math.max(row?.entries ?? 0, event.streamVersion),
    first_recorded_at: row ? row.first_recorded_at : at,
    last_recorded_at: at,
  };
}

function keyOf(event: RecordedEvent, field: string): string {
  return String((event.data as Record<string, unknown>)[field]);
}

export async function applyHistoryEvents(
  events: readonly RecordedEvent[],
  client: pg.PoolClient,
): Promise<void> {
  const history = events.filter((event) => childOfStream(event.streamId));
  if (history.length === 0) return;
  const placementEvents = history.filter((event) => PLACEMENT_EVENTS.has(event.type));
  const noticeEvents = history.filter((event) => NOTICE_EVENTS.has(event.type));

  // One connection runs one query at a time: the loads go one after the other.
  const children = await loadRows<ChildRow>(
    client,
    childrenTable,
    history.map((event) => event.streamId),
  );
  const placements = await loadRows<PlacementRow>(
    client,
    placementsTable,
    placementEvents.map((event) => keyOf(event, 'placementId')),
  );
  const notices = await loadRows<NoticeRow>(
    client,
    noticesTable,
    noticeEvents.map((event) => keyOf(event, 'notificationId')),
  );
  for (const event of history)
    children.set(event.streamId, evolveChildRow(children.get(event.streamId), event));
  const touchedPlacements = new Set<string>();
  for (const event of placementEvents) {
    const key = keyOf(event, 'placementId');
    placements.set(key, evolvePlacementRow(placements.get(key), event.type, event.data));
    touchedPlacements.add(key);
  }
  const touchedNotices = new Set<string>();
  for (const event of noticeEvents) {
    const key = keyOf(event, 'notificationId');
    notices.set(key, evolveNoticeRow(notices.get(key), event.type, event.data));
    touchedNotices.add(key);
  }
  await saveRows(client, childrenTable, children.values());
  await saveRows(
    client,
    placementsTable,
    [...touchedPlacements].map((key) => placements.get(key)!),
  );
  await saveRows(
    client,
    noticesTable,
    [...touchedNotices].map((key) => notices.get(key)!),
  );
}

export async function resetHistoryReadModels(client: pg.PoolClient): Promise<void> {
  await client.query('DELETE FROM monitoring_children');
  await client.query('DELETE FROM monitoring_placements');
  await client.query('DELETE FROM monitoring_notices');
}
