// Queries over the `notifications` read model: the scoped list and the compliance summary
// (DOMAIN.md §5: share sent before start, lateness, acknowledgements). Scoping is in the SQL so a
// page never contains a notice the caller may not see.
import type { Principal } from '@placements/service-kit';
import type { Pool } from 'pg';
import type { NoticeFacts } from './view.ts';

export interface Scope {
  all: boolean;
  org: string;
  placing: boolean;
}

export function scopeOf(principal: Principal): Scope {
  return {
    all: principal.roles.includes('ops'),
    org: principal.org,
    placing: principal.roles.includes('placing-authority'),
  };
}

const VISIBLE = '($1::boolean OR n.recipient_org = $2 OR ($3::boolean AND n.placing_la = $2))';

interface Row {
  notification_id: string;
  kind: NoticeFacts['kind'];
  recipient_org: string;
  placement_id: string | null;
  placing_la: string | null;
  host_la: string | null;
  home_urn: string | null;
  due_by: string;
  placement_start: string | null;
  obligation: string;
  raised_at: Date;
  delivered_at: Date | null;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  overdue_at: Date | null;
  status: NoticeFacts['status'];
  version: number;
  start_date: string | null;
}

function facts(row: Row): NoticeFacts & { actualStart: string | null } {
  return {
    notificationId: row.notification_id,
    kind: row.kind,
    recipientOrg: row.recipient_org,
    placementId: row.placement_id,
    placingLa: row.placing_la,
    hostLa: row.host_la,
    homeUrn: row.home_urn,
    dueBy: row.due_by,
    placementStart: row.placement_start,
    obligation: row.obligation,
    raisedAt: row.raised_at.toISOString(),
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    acknowledgedAt: row.acknowledged_at?.toISOString() ?? null,
    acknowledgedBy: row.acknowledged_by,
    overdueAt: row.overdue_at?.toISOString() ?? null,
    status: row.status,
    version: row.version,
    actualStart: row.start_date,
  };
}

export interface ListFilter {
  kind?: string | undefined;
  status?: string | undefined;
  placementId?: string | undefined;
  recipientOrg?: string | undefined;
  limit: number;
  cursor?: { raisedAt: string; id: string } | undefined;
}

export async function listNotifications(
  pool: Pool,
  scope: Scope,
  filter: ListFilter,
): Promise<{
  items: (NoticeFacts & { actualStart: string | null })[];
  next: { raisedAt: string; id: string } | null;
}> {
  const { rows } = await pool.query<Row>(
    `SELECT n.notification_id, n.kind, n.recipient_org, n.placement_id, n.placing_la, n.host_la, n.home_urn,
            to_char(n.due_by, 'YYYY-MM-DD') AS due_by, to_char(n.placement_start, 'YYYY-MM-DD') AS placement_start,
            n.obligation, n.raised_at, n.delivered_at, n.acknowledged_at, n.acknowledged_by, n.overdue_at, n.status,
            n.version, to_char(p.start_date, 'YYYY-MM-DD') AS start_date
       FROM notifications n LEFT JOIN placement_facts p ON p.placement_id = n.placement_id
      WHERE ${VISIBLE}
        AND ($4::text IS NULL OR n.kind = $4)
        AND ($5::text IS NULL OR n.status = $5)
        AND ($6::uuid IS NULL OR n.placement_id = $6)
        AND ($7::text IS NULL OR n.recipient_org = $7)
        AND ($8::timestamptz IS NULL OR (n.raised_at, n.notification_id) < ($8::timestamptz, $9::uuid))
      ORDER BY n.raised_at DESC, n.notification_id DESC
      LIMIT $10`,
    [
      scope.all,
      scope.org,
      scope.placing,
      filter.kind ?? null,
      filter.status ?? null,
      filter.placementId ?? null,
      filter.recipientOrg ?? null,
      filter.cursor?.raisedAt ?? null,
      filter.cursor?.id ?? null,
      filter.limit + 1,
    ],
  );
  const page = rows.slice(0, filter.limit).map(facts);
  const last = page.at(-1);
  return {
    items: page,
    next: rows.length > filter.limit && last ? { raisedAt: last.raisedAt, id: last.notificationId } : null,
  };
}

