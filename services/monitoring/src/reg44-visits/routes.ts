// HTTP: recording and reading Reg 44 visits, and monthly Reg 44 compliance (API.md, Monitoring).
import { randomUUID } from 'node:crypto';
import {
  isoDate,
  type PlacementAtHome,
  reg44Opinion,
  todayInEngland,
  urn as urnSchema,
} from '@placements/contracts';
import { type Principal, problems } from '@placements/service-kit';
import { z } from 'zod';
import type { Service } from '../app.ts';
import { firstDayOf, isMonth, lastDayOf, monthOf } from '../calendar/calendar-month.ts';
import { homeViewFor, requireHome } from '../homes/home-access.ts';
import { childrenAtHome } from '../placement-history/record-entries.ts';
import { recordOwnEvent } from '../placement-history/record-own-event.ts';
import { reg44VisitStreamId } from './projection.ts';
import { decideReg44Visit, mayRecordVisit, type Reg44VisitRecordedData } from './reg44-visit.ts';
import { countVisits, loadRegistrations, loadStays, raisedOverdue } from './visit-facts.ts';
import { homesRequiringVisits, isMonthClosed } from './visit-requirement.ts';

const notBlank = (message: string) => z.string().trim().min(1, message);

const visitBody = z.strictObject({
  visitDate: isoDate,
  visitorName: notBlank('must not be blank').max(200),
  announced: z.boolean(),
  childrenSafeguarded: reg44Opinion,
  wellbeingPromoted: reg44Opinion,
  summary: notBlank('must not be blank').max(20_000),
  recommendations: z
    .array(z.strictObject({ action: notBlank('must not be blank').max(2_000), dueBy: isoDate }))
    .max(100)
    .default([]),
  conflictOfInterest: notBlank('must declare any conflict of interest (CHR reg 43), or say "none"').max(
    2_000,
  ),
  reportDate: isoDate,
});

const placementAtHomeSchema = z.object({
  placementId: z.string(),
  placingLa: z.string(),
  childRef: z.string(),
});

const visitSchema = z
  .object({
    id: z.string(),
    urn: z.string(),
    providerId: z.string(),
    visitDate: z.string(),
    visitorName: z.string(),
    announced: z.boolean(),
    childrenSafeguarded: reg44Opinion,
    wellbeingPromoted: reg44Opinion,
    summary: z.string(),
    recommendations: z.array(z.object({ action: z.string(), dueBy: z.string() })),
    conflictOfInterest: z.string(),
    reportDate: z.string(),
    placements: z.array(placementAtHomeSchema),
    recordedAt: z.string(),
  })
  .meta({ id: 'Reg44Visit' });

