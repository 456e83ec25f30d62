// HTTP: the market view. Supply figures (homes, places, concentration, listed fees) are registry
// data anyone signed in may see for any area; occupancy, agreed fees and declines count children
// or their referrals, so they are protected except for ops and for an LA's own placements.
import { intensity } from '@placements/contracts';
import { z } from 'zod';
import { areaLevel, areaSchema, areasFor } from '../access/areas.ts';
import { analystRoles, disclosureFor, lasOf } from '../access/viewer.ts';
import { type CommissioningContext, todayFor, viewerFor } from '../context.ts';
import { periodQuery, periodSchema, resolvePeriod } from '../http/period.ts';
import { countSchema, disclosureNote, disclosureSchema } from '../http/schemas.ts';
import { formatParam, jsonOrCsv, sendTable } from '../http/tables.ts';
import { loadHomes } from '../read-models/load.ts';
import { remembered } from '../read-models/results.ts';
import {
  concentrationRows,
  contractRoutes,
  declineReasons,
  declineRows,
  feeRows,
  providerRows,
} from './analysis.ts';

const supplyQuery = z.strictObject({
  level: areaLevel.optional().describe('region (default), england, la, consortium'),
  area: z.string().max(40).optional(),
  format: formatParam,
});

const providerRow = z
  .strictObject({
    area: areaSchema,
    providerGroup: z.string().describe('parent group, or the provider when it has none'),
    homes: z.number().int(),
    registeredPlaces: z.number().int(),
    occupiedPlaces: countSchema,
    occupancy: z.number().nullable(),
    shareOfPlaces: z.number(),
    medianListedWeeklyFee: z.number().nullable(),
  })
  .meta({ id: 'MarketProviderRow' });

const concentrationRow = z
  .strictObject({
    area: areaSchema,
    homes: z.number().int(),
    registeredPlaces: z.number().int(),
    providerGroups: z.number().int(),
    hhi: z
      .number()
      .int()
      .describe('Herfindahl–Hirschman index of registered places across provider groups (0–10,000)'),
    top3Share: z.number(),
    largestGroup: z.string().nullable(),
    largestGroupShare: z.number(),
    independentShare: z.number().describe('share of places in independent (PR4) homes'),
  })
  .meta({ id: 'MarketConcentrationRow' });

const feeRow = z
  .strictObject({
    basis: z.enum(['agreed', 'listed']),
    needBand: intensity,
    contractRoute: z.enum(contractRoutes),
    n: countSchema,
    p10: z.number().nullable(),
    p25: z.number().nullable(),
    median: z.number().nullable(),
    p75: z.number().nullable(),
    p90: z.number().nullable(),
    mean: z.number().nullable(),
  })
  .meta({ id: 'MarketFeeRow' });

const declineRow = z
  .strictObject({
    providerId: z.string(),
    providerName: z.string(),
    offers: countSchema,
    accepted: countSchema,
    declined: countSchema,
    declineRate: z.number().nullable(),
    reasons: z.strictObject(
      Object.fromEntries(declineReasons.map((reason) => [reason, countSchema])) as Record<
        (typeof declineReasons)[number],
        typeof countSchema
      >,
    ),
  })
  .meta({ id: 'MarketDeclineRow' });

