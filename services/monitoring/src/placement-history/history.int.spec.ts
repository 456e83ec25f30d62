// The placement history end to end on the real broker and database: another service's events, put on
// the (namespaced) topics the way their relays would, become the child's hash-chained history;
// redelivering every event (to the same and to a fresh consumer group) adds nothing; the log refuses
// UPDATE, DELETE and TRUNCATE; a row altered behind the triggers' back is named by verify.
import { randomUUID } from 'node:crypto';
import {
  cloudEventType,
  type IntegrationEventData,
  type IntegrationEventName,
  topics,
} from '@placements/contracts';
import { withTransaction } from '@placements/event-store';
import { bearer, publishIntegrationEvent } from '@placements/service-kit/testing';
import { readMessages, testKafka } from '@placements/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { READ_MODEL_TABLES } from '../read-models/projection.ts';
import {
  homeRegistered,
  type NoticeFacts,
  notificationAcknowledged,
  notificationDelivered,
  notificationOverdue,
  notificationRaised,
  type PlacementFacts,
  placementApprovalRecorded,
  placementEnded,
  placementProposed,
  placementStarted,
  referralPlaced,
  referralSubmitted,
} from '../testing/integration-events.ts';
import { eventually, type ServiceUnderTest, startMonitoring } from '../testing/service-under-test.ts';
import { historyStreamId } from './history-entry.ts';
import { readByHistoryIntake } from './intake.ts';

const LA = 'E09000014';
const CHILD = 'LIFE1';
const elm = { urn: 'SC300002', providerId: 'P1001', la: 'E09000010', postcode: 'EN1 2BB' };
const oak = { urn: 'SC300001', providerId: 'P1001', la: LA, postcode: 'N15 1AA' };
const streamId = historyStreamId({ placingLa: LA, childRef: CHILD });

let sut: ServiceUnderTest;
let kafka: ReturnType<typeof testKafka>;
const published: { name: IntegrationEventName; data: unknown; id: string }[] = [];

async function publish<N extends IntegrationEventName>(
  name: N,
  data: IntegrationEventData<N>,
): Promise<void> {
  const id = await publishIntegrationEvent({
    kafka,
    namespace: sut.namespace,
    name,
    data,
    cipher: sut.host.cipher,
  });
  published.push({ name, data, id });
}

async function historyTypes(): Promise<string[]> {
  return (await sut.host.store.readStream(streamId, { decrypt: false })).map((event) => event.type);
}

async function waitForEntries(count: number): Promise<string[]> {
  return eventually(
    async () => {
      const types = await historyTypes();
      return types.length >= count ? types : undefined;
    },
    { what: `${count} history entries`, timeoutMs: 90_000 },
  );
}

const referralId = randomUUID();
const first: PlacementFacts = {
  placementId: randomUUID(),
  referralId,
  placingLa: LA,
  childRef: CHILD,
  homeUrn: elm.urn,
  providerId: elm.providerId,
  hostLa: elm.la,
  outOfArea: true,
  atDistance: false,
};
const second: PlacementFacts = {
  ...first,
  placementId: randomUUID(),
  homeUrn: oak.urn,
  hostLa: LA,
  outOfArea: false,
};
const placementNotice: NoticeFacts = {
  notificationId: randomUUID(),
  placementId: first.placementId,
  placingLa: LA,
  childRef: CHILD,
  homeUrn: elm.urn,
  recipientOrg: elm.la,
};
// The departure notice names the placement only: the service finds the child from the placement.
const departureNotice: NoticeFacts = {
  notificationId: randomUUID(),
  kind: 'out-of-area.departure-notice',
  placementId: first.placementId,
  placingLa: null,
  childRef: null,
  homeUrn: elm.urn,
  recipientOrg: elm.la,
};

beforeAll(async () => {
  sut = await startMonitoring({ prefix: 'monitoring_history' });
  kafka = testKafka(inject('infra').kafkaBrokers);
  await sut.host.start();
  await sut.host.messagingReady;
}, 180_000);

afterAll(async () => {
  await sut?.stop();
});

