// Loading the commissioning read models into plain values for the (pure) analyses. Homes carry
// their occupancy on a date: occupied = placements live that day, reserved = accepted offers not
// yet turned into a started placement (and not withdrawn or expired).
import type { Intensity, Need, NeedDomain } from '@placements/contracts';
import type { Queryable } from '@placements/event-store';
import type { AgeBand, NeedProfile } from '../policy.ts';

export interface HomeRow {
  urn: string;
  name: string;
  providerId: string;
  providerName: string;
  /** The parent group, or the provider itself when it has none: the unit of market concentration. */
  group: string;
  sector: string;
  la: string;
  region: string | null;
  lat: number;
  lon: number;
  registeredPlaces: number;
  ageMin: number;
  ageMax: number;
  sexes: readonly string[];
  needsMet: Readonly<Partial<Record<NeedDomain, number>>>;
  weeklyFee: number;
  contractRoute: string;
  admitting: boolean;
  registrationStatus: string;
  ofstedJudgement: string | null;
  occupied: number;
  reserved: number;
}

/** Places a home could offer today: registered, admitting and not full. */
export function availablePlaces(home: HomeRow): number {
  if (!home.admitting) return 0;
  return Math.max(0, home.registeredPlaces - home.occupied - home.reserved);
}

export async function loadHomes(db: Queryable, onDate: string): Promise<HomeRow[]> {
  const { rows } = await db.query<{
    urn: string;
    name: string;
    provider_id: string;
    provider_name: string;
    parent_group: string | null;
    sector: string;
    la: string;
    region: string | null;
    lat: number;
    lon: number;
    registered_places: number;
    age_min: number;
    age_max: number;
    sexes: string[];
    needs_met: Record<string, number>;
    weekly_fee: string;
    contract_route: string;
    admissions_open: boolean;
    registration_status: string;
    admissions_restricted: boolean;
    ofsted_judgement: string | null;
    occupied: number;
    reserved: number;
  }>(
    // One pass over placements and offers each, joined to the homes (not a subquery per home).
    `WITH occupied AS (
       SELECT home_urn, count(*)::int AS n FROM commissioning_placements
        WHERE start_date <= $1::date AND (end_date IS NULL OR end_date > $1::date) GROUP BY home_urn),
     reserved AS (
       SELECT o.home_urn, count(*)::int AS n FROM commissioning_offers o
        WHERE o.status = 'accepted'
          AND NOT EXISTS (SELECT 1 FROM commissioning_placements p WHERE p.offer_id = o.offer_id AND p.start_date IS NOT NULL)
        GROUP BY o.home_urn)
     SELECT h.*, COALESCE(oc.n, 0) AS occupied, COALESCE(r.n, 0) AS reserved
       FROM commissioning_homes h
       LEFT JOIN occupied oc ON oc.home_urn = h.urn
       LEFT JOIN reserved r ON r.home_urn = h.urn
      WHERE h.registration_status <> 'cancelled'
      ORDER BY h.urn`,
    [onDate],
  );
  return rows.map((row) => ({
    urn: row.urn,
    name: row.name,
    providerId: row.provider_id,
    providerName: row.provider_name,
    group: row.parent_group ?? row.provider_name,
    sector: row.sector,
    la: row.la,
    region: row.region,
    lat: row.lat,
    lon: row.lon,
    registeredPlaces: row.registered_places,
    ageMin: row.age_min,
    ageMax: row.age_max,
    sexes: row.sexes,
    needsMet: row.needs_met as HomeRow['needsMet'],
    weeklyFee: Number(row.weekly_fee),
    contractRoute: row.contract_route,
    admitting: row.admissions_open && !row.admissions_restricted && row.registration_status === 'registered',
    registrationStatus: row.registration_status,
    ofstedJudgement: row.ofsted_judgement,
    occupied: row.occupied,
    reserved: row.reserved,
  }));
}

export interface ReferralRow {
  referralId: string;
  placingLa: string;
  childRef: string;
  ageBand: AgeBand;
  sex: string;
  urgency: 'planned' | 'emergency';
  needs: readonly Need[];
  needProfile: NeedProfile;
  needBand: Intensity;
  submittedOn: string;
  status: string;
}

