// Queries of the referral list: filters, newest first, keyset pagination on the list position
// behind an opaque cursor (a client cannot build or edit one, and pages never shift when new
// referrals arrive).
import type { Queryable } from '@placements/event-store';
import type { Referral, ReferralStatus } from '../referral/referral.ts';

export interface ReferralListQuery {
  /** Only this LA's referrals; undefined for every LA (ops). */
  placingLa?: string;
  status?: ReferralStatus;
  childRef?: string;
  limit: number;
  /** List position the previous page ended at. */
  before?: number;
}

export interface ReferralListPage {
  /** Referral state with personal fields still sealed. */
  referrals: Referral[];
  /** Position to continue before, when there is another page. */
  nextBefore: number | undefined;
}

export async function queryReferralList(
  client: Queryable,
  query: ReferralListQuery,
): Promise<ReferralListPage> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const where = (sql: string, value: unknown) => {
    params.push(value);
    conditions.push(sql.replace('?', `$${params.length}`));
  };
  if (query.placingLa !== undefined) where('placing_la = ?', query.placingLa);
  if (query.status !== undefined) where('status = ?', query.status);
  if (query.childRef !== undefined) where('child_ref = ?', query.childRef);
  if (query.before !== undefined) where('list_position < ?', query.before);
  params.push(query.limit + 1);
  const { rows } = await client.query<{ list_position: string; document: Referral }>(
    `SELECT list_position, document FROM referral_list
      ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY list_position DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, query.limit);
  return {
    referrals: page.map((row) => row.document),
    nextBefore: rows.length > query.limit ? Number(page.at(-1)!.list_position) : undefined,
  };
}

const CURSOR_VERSION = 1;

export function encodeCursor(before: number): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, before }), 'utf8').toString('base64url');
}

/** The position a cursor continues before; undefined when it is not a cursor this service issued. */
export function decodeCursor(cursor: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { v, before } = parsed as { v?: unknown; before?: unknown };
    if (v !== CURSOR_VERSION || typeof before !== 'number' || !Number.isSafeInteger(before) || before < 1) {
      return undefined;
    }
    return before;
  } catch {
    return undefined;
  }
}
