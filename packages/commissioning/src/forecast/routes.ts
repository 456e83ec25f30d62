// HTTP: demand forecasts. Monthly referrals per need profile and area (the last complete months,
// up to five years), forecast 12 months ahead with 80% and 95% intervals, each printed with the
// error of the same method backtested on the last 12 months of its own history.
import type { Queryable } from '@placements/event-store';
import { problems } from '@placements/service-kit';
import { z } from 'zod';
import { type Area, areaLevel, areaSchema, areasFor } from '../access/areas.ts';
import { type Count, count, type Disclosure, round } from '../access/disclosure.ts';
import { analystRoles, disclosureFor, lasOf, type Viewer } from '../access/viewer.ts';
import { type CommissioningContext, todayFor, viewerFor } from '../context.ts';
import { addMonths, monthOf, monthsBetween } from '../http/period.ts';
import { countSchema, disclosureNote, disclosureSchema } from '../http/schemas.ts';
import { formatParam, jsonOrCsv, sendTable } from '../http/tables.ts';
import {
  BACKTEST_HOLDOUT_MONTHS,
  FORECAST_HORIZON_MONTHS,
  needProfiles,
  SHARED_FORECAST_MIN_MEAN,
} from '../policy.ts';
import { remembered } from '../read-models/results.ts';
import { type Backtest, backtest } from './backtest.ts';
import { forecastSeries, methodDescriptions } from './model.ts';

/** Months of history a forecast learns from at most. */
const MAX_HISTORY_MONTHS = 60;

export const profileParam = z.enum(['all', ...needProfiles]);
type ProfileParam = z.infer<typeof profileParam>;

interface MonthlyCounts {
  /** `${la}|${profile}|${month}` → referrals. */
  counts: Map<string, number>;
  months: string[];
}

async function loadMonthly(
  db: Queryable,
  las: ReadonlySet<string> | null,
  lastMonth: string,
): Promise<MonthlyCounts> {
  const firstMonth = addMonths(lastMonth, -(MAX_HISTORY_MONTHS - 1));
  const { rows } = await db.query<{
    placing_la: string;
    need_profile: string;
    month: string;
    referrals: number;
  }>(
    `SELECT placing_la, need_profile, to_char(submitted_on, 'YYYY-MM') AS month, count(*)::int AS referrals
       FROM commissioning_referrals
      WHERE submitted_on >= $1::date AND submitted_on < ($2::date + interval '1 month')
        AND ($3::text[] IS NULL OR placing_la = ANY($3))
      GROUP BY 1, 2, 3`,
    [`${firstMonth}-01`, `${lastMonth}-01`, las === null ? null : [...las]],
  );
  const counts = new Map<string, number>();
  let earliest = lastMonth;
  for (const row of rows) {
    counts.set(`${row.placing_la}|${row.need_profile}|${row.month}`, row.referrals);
    if (row.month < earliest) earliest = row.month;
  }
  // Series start at the first month with any referral in scope, not years of leading zeros.
  return { counts, months: rows.length === 0 ? [] : monthsBetween(earliest, lastMonth) };
}

function seriesOf(monthly: MonthlyCounts, area: Area, profile: ProfileParam): number[] {
  const profiles = profile === 'all' ? needProfiles : [profile];
  return monthly.months.map((month) => {
    let total = 0;
    for (const la of area.las)
      for (const p of profiles) total += monthly.counts.get(`${la}|${p}|${month}`) ?? 0;
    return total;
  });
}

export interface AreaForecast {
  area: { level: Area['level']; code: string; name: string };
  profile: ProfileParam;
  history: { month: string; referrals: Count }[];
  forecastSuppressed: boolean;
  method: { name: string; description: string } | null;
  forecast: {
    month: string;
    point: number;
    lower80: number;
    upper80: number;
    lower95: number;
    upper95: number;
  }[];
  backtest: Backtest | null;
}

