// The placements read model: who is (or was) placed where, from when to when, derived from the
// placement events in the children's histories. It answers "which children lived at this home on
// this day" (Reg 44 visit recipients, compliance scope, serious events) and feeds the analytics.
import type { KeyedTable } from '../read-models/keyed-rows.ts';

export interface PlacementRow {
  placement_id: string;
  referral_id: string | null;
  placing_la: string;
  child_ref: string;
  home_urn: string;
  provider_id: string;
  host_la: string;
  out_of_area: boolean;
  at_distance: boolean;
  distance_miles: number | null;
  over_20_miles: boolean | null;
  placement_type: string | null;
  placement_provider: string | null;
  home_postcode: string | null;
  required_approval: string | null;
  planned_start: string | null;
  emergency: boolean | null;
  status: string;
  start_date: string | null;
  end_date: string | null;
  reason_ended: string | null;
  previous_placement_id: string | null;
  next_placement_id: string | null;
  place_change_reason: string | null;
  approval_missing: boolean | null;
  proposed_at: string | null;
  started_at: string | null;
  ended_at: string | null;
}

export const placementsTable: KeyedTable = {
  name: 'monitoring_placements',
  key: 'placement_id',
  keyType: 'uuid',
  columns: [
    'placement_id',
    'referral_id',
    'placing_la',
    'child_ref',
    'home_urn',
    'provider_id',
    'host_la',
    'out_of_area',
    'at_distance',
    'distance_miles',
    'over_20_miles',
    'placement_type',
    'placement_provider',
    'home_postcode',
    'required_approval',
    'planned_start',
    'emergency',
    'status',
    'start_date',
    'end_date',
    'reason_ended',
    'previous_placement_id',
    'next_placement_id',
    'place_change_reason',
    'approval_missing',
    'proposed_at',
    'started_at',
    'ended_at',
  ],
};

export const PLACEMENT_EVENTS: ReadonlySet<string> = new Set([
  'PlacementProposed',
  'PlacementApprovalRecorded',
  'PlacementStarted',
  'PlacementEnded',
]);

interface PlacementRef {
  placementId: string;
  referralId: string;
  placingLa: string;
  childRef: string;
  homeUrn: string;
  providerId: string;
  hostLa: string;
  outOfArea: boolean;
  atDistance: boolean;
}

function blank(ref: PlacementRef): PlacementRow {
  return {
    placement_id: ref.placementId,
    referral_id: ref.referralId,
    placing_la: ref.placingLa,
    child_ref: ref.childRef,
    home_urn: ref.homeUrn,
    provider_id: ref.providerId,
    host_la: ref.hostLa,
    out_of_area: ref.outOfArea,
    at_distance: ref.atDistance,
    distance_miles: null,
    over_20_miles: null,
    placement_type: null,
    placement_provider: null,
    home_postcode: null,
    required_approval: null,
    planned_start: null,
    emergency: null,
    status: 'awaiting-approval',
    start_date: null,
    end_date: null,
    reason_ended: null,
    previous_placement_id: null,
    next_placement_id: null,
    place_change_reason: null,
    approval_missing: null,
    proposed_at: null,
    started_at: null,
    ended_at: null,
  };
}

/** Folds one placement event into the placement's row (events arrive in the placement's own order). */
export function evolvePlacementRow(row: PlacementRow | undefined, type: string, data: unknown): PlacementRow {
  const ref = data as PlacementRef;
  const current: PlacementRow = {
    ...(row ?? blank(ref)),
    referral_id: ref.referralId,
    placing_la: ref.placingLa,
    child_ref: ref.childRef,
    home_urn: ref.homeUrn,
    provider_id: ref.providerId,
    host_la: ref.hostLa,
    out_of_area: ref.outOfArea,
    at_distance: ref.atDistance,
  };
  switch (type) {
    case 'PlacementProposed': {
      const d = data as {
        distanceMiles: number;
        over20Miles: boolean;
        requiredApproval: string | null;
        plannedStart: string;
        emergency: boolean;
        previousPlacementId: string | null;
        placeChangeReason: string | null;
        placementType: string;
        placementProvider: string;
        homePostcode: string;
        proposedAt: string;
      };
      return {
        ...current,
        distance_miles: d.distanceMiles,
        over_20_miles: d.over20Miles,
        required_approval: d.requiredApproval,
        planned_start: d.plannedStart,
        emergency: d.emergency,
        previous_placement_id: current.previous_placement_id ?? d.previousPlacementId,
        place_change_reason: current.place_change_reason ?? d.placeChangeReason,
        placement_type: d.placementType,
        placement_provider: d.placementProvider,
        home_postcode: d.homePostcode,
        proposed_at: d.proposedAt,
        status: row ? current.status : d.requiredApproval === null ? 'approved' : 'awaiting-approval',
      };
    }
    case 'PlacementApprovalRecorded': {
      const d = data as { decision: 'approved' | 'rejected' };
      const settled = current.status === 'active' || current.status === 'ended';
      return { ...current, status: settled ? current.status : d.decision };
    }
    case 'PlacementStarted': {
      const d = data as {
        startDate: string;
        emergency: boolean;
        requiredApproval: string | null;
        approvalMissing: boolean;
        previousPlacementId: string | null;
        placeChangeReason: string | null;
        startedAt: string;
      };
      return {
        ...current,
        start_date: d.startDate,
        emergency: d.emergency,
        required_approval: d.requiredApproval,
        approval_missing: d.approvalMissing,
        previous_placement_id: d.previousPlacementId,
        place_change_reason: d.placeChangeReason,
        started_at: d.startedAt,
        status: current.status === 'ended' ? 'ended' : 'active',
      };
    }
    case 'PlacementEnded': {
      const d = data as {
        endDate: string;
        reasonEnded: string;
        nextPlacementId: string | null;
        endedAt: string;
      };
      return {
        ...current,
        end_date: d.endDate,
        reason_ended: d.reasonEnded,
        next_placement_id: d.nextPlacementId,
        ended_at: d.endedAt,
        status: 'ended',
      };
    }
    default:
      return current;
  }
}
