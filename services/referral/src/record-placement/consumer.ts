// Consumes placements.matching.v1: when matching reports PlacementStarted, the referral it came
// from is marked placed (ReferralPlaced), which releases the child for a future referral, in the
// same transaction as the consumer's inbox row, so a redelivered message changes nothing. Every
// other matching event is ignored here.
import {
  eventNameFromCloudEventType,
  InvalidIntegrationEventError,
  parseIntegrationEvent,
  topics,
} from '@placements/contracts';
import { ProblemError, type ServiceHost } from '@placements/service-kit';
import { decide, type ReferralEvent } from '../referral/referral.ts';
import { loadReferral, referralStreamId, toStoredEvents } from '../referral/referral-stream.ts';

export const PLACEMENT_CONSUMER = 'placements';

export function registerPlacementConsumer(host: ServiceHost): void {
  host.consume({
    name: PLACEMENT_CONSUMER,
    topics: [topics.matching],
    reads: ['PlacementStarted'],
    handle: async (message, client) => {
      if (eventNameFromCloudEventType(message.type) !== 'PlacementStarted') return;
      const event = parseIntegrationEvent(message.type, message.data);
      if (event.name !== 'PlacementStarted') return;
      const placement = event.data;
      const { state, version } = await loadReferral(host.store, placement.referralId, { client });
      let events: ReferralEvent[];
      try {
        events = decide(
          {
            type: 'RecordPlacement',
            data: {
              referralId: placement.referralId,
              placingLa: placement.placingLa,
              childRef: placement.childRef,
              placementId: placement.placementId,
              homeUrn: placement.homeUrn,
              startDate: placement.startDate,
              startedAt: placement.startedAt,
            },
          },
          state,
          { now: host.clock() },
        );
      } catch (error) {
        // Retrying cannot make a contradictory placement fit: park it on the dead-letter topic.
        if (error instanceof ProblemError)
          throw new InvalidIntegrationEventError(error.detail ?? error.title);
        throw error;
      }
      if (events.length === 0) return;
      const metadata = {
        causationId: message.id,
        correlationId: message.id,
        actor: { sub: message.source, org: 'platform' },
        ...(message.traceparent ? { traceparent: message.traceparent } : {}),
      };
      await host.store.append(referralStreamId(placement.referralId), toStoredEvents(events, metadata), {
        client,
        expectedVersion: version,
        now: host.clock(),
      });
    },
  });
}
