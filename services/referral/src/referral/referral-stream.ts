// Where a referral lives in the event store: its stream id, loading it into state, and turning
// decided events into stored ones (catalogue schema checked, personal fields sealed with the
// child's key so erasure is one key deletion).
import { integrationEvents, subjectIdFor } from '@placements/contracts';
import type { EventMetadata, NewEvent, PostgresEventStore, Queryable } from '@placements/event-store';
import { evolve, initialReferralState, type ReferralEvent, type ReferralState } from './referral.ts';

export const REFERRAL_STREAM_TYPE = 'referral';

export function referralStreamId(referralId: string): string {
  return `${REFERRAL_STREAM_TYPE}-${referralId}`;
}

/** The referral folded from its stream, personal fields opened (or erased markers); version 0 when absent. */
export async function loadReferral(
  store: PostgresEventStore,
  referralId: string,
  options: { client?: Queryable } = {},
): Promise<{ state: ReferralState; version: number }> {
  return store.aggregateStream(referralStreamId(referralId), evolve, initialReferralState, options);
}

/**
 * The stored form of decided events. Data is checked against the catalogue schema here, so a
 * defect can never put an event on the log that consumers would reject.
 */
export function toStoredEvents(events: readonly ReferralEvent[], metadata: EventMetadata): NewEvent[] {
  return events.map((event) => {
    const definition = integrationEvents[event.type];
    const data = definition.schema.parse(event.data);
    const personalFields = definition.personal;
    return {
      type: event.type,
      data,
      metadata,
      ...(personalFields.length > 0
        ? {
            personal: {
              subjectId: subjectIdFor(event.data.placingLa, event.data.childRef),
              fields: personalFields,
            },
          }
        : {}),
    };
  });
}
