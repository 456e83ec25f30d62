// HTTP: the commissioning analytics (DOMAIN.md §5) over a period ending on `asOf` (default today):
// a placing LA sees its own children; ops sees everyone or one LA (`la=`). Everything comes from the
// read models, which a rebuild replays from the log.
import { addDays, isoDate, laCode, todayInEngland } from '@placements/contracts';
import type { Queryable } from '@placements/event-store';
import { type Principal, problems } from '@placements/service-kit';
import { z } from 'zod';
import type { Service } from '../app.ts';
import { addMonths, firstDayOf, lastDayOf, monthOf, monthsBetween } from '../calendar/calendar-month.ts';
import { countVisits, loadRegistrations, loadStays } from '../reg44-visits/visit-facts.ts';
import { homesRequiringVisits, isMonthClosed } from '../reg44-visits/visit-requirement.ts';
import { reg45Compliance } from '../reg45-reviews/routes.ts';
import {
  type HomeMonth,
  type NoticeFact,
  notificationCompliance,
  outOfArea,
  type Period,
  type PlacementFact,
  reg44ComplianceByHome,
  stability,
} from './measures.ts';

const analyticsQuery = z.strictObject({
  la: laCode.optional().describe('ops only: one placing LA'),
  asOf: isoDate.optional().describe('last day of the period (default today)'),
});

const scopeSchema = {
  placingLa: z.string().nullable(),
  period: z.object({ from: z.string(), to: z.string() }),
};

/** The placing LA the caller may see (null = all, ops only). */
function scopeOf(principal: Principal, la: string | undefined): string | null {
  if (principal.roles.includes('ops')) return la ?? null;
  if (la !== undefined && la !== principal.org)
    throw problems.forbidden('a placing authority sees analytics for its own children only');
  return principal.org;
}

async function placementFacts(
  client: Queryable,
  placingLa: string | null,
  period: Period,
): Promise<PlacementFact[]> {
  const { rows } = await client.query<{
    placement_id: string;
    placing_la: string;
    child_ref: string;
    host_la: string;
    home_urn: string;
    out_of_area: boolean;
    at_distance: boolean;
    over_20_miles: boolean | null;
    distance_miles: string | null;
    start_date: string;
    end_date: string | null;
    previous_placement_id: string | null;
  }>(
    `SELECT placement_id::text AS placement_id, placing_la, child_ref, host_la, home_urn, out_of_area, at_distance,
            over_20_miles, distance_miles, start_date::text AS start_date, end_date::text AS end_date,
            previous_placement_id::text AS previous_placement_id
       FROM monitoring_placements
      WHERE start_date IS NOT NULL AND start_date <= $2::date AND (end_date IS NULL OR end_date >= $1::date)
        AND ($3::text IS NULL OR placing_la = $3)`,
    [period.from, period.to, placingLa],
  );
  return rows.map((row) => ({
    placementId: row.placement_id,
    placingLa: row.placing_la,
    childRef: row.child_ref,
    hostLa: row.host_la,
    homeUrn: row.home_urn,
    outOfArea: row.out_of_area,
    atDistance: row.at_distance,
    over20Miles: row.over_20_miles,
    distanceMiles: row.distance_miles === null ? null : Number(row.distance_miles),
    startDate: row.start_date,
    endDate: row.end_date,
    previousPlacementId: row.previous_placement_id,
  }));
}

async function noticeFacts(
  client: Queryable,
  placingLa: string | null,
  period: Period,
): Promise<NoticeFact[]> {
  const { rows } = await client.query<{
    kind: string;
    due_by: string | null;
    placement_start: string | null;
    raised_at: Date;
    delivered_on: string | null;
    sent_before_start: boolean | null;
    acknowledged: boolean;
    overdue: boolean;
  }>(
    `SELECT kind, due_by::text AS due_by, placement_start::text AS placement_start, raised_at,
            to_char(delivered_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS delivered_on,
            sent_before_start, acknowledged_at IS NOT NULL AS acknowledged, overdue_at IS NOT NULL AS overdue
       FROM monitoring_notices
      WHERE raised_at IS NOT NULL AND kind IS NOT NULL
        AND (raised_at AT TIME ZONE 'Europe/London')::date BETWEEN $1::date AND $2::date
        AND ($3::text IS NULL OR placing_la = $3)`,
    [period.from, period.to, placingLa],
  );
  return rows.map((row) => ({
    kind: row.kind,
    dueBy: row.due_by,
    placementStart: row.placement_start,
    raisedAt: todayInEngland(row.raised_at),
    deliveredOn: row.delivered_on,
    sentBeforeStart: row.sent_before_start,
    acknowledged: row.acknowledged,
    overdue: row.overdue,
  }));
}

