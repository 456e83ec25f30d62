// Overdue detection on a schedule: a notice neither delivered nor acknowledged by the end of its
// due date (Europe/London) gets NotificationOverdue, once. Candidates come from the read model;
// the decision is made on the stream, and the event has a fixed id and is appended at the version
// read, so repeated runs, a restart or two instances racing still record it exactly once.

import { todayInEngland } from '@placements/contracts';
import { DuplicateEventError, StreamVersionConflictError } from '@placements/event-store';
import { type NotificationHost, SERVICE_ACTOR } from '../host.ts';
import { handleNotificationCommand } from '../notification/commands.ts';

const PAGE = 500;

/** Records every notice that became overdue; returns how many. */
export async function detectOverdue(host: NotificationHost): Promise<number> {
  const now = host.clock();
  let recorded = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await host.pool.query<{ notification_id: string }>(
      `SELECT notification_id FROM notifications
        WHERE delivered_at IS NULL AND acknowledged_at IS NULL AND overdue_at IS NULL
          AND due_by < $1::date AND notification_id > $2
        ORDER BY notification_id LIMIT $3`,
      [todayInEngland(now), after, PAGE],
    );
    for (const { notification_id: id } of rows) {
      try {
        const result = await handleNotificationCommand(
          host,
          id,
          { type: 'DetectOverdue' },
          { metadata: { actor: SERVICE_ACTOR, correlationId: `overdue:${id}` } },
        );
        recorded += result.events.length;
      } catch (error) {
        // Another instance or a delivery got there first: the next run sees the outcome.
        if (!(error instanceof StreamVersionConflictError || error instanceof DuplicateEventError))
          throw error;
      }
    }
    if (rows.length < PAGE) return recorded;
    after = rows[rows.length - 1]!.notification_id;
  }
}
