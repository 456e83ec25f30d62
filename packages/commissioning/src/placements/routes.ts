// HTTP behind the console's LA views: a placing LA's own children's placements, out-of-area flows
// between LAs (with LA centres for the map), notice and Reg 44 compliance for its placements, and
// for a host LA the children placed in its area by others as its statutory notices describe them
// (no child identifiers). Read from this package's own projections of the notification and
// monitoring services' events.
import { laCode, placementStatus, type Role } from '@placements/contracts';
import type { Queryable } from '@placements/event-store';
import { problems } from '@placements/service-kit';
import { z } from 'zod';
import { count, type Disclosure, share } from '../access/disclosure.ts';
import { disclosureFor, lasOf, type Viewer } from '../access/viewer.ts';
import { type CommissioningContext, todayFor, viewerFor } from '../context.ts';
import { centreOf, laName } from '../geography.ts';
import { addMonths, monthOf, periodQuery, periodSchema, resolvePeriod } from '../http/period.ts';
import { countSchema, disclosureNote, disclosureSchema } from '../http/schemas.ts';
import { formatParam, jsonOrCsv, sendTable } from '../http/tables.ts';
import { loadPlacements } from '../read-models/load.ts';
import { remembered } from '../read-models/results.ts';

const point = z.strictObject({ lat: z.number(), lon: z.number() });

const noticeSummary = z
  .strictObject({
    status: z.enum(['none', 'pending', 'delivered', 'acknowledged', 'overdue']),
    dueBy: z.string().nullable(),
    sentBeforeStart: z.boolean().nullable(),
    deliveredAt: z.string().nullable(),
    acknowledgedAt: z.string().nullable(),
  })
  .meta({ id: 'PlacementNoticeSummary' });

const placementRow = z
  .strictObject({
    placementId: z.string(),
    childRef: z.string(),
    homeUrn: z.string(),
    homeName: z.string().nullable(),
    hostLa: z.string(),
    hostLaName: z.string(),
    status: placementStatus.or(z.string()),
    startDate: z.string().nullable(),
    endDate: z.string().nullable(),
    outOfArea: z.boolean(),
    atDistance: z.boolean(),
    distanceMiles: z.number().nullable(),
    weeklyFee: z.number().nullable(),
    hostNotice: noticeSummary,
  })
  .meta({ id: 'CommissioningPlacementRow' });

const flowRow = z
  .strictObject({
    origin: z.string(),
    originName: z.string(),
    originCentre: point.nullable(),
    destination: z.string().describe('host LA, or "elsewhere" for pooled small flows in shared views'),
    destinationName: z.string(),
    destinationCentre: point.nullable(),
    outOfArea: z.boolean(),
    placements: countSchema,
    atDistance: countSchema,
  })
  .meta({ id: 'PlacementFlowRow' });

const reg44Row = z
  .strictObject({
    urn: z.string(),
    homeName: z.string().nullable(),
    hostLa: z.string(),
    childrenPlaced: z.number().int(),
    lastVisitDate: z.string().nullable(),
    visitsLast3Months: z.number().int(),
    overdueMonthsLast12: z.array(z.string()),
    lastOpinion: z
      .strictObject({ childrenSafeguarded: z.string(), wellbeingPromoted: z.string() })
      .nullable(),
  })
  .meta({ id: 'Reg44ComplianceRow' });

const hostRow = z
  .strictObject({
    placementId: z.string(),
    placingLa: z.string(),
    placingLaName: z.string(),
    homeUrn: z.string(),
    homeName: z.string().nullable(),
    status: z.string(),
    startDate: z.string().nullable(),
    plannedStart: z.string().nullable(),
    endDate: z.string().nullable(),
    placementNotice: noticeSummary,
    departureNotice: noticeSummary.nullable(),
  })
  .meta({ id: 'HostPlacementRow' });

interface NoticeDb {
  placement_id: string;
  kind: string;
  recipient_org: string;
  due_by: string | null;
  delivered_at: Date | null;
  acknowledged_at: Date | null;
  overdue_at: Date | null;
  sent_before_start: boolean | null;
}

async function noticesFor(db: Queryable, placementIds: readonly string[]): Promise<NoticeDb[]> {
  if (placementIds.length === 0) return [];
  const { rows } = await db.query<NoticeDb>(
    `SELECT placement_id::text, kind, recipient_org, due_by::text AS due_by, delivered_at, acknowledged_at, overdue_at,
            sent_before_start
       FROM commissioning_notices WHERE placement_id = ANY($1::uuid[])`,
    [placementIds],
  );
  return rows;
}

