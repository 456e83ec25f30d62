// HTTP: unmet need per area (referrals with no candidate, out-of-area placements and why nothing
// nearer was possible), the per-referral list for a placing LA, and the "local as possible,
// specialist as necessary" indicator per need.
import { intensity, laCode, needDomain } from '@placements/contracts';
import { problems } from '@placements/service-kit';
import { z } from 'zod';
import { areaLevel, areaSchema, areasFor } from '../access/areas.ts';
import { analystRoles, disclosureFor, lasOf } from '../access/viewer.ts';
import { type CommissioningContext, todayFor, viewerFor } from '../context.ts';
import { periodQuery, periodSchema, resolvePeriod } from '../http/period.ts';
import { countSchema, disclosureNote, disclosureSchema } from '../http/schemas.ts';
import { formatParam, jsonOrCsv, sendTable } from '../http/tables.ts';
import { ageBands, needProfiles } from '../policy.ts';
import {
  loadPlacementsStarted,
  loadReferralNeeds,
  loadReferrals,
  loadShortlists,
} from '../read-models/load.ts';
import { remembered } from '../read-models/results.ts';
import {
  analyseLocalSpecialist,
  analyseUnmetNeed,
  bindingReasonOf,
  distantReasons,
  ruleGroups,
} from './analysis.ts';

const countsOf = <K extends string>(keys: readonly K[]) =>
  z.strictObject(Object.fromEntries(keys.map((key) => [key, countSchema])) as Record<K, typeof countSchema>);

const unmetRow = z
  .strictObject({
    area: areaSchema,
    referrals: countSchema,
    shortlisted: countSchema,
    noCandidate: countSchema.describe('referrals whose latest shortlist had no candidate'),
    noCandidateShare: z.number().nullable(),
    noCandidateReasons: countsOf(ruleGroups).describe('the group of the rule that excluded the most homes'),
    placementsStarted: countSchema,
    outOfArea: countSchema,
    atDistance: countSchema,
    over20Miles: countSchema,
    outOfAreaReasons: countsOf(distantReasons).describe(
      'why nothing nearer: capacity (a nearer home that could meet the need had no room), safety (an area the child must avoid), regulatory, capability (every nearer home lacked the specialism), a nearer candidate not chosen, no nearer home, no shortlist seen',
    ),
  })
  .meta({ id: 'UnmetNeedRow' });

const areaQuery = {
  level: areaLevel.optional().describe('region (ops default), la, consortium (consortium default), england'),
  area: z.string().max(40).optional().describe('only this area code'),
  ...periodQuery,
  format: formatParam,
};

const localSpecialistRow = z
  .strictObject({
    area: areaSchema,
    need: z.strictObject({ domain: needDomain, intensity }),
    placements: countSchema,
    local: countSchema.describe('in the placing LA or within 20 miles of the child’s home'),
    distantSpecialist: countSchema.describe('further away because every nearer home lacked the capability'),
    distantCapacity: countSchema.describe(
      'further away although a nearer home that could meet the need had no room',
    ),
    distantOther: countSchema,
    localAsPossibleSpecialistAsNecessary: z
      .number()
      .nullable()
      .describe('(local + distantSpecialist) / placements'),
    capacityDrivenShare: z.number().nullable(),
    medianDistanceMiles: z.number().nullable(),
  })
  .meta({ id: 'LocalSpecialistRow' });

const referralRow = z
  .strictObject({
    referralId: z.string(),
    childRef: z.string(),
    submittedOn: z.string(),
    urgency: z.string(),
    ageBand: z.enum(ageBands),
    needBand: intensity,
    needProfile: z.enum(needProfiles),
    needs: z.array(z.string()),
    status: z.string(),
    shortlisted: z.boolean(),
    candidates: z.number().int().nullable(),
    bindingReason: z.enum(ruleGroups).nullable(),
    topExclusions: z.array(z.string()),
  })
  .meta({ id: 'UnmetNeedReferral' });

