// The intake consumer: other services' integration events become commissioning facts appended to
// this service's own log, inside the consumer's inbox transaction (the fact and the inbox row
// commit together). The read models are projections of those facts, so they can be rebuilt from
// the log at any time without Kafka. A fact's event id is derived from the message's CloudEvents
// source and id, so the same message replayed under a new consumer group records nothing twice.
import { createHash } from 'node:crypto';
import {
  eventNameFromCloudEventType,
  type IntegrationEventName,
  InvalidIntegrationEventError,
  type ParsedIntegrationEvent,
  parseIntegrationEvent,
  topics,
} from '@placements/contracts';
import type { PostgresEventStore, RecordedEvent } from '@placements/event-store';
import type { IncomingEvent } from '@placements/messaging';
import type pg from 'pg';
import { erasureFact, FACT_STREAM_TYPE, factOf } from './facts.ts';
import { applyFacts } from './projection.ts';

export const INTAKE_TOPICS = [
  topics.referral,
  topics.matching,
  topics.notification,
  topics.monitoring,
] as const;

/** Integration events that carry something commissioning keeps; the rest are acknowledged and skipped. */
export const USED_EVENTS: ReadonlySet<IntegrationEventName> = new Set<IntegrationEventName>([
  'ReferralSubmitted',
  'ReferralNeedsUpdated',
  'ReferralWithdrawn',
  'ReferralPlaced',
  'HomeRegistered',
  'HomeProfileUpdated',
  'HomeRegistrationChanged',
  'HomeInspected',
  'ShortlistProduced',
  'OfferSent',
  'OfferAccepted',
  'OfferDeclined',
  'OfferWithdrawn',
  'OfferExpired',
  'PlacementProposed',
  'PlacementApprovalRecorded',
  'PlacementStarted',
  'PlacementEnded',
  'NotificationRaised',
  'NotificationDelivered',
  'NotificationAcknowledged',
  'NotificationOverdue',
  'Reg44VisitRecorded',
  'Reg44VisitOverdue',
]);

export interface MessageSource {
  /** CloudEvents `source` of the message (`/referral`, `/matching`...). */
  source: string;
  /** CloudEvents `id`. */
  id: string;
  traceparent?: string | undefined;
}

/** A name-based UUID (version 8, RFC 9562) for the fact recorded from one message. */
export function factEventId(message: Pick<MessageSource, 'source' | 'id'>): string {
  const hex = createHash('sha256')
    .update(`commissioning-fact\n${message.source}\n${message.id}`)
    .digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Records the fact of one integration event in the caller's transaction. Returns false when the
 * event carries nothing commissioning keeps or the fact is already recorded.
 */
export async function recordFact(
  store: PostgresEventStore,
  client: pg.PoolClient,
  event: ParsedIntegrationEvent,
  message: MessageSource,
  now: Date,
): Promise<boolean> {
  const streamed = factOf(event);
  if (!streamed) return false;
  const eventId = factEventId(message);
  const seen = await client.query('SELECT 1 FROM events WHERE event_id = $1', [eventId]);
  if ((seen.rowCount ?? 0) > 0) return false;
  await store.append(
    streamed.streamId,
    [
      {
        type: streamed.fact.type,
        data: streamed.fact.data,
        eventId,
        metadata: {
          causationId: message.id,
          source: message.source,
          sourceEventType: event.name,
          ...(message.traceparent ? { traceparent: message.traceparent } : {}),
        },
      },
    ],
    // Several partitions may write to one referral's stream at once; the loser retries.
    { client, expectedVersion: 'any', now },
  );
  return true;
}

/** The consumer handler: validates the message against the catalogue, then records its fact. */
export function intakeHandler(store: PostgresEventStore, clock: () => Date) {
  return async (message: IncomingEvent, client: pg.PoolClient): Promise<void> => {
    const name = eventNameFromCloudEventType(message.type);
    if (!name) throw new InvalidIntegrationEventError(`unknown event type ${message.type}`);
    if (!USED_EVENTS.has(name)) return;
    const event = parseIntegrationEvent(message.type, message.data);
    await recordFact(store, client, event, message, clock());
  };
}

/** What commissioning needs of SubjectErased (the erasure command's event on placements.subject.v1). */
export interface Erasure {
  erasureId: string;
  subjectId: string;
  erasedAt: string;
}

/**
 * Removes an erased child from the read models, in the transaction of the host's erasure consumer:
 * the erasure is recorded as a fact (so a rebuild from the log erases again) and projected at once.
 * The child's referrals, offers, placements and notices keep their counts under a pseudonym.
 */
export async function recordErasure(
  store: PostgresEventStore,
  client: pg.PoolClient,
  erasure: Erasure,
  now: Date,
): Promise<void> {
  const streamed = erasureFact(erasure);
  const eventId = factEventId({ source: '/referral', id: `erasure:${erasure.erasureId}` });
  const seen = await client.query('SELECT 1 FROM events WHERE event_id = $1', [eventId]);
  if ((seen.rowCount ?? 0) > 0) return;
  await store.append(streamed.streamId, [{ type: streamed.fact.type, data: streamed.fact.data, eventId }], {
    client,
    expectedVersion: 'any',
    now,
  });
  await applyFacts(
    [{ streamType: FACT_STREAM_TYPE, type: streamed.fact.type, data: streamed.fact.data } as RecordedEvent],
    client,
  );
}
