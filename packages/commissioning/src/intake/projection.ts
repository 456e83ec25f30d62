// The commissioning read models, projected from the `commissioning-*` fact streams. Every write is
// an upsert that tolerates facts arriving in any order across topics (a placement can be seen
// before its referral); within one aggregate the topics keep order. `reset` empties every table
// so host.rebuildProjections() replays them from the log.
import { type Intensity, regionOf } from '@placements/contracts';
import type { RecordedEvent } from '@placements/event-store';
import type { ProjectionDefinition } from '@placements/service-kit';
import type pg from 'pg';
import { needBandOf, needProfileOf } from '../needs/profile.ts';
import { intensityRanks } from '../policy.ts';
import { FACT_STREAM_TYPE, type Fact, subjectHash } from './facts.ts';

export const READ_MODEL_TABLES = [
  'commissioning_referrals',
  'commissioning_shortlists',
  'commissioning_homes',
  'commissioning_offers',
  'commissioning_placements',
  'commissioning_notices',
  'commissioning_reg44_visits',
  'commissioning_reg44_overdue',
  'commissioning_erasures',
] as const;

/** Tables that name a child by the LA's child id. */
const CHILD_TABLES = [
  'commissioning_referrals',
  'commissioning_offers',
  'commissioning_placements',
  'commissioning_notices',
];