export interface ComplianceFigures {
  raised: number;
  received: number;
  receivedOnTime: number;
  receivedLate: number;
  acknowledged: number;
  outstanding: number;
  outstandingOverdue: number;
  becameOverdue: number;
  placementNotices: number;
  sentBeforeStart: number;
  meanLateByDays: number | null;
  maxLateByDays: number | null;
}

export async function complianceSummary(
  pool: Pool,
  scope: Scope,
  filter: { from: string; to: string; kind?: string | undefined; today: string },
): Promise<{ totals: ComplianceFigures; byKind: (ComplianceFigures & { kind: string })[] }> {
  // Received = the earlier of delivery and acknowledgement, as a date in England.
  const { rows } = await pool.query<Record<string, string | number | null>>(
    `WITH scoped AS (
       SELECT n.kind, n.due_by, n.overdue_at, n.acknowledged_at,
              (least(n.delivered_at, n.acknowledged_at) AT TIME ZONE 'Europe/London')::date AS received_on,
              coalesce(p.start_date, n.placement_start) AS start_on
         FROM notifications n LEFT JOIN placement_facts p ON p.placement_id = n.placement_id
        WHERE ${VISIBLE}
          AND (n.raised_at AT TIME ZONE 'Europe/London')::date BETWEEN $4::date AND $5::date
          AND ($6::text IS NULL OR n.kind = $6))
     SELECT grouping(kind) AS is_total, kind,
            count(*)::int AS raised,
            count(received_on)::int AS received,
            count(*) FILTER (WHERE received_on <= due_by)::int AS received_on_time,
            count(*) FILTER (WHERE received_on > due_by)::int AS received_late,
            count(acknowledged_at)::int AS acknowledged,
            count(*) FILTER (WHERE received_on IS NULL)::int AS outstanding,
            count(*) FILTER (WHERE received_on IS NULL AND $7::date > due_by)::int AS outstanding_overdue,
            count(overdue_at)::int AS became_overdue,
            count(*) FILTER (WHERE kind = 'out-of-area.placement-notice')::int AS placement_notices,
            count(*) FILTER (WHERE kind = 'out-of-area.placement-notice' AND received_on < start_on)::int AS sent_before_start,
            round(avg(received_on - due_by) FILTER (WHERE received_on > due_by), 1)::float8 AS mean_late,
            max(received_on - due_by) FILTER (WHERE received_on > due_by) AS max_late
       FROM scoped
      GROUP BY ROLLUP (kind)
      ORDER BY is_total, kind`,
    [scope.all, scope.org, scope.placing, filter.from, filter.to, filter.kind ?? null, filter.today],
  );
  const figures = (row: Record<string, string | number | null>): ComplianceFigures => ({
    raised: Number(row.raised),
    received: Number(row.received),
    receivedOnTime: Number(row.received_on_time),
    receivedLate: Number(row.received_late),
    acknowledged: Number(row.acknowledged),
    outstanding: Number(row.outstanding),
    outstandingOverdue: Number(row.outstanding_overdue),
    becameOverdue: Number(row.became_overdue),
    placementNotices: Number(row.placement_notices),
    sentBeforeStart: Number(row.sent_before_start),
    meanLateByDays: row.mean_late === null ? null : Number(row.mean_late),
    maxLateByDays: row.max_late === null ? null : Number(row.max_late),
  });
  const total = rows.find((row) => Number(row.is_total) === 1);
  const empty = figures({
    raised: 0,
    received: 0,
    received_on_time: 0,
    received_late: 0,
    acknowledged: 0,
    outstanding: 0,
    outstanding_overdue: 0,
    became_overdue: 0,
    placement_notices: 0,
    sent_before_start: 0,
    mean_late: null,
    max_late: null,
  });
  return {
    totals: total ? figures(total) : empty,
    byKind: rows
      .filter((row) => Number(row.is_total) === 0)
      .map((row) => ({ kind: String(row.kind), ...figures(row) })),
  };
}
