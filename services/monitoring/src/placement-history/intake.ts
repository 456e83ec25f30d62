// Intake of the other services' events. Home events go into `home-<urn>` streams (so the homes read
// model can be rebuilt from this service's own log); referral, placement and notification events
// about a child go into the child's history, in arrival order. Offers, shortlists and failed delivery
// attempts are not part of a child's history and are not kept. Runs inside the consumer's inbox
// transaction: the entry and the inbox row commit together.
import { parseIntegrationEvent, topics } from '@placements/contracts';
import type { IncomingEvent } from '@placements/messaging';
import type pg from 'pg';
import type { Service } from '../app.ts';
import {
  type ChildKey,
  childNamedBy,
  childOfStream,
  type EntrySource,
  entryEventId,
  HOME_EVENTS,
  historyEntry,
  historyStreamId,
  homeStreamId,
  isHistoryEvent,
  occurredAtOf,
} from './history-entry.ts';
import { backfillOversight, recordEntries } from './record-entries.ts';

export const INTAKE_TOPICS = [topics.referral, topics.matching, topics.notification] as const;

/** The child of a placement: from the read model, else from the histories themselves (it may lag). */
async function childOfPlacement(client: pg.PoolClient, placementId: unknown): Promise<ChildKey | undefined> {
  if (typeof placementId !== 'string') return undefined;
  const { rows } = await client.query<{ placing_la: string; child_ref: string }>(
    'SELECT placing_la, child_ref FROM monitoring_placements WHERE placement_id = $1::uuid',
    [placementId],
  );
  if (rows[0]) return { placingLa: rows[0].placing_la, childRef: rows[0].child_ref };
  const { rows: entries } = await client.query<{ stream_id: string }>(
    `SELECT stream_id FROM events
      WHERE (data->>'placementId') = $1 AND stream_type = 'history'
        AND event_type IN ('PlacementProposed', 'PlacementStarted')
      LIMIT 1`,
    [placementId],
  );
  return entries[0] ? childOfStream(entries[0].stream_id) : undefined;
}

export async function recordIntegrationEvent(
  host: Service,
  message: IncomingEvent,
  client: pg.PoolClient,
): Promise<void> {
  const event = parseIntegrationEvent(message.type, message.data);
  const now = host.clock();
  const source: EntrySource = {
    id: message.id,
    source: message.source,
    type: message.type,
    time: message.time,
    traceparent: message.traceparent,
  };
  if (HOME_EVENTS.has(event.name)) {
    const streamId = homeStreamId((event.data as { urn: string }).urn);
    await recordEntries(
      host.store,
      client,
      streamId,
      [
        {
          type: event.name,
          data: event.data,
          eventId: entryEventId(message.id, streamId),
          metadata: {
            source: source.source,
            sourceEventId: source.id,
            sourceType: source.type,
            occurredAt: occurredAtOf(event.name, event.data, source.time),
            causationId: source.id,
            ...(source.traceparent ? { traceparent: source.traceparent } : {}),
          },
        },
      ],
      now,
    );
    return;
  }
  if (!isHistoryEvent(event.name)) return;
  const data = event.data as { placementId?: string | null };
  const child = childNamedBy(event.data) ?? (await childOfPlacement(client, data.placementId));
  // A notice about a home rather than a child's placement (Reg 44 distribution) has no history.
  if (!child) return;
  await recordEntries(
    host.store,
    client,
    historyStreamId(child),
    [historyEntry(child, event.name, event.data, source)],
    now,
  );
  if (event.name === 'PlacementStarted') {
    await backfillOversight(host.store, client, child, event.data.homeUrn, event.data.startDate, null, now);
  }
}

/** The events the intake keeps: home events and those about a child's placement. */
export function readByHistoryIntake(name: string): boolean {
  return HOME_EVENTS.has(name) || isHistoryEvent(name);
}

export function registerHistoryIntake(host: Service): void {
  host.consume({
    name: 'history',
    topics: INTAKE_TOPICS,
    reads: readByHistoryIntake,
    handle: (message, client) => recordIntegrationEvent(host, message, client),
  });
}