export function registerMarketRoutes(ctx: CommissioningContext): void {
  const { app } = ctx.host;
  const registryAreas = (level: z.infer<typeof areaLevel> | undefined, area: string | undefined) =>
    areasFor({ kind: 'national' }, level ?? 'region', ctx.consortia, todayFor(ctx), area);

  app.get(
    '/v1/commissioning/market/providers',
    {
      config: { auth: { roles: analystRoles } },
      schema: {
        tags: ['commissioning'],
        summary: 'Homes, places and occupancy by provider group and area',
        querystring: supplyQuery,
        response: {
          200: jsonOrCsv(
            z
              .strictObject({
                asOf: z.string(),
                level: areaLevel,
                disclosure: disclosureSchema,
                rows: z.array(providerRow),
              })
              .meta({ id: 'MarketProviders' }),
            'Provider groups per area',
          ),
        },
      },
    },
    async (request, reply) => {
      const computed = await remembered(ctx.host, ctx.results, request, async () => {
        const viewer = viewerFor(ctx, request);
        const query = request.query;
        const today = todayFor(ctx);
        // Occupancy counts every LA's children.
        const disclosure = disclosureFor(viewer, false);
        const { level, areas } = registryAreas(query.level, query.area);
        const rows = providerRows(areas, await loadHomes(ctx.host.pool, today), disclosure);
        const body = { asOf: today, level, disclosure: disclosureNote(disclosure), rows };
        return { body: body, rows: rows, name: `commissioning-market-providers-${level}-${today}` };
      });
      return sendTable(request, reply, request.query.format, computed.body, computed.rows, computed.name);
    },
  );

  app.get(
    '/v1/commissioning/market/concentration',
    {
      config: { auth: { roles: analystRoles } },
      schema: {
        tags: ['commissioning'],
        summary: 'Concentration of places among provider groups per area (HHI, top-3 share)',
        description:
          'HHI above 2,500 is conventionally highly concentrated, 1,500–2,500 moderately (CMA/US DoJ merger guidelines).',
        querystring: supplyQuery,
        response: {
          200: jsonOrCsv(
            z
              .strictObject({ asOf: z.string(), level: areaLevel, rows: z.array(concentrationRow) })
              .meta({ id: 'MarketConcentration' }),
            'Concentration per area',
          ),
        },
      },
    },
    async (request, reply) => {
      const computed = await remembered(ctx.host, ctx.results, request, async () => {
        viewerFor(ctx, request);
        const query = request.query;
        const today = todayFor(ctx);
        const { level, areas } = registryAreas(query.level, query.area);
        const rows = concentrationRows(areas, await loadHomes(ctx.host.pool, today));
        return {
          body: { asOf: today, level, rows },
          rows: rows,
          name: `commissioning-market-concentration-${level}-${today}`,
        };
      });
      return sendTable(request, reply, request.query.format, computed.body, computed.rows, computed.name);
    },
  );

  app.get(
    '/v1/commissioning/market/fees',
    {
      config: { auth: { roles: analystRoles } },
      schema: {
        tags: ['commissioning'],
        summary:
          'Weekly fees by need band and contract route: agreed in your placements, and listed by homes',
        description:
          'agreed: the weekly fee the provider accepted, for placements you may see that started in the period, by the need band of the child’s referral (its highest intensity) and the home’s contract route. listed: homes’ listed fees across England, by the highest intensity the home is staffed for.',
        querystring: z.strictObject({ ...periodQuery, format: formatParam }),
        response: {
          200: jsonOrCsv(
            z
              .strictObject({ period: periodSchema, disclosure: disclosureSchema, rows: z.array(feeRow) })
              .meta({ id: 'MarketFees' }),
            'Fee distributions',
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
        const las = lasOf(viewer);
        const { rows: agreed } = await ctx.host.pool.query<{
          need_band: 'low' | 'medium' | 'high';
          contract_route: string;
          weekly_fee: string;
        }>(
          `SELECT r.need_band, h.contract_route, COALESCE(o.weekly_fee, p.weekly_fee) AS weekly_fee
             FROM commissioning_placements p
             JOIN commissioning_referrals r ON r.referral_id = p.referral_id
             JOIN commissioning_homes h ON h.urn = p.home_urn
             LEFT JOIN commissioning_offers o ON o.offer_id = p.offer_id
            WHERE p.start_date BETWEEN $1::date AND $2::date AND COALESCE(o.weekly_fee, p.weekly_fee) IS NOT NULL
              AND ($3::text[] IS NULL OR p.placing_la = ANY($3))`,
          [period.from, period.to, las === null ? null : [...las]],
        );
        const homes = await loadHomes(ctx.host.pool, todayFor(ctx));
        const rows = feeRows(
          agreed.map((row) => ({
            needBand: row.need_band,
            contractRoute: row.contract_route,
            weeklyFee: Number(row.weekly_fee),
          })),
          homes,
          disclosure,
        );
        const body = { period, disclosure: disclosureNote(disclosure), rows };
        return { body: body, rows: rows, name: `commissioning-market-fees-${period.from}-${period.to}` };
      });
      return sendTable(request, reply, request.query.format, computed.body, computed.rows, computed.name);
    },
  );

  app.get(
    '/v1/commissioning/market/declines',
    {
      config: { auth: { roles: analystRoles } },
      schema: {
        tags: ['commissioning'],
        summary: 'Offers, acceptances and declines by provider, with the structured decline reasons',
        description:
          'Offers you may see that were sent in the period. Shared views pool providers with fewer than 5 offers.',
        querystring: z.strictObject({ ...periodQuery, format: formatParam }),
        response: {
          200: jsonOrCsv(
            z
              .strictObject({ period: periodSchema, disclosure: disclosureSchema, rows: z.array(declineRow) })
              .meta({ id: 'MarketDeclines' }),
            'Declines by provider',
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
        const las = lasOf(viewer);
        const { rows: offers } = await ctx.host.pool.query<{
          provider_id: string;
          status: string;
          decline_reason: string | null;
        }>(
          `SELECT provider_id, status, decline_reason FROM commissioning_offers
            WHERE (sent_at AT TIME ZONE 'Europe/London')::date BETWEEN $1::date AND $2::date
              AND ($3::text[] IS NULL OR placing_la = ANY($3))`,
          [period.from, period.to, las === null ? null : [...las]],
        );
        const { rows: names } = await ctx.host.pool.query<{ provider_id: string; provider_name: string }>(
          'SELECT DISTINCT ON (provider_id) provider_id, provider_name FROM commissioning_homes ORDER BY provider_id, urn',
        );
        const rows = declineRows(
          offers.map((o) => ({
            providerId: o.provider_id,
            status: o.status,
            declineReason: o.decline_reason,
          })),
          new Map(names.map((n) => [n.provider_id, n.provider_name])),
          disclosure,
        );
        const body = { period, disclosure: disclosureNote(disclosure), rows };
        return { body: body, rows: rows, name: `commissioning-market-declines-${period.from}-${period.to}` };
      });
      return sendTable(request, reply, request.query.format, computed.body, computed.rows, computed.name);
    },
  );
}
