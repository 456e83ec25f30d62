// What a placement history entry is. A child's history is one stream of this service's event store,
// `history-<placingLa>-<childRef>`; each entry is an event whose type is the source integration event's
// name and whose data is the source event's data (personal fields sealed with the child's key), with
// where it came from in the metadata. The entry's id is derived from the source event's id and the
// stream, so a redelivered or replayed event collides with the unique event id instead of adding a copy.
import { createHash } from 'node:crypto';
import {
  type IntegrationEventName,
  integrationEvents,
  isIntegrationEventName,
  subjectIdFor,
} from '@placements/contracts';
import type { EventMetadata, NewEvent } from '@placements/event-store';

export const HISTORY_STREAM_TYPE = 'history';
export const HOME_STREAM_TYPE = 'home';

export interface ChildKey {
  placingLa: string;
  childRef: string;
}

export function historyStreamId(child: ChildKey): string {
  return `${HISTORY_STREAM_TYPE}-${child.placingLa}-${child.childRef}`;
}

/** The child of a history stream id (LA codes contain no dash, child refs are letters and digits). */
export function childOfStream(streamId: string): ChildKey | undefined {
  const match = /^history-(E\d{8})-([A-Za-z0-9]{1,10})$/.exec(streamId);
  return match ? { placingLa: match[1]!, childRef: match[2]! } : undefined;
}

export function homeStreamId(urn: string): string {
  return `${HOME_STREAM_TYPE}-${urn}`;
}

/** Fixed namespace of this service's name-based entry ids. */
const ENTRY_NAMESPACE = '6c1f7a52-4b1e-5d3a-9f0e-2a8c4d6b7e91';

/**
 * A name-based UUID in the manner of RFC 9562 version 5: SHA-1 over the namespace's 16 bytes and
 * the name, with the version and variant bits set. The same inputs always give the same id.
 */
export function nameBasedUuid(namespace: string, name: string): string {
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of the entry that records source event `sourceEventId` in stream `streamId`. */
export function entryEventId(sourceEventId: string, streamId: string): string {
  return nameBasedUuid(ENTRY_NAMESPACE, `${streamId}\n${sourceEventId}`);
}

/** Integration events kept in a child's history, with the instant each says it happened. */
const OCCURRED_AT: Partial<Record<IntegrationEventName, string>> = {
  ReferralSubmitted: 'submittedAt',
  ReferralNeedsUpdated: 'updatedAt',
  ReferralWithdrawn: 'withdrawnAt',
  ReferralPlaced: 'placedAt',
  PlacementProposed: 'proposedAt',
  PlacementApprovalRecorded: 'recordedAt',
  PlacementStarted: 'startedAt',
  PlacementEnded: 'endedAt',
  NotificationRaised: 'raisedAt',
  NotificationDelivered: 'deliveredAt',
  NotificationAcknowledged: 'acknowledgedAt',
  NotificationOverdue: 'detectedAt',
  Reg44VisitRecorded: 'recordedAt',
  SeriousEventRecorded: 'recordedAt',
};

/** Events about a home that the service keeps (in `home-<urn>` streams) to know homes and providers. */
export const HOME_EVENTS: ReadonlySet<string> = new Set([
  'HomeRegistered',
  'HomeProfileUpdated',
  'HomeRegistrationChanged',
  'HomeInspected',
]);

export function isHistoryEvent(name: string): name is IntegrationEventName {
  return Object.hasOwn(OCCURRED_AT, name);
}

/** The instant the source event says it happened (its own timestamp field), else the envelope time. */
export function occurredAtOf(name: string, data: unknown, fallback: string): string {
  const field = isIntegrationEventName(name) ? OCCURRED_AT[name] : undefined;
  const value = field ? (data as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? new Date(value).toISOString() : new Date(fallback).toISOString();
}

/** The child an event names directly (placement, referral and most notification events do). */
export function childNamedBy(data: unknown): ChildKey | undefined {
  const { placingLa, childRef } = data as { placingLa?: unknown; childRef?: unknown };
  return typeof placingLa === 'string' && typeof childRef === 'string' ? { placingLa, childRef } : undefined;
}

/** Where an entry came from: the CloudEvents attributes of the source event. */
export interface EntrySource {
  /** ce_id of the source event. */
  id: string;
  /** ce_source, e.g. `/matching`. */
  source: string;
  /** ce_type. */
  type: string;
  /** ce_time. */
  time: string;
  traceparent?: string | undefined;
}

export interface EntryMetadata extends EventMetadata {
  source: string;
  sourceEventId: string;
  sourceType: string;
  occurredAt: string;
}

/**
 * The entry for one source event in one child's history. Personal fields the catalogue marks are
 * sealed with that child's key when the data holds them in the clear (as a consumer receives them);
 * fields that arrive sealed (this service's own events read back from its log) are kept as they are.
 */
export function historyEntry(
  child: ChildKey,
  name: IntegrationEventName,
  data: unknown,
  source: EntrySource,
): NewEvent {
  const streamId = historyStreamId(child);
  const metadata: EntryMetadata = {
    source: source.source,
    sourceEventId: source.id,
    sourceType: source.type,
    occurredAt: occurredAtOf(name, data, source.time),
    causationId: source.id,
    ...(source.traceparent ? { traceparent: source.traceparent } : {}),
  };
  const personal = integrationEvents[name].personal;
  const named = childNamedBy(data);
  return {
    type: name,
    data,
    eventId: entryEventId(source.id, streamId),
    metadata,
    ...(personal.length > 0 && named
      ? { personal: { subjectId: subjectIdFor(named.placingLa, named.childRef), fields: personal } }
      : {}),
  };
}
