// The homes read model, folded from the home events this service received (`home-<urn>` streams).
import type { RecordedEvent } from '@placements/event-store';
import type pg from 'pg';
import { HOME_STREAM_TYPE } from '../placement-history/history-entry.ts';
import { loadRows, saveRows } from '../read-models/keyed-rows.ts';
import { evolveHomeRow, type HomeRow, homesTable } from './home-row.ts';

export async function applyHomeEvents(
  events: readonly RecordedEvent[],
  client: pg.PoolClient,
): Promise<void> {
  const homeEvents = events.filter((event) => event.streamType === HOME_STREAM_TYPE);
  if (homeEvents.length === 0) return;
  const urnOf = (event: RecordedEvent) => (event.data as { urn: string }).urn;
  const homes = await loadRows<HomeRow>(client, homesTable, homeEvents.map(urnOf));
  for (const event of homeEvents)
    homes.set(urnOf(event), evolveHomeRow(homes.get(urnOf(event)), event.type, event.data));
  await saveRows(client, homesTable, homes.values());
}

export async function resetHomes(client: pg.PoolClient): Promise<void> {
  await client.query('DELETE FROM monitoring_homes');
}
