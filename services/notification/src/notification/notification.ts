// The Notification aggregate (stream `notification-<uuid>`): one statutory notice to one
// recipient, raised → delivered → acknowledged, or overdue when neither delivered nor
// acknowledged by the end of its due date (Europe/London). Events are the catalogue's
// integration events, so their data is exactly the published payload.
import { type IntegrationEventData, type NoticeKind, todayInEngland } from '@placements/contracts';
import type { RecordedEvent } from '@placements/event-store';
import { problems } from '@placements/service-kit';
import { onceEventId } from '../ids.ts';

export type NotificationRaised = IntegrationEventData<'NotificationRaised'>;
export type NotificationDelivered = IntegrationEventData<'NotificationDelivered'>;
export type NotificationDeliveryFailed = IntegrationEventData<'NotificationDeliveryFailed'>;
export type NotificationAcknowledged = IntegrationEventData<'NotificationAcknowledged'>;
export type NotificationOverdue = IntegrationEventData<'NotificationOverdue'>;

export type NotificationEvent =
  | { type: 'NotificationRaised'; data: NotificationRaised; eventId?: string }
  | { type: 'NotificationDelivered'; data: NotificationDelivered; eventId?: string }
  | { type: 'NotificationDeliveryFailed'; data: NotificationDeliveryFailed; eventId?: string }
  | { type: 'NotificationAcknowledged'; data: NotificationAcknowledged; eventId?: string }
  | { type: 'NotificationOverdue'; data: NotificationOverdue; eventId?: string };

export const notificationStreamType = 'notification';
export function notificationStreamId(notificationId: string): string {
  return `${notificationStreamType}-${notificationId}`;
}

export type NotificationStatus = 'pending' | 'delivered' | 'acknowledged' | 'overdue';

export interface RaisedNotification {
  exists: true;
  notice: NotificationRaised;
  deliveredAt: string | null;
  deliveredTo: string | null;
  sentBeforeStart: boolean | null;
  failedAttempts: number;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  overdueAt: string | null;
}

export type NotificationState = { exists: false } | RaisedNotification;

export const initialState: NotificationState = { exists: false };

export function evolve(
  state: NotificationState,
  event: RecordedEvent | NotificationEvent,
): NotificationState {
  switch (event.type) {
    case 'NotificationRaised':
      return {
        exists: true,
        notice: event.data as NotificationRaised,
        deliveredAt: null,
        deliveredTo: null,
        sentBeforeStart: null,
        failedAttempts: 0,
        acknowledgedAt: null,
        acknowledgedBy: null,
        overdueAt: null,
      };
    case 'NotificationDelivered': {
      if (!state.exists || state.deliveredAt) return state;
      const data = event.data as NotificationDelivered;
      return {
        ...state,
        deliveredAt: data.deliveredAt,
        deliveredTo: data.subscriptionId,
        sentBeforeStart: state.sentBeforeStart ?? data.sentBeforeStart,
      };
    }
    case 'NotificationDeliveryFailed':
      return state.exists ? { ...state, failedAttempts: state.failedAttempts + 1 } : state;
    case 'NotificationAcknowledged': {
      if (!state.exists || state.acknowledgedAt) return state;
      const data = event.data as NotificationAcknowledged;
      return { ...state, acknowledgedAt: data.acknowledgedAt, acknowledgedBy: data.acknowledgedBy };
    }
    case 'NotificationOverdue':
      return state.exists && !state.overdueAt
        ? { ...state, overdueAt: (event.data as NotificationOverdue).detectedAt }
        : state;
    default:
      return state;
  }
}

export function statusOf(state: RaisedNotification): NotificationStatus {
  if (state.acknowledgedAt) return 'acknowledged';
  if (state.deliveredAt) return 'delivered';
  if (state.overdueAt) return 'overdue';
  return 'pending';
}

/** When the recipient first had the notice: delivery, or acknowledgement of an undelivered one. */
export function receivedAt(state: Pick<RaisedNotification, 'deliveredAt' | 'acknowledgedAt'>): string | null {
  const times = [state.deliveredAt, state.acknowledgedAt].filter((t): t is string => t !== null);
  return times.length === 0 ? null : times.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
}

