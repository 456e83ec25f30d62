// HTTP: the cost of instability. A placing LA sees each of its children (placements, moves, weekly
// cost over time, the cost of each move); consortia and ops see it aggregated per area. Every
// response names the unit costs used, their source and price year.
import { childRef, laCode } from '@placements/contracts';
import { problems } from '@placements/service-kit';
import { z } from 'zod';
import { areaLevel, areaSchema, areasFor } from '../access/areas.ts';
import { count, share, statistic } from '../access/disclosure.ts';
import { analystRoles, disclosureFor, lasOf } from '../access/viewer.ts';
import { type CommissioningContext, todayFor, viewerFor } from '../context.ts';
import { periodQuery, periodSchema, resolvePeriod } from '../http/period.ts';
import { countSchema, disclosureNote, disclosureSchema } from '../http/schemas.ts';
import { formatParam, jsonOrCsv, sendTable } from '../http/tables.ts';
import { ROUNDING_BASE } from '../policy.ts';
import { loadPlacements, type PlacementRow } from '../read-models/load.ts';
import { remembered } from '../read-models/results.ts';
import { childInstability } from './cost.ts';

const unitCostNote = z
  .strictObject({
    findSubsequentPlacement: z.number(),
    emergencyMoveSupplement: z.number(),
    priceYear: z.string(),
    source: z.string(),
    status: z.string(),
  })
  .meta({ id: 'UnitCostNote' });

const childRow = z
  .strictObject({
    childRef: z.string(),
    placementsEver: z.number().int(),
    placementsInPeriod: z.number().int(),
    movesInPeriod: z.number().int(),
    threeOrMorePlacementsInPeriod: z.boolean(),
    currentWeeklyFee: z.number().nullable(),
    placementCostInPeriod: z.number(),
    moveCostInPeriod: z.number(),
    totalCostInPeriod: z.number(),
  })
  .meta({ id: 'InstabilityChildRow' });

const summaryRow = z
  .strictObject({
    area: areaSchema,
    children: countSchema.describe('children with a placement live in the period'),
    threeOrMorePlacements: countSchema,
    threeOrMoreShare: z.number().nullable(),
    moves: countSchema,
    movesPerChild: z.number().nullable(),
    placementCost: z.number().nullable(),
    moveCost: z.number().nullable(),
    meanWeeklyCost: z.number().nullable().describe('placement cost per week in placement, to the nearest £5'),
  })
  .meta({ id: 'InstabilitySummaryRow' });

const childDetail = z
  .strictObject({
    placingLa: z.string(),
    childRef: z.string(),
    period: periodSchema,
    unitCosts: unitCostNote,
    placementsEver: z.number().int(),
    placementsInPeriod: z.number().int(),
    movesInPeriod: z.number().int(),
    currentWeeklyFee: z.number().nullable(),
    placementCostInPeriod: z.number(),
    moveCostInPeriod: z.number(),
    totalCostInPeriod: z.number(),
    placements: z.array(
      z.strictObject({
        placementId: z.string(),
        homeUrn: z.string(),
        hostLa: z.string(),
        startDate: z.string().nullable(),
        endDate: z.string().nullable(),
        weeklyFee: z.number().nullable(),
        outOfArea: z.boolean(),
        distanceMiles: z.number().nullable(),
        emergency: z.boolean().nullable(),
        reasonEnded: z.string().nullable(),
        placeChangeReason: z.string().nullable(),
        status: z.string(),
      }),
    ),
    moves: z.array(
      z.strictObject({
        date: z.string(),
        fromPlacementId: z.string().nullable(),
        toPlacementId: z.string(),
        placeChangeReason: z.string().nullable(),
        emergency: z.boolean(),
        cost: z.number(),
      }),
    ),
    monthly: z.array(
      z.strictObject({
        month: z.string(),
        weeklyFeeAtMonthEnd: z.number().nullable(),
        placementCost: z.number(),
        moves: z.number().int(),
        moveCost: z.number(),
      }),
    ),
  })
  .meta({ id: 'ChildInstability' });

function byChild(placements: readonly PlacementRow[]): Map<string, PlacementRow[]> {
  const children = new Map<string, PlacementRow[]>();
  for (const placement of placements) {
    const key = `${placement.placingLa}|${placement.childRef}`;
    children.set(key, [...(children.get(key) ?? []), placement]);
  }
  return children;
}

