// HTTP for notices (API.md, Notification service): the scoped list, one notice with its delivery
// log, acknowledgement by the recipient, and the compliance summary. One notice is read from its
// stream (a client reads its own acknowledgement at once); lists come from the read model.
import {
  addDays,
  isoDate,
  noticeKind,
  notificationStatus,
  type Role,
  todayInEngland,
} from '@placements/contracts';
import { StreamVersionConflictError } from '@placements/event-store';
import { ifMatchVersion, problems, setEtag } from '@placements/service-kit';
import { z } from 'zod';
import type { NotificationHost } from '../host.ts';
import { placementStartedOn } from '../raise-notices/raise.ts';
import { deliveryLog } from '../webhook-delivery/deliveries.ts';
import { handleNotificationCommand, loadNotification } from './commands.ts';
import { complianceSummary, listNotifications, scopeOf } from './queries.ts';
import { canSee, factsFromState, notificationView, toView } from './view.ts';

/** Everyone who can receive a notice, and ops; independent visitors have no notices. */
const readerRoles: readonly Role[] = ['host-authority', 'placing-authority', 'regulator', 'provider', 'ops'];
const recipientRoles: readonly Role[] = ['host-authority', 'placing-authority', 'regulator', 'provider'];

const idParams = z.strictObject({ id: z.uuid() });

