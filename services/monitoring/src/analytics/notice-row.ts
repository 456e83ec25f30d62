// The notices read model: each statutory notice about a child's placement with when it was raised,
// delivered, acknowledged or found overdue. Notification-compliance analytics read it.
import type { KeyedTable } from '../read-models/keyed-rows.ts';

export interface NoticeRow {
  notification_id: string;
  kind: string | null;
  recipient_org: string | null;
  placement_id: string | null;
  placing_la: string | null;
  child_ref: string | null;
  host_la: string | null;
  home_urn: string | null;
  due_by: string | null;
  placement_start: string | null;
  raised_at: string | null;
  delivered_at: string | null;
  sent_before_start: boolean | null;
  acknowledged_at: string | null;
  overdue_at: string | null;
}

export const noticesTable: KeyedTable = {
  name: 'monitoring_notices',
  key: 'notification_id',
  keyType: 'uuid',
  columns: [
    'notification_id',
    'kind',
    'recipient_org',
    'placement_id',
    'placing_la',
    'child_ref',
    'host_la',
    'home_urn',
    'due_by',
    'placement_start',
    'raised_at',
    'delivered_at',
    'sent_before_start',
    'acknowledged_at',
    'overdue_at',
  ],
};

export const NOTICE_EVENTS: ReadonlySet<string> = new Set([
  'NotificationRaised',
  'NotificationDelivered',
  'NotificationAcknowledged',
  'NotificationOverdue',
]);

interface NoticeRef {
  notificationId: string;
  kind: string;
  recipientOrg: string;
  placementId: string | null;
  placingLa: string | null;
  childRef: string | null;
  homeUrn: string | null;
}

/** Folds one notification event into the notice's row; the first delivery is the one that counts. */
export function evolveNoticeRow(row: NoticeRow | undefined, type: string, data: unknown): NoticeRow {
  const ref = data as NoticeRef;
  const current: NoticeRow = {
    notification_id: ref.notificationId,
    kind: ref.kind,
    recipient_org: ref.recipientOrg,
    placement_id: ref.placementId,
    placing_la: ref.placingLa ?? row?.placing_la ?? null,
    child_ref: ref.childRef ?? row?.child_ref ?? null,
    home_urn: ref.homeUrn,
    host_la: row?.host_la ?? null,
    due_by: row?.due_by ?? null,
    placement_start: row?.placement_start ?? null,
    raised_at: row?.raised_at ?? null,
    delivered_at: row?.delivered_at ?? null,
    sent_before_start: row?.sent_before_start ?? null,
    acknowledged_at: row?.acknowledged_at ?? null,
    overdue_at: row?.overdue_at ?? null,
  };
  switch (type) {
    case 'NotificationRaised': {
      const d = data as {
        hostLa: string | null;
        dueBy: string;
        placementStart: string | null;
        raisedAt: string;
      };
      return {
        ...current,
        host_la: d.hostLa,
        due_by: d.dueBy,
        placement_start: d.placementStart,
        raised_at: d.raisedAt,
      };
    }
    case 'NotificationDelivered': {
      const d = data as { deliveredAt: string; sentBeforeStart: boolean | null };
      if (current.delivered_at) return current;
      return { ...current, delivered_at: d.deliveredAt, sent_before_start: d.sentBeforeStart };
    }
    case 'NotificationAcknowledged': {
      const d = data as { acknowledgedAt: string };
      return { ...current, acknowledged_at: current.acknowledged_at ?? d.acknowledgedAt };
    }
    case 'NotificationOverdue': {
      const d = data as { detectedAt: string; dueBy: string };
      return {
        ...current,
        overdue_at: current.overdue_at ?? d.detectedAt,
        due_by: current.due_by ?? d.dueBy,
      };
    }
    default:
      return current;
  }
}
