// HTTP: recording Reg 45 reviews and the Reg 45 compliance of homes (API.md, Monitoring).
import { randomUUID } from 'node:crypto';
import { isoDate, todayInEngland, urn as urnSchema } from '@placements/contracts';
import type { Queryable } from '@placements/event-store';
import { type Principal, problems } from '@placements/service-kit';
import { z } from 'zod';
import type { Service } from '../app.ts';
import { homeViewFor, mayRecordForHome, requireHome } from '../homes/home-access.ts';
import { reg45ReviewStreamId } from './projection.ts';
import { decideReg45Review, type Reg45Status, reg45Status } from './reg45-review.ts';

const reviewBody = z.strictObject({
  completedOn: isoDate,
  reportSentOn: isoDate.nullable().optional(),
  summary: z.string().trim().min(1, 'must not be blank').max(20_000),
});

const reviewSchema = z
  .object({
    id: z.string(),
    urn: z.string(),
    providerId: z.string(),
    completedOn: z.string(),
    reportSentOn: z.string().nullable(),
    reportDueBy: z.string(),
    reportLate: z.boolean(),
    summary: z.string(),
    recordedAt: z.string(),
  })
  .meta({ id: 'Reg45Review' });

const statusSchema = z.object({
  urn: z.string(),
  name: z.string().nullable(),
  providerId: z.string().nullable(),
  registeredOn: z.string().nullable(),
  reviews: z.number().int(),
  lastCompletedOn: z.string().nullable(),
  nextReviewDueBy: z.string().nullable(),
  reviewOverdue: z.boolean(),
  lastReport: z
    .object({ dueBy: z.string(), sentOn: z.string().nullable(), late: z.boolean(), outstanding: z.boolean() })
    .nullable(),
  lateReports: z.number().int(),
});

interface ReviewRow {
  review_id: string;
  urn: string;
  provider_id: string;
  completed_on: string;
  report_sent_on: string | null;
  report_due_by: string;
  report_late: boolean;
  summary: string;
  recorded_at: string;
}

function reviewView(row: ReviewRow) {
  return {
    id: row.review_id,
    urn: row.urn,
    providerId: row.provider_id,
    completedOn: row.completed_on,
    reportSentOn: row.report_sent_on,
    reportDueBy: row.report_due_by,
    reportLate: row.report_late,
    summary: row.summary,
    recordedAt: new Date(row.recorded_at).toISOString(),
  };
}

export interface HomeReg45 extends Reg45Status {
  urn: string;
  name: string | null;
  providerId: string | null;
  registeredOn: string | null;
}

/**
 * Reg 45 status of every registered home this service knows (optionally some only), as of `today`.
 * The first review is anchored on the date the home joined the registry.
 */
export async function reg45Compliance(
  client: Queryable,
  today: string,
  urns?: readonly string[],
): Promise<HomeReg45[]> {
  const { rows } = await client.query<{
    urn: string;
    name: string | null;
    provider_id: string | null;
    registered_at: Date | null;
    reviews: { completedOn: string; reportSentOn: string | null; reportDueBy: string }[];
  }>(
    `SELECT h.urn, h.name, h.provider_id, h.registered_at,
            coalesce(jsonb_agg(jsonb_build_object('completedOn', r.completed_on, 'reportSentOn', r.report_sent_on,
                                                  'reportDueBy', r.report_due_by))
                     FILTER (WHERE r.review_id IS NOT NULL), '[]') AS reviews
       FROM monitoring_homes h LEFT JOIN reg45_reviews r ON r.urn = h.urn
      WHERE coalesce(h.registration_status, 'registered') = 'registered'
        AND ($1::text[] IS NULL OR h.urn = ANY($1))
      GROUP BY h.urn ORDER BY h.urn`,
    [urns ?? null],
  );
  return rows.map((row) => {
    const registeredOn = row.registered_at ? todayInEngland(row.registered_at) : null;
    return {
      urn: row.urn,
      name: row.name,
      providerId: row.provider_id,
      registeredOn,
      ...reg45Status({ registeredOn, reviews: row.reviews, today }),
    };
  });
}

