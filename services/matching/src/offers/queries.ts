// Queries over the offers inbox, scoped to the caller: a provider sees the offers to its homes, a
// placing LA the offers for its referrals, ops everything.
import type { Queryable } from '@placements/event-store';
import type { Principal } from '@placements/service-kit';
import type { OfferStatus } from './offer.ts';

export interface OfferSummary {
  id: string;
  referralId: string;
  homeUrn: string;
  status: OfferStatus;
  placingLa: string;
  childRef: string;
  providerId: string;
  sentAt: string;
  acceptedAt: string | null;
  weeklyFee: number | null;
  earliestStart: string | null;
  reservationExpiresAt: string | null;
  declineReason: string | null;
  placementId: string | null;
}

export interface OfferFilter {
  homeUrn?: string | undefined;
  referralId?: string | undefined;
  status?: string | undefined;
  limit: number;
  /** seq of the last item of the previous page. */
  before?: number | undefined;
}

interface OfferRow {
  id: string;
  seq: string;
  referral_id: string;
  home_urn: string;
  status: OfferStatus;
  placing_la: string;
  child_ref: string;
  provider_id: string;
  sent_at: Date;
  accepted_at: Date | null;
  weekly_fee: string | null;
  earliest_start: string | null;
  reservation_expires_at: Date | null;
  decline_reason: string | null;
  placement_id: string | null;
}

/**
 * SQL condition restricting rows to what the principal may see (its org is pushed onto `params`);
 * null when it may see nothing.
 */
export function scopeOf(
  principal: Principal,
  laColumn: string,
  providerColumn: string,
  params: unknown[],
): string | null {
  if (principal.roles.includes('ops')) return 'true';
  const parts: string[] = [];
  params.push(principal.org);
  const org = `$${params.length}`;
  if (principal.roles.includes('placing-authority')) parts.push(`${laColumn} = ${org}`);
  if (principal.roles.includes('provider')) parts.push(`${providerColumn} = ${org}`);
  return parts.length > 0 ? `(${parts.join(' OR ')})` : null;
}

export async function listOffers(
  db: Queryable,
  principal: Principal,
  filter: OfferFilter,
): Promise<{ items: OfferSummary[]; nextCursor: string | null }> {
  const params: unknown[] = [];
  const scope = scopeOf(principal, 'placing_la', 'provider_id', params);
  if (!scope) return { items: [], nextCursor: null };
  const where = [scope];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    where.push(clause.replace('?', `$${params.length}`));
  };
  if (filter.homeUrn) add('home_urn = ?', filter.homeUrn);
  if (filter.referralId) add('referral_id = ?', filter.referralId);
  if (filter.status) add('status = ?', filter.status);
  if (filter.before !== undefined) add('seq < ?', filter.before);
  params.push(filter.limit + 1);
  const { rows } = await db.query<OfferRow>(
    `SELECT * FROM offers WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, filter.limit);
  return {
    items: page.map((row) => ({
      id: row.id,
      referralId: row.referral_id,
      homeUrn: row.home_urn,
      status: row.status,
      placingLa: row.placing_la,
      childRef: row.child_ref,
      providerId: row.provider_id,
      sentAt: row.sent_at.toISOString(),
      acceptedAt: row.accepted_at?.toISOString() ?? null,
      weeklyFee: row.weekly_fee === null ? null : Number(row.weekly_fee),
      earliestStart: row.earliest_start,
      reservationExpiresAt: row.reservation_expires_at?.toISOString() ?? null,
      declineReason: row.decline_reason,
      placementId: row.placement_id,
    })),
    nextCursor: rows.length > filter.limit ? String(page.at(-1)!.seq) : null,
  };
}
