// The `notifications` read model: one row per notice, folded from the notification streams, for
// lists, the compliance query and the overdue schedule. Rebuildable from the log.
import type { RecordedEvent } from '@placements/event-store';
import type { ProjectionDefinition } from '@placements/service-kit';
import type { PoolClient } from 'pg';
import {
  type NotificationAcknowledged,
  type NotificationDelivered,
  type NotificationOverdue,
  type NotificationRaised,
  notificationStreamType,
} from './notification.ts';

async function apply(event: RecordedEvent, client: PoolClient): Promise<void> {
  switch (event.type) {
    case 'NotificationRaised': {
      const n = event.data as NotificationRaised;
      await client.query(
        `INSERT INTO notifications (notification_id, kind, recipient_org, placement_id, placing_la, host_la, home_urn,
                                    due_by, placement_start, obligation, raised_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (notification_id) DO NOTHING`,
        [
          n.notificationId,
          n.kind,
          n.recipientOrg,
          n.placementId,
          n.placingLa,
          n.hostLa,
          n.homeUrn,
          n.dueBy,
          n.placementStart,
          n.obligation,
          n.raisedAt,
          event.streamVersion,
        ],
      );
      return;
    }
    case 'NotificationDelivered': {
      const d = event.data as NotificationDelivered;
      await client.query(
        `UPDATE notifications SET delivered_at = coalesce(delivered_at, $2), version = $3 WHERE notification_id = $1`,
        [d.notificationId, d.deliveredAt, event.streamVersion],
      );
      return;
    }
    case 'NotificationDeliveryFailed':
      await client.query(
        `UPDATE notifications SET failed_attempts = failed_attempts + 1, version = $2 WHERE notification_id = $1`,
        [(event.data as { notificationId: string }).notificationId, event.streamVersion],
      );
      return;
    case 'NotificationAcknowledged': {
      const a = event.data as NotificationAcknowledged;
      await client.query(
        `UPDATE notifications SET acknowledged_at = coalesce(acknowledged_at, $2),
                acknowledged_by = coalesce(acknowledged_by, $3), version = $4 WHERE notification_id = $1`,
        [a.notificationId, a.acknowledgedAt, a.acknowledgedBy, event.streamVersion],
      );
      return;
    }
    case 'NotificationOverdue': {
      const o = event.data as NotificationOverdue;
      await client.query(
        `UPDATE notifications SET overdue_at = coalesce(overdue_at, $2), version = $3 WHERE notification_id = $1`,
        [o.notificationId, o.detectedAt, event.streamVersion],
      );
      return;
    }
    default:
      return;
  }
}

export const notificationsProjection: ProjectionDefinition = {
  name: 'notifications',
  streamTypes: [notificationStreamType],
  handle: async (events, client) => {
    for (const event of events) await apply(event, client);
  },
  reset: async (client) => {
    await client.query('DELETE FROM notifications');
  },
};