function summarise(notice: NoticeDb | undefined): z.infer<typeof noticeSummary> {
  if (!notice)
    return { status: 'none', dueBy: null, sentBeforeStart: null, deliveredAt: null, acknowledgedAt: null };
  return {
    status: notice.acknowledged_at
      ? 'acknowledged'
      : notice.delivered_at
        ? 'delivered'
        : notice.overdue_at
          ? 'overdue'
          : 'pending',
    dueBy: notice.due_by,
    sentBeforeStart: notice.sent_before_start,
    deliveredAt: notice.delivered_at?.toISOString() ?? null,
    acknowledgedAt: notice.acknowledged_at?.toISOString() ?? null,
  };
}

async function homeNames(db: Queryable, urns: readonly string[]): Promise<Map<string, string>> {
  if (urns.length === 0) return new Map();
  const { rows } = await db.query<{ urn: string; name: string }>(
    'SELECT urn, name FROM commissioning_homes WHERE urn = ANY($1)',
    [urns],
  );
  return new Map(rows.map((row) => [row.urn, row.name]));
}

/** The placing LA a request is about: its own for a placing LA, the named one for ops. */
function placingLaFor(viewer: Viewer, requested: string | undefined): string {
  if (viewer.kind === 'la') {
    if (requested !== undefined && requested !== viewer.la)
      throw problems.forbidden('a placing authority sees its own children only');
    return viewer.la;
  }
  if (viewer.kind === 'national') {
    if (requested === undefined)
      throw problems.validation([{ path: 'query.la', message: 'ops must name the LA' }]);
    return requested;
  }
  throw problems.forbidden('child-level placements are for the placing authority');
}

export interface Flow {
  origin: string;
  destination: string;
  placements: number;
  atDistance: number;
}

/**
 * Flows between LAs as shared: in protected views a flow with fewer than 5 placements is pooled
 * with the origin's other small flows into one "elsewhere" row, so no line on a map stands for
 * one or two children.
 */
export function shareFlows(flows: readonly Flow[], disclosure: Disclosure) {
  const row = (flow: Flow) => ({
    origin: flow.origin,
    originName: laName(flow.origin),
    originCentre: centreOf(flow.origin) ?? null,
    destination: flow.destination,
    destinationName:
      flow.destination === 'elsewhere' ? 'Elsewhere (small flows pooled)' : laName(flow.destination),
    destinationCentre: flow.destination === 'elsewhere' ? null : (centreOf(flow.destination) ?? null),
    outOfArea: flow.origin !== flow.destination,
    placements: count(flow.placements, disclosure),
    atDistance: count(flow.atDistance, disclosure),
  });
  if (disclosure === 'exact') return flows.map(row);
  const shown: ReturnType<typeof row>[] = [];
  const pooled = new Map<string, Flow>();
  for (const flow of flows) {
    const candidate = row(flow);
    if (!candidate.placements.suppressed) {
      shown.push(candidate);
      continue;
    }
    const pool = pooled.get(flow.origin) ?? {
      origin: flow.origin,
      destination: 'elsewhere',
      placements: 0,
      atDistance: 0,
    };
    pool.placements += flow.placements;
    pool.atDistance += flow.atDistance;
    pooled.set(flow.origin, pool);
  }
  return [...shown, ...[...pooled.values()].map(row)];
}