export function registerUnmetNeedRoutes(ctx: CommissioningContext): void {
  const { app } = ctx.host;

  app.get(
    '/v1/commissioning/unmet-need',
    {
      config: { auth: { roles: analystRoles } },
      schema: {
        tags: ['commissioning'],
        summary:
          'Referrals with no candidate, and out-of-area placements with why nothing nearer could meet the need',
        querystring: z.strictObject(areaQuery),
        response: {
          200: jsonOrCsv(
            z
              .strictObject({
                period: periodSchema,
                level: areaLevel,
                disclosure: disclosureSchema,
                rows: z.array(unmetRow),
              })
              .meta({ id: 'UnmetNeed' }),
            'Unmet need per area',
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
        const las = lasOf(viewer);
        const [referrals, placements] = await Promise.all([
          loadReferrals(ctx.host.pool, period, las),
          loadPlacementsStarted(ctx.host.pool, period, las),
        ]);
        const shortlists = await loadShortlists(ctx.host.pool, [
          ...new Set([...referrals.map((r) => r.referralId), ...placements.map((p) => p.referralId)]),
        ]);
        const rows = analyseUnmetNeed({ areas, referrals, placements, shortlists, disclosure });
        const body = { period, level, disclosure: disclosureNote(disclosure), rows };
        return {
          body: body,
          rows: rows,
          name: `commissioning-unmet-need-${level}-${period.from}-${period.to}`,
        };
      });
      return sendTable(request, reply, request.query.format, computed.body, computed.rows, computed.name);
    },
  );

  app.get(
    '/v1/commissioning/unmet-need/referrals',
    {
      config: { auth: { roles: ['placing-authority', 'ops'] } },
      schema: {
        tags: ['commissioning'],
        summary: 'Your referrals in a period with their shortlist outcome (placing LA: its own; ops: one LA)',
        querystring: z.strictObject({
          la: laCode.optional().describe('ops: the placing LA (required for ops)'),
          noCandidateOnly: z.enum(['true', 'false']).optional(),
          ...periodQuery,
          format: formatParam,
        }),
        response: {
          200: jsonOrCsv(
            z
              .strictObject({ period: periodSchema, placingLa: z.string(), rows: z.array(referralRow) })
              .meta({ id: 'UnmetNeedReferrals' }),
            'Referrals and their shortlist outcome',
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
          throw problems.forbidden('a placing authority sees its own referrals only');
        la = viewer.la;
      } else if (viewer.kind === 'national') {
        if (query.la === undefined)
          throw problems.validation([{ path: 'query.la', message: 'ops must name the placing LA' }]);
        la = query.la;
      } else {
        throw problems.forbidden('referral-level detail is for the placing authority');
      }
      const period = resolvePeriod(query, 'exact', ctx.host.clock());
      const referrals = await loadReferrals(ctx.host.pool, period, [la]);
      const shortlists = await loadShortlists(
        ctx.host.pool,
        referrals.map((r) => r.referralId),
      );
      let rows = referrals.map((referral) => {
        const shortlist = shortlists.get(referral.referralId);
        return {
          referralId: referral.referralId,
          childRef: referral.childRef,
          submittedOn: referral.submittedOn,
          urgency: referral.urgency,
          ageBand: referral.ageBand,
          needBand: referral.needBand,
          needProfile: referral.needProfile,
          needs: referral.needs.map((need) => `${need.domain}:${need.intensity}`),
          status: referral.status,
          shortlisted: shortlist !== undefined,
          candidates: shortlist?.candidateCount ?? null,
          bindingReason:
            shortlist && shortlist.candidateCount === 0 ? bindingReasonOf(shortlist.exclusionCounts) : null,
          topExclusions: Object.entries(shortlist?.exclusionCounts ?? {})
            .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
            .slice(0, 3)
            .map(([rule, homes]) => `${rule} (${homes})`),
        };
      });
      if (query.noCandidateOnly === 'true') rows = rows.filter((row) => row.candidates === 0);
      const body = { period, placingLa: la, rows };
      return sendTable(
        request,
        reply,
        query.format,
        body,
        rows,
        `commissioning-referrals-${la}-${period.from}-${period.to}`,
      );
    },
  );

  app.get(
    '/v1/commissioning/local-specialist',
    {
      config: { auth: { roles: analystRoles } },
      schema: {
        tags: ['commissioning'],
        summary: '"As local as possible, as specialist as necessary": per need, how placements measured up',
        description:
          'Placements started in the period, per need cell of the child’s referral: local (in the LA or within 20 miles), further away because every nearer home lacked the specialism, or further away although a nearer home that could meet the need had no room.',
        querystring: z.strictObject(areaQuery),
        response: {
          200: jsonOrCsv(
            z
              .strictObject({
                period: periodSchema,
                level: areaLevel,
                disclosure: disclosureSchema,
                rows: z.array(localSpecialistRow),
              })
              .meta({ id: 'LocalSpecialist' }),
            'The indicator per area and need',
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
        const placements = await loadPlacementsStarted(ctx.host.pool, period, lasOf(viewer));
        const referralIds = [...new Set(placements.map((p) => p.referralId))];
        const [needsByReferral, shortlists] = await Promise.all([
          loadReferralNeeds(ctx.host.pool, referralIds),
          loadShortlists(ctx.host.pool, referralIds),
        ]);
        const rows = analyseLocalSpecialist({ areas, placements, needsByReferral, shortlists, disclosure });
        const body = { period, level, disclosure: disclosureNote(disclosure), rows };
        return {
          body: body,
          rows: rows,
          name: `commissioning-local-specialist-${level}-${period.from}-${period.to}`,
        };
      });
      return sendTable(request, reply, request.query.format, computed.body, computed.rows, computed.name);
    },
  );
}
