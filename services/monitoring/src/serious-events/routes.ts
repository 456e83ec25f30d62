// HTTP: recording Reg 40 serious events at a home and reading them back (API.md, Monitoring).
import { randomUUID } from 'node:crypto';
import {
  integrationEvents,
  isoInstant,
  seriousEventCategory,
  subjectIdFor,
  urn as urnSchema,
} from '@placements/contracts';
import { personalResponse, problems } from '@placements/service-kit';
import { z } from 'zod';
import type { Service } from '../app.ts';
import { homeViewFor, mayRecordForHome, requireHome } from '../homes/home-access.ts';
import { openFor, WITHHELD } from '../placement-history/personal-opening.ts';
import { childrenAtHome, englandDay } from '../placement-history/record-entries.ts';
import { recordOwnEvent } from '../placement-history/record-own-event.ts';
import { seriousEventStreamId } from './projection.ts';
import { decideSeriousEvent, hoursToRecord, type PlacementAtThisHome } from './serious-event.ts';

const seriousEventBody = z.strictObject({
  category: seriousEventCategory,
  occurredAt: isoInstant,
  placementId: z.uuid().nullable().optional(),
  summary: z.string().trim().min(1, 'must not be blank').max(20_000),
});

const seriousEventSchema = z
  .object({
    id: z.string(),
    urn: z.string(),
    providerId: z.string(),
    category: seriousEventCategory,
    occurredAt: z.string(),
    placementId: z.string().nullable(),
    placingLa: z.string().nullable(),
    childRef: z.string().nullable(),
    summary: z.unknown().describe('the text, or { "$withheld": true } / { "$erased": true }'),
    recordedAt: z.string(),
    recordedWithinStandard: z.boolean().describe('recorded within the "without delay" standard (CHR reg 40)'),
  })
  .meta({ id: 'SeriousEvent' });

async function placementAtHome(host: Service, placementId: string): Promise<PlacementAtThisHome | undefined> {
  const { rows } = await host.pool.query<{ placing_la: string; child_ref: string; home_urn: string }>(
    'SELECT placing_la, child_ref, home_urn FROM monitoring_placements WHERE placement_id = $1::uuid',
    [placementId],
  );
  const row = rows[0];
  return row
    ? { placementId, placingLa: row.placing_la, childRef: row.child_ref, homeUrn: row.home_urn }
    : undefined;
}

export function registerSeriousEventRoutes(host: Service): void {
  const params = z.strictObject({ urn: urnSchema });
  const withinStandard = (occurredAt: string, recordedAt: string) =>
    hoursToRecord(occurredAt, recordedAt) <= host.config.REG40_NOTIFY_WITHIN_HOURS;

  host.app.post(
    '/v1/homes/:urn/serious-events',
    {
      config: { auth: { roles: ['provider', 'ops'] } },
      schema: {
        summary: 'Record a Reg 40 serious event at a home',
        description:
          'When a placement is named, the summary is about that child: it is sealed with the child’s key and shown only to the child’s placing LA, the provider, Ofsted and ops.',
        tags: ['serious events'],
        params,
        body: seriousEventBody,
        response: { 201: seriousEventSchema },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const home = await requireHome(host.pool, request.params.urn);
      if (!mayRecordForHome(principal, { providerId: home.provider_id }))
        throw problems.forbidden(`only ${home.provider_id} or ops may record serious events at this home`);
      const now = host.clock();
      const placement = request.body.placementId
        ? await placementAtHome(host, request.body.placementId)
        : undefined;
      const data = decideSeriousEvent(request.body, {
        seriousEventId: randomUUID(),
        home: { urn: home.urn, providerId: home.provider_id },
        principal,
        placement,
        now,
      });
      const named =
        data.placingLa && data.childRef ? { placingLa: data.placingLa, childRef: data.childRef } : null;
      await recordOwnEvent(host, {
        streamId: seriousEventStreamId(data.seriousEventId),
        type: 'SeriousEventRecorded',
        data,
        metadata: host.metadata(request),
        ...(named
          ? {
              personal: {
                subjectId: subjectIdFor(named.placingLa, named.childRef),
                fields: integrationEvents.SeriousEventRecorded.personal,
              },
            }
          : {}),
        // Every child living at the home that day, and the child named even if the stay is not known here.
        children: async (client) => [
          ...(await childrenAtHome(client, home.urn, englandDay(data.occurredAt))),
          ...(named ? [named] : []),
        ],
      });
      // The summary names a child: a stored idempotent copy is sealed with that child's key.
      if (named) personalResponse(request, subjectIdFor(named.placingLa, named.childRef));
      reply.header('location', `/v1/homes/${home.urn}/serious-events`);
      const { seriousEventId, ...rest } = data;
      return reply.status(201).send({
        id: seriousEventId,
        ...rest,
        recordedWithinStandard: withinStandard(data.occurredAt, data.recordedAt),
      });
    },
  );

  host.app.get(
    '/v1/homes/:urn/serious-events',
    {
      config: { auth: { roles: ['provider', 'regulator', 'ops', 'placing-authority'] } },
      schema: {
        summary: 'Serious events recorded at a home, newest first',
        description: 'A placing LA sees only the events naming its own children.',
        tags: ['serious events'],
        params,
        response: { 200: z.object({ urn: z.string(), items: z.array(seriousEventSchema) }) },
      },
    },
    async (request) => {
      const principal = host.principal(request);
      const home = await requireHome(host.pool, request.params.urn);
      const view = await homeViewFor(host.pool, principal, home);
      const placingLa = view === 'placing-la' ? principal.org : null;
      const { rows } = await host.pool.query<{
        serious_event_id: string;
        provider_id: string;
        category: z.infer<typeof seriousEventCategory>;
        occurred_at: Date;
        placement_id: string | null;
        placing_la: string | null;
        child_ref: string | null;
        summary: unknown;
        recorded_at: Date;
      }>(
        `SELECT serious_event_id::text AS serious_event_id, provider_id, category, occurred_at,
                placement_id::text AS placement_id, placing_la, child_ref, summary, recorded_at
           FROM serious_events WHERE urn = $1 AND ($2::text IS NULL OR placing_la = $2)
          ORDER BY occurred_at DESC`,
        [home.urn, placingLa],
      );
      const items = [];
      for (const row of rows) {
        // The provider that wrote it, Ofsted and ops read the text; a placing LA reads its own child's.
        const subject = row.placing_la && row.child_ref ? subjectIdFor(row.placing_la, row.child_ref) : null;
        const opened = (await openFor(host.cipher, { summary: row.summary }, subject)) as {
          summary: unknown;
        };
        const occurredAt = row.occurred_at.toISOString();
        const recordedAt = row.recorded_at.toISOString();
        items.push({
          id: row.serious_event_id,
          urn: home.urn,
          providerId: row.provider_id,
          category: row.category,
          occurredAt,
          placementId: row.placement_id,
          placingLa: row.placing_la,
          childRef: row.child_ref,
          summary: opened.summary ?? WITHHELD,
          recordedAt,
          recordedWithinStandard: withinStandard(occurredAt, recordedAt),
        });
      }
      return { urn: home.urn, items };
    },
  );
}
