// Notices raised from other services' events on the real broker: a placement event published onto
// the namespaced matching topic produces exactly one notice however often it arrives, the notice
// goes out on placements.notification.v1 and, itself, on placements.host-notices.v1 keyed by the
// recipient; a serious event's sealed free text never reaches this service's log.
import { randomUUID } from 'node:crypto';
import { hostNotice, notificationRaised, topics } from '@placements/contracts';
import { publishIntegrationEvent, testNamespace } from '@placements/service-kit/testing';
import { readMessages, type TestDatabase, testKafka } from '@placements/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { build, type Service } from '../app.ts';
import { eventsOfType, notificationTestDatabase, notificationTestEnv, waitFor } from '../int-test-support.ts';
import { placementProposed, placementStarted, STOCKPORT, seriousEventRecorded } from '../test-fixtures.ts';

let db: TestDatabase;
let service: Service;
const namespace = testNamespace();
const kafka = testKafka(inject('infra').kafkaBrokers);

async function inboxCount(): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM inbox WHERE consumer_group = $1`,
    [`${namespace}.notification.notice-rules`],
  );
  return rows[0]?.n ?? 0;
}

beforeAll(async () => {
  db = await notificationTestDatabase('notification_raise');
  service = await build({
    env: notificationTestEnv(db, { OVERDUE_CHECK_INTERVAL_MS: '3600000' }, namespace),
  });
  await service.start();
  await service.messagingReady;
});

afterAll(async () => {
  await service?.stop();
  await db?.drop();
});

describe('notices from placement events on Kafka', () => {
  it('one notice per obligation, even when the event is delivered twice and replayed under a new id', async () => {
    const data = placementProposed({ plannedStart: '2030-06-14' });
    const eventId = randomUUID();
    const publish = (id: string) =>
      publishIntegrationEvent({ kafka, namespace, name: 'PlacementProposed', data, eventId: id });
    await publish(eventId);
    await publish(eventId);
    await publish(randomUUID());
    // In-area events and events these rules do not read pass through without a notice.
    await publishIntegrationEvent({
      kafka,
      namespace,
      name: 'PlacementProposed',
      data: placementProposed({ hostLa: data.placingLa, outOfArea: false, atDistance: false }),
    });

    await waitFor(async () => (await inboxCount()) >= 3, {
      timeoutMs: 45_000,
      what: 'the consumer to take every message',
    });
    const raised = (await eventsOfType(db, 'NotificationRaised')).filter(
      (event) => (event.data as { placementId: string }).placementId === data.placementId,
    );
    expect(raised).toHaveLength(1);
    expect(raised[0]?.data).toMatchObject({
      kind: 'out-of-area.placement-notice',
      recipientOrg: STOCKPORT,
      dueBy: '2030-06-14',
      causationEventId: eventId,
    });
    expect(await eventsOfType(db, 'NotificationRaised')).toHaveLength(1);

    // Published: the integration event, and the notice itself for host authorities on Kafka.
    const notices = await readMessages(inject('infra').kafkaBrokers, `${namespace}.${topics.hostNotices}`, {
      count: 1,
      timeoutMs: 30_000,
    });
    expect(notices).toHaveLength(1);
    const [notice] = notices;
    expect(notice!.key).toBe(STOCKPORT);
    expect(notice!.headers).toMatchObject({
      ce_type: 'uk.placements.notification.HostNotice.v1',
      ce_source: '/notification',
      ce_specversion: '1.0',
    });
    expect(notice!.headers.ce_id).not.toBe(raised[0]!.event_id);
    expect(hostNotice.parse(JSON.parse(notice!.value!))).toMatchObject({
      recipientOrg: STOCKPORT,
      dueBy: '2030-06-14',
    });

    const integration = await readMessages(
      inject('infra').kafkaBrokers,
      `${namespace}.${topics.notification}`,
      {
        count: 1,
        timeoutMs: 30_000,
      },
    );
    expect(integration[0]!.headers.ce_type).toBe('uk.placements.notification.NotificationRaised.v1');
    expect(integration[0]!.headers.ce_id).toBe(raised[0]!.event_id);
    expect(() => notificationRaised.parse(JSON.parse(integration[0]!.value!))).not.toThrow();
  });

  it('an emergency out-of-area start raises the notice due 5 working days after the start', async () => {
    const data = placementStarted({ emergency: true, startDate: '2026-12-24', approvalMissing: true });
    await publishIntegrationEvent({ kafka, namespace, name: 'PlacementStarted', data });
    const raised = await waitFor(
      async () => {
        const rows = (await eventsOfType(db, 'NotificationRaised')).filter(
          (event) => (event.data as { placementId: string }).placementId === data.placementId,
        );
        return rows.length > 0 && rows;
      },
      { timeoutMs: 30_000, what: 'the emergency placement notice' },
    );
    expect(raised[0]?.data).toMatchObject({ dueBy: '2027-01-05', placementStart: '2026-12-24' });
  });

  it('a serious event’s sealed free text is opened for validation but never written here', async () => {
    const data = seriousEventRecorded({ summary: 'Sensitive narrative 7f3a about the child' });
    await publishIntegrationEvent({
      kafka,
      namespace,
      name: 'SeriousEventRecorded',
      data,
      cipher: service.cipher,
    });
    await waitFor(
      async () => {
        const { rows } = await db.pool.query(
          `SELECT 1 FROM notification_obligations WHERE obligation LIKE $1`,
          [`reg40:${data.seriousEventId}:%`],
        );
        return rows.length === 2;
      },
      { timeoutMs: 30_000, what: 'both reg 40 notices' },
    );
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM events WHERE data::text LIKE '%7f3a%'`,
    );
    expect(rows[0].n).toBe(0);
  });
});