async function applyFact(fact: Fact, client: pg.PoolClient): Promise<void> {
  switch (fact.type) {
    case 'commissioning.ReferralRecorded': {
      const d = fact.data;
      await client.query(
        `INSERT INTO commissioning_referrals (referral_id, placing_la, child_ref, age_band, sex, urgency, needs,
           need_profile, need_band, referral_version, submitted_at, submitted_on, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, 'submitted')
         ON CONFLICT (referral_id) DO UPDATE SET age_band = EXCLUDED.age_band, sex = EXCLUDED.sex,
           submitted_at = EXCLUDED.submitted_at, submitted_on = EXCLUDED.submitted_on`,
        [
          d.referralId,
          d.placingLa,
          d.childRef,
          d.ageBand,
          d.sex,
          d.requirements.urgency,
          JSON.stringify(d.needs),
          needProfileOf(d.needs),
          needBandOf(d.needs),
          d.submittedAt,
          d.submittedOn,
        ],
      );
      return;
    }
    case 'commissioning.ReferralNeedsChanged': {
      const d = fact.data;
      await client.query(
        `UPDATE commissioning_referrals SET needs = $2, urgency = $3, need_profile = $4, need_band = $5,
           referral_version = $6
         WHERE referral_id = $1 AND referral_version < $6`,
        [
          d.referralId,
          JSON.stringify(d.needs),
          d.requirements.urgency,
          needProfileOf(d.needs),
          needBandOf(d.needs),
          d.referralVersion,
        ],
      );
      return;
    }
    case 'commissioning.ReferralClosed':
      await client.query(
        `UPDATE commissioning_referrals SET status = $2, status_changed_at = $3
         WHERE referral_id = $1 AND status = 'submitted'`,
        [fact.data.referralId, fact.data.status, fact.data.at],
      );
      return;
    case 'commissioning.HomeProfileRecorded': {
      const d = fact.data;
      const needsMet: Record<string, number> = {};
      for (const need of d.needsMet)
        needsMet[need.domain] = intensityRanks[need.maxIntensity as Intensity] ?? 0;
      await client.query(
        `INSERT INTO commissioning_homes (urn, name, provider_id, provider_name, parent_group, sector, la, region, lat,
           lon, registered_places, age_min, age_max, sexes, single_placement, needs_met, weekly_fee, contract_route,
           admissions_open, registered_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
         ON CONFLICT (urn) DO UPDATE SET name = EXCLUDED.name, provider_id = EXCLUDED.provider_id,
           provider_name = EXCLUDED.provider_name, parent_group = EXCLUDED.parent_group, sector = EXCLUDED.sector,
           la = EXCLUDED.la, region = EXCLUDED.region, lat = EXCLUDED.lat, lon = EXCLUDED.lon,
           registered_places = EXCLUDED.registered_places, age_min = EXCLUDED.age_min, age_max = EXCLUDED.age_max,
           sexes = EXCLUDED.sexes, single_placement = EXCLUDED.single_placement, needs_met = EXCLUDED.needs_met,
           weekly_fee = EXCLUDED.weekly_fee, contract_route = EXCLUDED.contract_route,
           admissions_open = EXCLUDED.admissions_open`,
        [
          d.urn,
          d.name,
          d.providerId,
          d.providerName,
          d.parentGroup,
          d.sector,
          d.la,
          regionOf(d.la)?.code ?? null,
          d.location.lat,
          d.location.lon,
          d.registeredPlaces,
          d.ageRange.min,
          d.ageRange.max,
          d.sexes,
          d.singlePlacement,
          JSON.stringify(needsMet),
          d.weeklyFee,
          d.contractRoute,
          d.admissionsOpen,
          d.at,
        ],
      );
      return;
    }
    case 'commissioning.HomeRegistrationRecorded':
      await client.query(
        'UPDATE commissioning_homes SET registration_status = $2, admissions_restricted = $3 WHERE urn = $1',
        [fact.data.urn, fact.data.status, fact.data.admissionsRestricted],
      );
      return;
    case 'commissioning.HomeInspectionRecorded':
      await client.query(
        `UPDATE commissioning_homes SET ofsted_judgement = $2, ofsted_date = $3
         WHERE urn = $1 AND (ofsted_date IS NULL OR ofsted_date <= $3)`,
        [fact.data.urn, fact.data.judgement, fact.data.date],
      );
      return;
    case 'commissioning.ShortlistRecorded': {
      const d = fact.data;
      await client.query(
        `INSERT INTO commissioning_shortlists (referral_id, referral_version, placing_la, generated_at, homes_considered,
           candidate_count, in_area_candidates, nearest_candidate_miles, exclusion_counts, nearest_excluded)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (referral_id) DO UPDATE SET referral_version = EXCLUDED.referral_version,
           generated_at = EXCLUDED.generated_at, homes_considered = EXCLUDED.homes_considered,
           candidate_count = EXCLUDED.candidate_count, in_area_candidates = EXCLUDED.in_area_candidates,
           nearest_candidate_miles = EXCLUDED.nearest_candidate_miles, exclusion_counts = EXCLUDED.exclusion_counts,
           nearest_excluded = EXCLUDED.nearest_excluded
         WHERE commissioning_shortlists.referral_version <= EXCLUDED.referral_version`,
        [
          d.referralId,
          d.referralVersion,
          d.placingLa,
          d.generatedAt,
          d.homesConsidered,
          d.candidateCount,
          d.inAreaCandidates,
          d.nearestCandidateMiles,
          JSON.stringify(d.exclusionCounts),
          JSON.stringify(d.nearestExcluded),
        ],
      );
      return;
    }
    case 'commissioning.OfferRecorded': {
      const d = fact.data;
      const sent = d.status === 'sent';
      await client.query(
        `INSERT INTO commissioning_offers (offer_id, referral_id, placing_la, child_ref, home_urn, provider_id, status,
           sent_at, responded_at, decline_reason, weekly_fee)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (offer_id) DO UPDATE SET
           status = CASE WHEN $12::boolean THEN commissioning_offers.status ELSE EXCLUDED.status END,
           sent_at = COALESCE(commissioning_offers.sent_at, EXCLUDED.sent_at),
           responded_at = COALESCE(EXCLUDED.responded_at, commissioning_offers.responded_at),
           decline_reason = COALESCE(EXCLUDED.decline_reason, commissioning_offers.decline_reason),
           weekly_fee = COALESCE(EXCLUDED.weekly_fee, commissioning_offers.weekly_fee)`,
        [
          d.offerId,
          d.referralId,
          d.placingLa,
          d.childRef,
          d.homeUrn,
          d.providerId,
          d.status,
          sent ? d.at : null,
          d.status === 'accepted' || d.status === 'declined' ? d.at : null,
          d.declineReason ?? null,
          d.weeklyFee ?? null,
          sent,
        ],
      );
      return;
    }
    case 'commissioning.PlacementProposalRecorded': {
      const d = fact.data;
      await client.query(
        `INSERT INTO commissioning_placements (placement_id, referral_id, offer_id, placing_la, child_ref, home_urn,
           provider_id, host_la, out_of_area, at_distance, distance_miles, over_20_miles, emergency, required_approval,
           planned_start, previous_placement_id, place_change_reason, weekly_fee, status, proposed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
         ON CONFLICT (placement_id) DO UPDATE SET offer_id = EXCLUDED.offer_id,
           distance_miles = EXCLUDED.distance_miles, over_20_miles = EXCLUDED.over_20_miles,
           emergency = COALESCE(commissioning_placements.emergency, EXCLUDED.emergency),
           required_approval = EXCLUDED.required_approval, planned_start = EXCLUDED.planned_start,
           previous_placement_id = COALESCE(commissioning_placements.previous_placement_id, EXCLUDED.previous_placement_id),
           place_change_reason = COALESCE(commissioning_placements.place_change_reason, EXCLUDED.place_change_reason),
           weekly_fee = EXCLUDED.weekly_fee, proposed_at = EXCLUDED.proposed_at`,
        [
          d.placementId,
          d.referralId,
          d.offerId,
          d.placingLa,
          d.childRef,
          d.homeUrn,
          d.providerId,
          d.hostLa,
          d.outOfArea,
          d.atDistance,
          d.distanceMiles,
          d.over20Miles,
          d.emergency,
          d.requiredApproval,
          d.plannedStart,
          d.previousPlacementId,
          d.placeChangeReason,
          d.weeklyFee,
          d.requiredApproval ? 'awaiting-approval' : 'approved',
          d.proposedAt,
        ],
      );
      return;
    }
    case 'commissioning.PlacementApprovalDecided':
      await client.query(
        `UPDATE commissioning_placements SET status = $2
         WHERE placement_id = $1 AND status IN ('awaiting-approval', 'approved', 'rejected')`,
        [fact.data.placementId, fact.data.decision],
      );
      return;
    case 'commissioning.PlacementStartRecorded': {
      const d = fact.data;
      await client.query(
        `INSERT INTO commissioning_placements (placement_id, referral_id, placing_la, child_ref, home_urn, provider_id,
           host_la, out_of_area, at_distance, emergency, required_approval, approval_missing, start_date,
           previous_placement_id, place_change_reason, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'active')
         ON CONFLICT (placement_id) DO UPDATE SET start_date = EXCLUDED.start_date, emergency = EXCLUDED.emergency,
           approval_missing = EXCLUDED.approval_missing, previous_placement_id = EXCLUDED.previous_placement_id,
           place_change_reason = EXCLUDED.place_change_reason,
           status = CASE WHEN commissioning_placements.status = 'ended' THEN 'ended' ELSE 'active' END`,
        [
          d.placementId,
          d.referralId,
          d.placingLa,
          d.childRef,
          d.homeUrn,
          d.providerId,
          d.hostLa,
          d.outOfArea,
          d.atDistance,
          d.emergency,
          d.requiredApproval,
          d.approvalMissing,
          d.startDate,
          d.previousPlacementId,
          d.placeChangeReason,
        ],
      );
      return;
    }
    case 'commissioning.PlacementEndRecorded': {
      const d = fact.data;
      await client.query(
        `INSERT INTO commissioning_placements (placement_id, referral_id, placing_la, child_ref, home_urn, provider_id,
           host_la, out_of_area, at_distance, end_date, reason_ended, next_placement_id, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'ended')
         ON CONFLICT (placement_id) DO UPDATE SET end_date = EXCLUDED.end_date, reason_ended = EXCLUDED.reason_ended,
           next_placement_id = EXCLUDED.next_placement_id, status = 'ended'`,
        [
          d.placementId,
          d.referralId,
          d.placingLa,
          d.childRef,
          d.homeUrn,
          d.providerId,
          d.hostLa,
          d.outOfArea,
          d.atDistance,
          d.endDate,
          d.reasonEnded,
          d.nextPlacementId,
        ],
      );
      return;
    }
    case 'commissioning.NoticeRecorded': {
      const d = fact.data;
      await client.query(
        `INSERT INTO commissioning_notices (notification_id, kind, recipient_org, placement_id, placing_la, child_ref,
           host_la, home_urn, due_by, placement_start, raised_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (notification_id) DO UPDATE SET kind = EXCLUDED.kind, recipient_org = EXCLUDED.recipient_org,
           placement_id = EXCLUDED.placement_id, placing_la = EXCLUDED.placing_la, child_ref = EXCLUDED.child_ref,
           host_la = EXCLUDED.host_la, home_urn = EXCLUDED.home_urn, due_by = EXCLUDED.due_by,
           placement_start = EXCLUDED.placement_start, raised_at = EXCLUDED.raised_at`,
        [
          d.notificationId,
          d.kind,
          d.recipientOrg,
          d.placementId,
          d.placingLa,
          d.childRef,
          d.hostLa,
          d.homeUrn,
          d.dueBy,
          d.placementStart,
          d.raisedAt,
        ],
      );
      return;
    }
    case 'commissioning.NoticeProgressRecorded': {
      const d = fact.data;
      // A progress fact seen before its notice still leaves a row, completed when the notice arrives.
      const column = { delivered: 'delivered_at', acknowledged: 'acknowledged_at', overdue: 'overdue_at' }[
        d.step
      ];
      await client.query(
        `INSERT INTO commissioning_notices (notification_id, kind, recipient_org, ${column}, sent_before_start)
         VALUES ($1, 'unknown', 'unknown', $2, $3)
         ON CONFLICT (notification_id) DO UPDATE SET
           ${column} = COALESCE(commissioning_notices.${column}, EXCLUDED.${column}),
           sent_before_start = COALESCE(EXCLUDED.sent_before_start, commissioning_notices.sent_before_start)`,
        [d.notificationId, d.at, d.sentBeforeStart ?? null],
      );
      return;
    }
    case 'commissioning.Reg44VisitRecorded': {
      const d = fact.data;
      await client.query(
        `INSERT INTO commissioning_reg44_visits (visit_id, urn, provider_id, visit_date, children_safeguarded,
           wellbeing_promoted, report_date)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (visit_id) DO NOTHING`,
        [
          d.visitId,
          d.urn,
          d.providerId,
          d.visitDate,
          d.childrenSafeguarded,
          d.wellbeingPromoted,
          d.reportDate,
        ],
      );
      return;
    }
    case 'commissioning.SubjectErasureRecorded': {
      const d = fact.data;
      await client.query(
        `INSERT INTO commissioning_erasures (subject_hash, pseudonym, erased_at) VALUES ($1, $2, $3)
         ON CONFLICT (subject_hash) DO NOTHING`,
        [d.subjectHash, d.pseudonym, d.erasedAt],
      );
      for (const table of CHILD_TABLES) {
        await client.query(
          `UPDATE ${table} SET child_ref = $2
            WHERE placing_la IS NOT NULL AND child_ref IS NOT NULL
              AND encode(sha256(convert_to('child:' || placing_la || ':' || child_ref, 'UTF8')), 'hex') = $1`,
          [d.subjectHash, d.pseudonym],
        );
      }
      return;
    }
    case 'commissioning.Reg44OverdueRecorded':
      await client.query(
        `INSERT INTO commissioning_reg44_overdue (urn, month, provider_id, detected_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (urn, month) DO NOTHING`,
        [fact.data.urn, fact.data.month, fact.data.providerId, fact.data.detectedAt],
      );
      return;
  }
}

