// Placements by child (table `placements`), replayable from the placement streams: a placing LA
// lists a child's placements, a provider the placements at its homes.
import type { RecordedEvent } from '@placements/event-store';
import type pg from 'pg';
import type { MatchingHost } from '../config.ts';
import type { PlacementEvent } from './placement.ts';

export function registerPlacementsProjection(host: MatchingHost): void {
  host.projection({
    name: 'placements',
    streamTypes: ['placement'],
    handle: applyPlacementEvents,
    reset: async (client) => {
      await client.query('DELETE FROM placements');
    },
  });
}

export async function applyPlacementEvents(events: RecordedEvent[], client: pg.PoolClient): Promise<void> {
  for (const recorded of events) {
    const event = recorded as unknown as PlacementEvent;
    const at = recorded.recordedAt;
    switch (event.type) {
      case 'PlacementProposed': {
        const d = event.data;
        await client.query(
          `INSERT INTO placements (id, referral_id, offer_id, placing_la, child_ref, home_urn, provider_id, host_la,
                                   status, out_of_area, at_distance, over_20_miles, distance_miles, required_approval,
                                   emergency, planned_start, previous_placement_id, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
           ON CONFLICT (id) DO NOTHING`,
          [
            d.placementId,
            d.referralId,
            d.offerId,
            d.placingLa,
            d.childRef,
            d.homeUrn,
            d.providerId,
            d.hostLa,
            d.requiredApproval === null ? 'approved' : 'awaiting-approval',
            d.outOfArea,
            d.atDistance,
            d.over20Miles,
            d.distanceMiles,
            d.requiredApproval,
            d.emergency,
            d.plannedStart,
            d.previousPlacementId,
            at,
          ],
        );
        break;
      }
      case 'PlacementApprovalRecorded':
        // After an emergency start the placement stays active; before it, the decision sets the status.
        await client.query(
          `UPDATE placements SET status = CASE WHEN status IN ('active', 'ended') THEN status ELSE $2 END,
                  updated_at = $3 WHERE id = $1`,
          [event.data.placementId, event.data.decision === 'approved' ? 'approved' : 'rejected', at],
        );
        break;
      case 'PlacementStarted':
        await client.query(
          `UPDATE placements SET status = 'active', start_date = $2, approval_missing = $3, updated_at = $4 WHERE id = $1`,
          [event.data.placementId, event.data.startDate, event.data.approvalMissing, at],
        );
        break;
      case 'PlacementEnded':
        await client.query(
          `UPDATE placements SET status = 'ended', end_date = $2, reason_ended = $3, next_placement_id = $4,
                  updated_at = $5 WHERE id = $1`,
          [
            event.data.placementId,
            event.data.endDate,
            event.data.reasonEnded,
            event.data.nextPlacementId,
            at,
          ],
        );
        break;
      default:
        break;
    }
  }
}
