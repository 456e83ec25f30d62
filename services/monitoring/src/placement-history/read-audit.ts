// The record of who read or exported which child's history, and when. Every read of a history, of
// its verification and every SSDA903 export writes one row before anything is returned; the table is
// append-only (the event store's guard triggers, and the service role holds only INSERT and SELECT).
import type { Queryable } from '@placements/event-store';
import type { Principal } from '@placements/service-kit';

export type ReadAction =
  | 'history.read'
  | 'history.verify'
  | 'export.ssda903.episodes'
  | 'export.ssda903.header';

export interface HistoryRead {
  principal: Principal;
  action: ReadAction;
  placingLa: string;
  /** The child read; null for an export, whose `detail.children` lists the children it included. */
  childRef: string | null;
  detail?: Record<string, unknown>;
  at: Date;
}

export async function recordRead(client: Queryable, read: HistoryRead): Promise<void> {
  await client.query(
    `INSERT INTO history_reads (read_at, sub, org, roles, action, placing_la, child_ref, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      read.at.toISOString(),
      read.principal.sub,
      read.principal.org,
      read.principal.roles,
      read.action,
      read.placingLa,
      read.childRef,
      JSON.stringify(read.detail ?? {}),
    ],
  );
}

export interface HistoryReadRow {
  id: number;
  at: string;
  sub: string;
  org: string;
  roles: string[];
  action: string;
  placingLa: string;
  childRef: string | null;
  detail: Record<string, unknown>;
}

/** Reads of one LA's histories (optionally one child's), newest first, paged by id. */
export async function listReads(
  client: Queryable,
  filter: { placingLa: string | null; childRef: string | null; before: number | null; limit: number },
): Promise<HistoryReadRow[]> {
  const { rows } = await client.query<{
    id: string;
    read_at: Date;
    sub: string;
    org: string;
    roles: string[];
    action: string;
    placing_la: string;
    child_ref: string | null;
    detail: Record<string, unknown>;
  }>(
    `SELECT id, read_at, sub, org, roles, action, placing_la, child_ref, detail FROM history_reads
      WHERE ($1::text IS NULL OR placing_la = $1)
        AND ($2::text IS NULL OR child_ref = $2 OR (child_ref IS NULL AND detail->'children' ? $2))
        AND ($3::bigint IS NULL OR id < $3)
      ORDER BY id DESC LIMIT $4`,
    [filter.placingLa, filter.childRef, filter.before, filter.limit],
  );
  return rows.map((row) => ({
    id: Number(row.id),
    at: row.read_at.toISOString(),
    sub: row.sub,
    org: row.org,
    roles: row.roles,
    action: row.action,
    placingLa: row.placing_la,
    childRef: row.child_ref,
    detail: row.detail,
  }));
}