/** Referrals submitted in the period by the given LAs (null: all). */
export async function loadReferrals(
  db: Queryable,
  period: { from: string; to: string },
  las: ReadonlySet<string> | readonly string[] | null,
): Promise<ReferralRow[]> {
  const { rows } = await db.query<{
    referral_id: string;
    placing_la: string;
    child_ref: string;
    age_band: AgeBand;
    sex: string;
    urgency: 'planned' | 'emergency';
    needs: Need[];
    need_profile: NeedProfile;
    need_band: Intensity;
    submitted_on: string;
    status: string;
  }>(
    `SELECT referral_id::text, placing_la, child_ref, age_band, sex, urgency, needs, need_profile, need_band,
            submitted_on::text AS submitted_on, status
       FROM commissioning_referrals
      WHERE submitted_on BETWEEN $1::date AND $2::date AND ($3::text[] IS NULL OR placing_la = ANY($3))
      ORDER BY submitted_on, referral_id`,
    [period.from, period.to, las === null ? null : [...las]],
  );
  return rows.map((row) => ({
    referralId: row.referral_id,
    placingLa: row.placing_la,
    childRef: row.child_ref,
    ageBand: row.age_band,
    sex: row.sex,
    urgency: row.urgency,
    needs: row.needs,
    needProfile: row.need_profile,
    needBand: row.need_band,
    submittedOn: row.submitted_on,
    status: row.status,
  }));
}

export interface PlacementRow {
  placementId: string;
  referralId: string;
  offerId: string | null;
  placingLa: string;
  childRef: string;
  homeUrn: string;
  providerId: string;
  hostLa: string;
  outOfArea: boolean;
  atDistance: boolean;
  distanceMiles: number | null;
  over20Miles: boolean | null;
  emergency: boolean | null;
  startDate: string | null;
  endDate: string | null;
  plannedStart: string | null;
  reasonEnded: string | null;
  previousPlacementId: string | null;
  placeChangeReason: string | null;
  /** The fee the provider accepted, else the fee on the proposal. */
  weeklyFee: number | null;
  status: string;
}

const PLACEMENT_COLUMNS = `p.placement_id::text AS placement_id, p.referral_id::text AS referral_id,
  p.offer_id::text AS offer_id, p.placing_la, p.child_ref, p.home_urn, p.provider_id, p.host_la, p.out_of_area,
  p.at_distance, p.distance_miles, p.over_20_miles, p.emergency, p.start_date::text AS start_date,
  p.end_date::text AS end_date, p.planned_start::text AS planned_start, p.reason_ended,
  p.previous_placement_id::text AS previous_placement_id, p.place_change_reason,
  COALESCE(o.weekly_fee, p.weekly_fee) AS weekly_fee, p.status`;

interface PlacementDbRow {
  placement_id: string;
  referral_id: string;
  offer_id: string | null;
  placing_la: string;
  child_ref: string;
  home_urn: string;
  provider_id: string;
  host_la: string;
  out_of_area: boolean;
  at_distance: boolean;
  distance_miles: string | null;
  over_20_miles: boolean | null;
  emergency: boolean | null;
  start_date: string | null;
  end_date: string | null;
  planned_start: string | null;
  reason_ended: string | null;
  previous_placement_id: string | null;
  place_change_reason: string | null;
  weekly_fee: string | null;
  status: string;
}

function placementRow(row: PlacementDbRow): PlacementRow {
  return {
    placementId: row.placement_id,
    referralId: row.referral_id,
    offerId: row.offer_id,
    placingLa: row.placing_la,
    childRef: row.child_ref,
    homeUrn: row.home_urn,
    providerId: row.provider_id,
    hostLa: row.host_la,
    outOfArea: row.out_of_area,
    atDistance: row.at_distance,
    distanceMiles: row.distance_miles === null ? null : Number(row.distance_miles),
    over20Miles: row.over_20_miles,
    emergency: row.emergency,
    startDate: row.start_date,
    endDate: row.end_date,
    plannedStart: row.planned_start,
    reasonEnded: row.reason_ended,
    previousPlacementId: row.previous_placement_id,
    placeChangeReason: row.place_change_reason,
    weeklyFee: row.weekly_fee === null ? null : Number(row.weekly_fee),
    status: row.status,
  };
}