describe('placement history from every topic', () => {
  it('records a full lifecycle — referral, approval, start, notices, move, end — in the child’s history', async () => {
    await publish('HomeRegistered', homeRegistered(elm, '2025-01-10T09:00:00Z'));
    await publish('HomeRegistered', homeRegistered(oak, '2025-01-10T09:00:00Z'));
    await publish(
      'ReferralSubmitted',
      referralSubmitted({ referralId, placingLa: LA, childRef: CHILD, submittedAt: '2026-04-20T10:00:00Z' }),
    );
    await publish(
      'PlacementProposed',
      placementProposed(first, {
        offerId: randomUUID(),
        plannedStart: '2026-05-01',
        proposedAt: '2026-04-25T10:00:00Z',
        homePostcode: elm.postcode,
      }),
    );
    await publish(
      'NotificationRaised',
      notificationRaised(placementNotice, {
        hostLa: elm.la,
        dueBy: '2026-05-01',
        placementStart: '2026-05-01',
        raisedAt: '2026-04-25T10:00:01Z',
      }),
    );
    await publish('PlacementApprovalRecorded', placementApprovalRecorded(first, '2026-04-26T10:00:00Z'));
    await publish(
      'NotificationDelivered',
      notificationDelivered(placementNotice, { deliveredAt: '2026-04-26T11:00:00Z', sentBeforeStart: true }),
    );
    await publish(
      'PlacementStarted',
      placementStarted(first, { startDate: '2026-05-01', startedAt: '2026-05-01T09:00:00Z' }),
    );
    await publish(
      'ReferralPlaced',
      referralPlaced({
        referralId,
        placingLa: LA,
        childRef: CHILD,
        placementId: first.placementId,
        homeUrn: elm.urn,
        startDate: '2026-05-01',
        placedAt: '2026-05-01T09:00:01Z',
      }),
    );
    await publish(
      'NotificationAcknowledged',
      notificationAcknowledged(placementNotice, '2026-04-27T09:00:00Z'),
    );
    // Not part of a child's history: an offer.
    await publish('OfferSent', {
      offerId: randomUUID(),
      referralId,
      placingLa: LA,
      childRef: CHILD,
      homeUrn: oak.urn,
      providerId: oak.providerId,
      sentAt: '2026-08-01T10:00:00Z',
    });
    await waitForEntries(8);

    await publish(
      'PlacementProposed',
      placementProposed(second, {
        offerId: randomUUID(),
        plannedStart: '2026-09-15',
        proposedAt: '2026-09-01T10:00:00Z',
        homePostcode: oak.postcode,
        previousPlacementId: first.placementId,
        placeChangeReason: 'CARPL',
      }),
    );
    await publish(
      'PlacementEnded',
      placementEnded(first, {
        endDate: '2026-09-15',
        reasonEnded: 'X1',
        endedAt: '2026-09-15T09:00:00Z',
        nextPlacementId: second.placementId,
      }),
    );
    await publish(
      'PlacementStarted',
      placementStarted(second, {
        startDate: '2026-09-15',
        startedAt: '2026-09-15T09:00:01Z',
        previousPlacementId: first.placementId,
        placeChangeReason: 'CARPL',
      }),
    );
    await waitForEntries(11);

    await publish(
      'NotificationRaised',
      notificationRaised(departureNotice, {
        hostLa: elm.la,
        dueBy: '2026-09-29',
        placementStart: null,
        raisedAt: '2026-09-15T09:00:02Z',
      }),
    );
    await publish(
      'NotificationOverdue',
      notificationOverdue(departureNotice, { dueBy: '2026-09-29', detectedAt: '2026-09-30T06:00:00Z' }),
    );
    await publish(
      'PlacementEnded',
      placementEnded(second, { endDate: '2027-01-10', reasonEnded: 'E13', endedAt: '2027-01-10T12:00:00Z' }),
    );

    const types = await waitForEntries(14);
    expect([...types].sort()).toEqual(
      [
        'ReferralSubmitted',
        'PlacementProposed',
        'NotificationRaised',
        'PlacementApprovalRecorded',
        'NotificationDelivered',
        'PlacementStarted',
        'ReferralPlaced',
        'NotificationAcknowledged',
        'PlacementProposed',
        'PlacementEnded',
        'PlacementStarted',
        'NotificationRaised',
        'NotificationOverdue',
        'PlacementEnded',
      ].sort(),
    );
    // Events keyed alike keep their order: the first placement's events arrive in publishing order.
    const events = await sut.host.store.readStream(streamId, { decrypt: false });
    const firstPlacement = events
      .filter(
        (e) =>
          (e.data as { placementId?: string }).placementId === first.placementId &&
          e.type.startsWith('Placement'),
      )
      .map((e) => e.type);
    expect(firstPlacement).toEqual([
      'PlacementProposed',
      'PlacementApprovalRecorded',
      'PlacementStarted',
      'PlacementEnded',
    ]);
    // The personal fields are sealed at rest; the metadata says where each entry came from.
    const referral = events.find((e) => e.type === 'ReferralSubmitted')!;
    expect((referral.data as { child: { $personal?: string } }).child.$personal).toBe('v1');
    expect(referral.metadata).toMatchObject({
      source: '/referral',
      sourceEventId: published.find((p) => p.name === 'ReferralSubmitted')!.id,
      sourceType: cloudEventType('ReferralSubmitted'),
      occurredAt: '2026-04-20T10:00:00.000Z',
    });
  });

  it('serves the history to the owning LA with personal fields opened, to ops with them withheld, and not to another LA', async () => {
    const asLa = await sut.host.app.inject({
      method: 'GET',
      url: `/v1/children/${LA}/${CHILD}/history`,
      headers: await bearer(LA, 'placing-authority'),
    });
    expect(asLa.statusCode).toBe(200);
    const body = asLa.json();
    expect(body).toMatchObject({ placingLa: LA, childRef: CHILD });
    expect(body.entries).toHaveLength(14);
    expect(body.entries.map((e: { seq: number }) => e.seq)).toEqual(
      Array.from({ length: 14 }, (_, i) => i + 1),
    );
    expect(body.entries[0].prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < body.entries.length; i++)
      expect(body.entries[i].prevHash).toBe(body.entries[i - 1].hash);
    expect(body.head).toBe(body.entries.at(-1).hash);
    expect(asLa.headers.etag).toBe('"14"');
    const stored = await sut.host.store.readStream(streamId);
    expect(
      body.entries.map(
        (e: { entryId: string; recordedAt: string; occurredAt: string; hash: string; type: string }) => [
          e.entryId,
          e.recordedAt,
          e.occurredAt,
          e.type,
          e.hash,
        ],
      ),
    ).toEqual(
      stored.map((e) => [
        e.eventId,
        e.recordedAt.toISOString(),
        (e.metadata as { occurredAt: string }).occurredAt,
        e.type,
        e.hash,
      ]),
    );
    // Entries without personal fields are served exactly as stored.
    const started = stored.find((e) => e.type === 'PlacementStarted')!;
    expect(body.entries.find((e: { entryId: string }) => e.entryId === started.eventId).data).toEqual(
      started.data,
    );
    const referral = body.entries.find((e: { type: string }) => e.type === 'ReferralSubmitted');
    expect(referral.data.child).toMatchObject({ dateOfBirth: '2011-05-14', homePostcode: 'N17 6QA' });
    expect(referral.eventId).toBe(published.find((p) => p.name === 'ReferralSubmitted')!.id);
    expect(referral.source).toBe('/referral');

    const asOps = (
      await sut.host.app.inject({
        method: 'GET',
        url: `/v1/children/${LA}/${CHILD}/history`,
        headers: await bearer('ops', 'ops'),
      })
    ).json();
    const opsReferral = asOps.entries.find((e: { type: string }) => e.type === 'ReferralSubmitted');
    expect(opsReferral.data.child).toEqual({ $withheld: true });
    expect(opsReferral.data.childViews).toEqual({ $withheld: true });
    expect(JSON.stringify(asOps)).not.toContain('2011-05-14');

    const otherLa = await sut.host.app.inject({
      method: 'GET',
      url: `/v1/children/${LA}/${CHILD}/history`,
      headers: await bearer('E08000007', 'placing-authority'),
    });
    expect(otherLa.statusCode).toBe(404);
    const provider = await sut.host.app.inject({
      method: 'GET',
      url: `/v1/children/${LA}/${CHILD}/history`,
      headers: await bearer('P1001', 'provider'),
    });
    expect(provider.statusCode).toBe(403);
  });

  it('records every read: who, which child, when — visible to the owning LA and ops', async () => {
    const audit = await sut.host.app.inject({
      method: 'GET',
      url: `/v1/audit?childRef=${CHILD}`,
      headers: await bearer(LA, 'placing-authority'),
    });
    expect(audit.statusCode).toBe(200);
    const reads = audit.json().items;
    expect(reads.map((r: { org: string; action: string }) => `${r.org}:${r.action}`)).toEqual([
      'ops:history.read',
      `${LA}:history.read`,
    ]);
    expect(reads[0]).toMatchObject({
      placingLa: LA,
      childRef: CHILD,
      sub: expect.any(String),
      at: expect.any(String),
    });

    const foreign = await sut.host.app.inject({
      method: 'GET',
      url: `/v1/audit?placingLa=${LA}`,
      headers: await bearer('E08000007', 'placing-authority'),
    });
    expect(foreign.statusCode).toBe(403);
  });

  it('does not publish history entries again: the relay sends only its own facts', async () => {
    const response = await sut.host.app.inject({
      method: 'POST',
      url: `/v1/homes/${oak.urn}/reg44-visits`,
      headers: await bearer('P1001', 'independent-visitor'),
      payload: {
        visitDate: '2026-10-05',
        visitorName: 'I. Person',
        announced: true,
        childrenSafeguarded: 'yes',
        wellbeingPromoted: 'yes',
        summary: 'All well.',
        recommendations: [],
        conflictOfInterest: 'none',
        reportDate: '2026-10-06',
      },
    });
    expect(response.statusCode).toBe(201);
    expect(await historyTypes()).toContain('Reg44VisitRecorded');
    const messages = await readMessages(
      inject('infra').kafkaBrokers,
      `${sut.namespace}.${topics.monitoring}`,
      {
        count: 1,
        idleMs: 3_000,
        timeoutMs: 30_000,
      },
    );
    expect(messages.map((m) => m.headers.ce_type)).toEqual([cloudEventType('Reg44VisitRecorded')]);
  });

  it('leaves the history unchanged when every event is delivered again, to the same and to a fresh consumer group', async () => {
    const before = await sut.host.store.readStream(streamId, { decrypt: false });
    const { rows: homesBefore } = await sut.host.pool.query(
      "SELECT count(*)::int AS n FROM events WHERE stream_type = 'home'",
    );
    for (const event of published) {
      await publishIntegrationEvent({
        kafka,
        namespace: sut.namespace,
        name: event.name,
        data: event.data as never,
        cipher: sut.host.cipher,
        eventId: event.id,
      });
    }
    const prefix = `${sut.namespace}.replay.`;
    await sut.another({ groupPrefix: prefix }).then((replica) => replica.start());
    const group = `${prefix}monitoring.history`;
    // The fresh group reads every topic from the start: the original messages and the redeliveries.
    await eventually(
      async () => {
        const { rows } = await sut.host.pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM inbox WHERE consumer_group = $1',
          [group],
        );
        // Offers and shortlists are passed over without an inbox row: they are no child's history.
        return rows[0]!.n >= published.filter((event) => readByHistoryIntake(event.name)).length
          ? true
          : undefined;
      },
      { what: 'the fresh consumer group to read every message', timeoutMs: 120_000 },
    );
    // Give the first group time to skip the redeliveries too.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const after = await sut.host.store.readStream(streamId, { decrypt: false });
    expect(after.map((e) => [e.eventId, e.hash])).toEqual(before.map((e) => [e.eventId, e.hash]));
    const { rows: homesAfter } = await sut.host.pool.query(
      "SELECT count(*)::int AS n FROM events WHERE stream_type = 'home'",
    );
    expect(homesAfter).toEqual(homesBefore);
  });

  it('rebuilds every read model from zero to exactly the live state', async () => {
    await sut.host.catchUpProjections();
    const snapshot = async () => {
      const tables: Record<string, unknown[]> = {};
      for (const table of READ_MODEL_TABLES) {
        const { rows } = await sut.host.pool.query(`SELECT to_jsonb(t) AS row FROM ${table} t ORDER BY 1`);
        tables[table] = rows.map((row) => JSON.stringify(row.row)).sort();
      }
      return tables;
    };
    const live = await snapshot();
    expect(live.monitoring_placements).toHaveLength(2);
    expect(live.monitoring_notices).toHaveLength(2);
    expect(live.monitoring_homes).toHaveLength(2);
    const counts = await sut.host.rebuildProjections();
    expect(counts['projection:read-models']).toBeGreaterThan(14);
    expect(await snapshot()).toEqual(live);
  });
});

