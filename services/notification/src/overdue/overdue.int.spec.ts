// Overdue detection against real PostgreSQL: with the clock moved past the end of the due day in
// England, an undelivered notice gets NotificationOverdue exactly once — however often the check
// runs, and across a rebuilt service on the same database with its schedule running.
import type { TestDatabase } from '@placements/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type Service } from '../app.ts';
import {
  applyTestEvent,
  eventsOfType,
  notificationTestDatabase,
  notificationTestEnv,
  waitFor,
} from '../int-test-support.ts';
import { notificationStreamId } from '../notification/notification.ts';
import { parsed, placementProposed, STOCKPORT } from '../test-fixtures.ts';

let db: TestDatabase;
let now = new Date('2026-06-10T09:00:00Z');
const clock = () => now;
const hosts: Service[] = [];

async function service(overrides: Record<string, string> = {}): Promise<Service> {
  const host = await build({
    env: notificationTestEnv(db, { RUN_BACKGROUND: 'false', ...overrides }),
    clock,
  });
  hosts.push(host);
  return host;
}

beforeAll(async () => {
  db = await notificationTestDatabase('notification_overdue');
});

afterAll(async () => {
  for (const host of hosts) await host.stop().catch(() => undefined);
  await db?.drop();
});

describe('overdue notices', () => {
  it('become overdue once, after the due day ends, across runs and a restart', async () => {
    const first = await service();
    const [id] = await applyTestEvent(
      first,
      parsed('PlacementProposed', placementProposed({ plannedStart: '2026-06-15' })),
    );
    const [acknowledgedId] = await applyTestEvent(
      first,
      parsed('PlacementProposed', placementProposed({ plannedStart: '2026-06-15' })),
    );
    expect(id).toBeDefined();
    await first.catchUpProjections();

    // The recipient acknowledged one of them: it can never become overdue.
    const { handleNotificationCommand } = await import('../notification/commands.ts');
    await handleNotificationCommand(
      first,
      acknowledgedId!,
      { type: 'Acknowledge', org: STOCKPORT, by: 'officer' },
      { metadata: {} },
    );
    await first.catchUpProjections();

    expect(await first.detectOverdue()).toBe(0);
    now = new Date('2026-06-15T22:30:00Z'); // 23:30 on the due day in England
    expect(await first.detectOverdue()).toBe(0);

    now = new Date('2026-06-16T08:00:00Z');
    expect(await first.detectOverdue()).toBe(1);
    // Run again before the read model has caught up: the stream decides, nothing more is written.
    expect(await first.detectOverdue()).toBe(0);
    await first.catchUpProjections();
    expect(await first.detectOverdue()).toBe(0);
    await first.stop();

    // A rebuilt service on the same database, its schedules running every 100 ms.
    now = new Date('2026-06-17T08:00:00Z');
    const second = await service({ RUN_BACKGROUND: 'true', OVERDUE_CHECK_INTERVAL_MS: '100' });
    expect(await second.detectOverdue()).toBe(0);
    await second.start({ messaging: false });
    await waitFor(
      async () => {
        const { rows } = await db.pool.query(
          `SELECT 1 FROM notifications WHERE notification_id = $1 AND overdue_at IS NOT NULL`,
          [id],
        );
        return rows.length === 1;
      },
      { what: 'the read model to show the notice overdue' },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));

    const overdue = await eventsOfType(db, 'NotificationOverdue');
    expect(overdue).toHaveLength(1);
    expect(overdue[0]?.data).toMatchObject({
      notificationId: id,
      dueBy: '2026-06-15',
      detectedAt: '2026-06-16T08:00:00.000Z',
    });
    expect(await eventsOfType(db, 'NotificationOverdue', notificationStreamId(acknowledgedId!))).toHaveLength(
      0,
    );
  });
});