export function forecastArea(
  monthly: MonthlyCounts,
  area: Area,
  profile: ProfileParam,
  horizon: number,
  disclosure: Disclosure,
): AreaForecast {
  const series = seriesOf(monthly, area, profile);
  const recent = series.slice(-12);
  const recentMean = recent.length === 0 ? 0 : recent.reduce((a, b) => a + b, 0) / recent.length;
  const suppressed = disclosure === 'protected' && recentMean < SHARED_FORECAST_MIN_MEAN;
  const base = {
    area: { level: area.level, code: area.code, name: area.name },
    profile,
    history: monthly.months.map((month, i) => ({ month, referrals: count(series[i]!, disclosure) })),
    forecastSuppressed: suppressed,
  };
  if (suppressed || series.length < 12) return { ...base, method: null, forecast: [], backtest: null };
  const model = forecastSeries(series, horizon);
  const last = monthly.months[monthly.months.length - 1]!;
  const [i80, i95] = model.intervals;
  return {
    ...base,
    method: { name: model.method, description: methodDescriptions[model.method] },
    forecast: model.point.map((point, i) => ({
      month: addMonths(last, i + 1),
      point: round(point, 1),
      lower80: round(i80!.lower[i]!, 1),
      upper80: round(i80!.upper[i]!, 1),
      lower95: round(i95!.lower[i]!, 1),
      upper95: round(i95!.upper[i]!, 1),
    })),
    backtest: backtest(series, BACKTEST_HOLDOUT_MONTHS),
  };
}

const backtestSchema = z
  .strictObject({
    holdoutMonths: z.number().int(),
    trainedOnMonths: z.number().int(),
    method: z.string(),
    mape: z.number().nullable().describe('mean absolute percentage error, % (months with referrals)'),
    smape: z.number().describe('symmetric mean absolute percentage error, %'),
    mae: z.number().describe('mean absolute error, referrals a month'),
  })
  .meta({ id: 'ForecastBacktest' });

const forecastResponse = z
  .strictObject({
    area: areaSchema,
    profile: profileParam,
    disclosure: disclosureSchema,
    horizonMonths: z.number().int(),
    history: z.array(z.strictObject({ month: z.string(), referrals: countSchema })),
    forecastSuppressed: z.boolean(),
    method: z.strictObject({ name: z.string(), description: z.string() }).nullable(),
    forecast: z.array(
      z.strictObject({
        month: z.string(),
        point: z.number(),
        lower80: z.number(),
        upper80: z.number(),
        lower95: z.number(),
        upper95: z.number(),
      }),
    ),
    backtest: backtestSchema.nullable(),
  })
  .meta({ id: 'DemandForecast' });

const summaryRow = z
  .strictObject({
    area: areaSchema,
    profile: profileParam,
    historyMonths: z.number().int(),
    last12Months: countSchema,
    next12Months: z.number().nullable(),
    forecastSuppressed: z.boolean(),
    method: z.string().nullable(),
    backtestMape: z.number().nullable(),
    backtestSmape: z.number().nullable(),
    backtestMae: z.number().nullable(),
  })
  .meta({ id: 'ForecastSummaryRow' });

function forecastAreas(
  viewer: Viewer,
  ctx: CommissioningContext,
  level: z.infer<typeof areaLevel> | undefined,
  area: string | undefined,
) {
  const defaultLevel = level ?? (viewer.kind === 'national' ? 'england' : undefined);
  return areasFor(viewer, defaultLevel, ctx.consortia, todayFor(ctx), area);
}