export function registerAnalyticsRoutes(host: Service): void {
  const periodEnding = (asOf: string | undefined): Period => {
    const to = asOf ?? todayInEngland(host.clock());
    return { from: addDays(addMonths(to, -host.config.ANALYTICS_WINDOW_MONTHS), 1), to };
  };
  const tags = ['analytics'];

  host.app.get(
    '/v1/analytics/stability',
    {
      config: { auth: { roles: ['placing-authority', 'ops'] } },
      schema: {
        summary: 'Placement stability: moves per child, share with 3+ placements, placement length',
        tags,
        querystring: analyticsQuery,
        response: {
          200: z.object({
            ...scopeSchema,
            children: z.number().int(),
            placements: z.number().int(),
            moves: z.number().int(),
            movesPerChild: z.number().nullable(),
            childrenWith3OrMorePlacements: z.number().int(),
            shareWith3OrMorePlacements: z.number().nullable(),
            placementsEnded: z.number().int(),
            averagePlacementLengthDays: z.number().nullable(),
            ongoingPlacements: z.number().int(),
            averageOngoingPlacementDays: z.number().nullable(),
          }),
        },
      },
    },
    async (request) => {
      const placingLa = scopeOf(host.principal(request), request.query.la);
      const period = periodEnding(request.query.asOf);
      return { placingLa, period, ...stability(await placementFacts(host.pool, placingLa, period), period) };
    },
  );

  host.app.get(
    '/v1/analytics/out-of-area',
    {
      config: { auth: { roles: ['placing-authority', 'ops'] } },
      schema: {
        summary: 'Out-of-area, at-distance and over-20-miles rates, and LA-to-LA flows',
        tags,
        querystring: analyticsQuery,
        response: {
          200: z.object({
            ...scopeSchema,
            placementsStarted: z.number().int(),
            outOfArea: z.number().int(),
            outOfAreaRate: z.number().nullable(),
            atDistance: z.number().int(),
            atDistanceRate: z.number().nullable(),
            over20Miles: z.number().int(),
            over20MilesRate: z.number().nullable(),
            outOfAreaAndOver20Miles: z.number().int(),
            outOfAreaAndOver20MilesRate: z.number().nullable(),
            flows: z.array(z.object({ from: z.string(), to: z.string(), placements: z.number().int() })),
          }),
        },
      },
    },
    async (request) => {
      const placingLa = scopeOf(host.principal(request), request.query.la);
      const period = periodEnding(request.query.asOf);
      return { placingLa, period, ...outOfArea(await placementFacts(host.pool, placingLa, period), period) };
    },
  );

  host.app.get(
    '/v1/analytics/notification-compliance',
    {
      config: { auth: { roles: ['placing-authority', 'ops'] } },
      schema: {
        summary: 'Statutory notices: sent before the start, lateness, acknowledgements (by kind)',
        tags,
        querystring: analyticsQuery,
        response: {
          200: z.object({
            ...scopeSchema,
            kinds: z.array(
              z.object({
                kind: z.string(),
                notices: z.number().int(),
                delivered: z.number().int(),
                sentBeforeStart: z.number().int(),
                sentBeforeStartShare: z.number().nullable(),
                deliveredLate: z.number().int(),
                averageLatenessDays: z.number().nullable(),
                undeliveredPastDue: z.number().int(),
                acknowledged: z.number().int(),
                acknowledgementRate: z.number().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const placingLa = scopeOf(host.principal(request), request.query.la);
      const period = periodEnding(request.query.asOf);
      const notices = await noticeFacts(host.pool, placingLa, period);
      return { placingLa, period, kinds: notificationCompliance(notices, period, period.to) };
    },
  );

  host.app.get(
    '/v1/analytics/reg44-compliance',
    {
      config: { auth: { roles: ['placing-authority', 'ops'] } },
      schema: {
        summary: 'Reg 44 and Reg 45 compliance by home and by provider',
        description:
          'Over the calendar months of the period that have closed: months each home needed a visit (registered, a child placed), months visited and months overdue; with each home’s Reg 45 review status today. A placing LA sees the homes where its children were placed in those months.',
        tags,
        querystring: analyticsQuery,
        response: {
          200: z.object({
            ...scopeSchema,
            months: z.array(z.string()),
            homes: z.array(
              z.object({
                urn: z.string(),
                providerId: z.string(),
                monthsRequired: z.number().int(),
                monthsVisited: z.number().int(),
                monthsOverdue: z.number().int(),
                complianceRate: z.number().nullable(),
                reg45ReviewOverdue: z.boolean().nullable(),
                reg45NextReviewDueBy: z.string().nullable(),
                reg45LateReports: z.number().int().nullable(),
              }),
            ),
            providers: z.array(
              z.object({
                providerId: z.string(),
                homes: z.number().int(),
                monthsRequired: z.number().int(),
                monthsVisited: z.number().int(),
                monthsOverdue: z.number().int(),
                complianceRate: z.number().nullable(),
                reg45HomesOverdue: z.number().int(),
                reg45LateReports: z.number().int(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const placingLa = scopeOf(host.principal(request), request.query.la);
      const period = periodEnding(request.query.asOf);
      const today = todayInEngland(host.clock());
      // Months of the period that have closed: an open month cannot be missed yet.
      const months = monthsBetween(monthOf(period.from), monthOf(period.to)).filter((month) =>
        isMonthClosed(month, today),
      );
      if (months.length === 0) return { placingLa, period, months, homes: [], providers: [] };
      const from = firstDayOf(months[0]!);
      const to = lastDayOf(months.at(-1)!);
      const stays = await loadStays(host.pool, from, to);
      const { registrations } = await loadRegistrations(
        host.pool,
        stays.map((stay) => stay.urn),
      );
      const visits = await countVisits(host.pool, from, to);
      const homeMonths: HomeMonth[] = [];
      for (const month of months) {
        for (const home of homesRequiringVisits(month, stays, registrations).values()) {
          if (placingLa && !home.placements.some((p) => p.placingLa === placingLa)) continue;
          homeMonths.push({
            urn: home.urn,
            providerId: home.providerId,
            month,
            visited: (visits.get(home.urn)?.get(month)?.visits ?? 0) > 0,
            closed: true,
          });
        }
      }
      const byHome = reg44ComplianceByHome(homeMonths);
      const reg45 = new Map(
        (
          await reg45Compliance(
            host.pool,
            today,
            byHome.map((home) => home.urn),
          )
        ).map((home) => [home.urn, home]),
      );
      const homes = byHome.map((home) => {
        const review = reg45.get(home.urn);
        return {
          ...home,
          reg45ReviewOverdue: review ? review.reviewOverdue : null,
          reg45NextReviewDueBy: review?.nextReviewDueBy ?? null,
          reg45LateReports: review ? review.lateReports : null,
        };
      });
      const providers = new Map<string, ReturnType<typeof emptyProvider>>();
      function emptyProvider(providerId: string) {
        return {
          providerId,
          homes: 0,
          monthsRequired: 0,
          monthsVisited: 0,
          monthsOverdue: 0,
          complianceRate: null as number | null,
          reg45HomesOverdue: 0,
          reg45LateReports: 0,
        };
      }
      for (const home of homes) {
        const provider = providers.get(home.providerId) ?? emptyProvider(home.providerId);
        provider.homes += 1;
        provider.monthsRequired += home.monthsRequired;
        provider.monthsVisited += home.monthsVisited;
        provider.monthsOverdue += home.monthsOverdue;
        if (home.reg45ReviewOverdue) provider.reg45HomesOverdue += 1;
        provider.reg45LateReports += home.reg45LateReports ?? 0;
        provider.complianceRate =
          provider.monthsRequired === 0
            ? null
            : Math.round((provider.monthsVisited / provider.monthsRequired) * 10_000) / 10_000;
        providers.set(home.providerId, provider);
      }
      return {
        placingLa,
        period,
        months,
        homes,
        providers: [...providers.values()].sort((a, b) => a.providerId.localeCompare(b.providerId)),
      };
    },
  );
}
