// Offers inbox (table `offers`), replayable from the offer streams, plus the home streams' place
// events that say whether an accepted offer's place has been occupied (so it can no longer lapse).
// Providers list the offers to their homes, placing LAs the offers for their referrals.
import type { RecordedEvent } from '@placements/event-store';
import type pg from 'pg';
import type { MatchingHost } from '../config.ts';
import type { HomeEvent } from '../homes/home.ts';
import type { OfferEvent } from './offer.ts';

export function registerOffersProjection(host: MatchingHost): void {
  host.projection({
    name: 'offers',
    streamTypes: ['offer', 'home'],
    handle: applyOfferEvents,
    reset: async (client) => {
      await client.query('DELETE FROM offers');
    },
  });
}

export async function applyOfferEvents(events: RecordedEvent[], client: pg.PoolClient): Promise<void> {
  for (const recorded of events) {
    const event = recorded as unknown as (OfferEvent | HomeEvent) & { recordedAt: Date };
    const at = recorded.recordedAt;
    switch (event.type) {
      case 'OfferSent': {
        const d = event.data;
        await client.query(
          `INSERT INTO offers (id, referral_id, placing_la, child_ref, home_urn, provider_id, status, sent_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'sent', $7, $8) ON CONFLICT (id) DO NOTHING`,
          [d.offerId, d.referralId, d.placingLa, d.childRef, d.homeUrn, d.providerId, d.sentAt, at],
        );
        break;
      }
      case 'OfferAccepted': {
        const d = event.data;
        await client.query(
          `UPDATE offers SET status = 'accepted', accepted_at = $2, weekly_fee = $3, earliest_start = $4,
                  reservation_expires_at = $5, updated_at = $6 WHERE id = $1`,
          [d.offerId, d.acceptedAt, d.weeklyFee, d.earliestStart, d.reservationExpiresAt, at],
        );
        break;
      }
      case 'OfferDeclined':
        await client.query(
          `UPDATE offers SET status = 'declined', decline_reason = $2, closed_at = $3, updated_at = $3 WHERE id = $1`,
          [event.data.offerId, event.data.reason, at],
        );
        break;
      case 'OfferWithdrawn':
      case 'OfferExpired':
        await client.query(`UPDATE offers SET status = $2, closed_at = $3, updated_at = $3 WHERE id = $1`, [
          event.data.offerId,
          event.type === 'OfferWithdrawn' ? 'withdrawn' : 'expired',
          at,
        ]);
        break;
      case 'OfferTakenUp':
        await client.query('UPDATE offers SET placement_id = $2, updated_at = $3 WHERE id = $1', [
          event.data.offerId,
          event.data.placementId,
          at,
        ]);
        break;
      case 'PlaceOccupied':
        await client.query('UPDATE offers SET place_occupied = true, updated_at = $2 WHERE id = $1', [
          event.data.offerId,
          at,
        ]);
        break;
      default:
        break;
    }
  }
}