async function homesInScope(client: Queryable, principal: Principal): Promise<string[] | undefined> {
  const roles = principal.roles;
  if (roles.includes('ops') || roles.includes('regulator')) return undefined;
  const { rows } = await client.query<{ urn: string }>(
    `SELECT urn FROM monitoring_homes WHERE $2 AND provider_id = $1
     UNION SELECT DISTINCT home_urn FROM monitoring_placements
      WHERE $3 AND placing_la = $1 AND start_date IS NOT NULL`,
    [principal.org, roles.includes('provider'), roles.includes('placing-authority')],
  );
  return rows.map((row) => row.urn);
}

export function registerReg45Routes(host: Service): void {
  const params = z.strictObject({ urn: urnSchema });

  host.app.post(
    '/v1/homes/:urn/reg45-reviews',
    {
      config: { auth: { roles: ['provider', 'ops'] } },
      schema: {
        summary: 'Record a Reg 45 quality of care review',
        tags: ['Reg 45 reviews'],
        params,
        body: reviewBody,
        response: { 201: reviewSchema },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const home = await requireHome(host.pool, request.params.urn);
      if (!mayRecordForHome(principal, { providerId: home.provider_id }))
        throw problems.forbidden(`only ${home.provider_id} or ops may record reviews for this home`);
      const now = host.clock();
      const data = decideReg45Review(request.body, {
        reviewId: randomUUID(),
        home: { urn: home.urn, providerId: home.provider_id },
        principal,
        today: todayInEngland(now),
        now,
      });
      await host.store.append(
        reg45ReviewStreamId(data.reviewId),
        [{ type: 'Reg45ReviewRecorded', data, metadata: host.metadata(request) }],
        { expectedVersion: 'no-stream', now },
      );
      reply.header('location', `/v1/homes/${home.urn}/reg45-reviews`);
      const { reviewId, ...rest } = data;
      return reply.status(201).send({ id: reviewId, ...rest });
    },
  );

  host.app.get(
    '/v1/homes/:urn/reg45-reviews',
    {
      config: {
        auth: { roles: ['provider', 'regulator', 'ops', 'placing-authority', 'independent-visitor'] },
      },
      schema: {
        summary: 'Reg 45 reviews of a home, newest first',
        tags: ['Reg 45 reviews'],
        params,
        response: { 200: z.object({ urn: z.string(), items: z.array(reviewSchema) }) },
      },
    },
    async (request) => {
      const principal = host.principal(request);
      const home = await requireHome(host.pool, request.params.urn);
      await homeViewFor(host.pool, principal, home);
      const { rows } = await host.pool.query<{ row: ReviewRow }>(
        'SELECT to_jsonb(r) AS row FROM reg45_reviews r WHERE urn = $1 ORDER BY completed_on DESC',
        [home.urn],
      );
      return { urn: home.urn, items: rows.map(({ row }) => reviewView(row)) };
    },
  );

  host.app.get(
    '/v1/compliance/reg45',
    {
      config: { auth: { roles: ['ops', 'regulator', 'provider', 'placing-authority'] } },
      schema: {
        summary: 'Reg 45 compliance of registered homes today',
        description:
          'For each registered home: the last review, the date the next is due (six months on, CHR reg 45), whether it is overdue, and whether the last report reached Ofsted within 28 days.',
        tags: ['Reg 45 reviews'],
        querystring: z.strictObject({ providerId: z.string().max(40).optional() }),
        response: { 200: z.object({ asOf: z.string(), homes: z.array(statusSchema) }) },
      },
    },
    async (request) => {
      const principal = host.principal(request);
      const today = todayInEngland(host.clock());
      const scope = await homesInScope(host.pool, principal);
      const homes = (await reg45Compliance(host.pool, today, scope)).filter(
        (home) => !request.query.providerId || home.providerId === request.query.providerId,
      );
      return { asOf: today, homes };
    },
  );
}