const complianceSchema = z
  .object({
    month: z.string(),
    closed: z.boolean(),
    homes: z.array(
      z.object({
        urn: z.string(),
        name: z.string().nullable(),
        providerId: z.string(),
        visits: z.number().int(),
        overdue: z.boolean(),
        lastVisitDate: z.string().nullable(),
        overdueRecorded: z.boolean(),
        childrenPlaced: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'Reg44Compliance' });

function visitView(data: Reg44VisitRecordedData, placingLa: string | null) {
  const { visitId, ...rest } = data;
  return {
    id: visitId,
    ...rest,
    placements: placingLa ? data.placements.filter((p) => p.placingLa === placingLa) : data.placements,
  };
}

interface VisitRow {
  visit_id: string;
  urn: string;
  provider_id: string;
  visit_date: string;
  report_date: string;
  visitor_name: string;
  announced: boolean;
  children_safeguarded: 'yes' | 'partly' | 'no';
  wellbeing_promoted: 'yes' | 'partly' | 'no';
  summary: string;
  recommendations: { action: string; dueBy: string }[];
  conflict_of_interest: string;
  placements: PlacementAtHome[];
  recorded_at: string;
}

function fromRow(row: VisitRow): Reg44VisitRecordedData {
  return {
    visitId: row.visit_id,
    urn: row.urn,
    providerId: row.provider_id,
    visitDate: row.visit_date,
    visitorName: row.visitor_name,
    announced: row.announced,
    childrenSafeguarded: row.children_safeguarded,
    wellbeingPromoted: row.wellbeing_promoted,
    summary: row.summary,
    recommendations: row.recommendations,
    conflictOfInterest: row.conflict_of_interest,
    reportDate: row.report_date,
    placements: row.placements,
    recordedAt: new Date(row.recorded_at).toISOString(),
  };
}

/** Which homes of a month's compliance list a principal may see. */
function complianceScope(
  principal: Principal,
): (home: { providerId: string; placingLas: Set<string> }) => boolean {
  const roles = principal.roles;
  if (roles.includes('ops') || roles.includes('regulator')) return () => true;
  return (home) =>
    ((roles.includes('provider') || roles.includes('independent-visitor')) &&
      home.providerId === principal.org) ||
    (roles.includes('placing-authority') && home.placingLas.has(principal.org));
}

export function registerReg44Routes(host: Service): void {
  const params = z.strictObject({ urn: urnSchema });

  host.app.post(
    '/v1/homes/:urn/reg44-visits',
    {
      config: { auth: { roles: ['independent-visitor', 'ops'] } },
      schema: {
        summary: 'Record a Reg 44 independent person’s visit and report',
        tags: ['Reg 44 visits'],
        params,
        body: visitBody,
        response: { 201: visitSchema },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const home = await requireHome(host.pool, request.params.urn);
      const visited = { urn: home.urn, providerId: home.provider_id };
      if (!mayRecordVisit(principal, visited)) {
        throw problems.forbidden(
          `only independent visitors appointed by ${home.provider_id}, or ops, may record visits to this home`,
        );
      }
      const now = host.clock();
      // The children at the home come from the read models: bring them up to every placement this
      // service has already recorded (a start recorded a moment ago must be on the report's list).
      await host.catchUpProjections();
      const placements = await childrenAtHome(host.pool, home.urn, request.body.visitDate);
      const data = decideReg44Visit(request.body, {
        visitId: randomUUID(),
        home: visited,
        principal,
        placements,
        today: todayInEngland(now),
        now,
      });
      await recordOwnEvent(host, {
        streamId: reg44VisitStreamId(data.visitId),
        type: 'Reg44VisitRecorded',
        data,
        metadata: host.metadata(request),
        children: async () => placements,
      });
      reply.header('location', `/v1/homes/${home.urn}/reg44-visits/${data.visitId}`);
      return reply.status(201).send(visitView(data, null));
    },
  );

  host.app.get(
    '/v1/homes/:urn/reg44-visits',
    {
      config: {
        auth: { roles: ['provider', 'independent-visitor', 'regulator', 'ops', 'placing-authority'] },
      },
      schema: {
        summary: 'Reg 44 visits to a home, newest first',
        description:
          'The provider, its visitors, Ofsted and ops see every visit; a placing LA sees the visits made while one of its children lived at the home, listing only its own children.',
        tags: ['Reg 44 visits'],
        params,
        querystring: z.strictObject({ from: isoDate.optional(), to: isoDate.optional() }),
        response: { 200: z.object({ urn: z.string(), items: z.array(visitSchema) }) },
      },
    },
    async (request) => {
      const principal = host.principal(request);
      const home = await requireHome(host.pool, request.params.urn);
      const view = await homeViewFor(host.pool, principal, home);
      const placingLa = view === 'placing-la' ? principal.org : null;
      const { rows } = await host.pool.query<{ row: VisitRow }>(
        `SELECT to_jsonb(v) AS row FROM reg44_visits v
          WHERE urn = $1 AND ($2::date IS NULL OR visit_date >= $2) AND ($3::date IS NULL OR visit_date <= $3)
            AND ($4::text IS NULL OR placements @> jsonb_build_array(jsonb_build_object('placingLa', $4::text)))
          ORDER BY visit_date DESC, recorded_at DESC`,
        [home.urn, request.query.from ?? null, request.query.to ?? null, placingLa],
      );
      return { urn: home.urn, items: rows.map(({ row }) => visitView(fromRow(row), placingLa)) };
    },
  );

  host.app.get(
    '/v1/homes/:urn/reg44-visits/:visitId',
    {
      config: {
        auth: { roles: ['provider', 'independent-visitor', 'regulator', 'ops', 'placing-authority'] },
      },
      schema: {
        summary: 'One Reg 44 visit report',
        tags: ['Reg 44 visits'],
        params: z.strictObject({ urn: urnSchema, visitId: z.uuid() }),
        response: { 200: visitSchema },
      },
    },
    async (request) => {
      const principal = host.principal(request);
      const home = await requireHome(host.pool, request.params.urn);
      const view = await homeViewFor(host.pool, principal, home);
      const { rows } = await host.pool.query<{ row: VisitRow }>(
        'SELECT to_jsonb(v) AS row FROM reg44_visits v WHERE urn = $1 AND visit_id = $2::uuid',
        [home.urn, request.params.visitId],
      );
      const visit = rows[0] ? fromRow(rows[0].row) : undefined;
      const placingLa = view === 'placing-la' ? principal.org : null;
      if (!visit || (placingLa && !visit.placements.some((p) => p.placingLa === placingLa)))
        throw problems.notFound(`visit ${request.params.visitId}`);
      return visitView(visit, placingLa);
    },
  );

  host.app.get(
    '/v1/compliance/reg44',
    {
      config: {
        auth: { roles: ['ops', 'regulator', 'provider', 'independent-visitor', 'placing-authority'] },
      },
      schema: {
        summary: 'Reg 44 compliance for a calendar month',
        description:
          'Every registered home that had a child placed during the month, with its visits in the month. A closed month without a visit is overdue. Providers see their homes, placing LAs the homes where their children were placed that month.',
        tags: ['Reg 44 visits'],
        querystring: z.strictObject({
          month: z.string().refine(isMonth, 'must be a calendar month in the form YYYY-MM'),
        }),
        response: { 200: complianceSchema },
      },
    },
    async (request) => {
      const principal = host.principal(request);
      const { month } = request.query;
      const today = todayInEngland(host.clock());
      if (month > monthOf(today))
        throw problems.validation([{ path: 'query.month', message: 'must not be after the current month' }]);
      const from = firstDayOf(month);
      const to = lastDayOf(month);
      const stays = await loadStays(host.pool, from, to);
      const { registrations, homes } = await loadRegistrations(
        host.pool,
        stays.map((stay) => stay.urn),
      );
      const visits = await countVisits(host.pool, from, to);
      const raised = await raisedOverdue(host.pool, [month]);
      const closed = isMonthClosed(month, today);
      const inScope = complianceScope(principal);
      const rows = [];
      for (const home of homesRequiringVisits(month, stays, registrations).values()) {
        const placingLas = new Set(home.placements.map((p) => p.placingLa));
        if (!inScope({ providerId: home.providerId, placingLas })) continue;
        const counted = visits.get(home.urn)?.get(month);
        rows.push({
          urn: home.urn,
          name: homes.get(home.urn)?.name ?? null,
          providerId: home.providerId,
          visits: counted?.visits ?? 0,
          overdue: closed && !counted,
          lastVisitDate: counted?.lastVisitDate ?? null,
          overdueRecorded: raised.has(`${home.urn}|${month}`),
          childrenPlaced: home.placements.length,
        });
      }
      rows.sort((a, b) => a.urn.localeCompare(b.urn));
      return { month, closed, homes: rows };
    },
  );
}
