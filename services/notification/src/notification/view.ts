// How a notice is shown over HTTP (API.md `GET /v1/notifications/{id}`), with the compliance
// facts computed as of now: when it was raised, delivered and acknowledged, how late, whether a
// placement notice reached the host authority before the placement started. Also who may see it.
import { noticeKind, notificationStatus, toDayNumber, todayInEngland } from '@placements/contracts';
import type { Principal } from '@placements/service-kit';
import { z } from 'zod';
import { type RaisedNotification, receivedAt, sentBeforeStart, statusOf } from './notification.ts';

export const deliveryAttemptView = z
  .object({
    subscriptionId: z.uuid(),
    webhookId: z.string().describe('Standard Webhooks webhook-id: the same on every retry'),
    attempt: z.number().int(),
    attemptedAt: z.string(),
    durationMs: z.number().int(),
    outcome: z.enum(['delivered', 'failed', 'gone', 'refused']),
    statusCode: z.number().int().nullable(),
    error: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
  })
  .meta({ id: 'DeliveryAttempt' });

export const notificationView = z
  .object({
    id: z.uuid(),
    kind: noticeKind,
    recipientOrg: z.string(),
    placementId: z.uuid().nullable(),
    placingLa: z.string().nullable(),
    hostLa: z.string().nullable(),
    homeUrn: z.string().nullable(),
    dueBy: z.string().describe('due by the end of this day, Europe/London'),
    placementStart: z
      .string()
      .nullable()
      .describe('placement notices: the actual start once known, else the planned one'),
    obligation: z.string().describe('the statutory obligation this notice discharges (one notice each)'),
    raisedAt: z.string(),
    deliveredAt: z.string().nullable(),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: z.string().nullable(),
    overdueAt: z
      .string()
      .nullable()
      .describe('when it was found neither delivered nor acknowledged by dueBy'),
    sentBeforeStart: z
      .boolean()
      .nullable()
      .describe('placement notices: received (delivered or acknowledged) on a day before the start date'),
    lateByDays: z
      .number()
      .int()
      .nullable()
      .describe(
        'calendar days received after dueBy (0 when on time); still outstanding: days overdue so far, null while not yet due',
      ),
    status: notificationStatus,
    version: z.number().int(),
    deliveries: z.array(deliveryAttemptView).optional(),
  })
  .meta({ id: 'Notification' });

export type NotificationView = z.infer<typeof notificationView>;

export interface NoticeFacts {
  notificationId: string;
  kind: NotificationView['kind'];
  recipientOrg: string;
  placementId: string | null;
  placingLa: string | null;
  hostLa: string | null;
  homeUrn: string | null;
  dueBy: string;
  placementStart: string | null;
  obligation: string;
  raisedAt: string;
  deliveredAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  overdueAt: string | null;
  status: NotificationView['status'];
  version: number;
}

export function factsFromState(state: RaisedNotification, version: number): NoticeFacts {
  const { notice } = state;
  return {
    notificationId: notice.notificationId,
    kind: notice.kind,
    recipientOrg: notice.recipientOrg,
    placementId: notice.placementId,
    placingLa: notice.placingLa,
    hostLa: notice.hostLa,
    homeUrn: notice.homeUrn,
    dueBy: notice.dueBy,
    placementStart: notice.placementStart,
    obligation: notice.obligation,
    raisedAt: notice.raisedAt,
    deliveredAt: state.deliveredAt,
    acknowledgedAt: state.acknowledgedAt,
    acknowledgedBy: state.acknowledgedBy,
    overdueAt: state.overdueAt,
    status: statusOf(state),
    version,
  };
}

/** Calendar days received after the due date; outstanding and past due: days so far; else null. */
export function lateByDays(dueBy: string, received: string | null, now: Date): number | null {
  const on = received ? todayInEngland(new Date(received)) : todayInEngland(now);
  const late = toDayNumber(on) - toDayNumber(dueBy);
  if (received) return Math.max(0, late);
  return late > 0 ? late : null;
}

export function toView(facts: NoticeFacts, actualStart: string | null, now: Date): NotificationView {
  const received = receivedAt(facts);
  const start = facts.kind === 'out-of-area.placement-notice' ? (actualStart ?? facts.placementStart) : null;
  return {
    id: facts.notificationId,
    kind: facts.kind,
    recipientOrg: facts.recipientOrg,
    placementId: facts.placementId,
    placingLa: facts.placingLa,
    hostLa: facts.hostLa,
    homeUrn: facts.homeUrn,
    dueBy: facts.dueBy,
    placementStart: start,
    obligation: facts.obligation,
    raisedAt: facts.raisedAt,
    deliveredAt: facts.deliveredAt,
    acknowledgedAt: facts.acknowledgedAt,
    acknowledgedBy: facts.acknowledgedBy,
    overdueAt: facts.overdueAt,
    sentBeforeStart: sentBeforeStart(facts.kind, received, start),
    lateByDays: lateByDays(facts.dueBy, received, now),
    status: facts.status,
    version: facts.version,
  };
}

/**
 * API.md: the recipient sees notices addressed to it; a placing LA also sees notices about its
 * placements (and children); ops sees everything.
 */
export function canSee(
  principal: Principal,
  notice: { recipientOrg: string; placingLa: string | null },
): boolean {
  if (principal.roles.includes('ops')) return true;
  if (notice.recipientOrg === principal.org) return true;
  return principal.roles.includes('placing-authority') && notice.placingLa === principal.org;
}
