// Lapsed reservations: an accepted offer whose place was not turned into a started placement by
// its reservationExpiresAt expires (OfferExpired) and its place is released, in one transaction.
// The read model only suggests which offers to look at; each decision is taken from the offer's
// and the home's streams, so a run repeated (after a restart, or by two instances) changes nothing.
import type { EventMetadata } from '@placements/event-store';
import type { MatchingHost } from '../config.ts';
import { appendAll, runCommand } from '../event-log.ts';
import { decide as decideHome, evolve as evolveHome, homeStreamId, initialHomeState } from '../homes/home.ts';
import { decide, evolve, initialOfferState, offerStreamId } from './offer.ts';

const LAPSE_BATCH = 500;

const scheduleMetadata: EventMetadata = { actor: { sub: 'matching.reservation-lapse', org: 'matching' } };

export function registerReservationLapse(host: MatchingHost): void {
  host.schedule({
    name: 'reservation-lapse',
    everyMs: host.config.RESERVATION_LAPSE_CHECK_INTERVAL_MS,
    run: async (now) => {
      const expired = await expireLapsedReservations(host, now);
      if (expired > 0) host.logger.info({ expired }, 'lapsed reservations released');
    },
  });
}

/** Expires every reservation due by `now`; returns how many offers expired. */
export async function expireLapsedReservations(host: MatchingHost, now: Date): Promise<number> {
  const { rows } = await host.pool.query<{ id: string }>(
    `SELECT id FROM offers
      WHERE status = 'accepted' AND NOT place_occupied AND reservation_expires_at <= $1
      ORDER BY reservation_expires_at, id LIMIT $2`,
    [now, LAPSE_BATCH],
  );
  let expired = 0;
  for (const { id } of rows) {
    const done = await runCommand(host, async (client) => {
      const offer = await host.store.aggregateStream(offerStreamId(id), evolve, initialOfferState, {
        client,
      });
      const ref = offer.state.ref;
      if (!ref) return false;
      const home = await host.store.aggregateStream(homeStreamId(ref.homeUrn), evolveHome, initialHomeState, {
        client,
      });
      // A place already occupied by the started placement has nothing left to lapse.
      if (!home.state.reservations[id]) return false;
      const offerEvents = decide({ type: 'ExpireOffer' }, offer.state, { now });
      if (offerEvents.length === 0) return false;
      const homeEvents = decideHome({ type: 'ReleasePlace', offerId: id, reason: 'expired' }, home.state, {
        now,
      });
      await appendAll(
        host.store,
        client,
        [
          { streamId: offerStreamId(id), expectedVersion: offer.version, events: offerEvents },
          { streamId: homeStreamId(ref.homeUrn), expectedVersion: home.version, events: homeEvents },
        ],
        { ...scheduleMetadata, correlationId: `lapse:${id}` },
        now,
      );
      return true;
    });
    if (done) expired++;
  }
  return expired;
}