describe('append-only, tamper-evident history', () => {
  it('refuses UPDATE, DELETE and TRUNCATE on the log and on the read records, as the service and as the owner', async () => {
    for (const pool of [sut.db.pool, sut.db.adminPool]) {
      await expect(
        pool.query("UPDATE events SET data = '{}' WHERE stream_id = $1", [streamId]),
      ).rejects.toThrow();
      await expect(pool.query('DELETE FROM events WHERE stream_id = $1', [streamId])).rejects.toThrow();
      await expect(pool.query('TRUNCATE events')).rejects.toThrow();
      await expect(pool.query("UPDATE history_reads SET org = 'x'")).rejects.toThrow();
      await expect(pool.query('DELETE FROM history_reads')).rejects.toThrow();
      await expect(pool.query('TRUNCATE history_reads')).rejects.toThrow();
    }
    await expect(
      sut.db.adminPool.query('DELETE FROM events WHERE stream_id = $1', [streamId]),
    ).rejects.toThrow(/append-only/);
    const { rows } = await sut.host.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE stream_id = $1',
      [streamId],
    );
    expect(rows[0]!.n).toBe(15);
  });

  it('verifies an intact chain, and names the first broken entry after a row is altered with triggers disabled', async () => {
    const verify = async () =>
      sut.host.app.inject({
        method: 'GET',
        url: `/v1/children/${LA}/${CHILD}/history/verify`,
        headers: await bearer(LA, 'placing-authority'),
      });
    const intact = await verify();
    expect(intact.statusCode).toBe(200);
    expect(intact.json()).toEqual({
      valid: true,
      entries: 15,
      head: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    const { rows } = await sut.host.pool.query<{ v: number }>(
      "SELECT stream_version AS v FROM events WHERE stream_id = $1 AND event_type = 'PlacementEnded' ORDER BY 1 LIMIT 1",
      [streamId],
    );
    const tampered = rows[0]!.v;
    await withTransaction(sut.db.adminPool, async (client) => {
      await client.query('ALTER TABLE events DISABLE TRIGGER USER');
      await client.query(
        `UPDATE events SET data = jsonb_set(data, '{reasonEnded}', '"E2"') WHERE stream_id = $1 AND stream_version = $2`,
        [streamId, tampered],
      );
      await client.query('ALTER TABLE events ENABLE TRIGGER USER');
    });

    const broken = await verify();
    expect(broken.json()).toMatchObject({
      valid: false,
      entries: 15,
      firstBroken: { seq: tampered, reason: 'hash-mismatch' },
    });
    const reads = await sut.host.app.inject({
      method: 'GET',
      url: `/v1/audit?childRef=${CHILD}`,
      headers: await bearer('ops', 'ops'),
    });
    expect(reads.json().items[0]).toMatchObject({
      action: 'history.verify',
      detail: { valid: false, firstBroken: tampered },
    });
  });
});