const listQuery = z.strictObject({
  kind: noticeKind.optional(),
  status: notificationStatus.optional(),
  placementId: z.uuid().optional(),
  recipientOrg: z.string().min(1).max(40).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

const complianceFigures = z.object({
  raised: z.number().int(),
  received: z.number().int().describe('delivered, or acknowledged without delivery'),
  receivedOnTime: z.number().int(),
  receivedLate: z.number().int(),
  acknowledged: z.number().int(),
  outstanding: z.number().int(),
  outstandingOverdue: z.number().int(),
  becameOverdue: z.number().int().describe('NotificationOverdue recorded'),
  placementNotices: z.number().int(),
  sentBeforeStart: z.number().int().describe('placement notices received before the placement start date'),
  meanLateByDays: z.number().nullable(),
  maxLateByDays: z.number().int().nullable(),
});

const complianceView = z
  .object({
    from: z.string(),
    to: z.string(),
    asOf: z.string(),
    totals: complianceFigures,
    byKind: z.array(complianceFigures.extend({ kind: noticeKind })),
  })
  .meta({ id: 'NotificationCompliance' });

function encodeCursor(cursor: { raisedAt: string; id: string }): string {
  return Buffer.from(JSON.stringify([cursor.raisedAt, cursor.id])).toString('base64url');
}

function decodeCursor(raw: string | undefined): { raisedAt: string; id: string } | undefined {
  if (raw === undefined) return undefined;
  try {
    const [raisedAt, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown[];
    if (
      typeof raisedAt === 'string' &&
      !Number.isNaN(Date.parse(raisedAt)) &&
      typeof id === 'string' &&
      z.uuid().safeParse(id).success
    ) {
      return { raisedAt, id };
    }
  } catch {
    // fall through to the validation problem
  }
  throw problems.validation([{ path: 'query.cursor', message: 'is not a cursor this service issued' }]);
}

export function registerNotificationRoutes(host: NotificationHost): void {
  host.app.get(
    '/v1/notifications',
    {
      config: { auth: { roles: readerRoles } },
      schema: {
        tags: ['notifications'],
        summary: 'Notices addressed to you (placing LA: also those about your placements; ops: all)',
        description:
          'Newest first. Each notice carries its compliance facts: raisedAt, deliveredAt, acknowledgedAt, lateByDays, sentBeforeStart.',
        querystring: listQuery,
        response: { 200: z.object({ items: z.array(notificationView), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const query = request.query;
      const now = host.clock();
      const page = await listNotifications(host.pool, scopeOf(host.principal(request)), {
        kind: query.kind,
        status: query.status,
        placementId: query.placementId,
        recipientOrg: query.recipientOrg,
        limit: query.limit,
        cursor: decodeCursor(query.cursor),
      });
      return {
        items: page.items.map((facts) => toView(facts, facts.actualStart, now)),
        nextCursor: page.next ? encodeCursor(page.next) : null,
      };
    },
  );

  host.app.get(
    '/v1/notifications/compliance',
    {
      config: { auth: { roles: readerRoles } },
      schema: {
        tags: ['notifications'],
        summary: 'Notification compliance: on time, late, acknowledged, sent before start',
        description:
          'Over the notices you can see raised between from and to (dates in England, inclusive; default: the last 365 days).',
        querystring: z.strictObject({
          from: isoDate.optional(),
          to: isoDate.optional(),
          kind: noticeKind.optional(),
        }),
        response: { 200: complianceView },
      },
    },
    async (request) => {
      const now = host.clock();
      const today = todayInEngland(now);
      const to = request.query.to ?? today;
      const from = request.query.from ?? addDays(to, -364);
      if (from > to) throw problems.validation([{ path: 'query.from', message: 'must not be after to' }]);
      const summary = await complianceSummary(host.pool, scopeOf(host.principal(request)), {
        from,
        to,
        kind: request.query.kind,
        today,
      });
      return {
        from,
        to,
        asOf: now.toISOString(),
        totals: summary.totals,
        byKind: summary.byKind as z.infer<typeof complianceView>['byKind'],
      };
    },
  );

  host.app.get(
    '/v1/notifications/:id',
    {
      config: { auth: { roles: readerRoles } },
      schema: {
        tags: ['notifications'],
        summary: 'One notice with every delivery attempt',
        params: idParams,
        response: { 200: notificationView },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const { state, version } = await loadNotification(host, request.params.id);
      if (!state.exists || !canSee(principal, state.notice)) throw problems.notFound('the notification');
      const [actualStart, deliveries] = await Promise.all([
        placementStartedOn(host.pool, state.notice.placementId),
        deliveryLog(host.pool, request.params.id),
      ]);
      setEtag(reply, version);
      return { ...toView(factsFromState(state, version), actualStart, host.clock()), deliveries };
    },
  );

  host.app.post(
    '/v1/notifications/:id/acknowledge',
    {
      config: { auth: { roles: recipientRoles } },
      schema: {
        tags: ['notifications'],
        summary: 'Acknowledge a notice addressed to your organisation',
        description:
          'Idempotent: acknowledging again changes nothing. Acknowledging a notice that was never delivered also records it as received. If-Match is honoured when sent.',
        params: idParams,
        body: z.strictObject({}).nullish(),
        response: { 200: notificationView },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const id = request.params.id;
      const expected = ifMatchVersion(request);
      const { state } = await loadNotification(host, id);
      if (!state.exists || !canSee(principal, state.notice)) throw problems.notFound('the notification');
      const acknowledge = () =>
        handleNotificationCommand(
          host,
          id,
          { type: 'Acknowledge', org: principal.org, by: principal.sub },
          {
            metadata: host.metadata(request),
            ...(expected !== undefined ? { expectedVersion: expected } : {}),
          },
        );
      let result: Awaited<ReturnType<typeof acknowledge>>;
      try {
        result = await acknowledge();
      } catch (error) {
        if (!(error instanceof StreamVersionConflictError)) throw error;
        if (expected !== undefined)
          throw problems.preconditionFailed('the notice has changed since you read it');
        // A delivery recorded at the same moment: acknowledging is idempotent, so just try again.
        result = await acknowledge();
      }
      if (!result.state.exists) throw problems.notFound('the notification');
      const actualStart = await placementStartedOn(host.pool, result.state.notice.placementId);
      setEtag(reply, result.version);
      return toView(factsFromState(result.state, result.version), actualStart, host.clock());
    },
  );
}