export function registerInstabilityRoutes(ctx: CommissioningContext): void {
  const { app } = ctx.host;
  const note = () => ({
    findSubsequentPlacement: ctx.unitCosts.costs.findSubsequentPlacement.amount,
    emergencyMoveSupplement: ctx.unitCosts.costs.emergencyMoveSupplement.amount,
    priceYear: ctx.unitCosts.priceYear,
    source: ctx.unitCosts.source,
    status: ctx.unitCosts.status,
  });

  app.get(
    '/v1/commissioning/instability',
    {
      config: { auth: { roles: ['placing-authority', 'ops'] } },
      schema: {
        tags: ['commissioning'],
        summary: 'Cost of instability per child: placements, moves, placement and move costs in the period',
        querystring: z.strictObject({
          la: laCode.optional().describe('ops: the placing LA (required for ops)'),
          ...periodQuery,
          format: formatParam,
        }),
        response: {
          200: jsonOrCsv(
            z
              .strictObject({
                period: periodSchema,
                placingLa: z.string(),
                unitCosts: unitCostNote,
                rows: z.array(childRow),
              })
              .meta({ id: 'InstabilityChildren' }),
            'Children of one LA',
          ),
        },
      },
    },
    async (request, reply) => {
      const viewer = viewerFor(ctx, request);
      const query = request.query;
      let la: string;
      if (viewer.kind === 'la') {
        if (query.la !== undefined && query.la !== viewer.la)
          throw problems.forbidden('a placing authority sees its own children only');
        la = viewer.la;
      } else if (viewer.kind === 'national') {
        if (query.la === undefined)
          throw problems.validation([{ path: 'query.la', message: 'ops must name the placing LA' }]);
        la = query.la;
      } else {
        throw problems.forbidden(
          'child-level costs are for the placing authority; consortia see /instability/summary',
        );
      }
      const period = resolvePeriod(query, 'exact', ctx.host.clock());
      const placements = await loadPlacements(ctx.host.pool, { placingLas: new Set([la]) });
      const rows = [...byChild(placements).values()]
        .map((list) => childInstability(list, period, ctx.unitCosts))
        .filter((child) => child.placementsInPeriod > 0)
        .map((child) => ({
          childRef: child.childRef,
          placementsEver: child.placementsEver,
          placementsInPeriod: child.placementsInPeriod,
          movesInPeriod: child.movesInPeriod,
          threeOrMorePlacementsInPeriod: child.placementsInPeriod >= 3,
          currentWeeklyFee: child.currentWeeklyFee,
          placementCostInPeriod: child.placementCostInPeriod,
          moveCostInPeriod: child.moveCostInPeriod,
          totalCostInPeriod: child.totalCostInPeriod,
        }))
        .sort(
          (a, b) =>
            b.movesInPeriod - a.movesInPeriod ||
            b.totalCostInPeriod - a.totalCostInPeriod ||
            a.childRef.localeCompare(b.childRef),
        );
      const body = { period, placingLa: la, unitCosts: note(), rows };
      return sendTable(
        request,
        reply,
        query.format,
        body,
        rows,
        `commissioning-instability-${la}-${period.from}-${period.to}`,
      );
    },
  );

  app.get(
    '/v1/commissioning/instability/summary',
    {
      config: { auth: { roles: analystRoles } },
      schema: {
        tags: ['commissioning'],
        summary: 'Cost of instability per area: children, 3+ placements, moves and their cost',
        description:
          'Shared views: counts protected; costs withheld below 5 children and rounded to the nearest £1,000; the move cost is the published moves × the unit cost of finding a subsequent placement.',
        querystring: z.strictObject({
          level: areaLevel.optional(),
          area: z.string().max(40).optional(),
          ...periodQuery,
          format: formatParam,
        }),
        response: {
          200: jsonOrCsv(
            z
              .strictObject({
                period: periodSchema,
                level: areaLevel,
                disclosure: disclosureSchema,
                unitCosts: unitCostNote,
                rows: z.array(summaryRow),
              })
              .meta({ id: 'InstabilitySummary' }),
            'Instability per area',
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
        const { level, areas } = areasFor(viewer, query.level, ctx.consortia, todayFor(ctx), query.area);
        const children = [
          ...byChild(await loadPlacements(ctx.host.pool, { placingLas: lasOf(viewer) })).values(),
        ]
          .map((list) => childInstability(list, period, ctx.unitCosts))
          .filter((child) => child.placementsInPeriod > 0);
        const money = (value: number, n: number) =>
          statistic(disclosure === 'protected' ? Math.round(value / 1000) * 1000 : value, n, disclosure);
        const rows = areas.map((area) => {
          const members = new Set(area.las);
          const inArea = children.filter((child) => members.has(child.placingLa));
          const childCount = count(inArea.length, disclosure);
          const threePlus = count(inArea.filter((child) => child.placementsInPeriod >= 3).length, disclosure);
          const exactMoves = inArea.reduce((sum, child) => sum + child.movesInPeriod, 0);
          const moves = count(exactMoves, disclosure);
          const placementCost = inArea.reduce((sum, child) => sum + child.placementCostInPeriod, 0);
          const exactMoveCost = inArea.reduce((sum, child) => sum + child.moveCostInPeriod, 0);
          const weeksInPlacement = inArea.reduce((sum, child) => sum + child.placementDaysInPeriod, 0) / 7;
          return {
            area: { level: area.level, code: area.code, name: area.name },
            children: childCount,
            threeOrMorePlacements: threePlus,
            threeOrMoreShare: share(threePlus, childCount),
            moves,
            movesPerChild: share(moves, childCount),
            placementCost: money(placementCost, inArea.length),
            moveCost:
              disclosure === 'protected'
                ? moves.value === null
                  ? null
                  : moves.value * ctx.unitCosts.costs.findSubsequentPlacement.amount
                : exactMoveCost,
            meanWeeklyCost: statistic(
              weeksInPlacement === 0
                ? null
                : Math.round(placementCost / weeksInPlacement / ROUNDING_BASE) * ROUNDING_BASE,
              inArea.length,
              disclosure,
            ),
          };
        });
        const body = { period, level, disclosure: disclosureNote(disclosure), unitCosts: note(), rows };
        return {
          body: body,
          rows: rows,
          name: `commissioning-instability-summary-${level}-${period.from}-${period.to}`,
        };
      });
      return sendTable(request, reply, request.query.format, computed.body, computed.rows, computed.name);
    },
  );

  app.get(
    '/v1/commissioning/children/:placingLa/:childRef/instability',
    {
      config: { auth: { roles: ['placing-authority', 'ops'] } },
      schema: {
        tags: ['commissioning'],
        summary: 'One child: every placement, each move and its cost, and the weekly cost month by month',
        params: z.strictObject({ placingLa: laCode, childRef }),
        querystring: z.strictObject({ ...periodQuery, format: formatParam }),
        response: { 200: jsonOrCsv(childDetail, 'The child’s placements, moves and costs') },
      },
    },
    async (request, reply) => {
      const viewer = viewerFor(ctx, request);
      const { placingLa, childRef: ref } = request.params;
      // Another LA's child is not found, not forbidden: its existence is not this LA's business.
      if (viewer.kind === 'la' && viewer.la !== placingLa) throw problems.notFound('the child');
      if (viewer.kind === 'consortium')
        throw problems.forbidden('child-level costs are for the placing authority');
      const placements = await loadPlacements(ctx.host.pool, {
        placingLas: new Set([placingLa]),
        childRef: ref,
      });
      if (placements.length === 0) throw problems.notFound('the child');
      const first = placements
        .map((p) => p.startDate ?? p.plannedStart)
        .filter((d): d is string => d !== null)
        .sort()[0];
      const period = resolvePeriod(
        {
          from: request.query.from ?? (request.query.to === undefined ? first : undefined),
          to: request.query.to,
        },
        'exact',
        ctx.host.clock(),
      );
      const result = childInstability(placements, period, ctx.unitCosts);
      const body = {
        placingLa,
        childRef: ref,
        period,
        unitCosts: note(),
        placementsEver: result.placementsEver,
        placementsInPeriod: result.placementsInPeriod,
        movesInPeriod: result.movesInPeriod,
        currentWeeklyFee: result.currentWeeklyFee,
        placementCostInPeriod: result.placementCostInPeriod,
        moveCostInPeriod: result.moveCostInPeriod,
        totalCostInPeriod: result.totalCostInPeriod,
        placements: placements.map((p) => ({
          placementId: p.placementId,
          homeUrn: p.homeUrn,
          hostLa: p.hostLa,
          startDate: p.startDate,
          endDate: p.endDate,
          weeklyFee: p.weeklyFee,
          outOfArea: p.outOfArea,
          distanceMiles: p.distanceMiles,
          emergency: p.emergency,
          reasonEnded: p.reasonEnded,
          placeChangeReason: p.placeChangeReason,
          status: p.status,
        })),
        moves: result.moves,
        monthly: result.monthly,
      };
      return sendTable(
        request,
        reply,
        request.query.format,
        body,
        result.monthly,
        `commissioning-child-${placingLa}-${ref}`,
      );
    },
  );
}