/**
 * Placement notices only: did the recipient have it before the placement started? Dates carry no
 * time, so a notice received on the start day itself does not count as before the start. The
 * start is the actual start once known, else the planned one; null for other kinds.
 */
export function sentBeforeStart(
  kind: NoticeKind,
  received: string | null,
  startDate: string | null,
): boolean | null {
  if (kind !== 'out-of-area.placement-notice' || !received || !startDate) return null;
  return todayInEngland(new Date(received)) < startDate;
}

function ref(notice: NotificationRaised) {
  return {
    notificationId: notice.notificationId,
    kind: notice.kind,
    recipientOrg: notice.recipientOrg,
    placementId: notice.placementId,
    placingLa: notice.placingLa,
    childRef: notice.childRef,
    homeUrn: notice.homeUrn,
  };
}

export type NotificationCommand =
  | { type: 'RaiseNotification'; notice: NotificationRaised }
  | {
      type: 'RecordDelivery';
      subscriptionId: string;
      attempt: number;
      /** Actual start of the placement when known (placement notices). */
      placementStartedOn: string | null;
    }
  | {
      type: 'RecordDeliveryFailure';
      subscriptionId: string;
      attempt: number;
      error: string;
      responseStatus: number | null;
      nextAttemptAt: string | null;
    }
  | { type: 'Acknowledge'; org: string; by: string }
  | { type: 'DetectOverdue' };

export interface DecideContext {
  now: Date;
}

export function decide(
  command: NotificationCommand,
  state: NotificationState,
  { now }: DecideContext,
): NotificationEvent[] {
  if (command.type === 'RaiseNotification') {
    if (state.exists) {
      throw problems.conflict('notification-exists', 'The notice has already been raised', {
        detail: `obligation ${command.notice.obligation} already has its notice`,
      });
    }
    return [{ type: 'NotificationRaised', data: command.notice }];
  }
  if (!state.exists) throw problems.notFound('the notification');
  const at = now.toISOString();
  switch (command.type) {
    case 'RecordDelivery': {
      // The first successful delivery is the one that counts; later ones only go to the delivery log.
      if (state.deliveredAt) return [];
      return [
        {
          type: 'NotificationDelivered',
          eventId: onceEventId(state.notice.notificationId, 'delivered'),
          data: {
            ...ref(state.notice),
            channel: 'webhook',
            subscriptionId: command.subscriptionId,
            attempt: command.attempt,
            deliveredAt: at,
            sentBeforeStart: sentBeforeStart(
              state.notice.kind,
              at,
              command.placementStartedOn ?? state.notice.placementStart,
            ),
          },
        },
      ];
    }
    case 'RecordDeliveryFailure':
      return [
        {
          type: 'NotificationDeliveryFailed',
          data: {
            ...ref(state.notice),
            subscriptionId: command.subscriptionId,
            attempt: command.attempt,
            error: command.error,
            responseStatus: command.responseStatus,
            nextAttemptAt: command.nextAttemptAt,
            failedAt: at,
          },
        },
      ];
    case 'Acknowledge': {
      if (command.org !== state.notice.recipientOrg) {
        throw problems.forbidden('only the recipient of a notice can acknowledge it');
      }
      if (state.acknowledgedAt) return [];
      return [
        {
          type: 'NotificationAcknowledged',
          data: { ...ref(state.notice), acknowledgedBy: command.by, acknowledgedAt: at },
        },
      ];
    }
    case 'DetectOverdue': {
      if (state.overdueAt || state.deliveredAt || state.acknowledgedAt) return [];
      // Due "by" a date means until the end of that day in England.
      if (todayInEngland(now) <= state.notice.dueBy) return [];
      return [
        {
          type: 'NotificationOverdue',
          eventId: onceEventId(state.notice.notificationId, 'overdue'),
          data: { ...ref(state.notice), dueBy: state.notice.dueBy, detectedAt: at },
        },
      ];
    }
  }
}
