// Queries over placements by child, scoped to the caller (placing LA: its children; provider: its
// homes; ops: all).
import type { Queryable } from '@placements/event-store';
import type { Principal } from '@placements/service-kit';
import { scopeOf } from '../offers/queries.ts';
import type { PlacementStatus } from './placement.ts';

export interface PlacementSummary {
  id: string;
  status: PlacementStatus;
  referralId: string;
  offerId: string;
  childRef: string;
  placingLa: string;
  homeUrn: string;
  providerId: string;
  hostLa: string;
  outOfArea: boolean;
  atDistance: boolean;
  over20Miles: boolean;
  distanceMiles: number;
  requiredApproval: 'nominated-officer' | 'dcs' | null;
  emergency: boolean;
  plannedStart: string;
  startDate: string | null;
  endDate: string | null;
  reasonEnded: string | null;
  approvalMissing: boolean;
  previousPlacementId: string | null;
  nextPlacementId: string | null;
}

export interface PlacementFilter {
  childRef?: string | undefined;
  status?: string | undefined;
  homeUrn?: string | undefined;
  limit: number;
  before?: number | undefined;
}

export async function listPlacements(
  db: Queryable,
  principal: Principal,
  filter: PlacementFilter,
): Promise<{ items: PlacementSummary[]; nextCursor: string | null }> {
  const params: unknown[] = [];
  const scope = scopeOf(principal, 'placing_la', 'provider_id', params);
  if (!scope) return { items: [], nextCursor: null };
  const where = [scope];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    where.push(clause.replace('?', `$${params.length}`));
  };
  if (filter.childRef) add('child_ref = ?', filter.childRef);
  if (filter.status) add('status = ?', filter.status);
  if (filter.homeUrn) add('home_urn = ?', filter.homeUrn);
  if (filter.before !== undefined) add('seq < ?', filter.before);
  params.push(filter.limit + 1);
  const { rows } = await db.query<Record<string, unknown> & { seq: string }>(
    `SELECT * FROM placements WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, filter.limit);
  return {
    items: page.map((row) => ({
      id: row.id as string,
      status: row.status as PlacementStatus,
      referralId: row.referral_id as string,
      offerId: row.offer_id as string,
      childRef: row.child_ref as string,
      placingLa: row.placing_la as string,
      homeUrn: row.home_urn as string,
      providerId: row.provider_id as string,
      hostLa: row.host_la as string,
      outOfArea: row.out_of_area as boolean,
      atDistance: row.at_distance as boolean,
      over20Miles: row.over_20_miles as boolean,
      distanceMiles: Number(row.distance_miles),
      requiredApproval: row.required_approval as PlacementSummary['requiredApproval'],
      emergency: row.emergency as boolean,
      plannedStart: row.planned_start as string,
      startDate: row.start_date as string | null,
      endDate: row.end_date as string | null,
      reasonEnded: row.reason_ended as string | null,
      approvalMissing: row.approval_missing as boolean,
      previousPlacementId: row.previous_placement_id as string | null,
      nextPlacementId: row.next_placement_id as string | null,
    })),
    nextCursor: rows.length > filter.limit ? String(page.at(-1)!.seq) : null,
  };
}
