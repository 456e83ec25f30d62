// HTTP: a child's placement history, its verification, and the record of who read histories.
// The placing LA reads its own children (personal fields opened); ops reads any child with personal
// fields withheld. Another LA's child is a 404, never a hint that it exists. Every read is recorded
// before the answer goes out.
import { childRef as childRefSchema, laCode } from '@placements/contracts';
import { type Principal, problems, registerReadAuditRoute, setEtag } from '@placements/service-kit';
import { z } from 'zod';
import type { Service } from '../app.ts';
import { historyBody } from './history-body.ts';
import { historyStreamId } from './history-entry.ts';
import { subjectFor } from './personal-opening.ts';
import { historyReads, recordRead } from './read-audit.ts';

const params = z.strictObject({ placingLa: laCode, childRef: childRefSchema });

const entrySchema = z.object({
  seq: z.number().int().describe('position in the child’s history (the stream version)'),
  recordedAt: z.string(),
  occurredAt: z.string(),
  type: z.string().describe('the integration event’s name, e.g. PlacementStarted'),
  source: z.string().describe('the CloudEvents source of the event, e.g. /matching'),
  eventId: z.string().describe('the CloudEvents id of the source event'),
  entryId: z.string().describe('the entry’s own id, covered by the hash'),
  data: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});

const historySchema = z
  .object({
    placingLa: z.string(),
    childRef: z.string(),
    entries: z.array(entrySchema),
    head: z.string().describe('hash of the last entry'),
  })
  .meta({ id: 'PlacementHistory' });

const verificationSchema = z
  .object({
    valid: z.boolean(),
    entries: z.number().int(),
    head: z.string(),
    firstBroken: z
      .object({ seq: z.number().int(), reason: z.enum(['prev-hash-mismatch', 'hash-mismatch']) })
      .optional(),
  })
  .meta({ id: 'HistoryVerification' });

/** The placing LA sees only its own children; ops sees every child. */
function mayRead(principal: Principal, placingLa: string): boolean {
  return (
    principal.roles.includes('ops') ||
    (principal.roles.includes('placing-authority') && principal.org === placingLa)
  );
}

export function registerHistoryRoutes(host: Service): void {
  host.app.get(
    '/v1/children/:placingLa/:childRef/history',
    {
      config: { auth: { roles: ['placing-authority', 'ops'] } },
      schema: {
        summary: 'A child’s placement history: every entry, hash-chained, in arrival order',
        tags: ['placement history'],
        params,
        response: { 200: historySchema },
      },
      // The body is assembled from the log's own JSON text (history-body.ts): it is not re-validated
      // and re-serialised entry by entry on the service's most frequent large read.
      serializerCompiler: () => (data) => (typeof data === 'string' ? data : JSON.stringify(data)),
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const { placingLa, childRef } = request.params;
      if (!mayRead(principal, placingLa)) throw problems.notFound(`the history of child ${childRef}`);
      const streamId = historyStreamId({ placingLa, childRef });
      const subject = subjectFor(principal, { placingLa, childRef });
      const body = await historyBody(host.pool, host.cipher, { placingLa, childRef, streamId }, subject);
      if (!body) throw problems.notFound(`the history of child ${childRef}`);
      await recordRead(host.pool, {
        principal,
        action: 'history.read',
        placingLa,
        childRef,
        detail: { entries: body.entries },
        at: host.clock(),
      });
      setEtag(reply, body.version);
      // Already JSON text matching historySchema (the serializer above passes strings through).
      return reply.type('application/json; charset=utf-8').send(body.json as never);
    },
  );

  host.app.get(
    '/v1/children/:placingLa/:childRef/history/verify',
    {
      config: { auth: { roles: ['placing-authority', 'ops'] } },
      schema: {
        summary: 'Recompute the history’s hash chain and name the first broken entry',
        tags: ['placement history'],
        params,
        response: { 200: verificationSchema },
      },
    },
    async (request) => {
      const principal = host.principal(request);
      const { placingLa, childRef } = request.params;
      if (!mayRead(principal, placingLa)) throw problems.notFound(`the history of child ${childRef}`);
      const streamId = historyStreamId({ placingLa, childRef });
      const result = await host.store.verifyStream(streamId);
      if (result.entries === 0) throw problems.notFound(`the history of child ${childRef}`);
      const { rows } = await host.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM events WHERE stream_id = $1',
        [streamId],
      );
      await recordRead(host.pool, {
        principal,
        action: 'history.verify',
        placingLa,
        childRef,
        detail: {
          valid: result.valid,
          ...(result.firstBroken ? { firstBroken: result.firstBroken.position } : {}),
        },
        at: host.clock(),
      });
      return {
        valid: result.valid,
        entries: rows[0]?.n ?? result.entries,
        head: result.head,
        ...(result.firstBroken
          ? { firstBroken: { seq: result.firstBroken.position, reason: result.firstBroken.reason } }
          : {}),
      };
    },
  );

  registerReadAuditRoute(host, historyReads, {
    tag: 'placement history',
    summary: 'Who read or exported children’s histories, newest first',
    description:
      'A placing LA sees the reads of its own children’s histories; ops sees all and may filter by placingLa.',
    schemaId: 'HistoryReads',
    actions: 'history.read, history.verify, export.ssda903.episodes or export.ssda903.header',
  });
}
