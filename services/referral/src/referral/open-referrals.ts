// One open referral per child and placing LA (a submitted referral is open; placed and withdrawn
// release the child). The claim is referral_open_children, kept by a trigger on the event log in
// the same statement as each append (see the migration), so of two concurrent submissions for
// one child exactly one append commits. This module recognises the loser's failure and finds the
// referral that is open.
import type { Queryable } from '@placements/event-store';

const CLAIM_CONSTRAINT = 'referral_open_children_pkey';

/** The append failed because the child already has an open referral in this LA. */
export function isChildAlreadyClaimed(error: unknown): boolean {
  const pgError = error as { code?: string; constraint?: string } | undefined;
  return pgError?.code === '23505' && pgError.constraint === CLAIM_CONSTRAINT;
}

/** The referral open for this child in this LA, if any. */
export async function openReferralOf(
  client: Queryable,
  placingLa: string,
  childRef: string,
): Promise<string | undefined> {
  const { rows } = await client.query<{ referral_id: string }>(
    'SELECT referral_id FROM referral_open_children WHERE placing_la = $1 AND child_ref = $2',
    [placingLa, childRef],
  );
  return rows[0]?.referral_id;
}