export function registerForecastRoutes(ctx: CommissioningContext): void {
  const { app } = ctx.host;

  app.get(
    '/v1/commissioning/forecast',
    {
      config: { auth: { roles: analystRoles } },
      schema: {
        tags: ['commissioning'],
        summary:
          'Referrals by need profile and area, forecast 12 months ahead with intervals and backtest error',
        description:
          'History: referrals per calendar month (England dates) up to the last complete month. Forecast: MSTL + AutoETS (augurs) with 80% and 95% intervals. Backtest: the same method fitted without the last 12 months and scored on them (MAPE, sMAPE, MAE). Shared views withhold the forecast of a series averaging fewer than 5 referrals a month.',
        querystring: z.strictObject({
          level: areaLevel.optional().describe('england (ops default), region, la, consortium'),
          area: z.string().max(40).optional().describe('the area code (required when the level has several)'),
          profile: profileParam.default('all'),
          horizon: z.coerce.number().int().min(1).max(24).default(FORECAST_HORIZON_MONTHS),
          format: formatParam,
        }),
        response: { 200: jsonOrCsv(forecastResponse, 'History and forecast of one series') },
      },
    },
    async (request, reply) => {
      const computed = await remembered(ctx.host, ctx.results, request, async () => {
        const viewer = viewerFor(ctx, request);
        const query = request.query;
        const disclosure = disclosureFor(viewer, true);
        const { areas } = forecastAreas(viewer, ctx, query.level, query.area);
        if (areas.length !== 1)
          throw problems.validation([
            { path: 'query.area', message: 'name one area of this level to forecast' },
          ]);
        const area = areas[0]!;
        const lastMonth = addMonths(monthOf(todayFor(ctx)), -1);
        const monthly = await loadMonthly(ctx.host.pool, lasOf(viewer), lastMonth);
        const result = forecastArea(monthly, area, query.profile, query.horizon, disclosure);
        const body = { ...result, disclosure: disclosureNote(disclosure), horizonMonths: query.horizon };
        const bt = result.backtest;
        const printed = {
          method: result.method?.name ?? '',
          backtestMape: bt?.mape ?? '',
          backtestSmape: bt?.smape ?? '',
          backtestMae: bt?.mae ?? '',
        };
        const rows = [
          ...result.history.map((point) => ({
            month: point.month,
            kind: 'history',
            referrals: point.referrals,
            ...printed,
          })),
          ...result.forecast.map((point) => ({ ...point, kind: 'forecast', ...printed })),
        ];
        return { body: body, rows: rows, name: `commissioning-forecast-${area.code}-${query.profile}` };
      });
      return sendTable(request, reply, request.query.format, computed.body, computed.rows, computed.name);
    },
  );

  app.get(
    '/v1/commissioning/forecast/summary',
    {
      config: { auth: { roles: analystRoles } },
      schema: {
        tags: ['commissioning'],
        summary: 'Every area and need profile: last 12 months, next 12 months forecast, backtest error',
        querystring: z.strictObject({
          level: areaLevel.optional().describe('england (ops default), region, la, consortium'),
          area: z.string().max(40).optional(),
          format: formatParam,
        }),
        response: {
          200: jsonOrCsv(
            z
              .strictObject({ disclosure: disclosureSchema, rows: z.array(summaryRow) })
              .meta({ id: 'ForecastSummary' }),
            'Forecast summary',
          ),
        },
      },
    },
    async (request, reply) => {
      const computed = await remembered(ctx.host, ctx.results, request, async () => {
        const viewer = viewerFor(ctx, request);
        const query = request.query;
        const disclosure = disclosureFor(viewer, true);
        const { areas } = forecastAreas(viewer, ctx, query.level, query.area);
        const lastMonth = addMonths(monthOf(todayFor(ctx)), -1);
        const monthly = await loadMonthly(ctx.host.pool, lasOf(viewer), lastMonth);
        const rows = areas.flatMap((area) =>
          (['all', ...needProfiles] as ProfileParam[]).map((profile) => {
            const result = forecastArea(monthly, area, profile, FORECAST_HORIZON_MONTHS, disclosure);
            const last12 = seriesOf(monthly, area, profile)
              .slice(-12)
              .reduce((a, b) => a + b, 0);
            return {
              area: result.area,
              profile,
              historyMonths: result.history.length,
              last12Months: count(last12, disclosure),
              next12Months:
                result.forecast.length === 0
                  ? null
                  : round(
                      result.forecast.reduce((sum, p) => sum + p.point, 0),
                      0,
                    ),
              forecastSuppressed: result.forecastSuppressed,
              method: result.method?.name ?? null,
              backtestMape: result.backtest?.mape ?? null,
              backtestSmape: result.backtest?.smape ?? null,
              backtestMae: result.backtest?.mae ?? null,
            };
          }),
        );
        return {
          body: { disclosure: disclosureNote(disclosure), rows },
          rows: rows,
          name: 'commissioning-forecast-summary',
        };
      });
      return sendTable(request, reply, request.query.format, computed.body, computed.rows, computed.name);
    },
  );
}