/** Placements that started in the period (started: any start date within it), by the given LAs. */
export async function loadPlacementsStarted(
  db: Queryable,
  period: { from: string; to: string },
  las: ReadonlySet<string> | null,
): Promise<PlacementRow[]> {
  const { rows } = await db.query<PlacementDbRow>(
    `SELECT ${PLACEMENT_COLUMNS}
       FROM commissioning_placements p LEFT JOIN commissioning_offers o ON o.offer_id = p.offer_id
      WHERE p.start_date BETWEEN $1::date AND $2::date AND ($3::text[] IS NULL OR p.placing_la = ANY($3))
      ORDER BY p.start_date, p.placement_id`,
    [period.from, period.to, las === null ? null : [...las]],
  );
  return rows.map(placementRow);
}

/** Every placement (any status) matching a filter on the placing LA, host LA or child. */
export async function loadPlacements(
  db: Queryable,
  filter: { placingLas?: ReadonlySet<string> | null; hostLa?: string; childRef?: string },
): Promise<PlacementRow[]> {
  const { rows } = await db.query<PlacementDbRow>(
    `SELECT ${PLACEMENT_COLUMNS}
       FROM commissioning_placements p LEFT JOIN commissioning_offers o ON o.offer_id = p.offer_id
      WHERE ($1::text[] IS NULL OR p.placing_la = ANY($1))
        AND ($2::text IS NULL OR p.host_la = $2)
        AND ($3::text IS NULL OR p.child_ref = $3)
      ORDER BY COALESCE(p.start_date, p.planned_start), p.placement_id`,
    [
      filter.placingLas === undefined || filter.placingLas === null ? null : [...filter.placingLas],
      filter.hostLa ?? null,
      filter.childRef ?? null,
    ],
  );
  return rows.map(placementRow);
}

export interface ShortlistRow {
  referralId: string;
  candidateCount: number;
  inAreaCandidates: number;
  nearestCandidateMiles: number | null;
  exclusionCounts: Record<string, number>;
  nearestExcluded: { rules: string[]; distanceMiles: number | null }[];
}

export async function loadShortlists(
  db: Queryable,
  referralIds: readonly string[],
): Promise<Map<string, ShortlistRow>> {
  if (referralIds.length === 0) return new Map();
  const { rows } = await db.query<{
    referral_id: string;
    candidate_count: number;
    in_area_candidates: number;
    nearest_candidate_miles: string | null;
    exclusion_counts: Record<string, number>;
    nearest_excluded: { rules: string[]; distanceMiles: number | null }[];
  }>(
    `SELECT referral_id::text, candidate_count, in_area_candidates, nearest_candidate_miles, exclusion_counts,
            nearest_excluded
       FROM commissioning_shortlists WHERE referral_id = ANY($1::uuid[])`,
    [referralIds],
  );
  return new Map(
    rows.map((row) => [
      row.referral_id,
      {
        referralId: row.referral_id,
        candidateCount: row.candidate_count,
        inAreaCandidates: row.in_area_candidates,
        nearestCandidateMiles:
          row.nearest_candidate_miles === null ? null : Number(row.nearest_candidate_miles),
        exclusionCounts: row.exclusion_counts,
        nearestExcluded: row.nearest_excluded,
      },
    ]),
  );
}

/** Needs of referrals by id (for placements, whose needs are their referral's). */
export async function loadReferralNeeds(
  db: Queryable,
  referralIds: readonly string[],
): Promise<Map<string, { needs: Need[]; needBand: Intensity }>> {
  if (referralIds.length === 0) return new Map();
  const { rows } = await db.query<{ referral_id: string; needs: Need[]; need_band: Intensity }>(
    'SELECT referral_id::text, needs, need_band FROM commissioning_referrals WHERE referral_id = ANY($1::uuid[])',
    [referralIds],
  );
  return new Map(rows.map((row) => [row.referral_id, { needs: row.needs, needBand: row.need_band }]));
}