export async function applyFacts(events: RecordedEvent[], client: pg.PoolClient): Promise<void> {
  // A fact about a child already erased is projected under the pseudonym, never the child id.
  const { rows } = await client.query<{ subject_hash: string; pseudonym: string }>(
    'SELECT subject_hash, pseudonym FROM commissioning_erasures',
  );
  const erased = new Map(rows.map((row) => [row.subject_hash, row.pseudonym]));
  for (const event of events) {
    if (event.streamType !== FACT_STREAM_TYPE) continue;
    let fact = { type: event.type, data: event.data } as Fact;
    if (fact.type === 'commissioning.SubjectErasureRecorded')
      erased.set(fact.data.subjectHash, fact.data.pseudonym);
    const named = fact.data as { placingLa?: string | null; childRef?: string | null };
    if (erased.size > 0 && named.placingLa && named.childRef) {
      const pseudonym = erased.get(subjectHash(named.placingLa, named.childRef));
      if (pseudonym) fact = { ...fact, data: { ...fact.data, childRef: pseudonym } } as Fact;
    }
    await applyFact(fact, client);
  }
}

export const commissioningProjection: ProjectionDefinition = {
  name: 'commissioning',
  streamTypes: [FACT_STREAM_TYPE],
  batchSize: 2_000,
  handle: applyFacts,
  reset: async (client) => {
    // DELETE, not TRUNCATE: the service role holds DML only.
    for (const table of READ_MODEL_TABLES) await client.query(`DELETE FROM ${table}`);
  },
};
