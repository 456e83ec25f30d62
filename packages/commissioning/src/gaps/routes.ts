// HTTP: GET /v1/commissioning/gaps, the needs-led gap analysis per region, LA or consortium for a
// period. Supply is the registry today (homes, their Statement of Purpose, free places); demand is
// the referrals of the period.
import { intensity, needDomain } from '@placements/contracts';
import { z } from 'zod';
import { areaLevel, areaSchema, areasFor } from '../access/areas.ts';
import { analystRoles, disclosureFor, lasOf } from '../access/viewer.ts';
import { type CommissioningContext, todayFor, viewerFor } from '../context.ts';
import { periodQuery, periodSchema, resolvePeriod } from '../http/period.ts';
import { countSchema, disclosureNote, disclosureSchema } from '../http/schemas.ts';
import { formatParam, jsonOrCsv, sendTable } from '../http/tables.ts';
import { ageBands, DISTANCE_BANDS_MILES } from '../policy.ts';
import { loadHomes, loadReferrals } from '../read-models/load.ts';
import { remembered } from '../read-models/results.ts';
import { analyseGaps, gapKinds, reachBands } from './analysis.ts';

const countsOf = <K extends string>(keys: readonly K[]) =>
  z.strictObject(Object.fromEntries(keys.map((key) => [key, countSchema])) as Record<K, typeof countSchema>);

export const gapRowSchema = z
  .strictObject({
    area: areaSchema,
    need: z.strictObject({ domain: needDomain, intensity }),
    demand: z.strictObject({
      referrals: countSchema,
      planned: countSchema,
      emergency: countSchema,
      ageBands: countsOf(ageBands),
      sexes: countsOf(['M', 'F', 'U', 'unknown'] as const),
    }),
    supply: z.strictObject({
      homes: z
        .number()
        .int()
        .describe('homes in the area whose Statement of Purpose covers the need at this intensity or above'),
      registeredPlaces: z.number().int(),
      availablePlaces: z
        .number()
        .int()
        .describe('free places today in those homes that are registered and admitting'),
    }),
    reach: countsOf(reachBands).describe(
      `referred children with at least one home able to take them today (every need, age band, sex, a free place): in their LA, within ${DISTANCE_BANDS_MILES.join(' and ')} miles of the LA's centre, in its region, anywhere in England`,
    ),
    referralsPerAvailablePlace: z.number().nullable(),
    gap: z.enum(gapKinds).nullable(),
    gapBasis: z.enum(['demand-and-supply', 'supply-only']).nullable(),
  })
  .meta({ id: 'GapRow' });

const gapsResponse = z
  .strictObject({
    period: periodSchema,
    level: areaLevel,
    asOf: z.string().describe('the date supply (places free) is measured on'),
    disclosure: disclosureSchema,
    method: z.string(),
    gaps: z.array(
      z.strictObject({
        area: areaSchema,
        need: z.strictObject({ domain: needDomain, intensity }),
        gap: z.enum(gapKinds),
      }),
    ),
    rows: z.array(gapRowSchema),
  })
  .meta({ id: 'GapAnalysis' });

const GAP_METHOD =
  'Demand: referrals submitted in the period by the area’s LAs, counted in every need cell (domain × intensity) they carry. Supply: homes located in the area whose Statement of Purpose covers the domain at that intensity or above. no-provision: referrals but no such home; no-available-place: such homes but none registered, admitting and with a free place today; shortfall: more referrals than available places. Reach is measured from the placing LA’s centre (no child location is kept).';

export function registerGapRoutes(ctx: CommissioningContext): void {
  ctx.host.app.get(
    '/v1/commissioning/gaps',
    {
      config: { auth: { roles: analystRoles } },
      schema: {
        tags: ['commissioning'],
        summary: 'Gap analysis: referred needs against places able to meet them, per area',
        description: `${GAP_METHOD} A placing LA sees its own LA; a consortium its members and their total; ops every region, LA and consortium.`,
        querystring: z.strictObject({
          level: areaLevel
            .optional()
            .describe('region (ops default), la, consortium (consortium default), england'),
          area: z.string().max(40).optional().describe('only this area code'),
          ...periodQuery,
          gapsOnly: z.enum(['true', 'false']).optional().describe('only rows with a gap'),
          format: formatParam,
        }),
        response: { 200: jsonOrCsv(gapsResponse, 'The gap analysis') },
      },
    },
    async (request, reply) => {
      const computed = await remembered(ctx.host, ctx.results, request, async () => {
        const viewer = viewerFor(ctx, request);
        const query = request.query;
        // Supply is registry data and demand the viewer's own referrals unless it sees other LAs' children.
        const disclosure = disclosureFor(viewer, true);
        const period = resolvePeriod(query, disclosure, ctx.host.clock());
        const today = todayFor(ctx);
        const { level, areas } = areasFor(viewer, query.level, ctx.consortia, today, query.area);
        const [homes, referrals] = await Promise.all([
          loadHomes(ctx.host.pool, today),
          loadReferrals(ctx.host.pool, period, lasOf(viewer)),
        ]);
        let rows = analyseGaps({ areas, homes, referrals, disclosure });
        const gaps = rows
          .filter((row) => row.gap !== null)
          .map((row) => ({ area: row.area, need: row.need, gap: row.gap! }));
        if (query.gapsOnly === 'true') rows = rows.filter((row) => row.gap !== null);
        const body = {
          period,
          level,
          asOf: today,
          disclosure: disclosureNote(disclosure),
          method: GAP_METHOD,
          gaps,
          rows,
        };
        return { body: body, rows: rows, name: `commissioning-gaps-${level}-${period.from}-${period.to}` };
      });
      return sendTable(request, reply, request.query.format, computed.body, computed.rows, computed.name);
    },
  );
}