export function registerPlacementRoutes(ctx: CommissioningContext): void {
  const { app } = ctx.host;
  const placingRoles: readonly Role[] = ['placing-authority', 'ops'];

  app.get(
    '/v1/commissioning/placements',
    {
      config: { auth: { roles: placingRoles } },
      schema: {
        tags: ['commissioning'],
        summary: 'Your children’s placements, with the host LA notice for each out-of-area one',
        querystring: z.strictObject({
          la: laCode.optional().describe('ops: the placing LA'),
          status: z.string().max(40).optional(),
          format: formatParam,
        }),
        response: {
          200: jsonOrCsv(
            z
              .strictObject({ placingLa: z.string(), rows: z.array(placementRow) })
              .meta({ id: 'CommissioningPlacements' }),
            'Placements of one LA',
          ),
        },
      },
    },
    async (request, reply) => {
      const la = placingLaFor(viewerFor(ctx, request), request.query.la);
      let placements = await loadPlacements(ctx.host.pool, { placingLas: new Set([la]) });
      if (request.query.status) placements = placements.filter((p) => p.status === request.query.status);
      const [notices, names] = await Promise.all([
        noticesFor(
          ctx.host.pool,
          placements.map((p) => p.placementId),
        ),
        homeNames(ctx.host.pool, [...new Set(placements.map((p) => p.homeUrn))]),
      ]);
      const rows = placements
        .map((p) => ({
          placementId: p.placementId,
          childRef: p.childRef,
          homeUrn: p.homeUrn,
          homeName: names.get(p.homeUrn) ?? null,
          hostLa: p.hostLa,
          hostLaName: laName(p.hostLa),
          status: p.status,
          startDate: p.startDate,
          endDate: p.endDate,
          outOfArea: p.outOfArea,
          atDistance: p.atDistance,
          distanceMiles: p.distanceMiles,
          weeklyFee: p.weeklyFee,
          hostNotice: summarise(
            notices.find(
              (n) => n.placement_id === p.placementId && n.kind === 'out-of-area.placement-notice',
            ),
          ),
        }))
        .reverse();
      return sendTable(
        request,
        reply,
        request.query.format,
        { placingLa: la, rows },
        rows,
        `commissioning-placements-${la}`,
      );
    },
  );

  app.get(
    '/v1/commissioning/flows',
    {
      config: { auth: { roles: ['placing-authority', 'commissioner', 'ops'] } },
      schema: {
        tags: ['commissioning'],
        summary: 'Origin → destination flows of placements live in the period, with LA centres for a map',
        querystring: z.strictObject({
          ...periodQuery,
          outOfAreaOnly: z.enum(['true', 'false']).optional(),
          format: formatParam,
        }),
        response: {
          200: jsonOrCsv(
            z
              .strictObject({
                period: periodSchema,
                disclosure: disclosureSchema,
                totals: z.strictObject({
                  placements: countSchema,
                  outOfArea: countSchema,
                  outOfAreaShare: z.number().nullable(),
                }),
                rows: z.array(flowRow),
              })
              .meta({ id: 'PlacementFlows' }),
            'Flows',
          ),
        },
      },
    },
    async (request, reply) => {
      const computed = await remembered(ctx.host, ctx.results, request, async () => {
        const viewer = viewerFor(ctx, request);
        const query = request.query;
        const disclosure = disclosureFor(viewer, true);
        const period = resolvePeriod(query, disclosure, ctx.host.clock());
        const placements = (await loadPlacements(ctx.host.pool, { placingLas: lasOf(viewer) })).filter(
          (p) =>
            p.startDate !== null &&
            p.startDate <= period.to &&
            (p.endDate === null || p.endDate >= period.from),
        );
        const flows = new Map<string, Flow>();
        for (const p of placements) {
          const key = `${p.placingLa}>${p.hostLa}`;
          const flow = flows.get(key) ?? {
            origin: p.placingLa,
            destination: p.hostLa,
            placements: 0,
            atDistance: 0,
          };
          flow.placements += 1;
          if (p.atDistance) flow.atDistance += 1;
          flows.set(key, flow);
        }
        let list = [...flows.values()].sort(
          (a, b) => b.placements - a.placements || a.origin.localeCompare(b.origin),
        );
        if (query.outOfAreaOnly === 'true') list = list.filter((flow) => flow.origin !== flow.destination);
        const rows = shareFlows(list, disclosure);
        const total = count(placements.length, disclosure);
        const outOfArea = count(placements.filter((p) => p.outOfArea).length, disclosure);
        const body = {
          period,
          disclosure: disclosureNote(disclosure),
          totals: { placements: total, outOfArea, outOfAreaShare: share(outOfArea, total) },
          rows,
        };
        return { body: body, rows: rows, name: `commissioning-flows-${period.from}-${period.to}` };
      });
      return sendTable(request, reply, request.query.format, computed.body, computed.rows, computed.name);
    },
  );

  app.get(
    '/v1/commissioning/compliance/notices',
    {
      config: { auth: { roles: placingRoles } },
      schema: {
        tags: ['commissioning'],
        summary: 'Host LA notices for your out-of-area placements: sent before start, late, acknowledged',
        querystring: z.strictObject({ la: laCode.optional(), ...periodQuery, format: formatParam }),
        response: {
          200: jsonOrCsv(
            z
              .strictObject({
                placingLa: z.string(),
                period: periodSchema,
                totals: z.strictObject({
                  placementNotices: z.number().int(),
                  sentBeforeStart: z.number().int(),
                  delivered: z.number().int(),
                  acknowledged: z.number().int(),
                  overdue: z.number().int(),
                  pending: z.number().int(),
                  departureNotices: z.number().int(),
                }),
                rows: z.array(
                  z.strictObject({
                    placementId: z.string(),
                    childRef: z.string().nullable(),
                    kind: z.string(),
                    recipientOrg: z.string(),
                    hostLaName: z.string(),
                    notice: noticeSummary,
                  }),
                ),
              })
              .meta({ id: 'NoticeCompliance' }),
            'Notice compliance',
          ),
        },
      },
    },
    async (request, reply) => {
      const la = placingLaFor(viewerFor(ctx, request), request.query.la);
      const period = resolvePeriod(request.query, 'exact', ctx.host.clock());
      const { rows: notices } = await ctx.host.pool.query<NoticeDb & { child_ref: string | null }>(
        `SELECT placement_id::text, child_ref, kind, recipient_org, due_by::text AS due_by, delivered_at, acknowledged_at,
                overdue_at, sent_before_start
           FROM commissioning_notices
          WHERE placing_la = $1 AND kind LIKE 'out-of-area.%'
            AND (raised_at AT TIME ZONE 'Europe/London')::date BETWEEN $2::date AND $3::date
          ORDER BY raised_at DESC`,
        [la, period.from, period.to],
      );
      const rows = notices.map((n) => ({
        placementId: n.placement_id,
        childRef: n.child_ref,
        kind: n.kind,
        recipientOrg: n.recipient_org,
        hostLaName: laName(n.recipient_org),
        notice: summarise(n),
      }));
      const placementNotices = rows.filter((r) => r.kind === 'out-of-area.placement-notice');
      const totals = {
        placementNotices: placementNotices.length,
        sentBeforeStart: placementNotices.filter((r) => r.notice.sentBeforeStart === true).length,
        delivered: rows.filter((r) => r.notice.status === 'delivered' || r.notice.status === 'acknowledged')
          .length,
        acknowledged: rows.filter((r) => r.notice.status === 'acknowledged').length,
        overdue: rows.filter((r) => r.notice.status === 'overdue').length,
        pending: rows.filter((r) => r.notice.status === 'pending').length,
        departureNotices: rows.length - placementNotices.length,
      };
      return sendTable(
        request,
        reply,
        request.query.format,
        { placingLa: la, period, totals, rows },
        rows,
        `commissioning-notices-${la}`,
      );
    },
  );

  app.get(
    '/v1/commissioning/compliance/reg44',
    {
      config: { auth: { roles: placingRoles } },
      schema: {
        tags: ['commissioning'],
        summary: 'Reg 44 visits to the homes where your children live now',
        querystring: z.strictObject({ la: laCode.optional(), format: formatParam }),
        response: {
          200: jsonOrCsv(
            z
              .strictObject({ placingLa: z.string(), asOf: z.string(), rows: z.array(reg44Row) })
              .meta({ id: 'Reg44Compliance' }),
            'Reg 44 compliance of the homes',
          ),
        },
      },
    },
    async (request, reply) => {
      const la = placingLaFor(viewerFor(ctx, request), request.query.la);
      const today = todayFor(ctx);
      const month = monthOf(today);
      const { rows } = await ctx.host.pool.query<{
        urn: string;
        name: string | null;
        host_la: string;
        children: number;
        last_visit: string | null;
        recent_visits: number;
        overdue: string[] | null;
        safeguarded: string | null;
        wellbeing: string | null;
      }>(
        `WITH live AS (
           SELECT home_urn, min(host_la) AS host_la, count(*)::int AS children FROM commissioning_placements
            WHERE placing_la = $1 AND start_date <= $2::date AND (end_date IS NULL OR end_date > $2::date)
            GROUP BY home_urn)
         SELECT l.home_urn AS urn, h.name, l.host_la, l.children,
                (SELECT max(visit_date)::text FROM commissioning_reg44_visits v WHERE v.urn = l.home_urn) AS last_visit,
                (SELECT count(*)::int FROM commissioning_reg44_visits v
                  WHERE v.urn = l.home_urn AND v.visit_date > ($2::date - interval '3 months')) AS recent_visits,
                (SELECT array_agg(month ORDER BY month) FROM commissioning_reg44_overdue o
                  WHERE o.urn = l.home_urn AND o.month >= $3) AS overdue,
                (SELECT children_safeguarded FROM commissioning_reg44_visits v WHERE v.urn = l.home_urn
                  ORDER BY visit_date DESC LIMIT 1) AS safeguarded,
                (SELECT wellbeing_promoted FROM commissioning_reg44_visits v WHERE v.urn = l.home_urn
                  ORDER BY visit_date DESC LIMIT 1) AS wellbeing
           FROM live l LEFT JOIN commissioning_homes h ON h.urn = l.home_urn
          ORDER BY l.home_urn`,
        [la, today, addMonths(month, -12)],
      );
      const out = rows.map((row) => ({
        urn: row.urn,
        homeName: row.name,
        hostLa: row.host_la,
        childrenPlaced: row.children,
        lastVisitDate: row.last_visit,
        visitsLast3Months: row.recent_visits,
        overdueMonthsLast12: row.overdue ?? [],
        lastOpinion:
          row.safeguarded && row.wellbeing
            ? { childrenSafeguarded: row.safeguarded, wellbeingPromoted: row.wellbeing }
            : null,
      }));
      return sendTable(
        request,
        reply,
        request.query.format,
        { placingLa: la, asOf: today, rows: out },
        out,
        `commissioning-reg44-${la}`,
      );
    },
  );

  app.get(
    '/v1/commissioning/host/placements',
    {
      config: { auth: { roles: ['host-authority', 'ops'] } },
      schema: {
        tags: ['commissioning'],
        summary: 'Host LA: children placed in your area by other LAs, as your notices describe them',
        description:
          'Out-of-area placements whose home is in your area, with the placement notice (CPPCR reg 13) and departure notice (reg 14) you received for each. No child identifiers: the placing LA holds those.',
        querystring: z.strictObject({
          la: laCode.optional().describe('ops: the host LA'),
          current: z.enum(['true', 'false']).optional().describe('only placements not yet ended'),
          format: formatParam,
        }),
        response: {
          200: jsonOrCsv(
            z
              .strictObject({
                hostLa: z.string(),
                totals: z.strictObject({
                  placements: z.number().int(),
                  current: z.number().int(),
                  noticesReceived: z.number().int(),
                  noticesAcknowledged: z.number().int(),
                  byPlacingLa: z.array(
                    z.strictObject({ placingLa: z.string(), name: z.string(), placements: z.number().int() }),
                  ),
                }),
                rows: z.array(hostRow),
              })
              .meta({ id: 'HostPlacements' }),
            'Placements in your area',
          ),
        },
      },
    },
    async (request, reply) => {
      const principal = ctx.host.principal(request);
      let host: string;
      if (principal.roles.includes('ops')) {
        if (!request.query.la)
          throw problems.validation([{ path: 'query.la', message: 'ops must name the host LA' }]);
        host = request.query.la;
      } else {
        if (request.query.la !== undefined && request.query.la !== principal.org)
          throw problems.forbidden('a host authority sees placements in its own area only');
        host = principal.org;
      }
      let placements = (await loadPlacements(ctx.host.pool, { hostLa: host })).filter(
        (p) => p.placingLa !== host,
      );
      if (request.query.current === 'true') placements = placements.filter((p) => p.status !== 'ended');
      const [notices, names] = await Promise.all([
        noticesFor(
          ctx.host.pool,
          placements.map((p) => p.placementId),
        ),
        homeNames(ctx.host.pool, [...new Set(placements.map((p) => p.homeUrn))]),
      ]);
      const mine = notices.filter((n) => n.recipient_org === host);
      const rows = placements
        .map((p) => {
          const departure = mine.find(
            (n) => n.placement_id === p.placementId && n.kind === 'out-of-area.departure-notice',
          );
          return {
            placementId: p.placementId,
            placingLa: p.placingLa,
            placingLaName: laName(p.placingLa),
            homeUrn: p.homeUrn,
            homeName: names.get(p.homeUrn) ?? null,
            status: p.status,
            startDate: p.startDate,
            plannedStart: p.plannedStart,
            endDate: p.endDate,
            placementNotice: summarise(
              mine.find((n) => n.placement_id === p.placementId && n.kind === 'out-of-area.placement-notice'),
            ),
            departureNotice: departure ? summarise(departure) : null,
          };
        })
        .reverse();
      const byLa = new Map<string, number>();
      for (const p of placements) byLa.set(p.placingLa, (byLa.get(p.placingLa) ?? 0) + 1);
      const totals = {
        placements: placements.length,
        current: placements.filter((p) => p.status !== 'ended').length,
        noticesReceived: mine.filter((n) => n.delivered_at !== null || n.acknowledged_at !== null).length,
        noticesAcknowledged: mine.filter((n) => n.acknowledged_at !== null).length,
        byPlacingLa: [...byLa.entries()]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .map(([placingLa, n]) => ({ placingLa, name: laName(placingLa), placements: n })),
      };
      return sendTable(
        request,
        reply,
        request.query.format,
        { hostLa: host, totals, rows },
        rows,
        `commissioning-host-${host}`,
      );
    },
  );
}
