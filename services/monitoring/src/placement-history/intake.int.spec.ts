// The intake's harder cases on a real database, with background work off so the read models move
// only when the test says: a notice that names only the placement finds the child before the
// placements read model knows it; a placement recorded after a Reg 44 visit at its home still gets
// the visit into the child's history; events that are not about a child leave no history.
import { randomUUID } from 'node:crypto';
import { bearer } from '@placements/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  homeRegistered,
  notificationRaised,
  type PlacementFacts,
  placementProposed,
  placementStarted,
} from '../testing/integration-events.ts';
import { deliver, type ServiceUnderTest, startMonitoring } from '../testing/service-under-test.ts';
import { historyStreamId } from './history-entry.ts';

const LA = 'E09000014';
const oak = { urn: 'SC600001', providerId: 'P1001', la: 'E09000010', postcode: 'EN1 1AA' };
let sut: ServiceUnderTest;

function placement(childRef: string): PlacementFacts {
  return {
    placementId: randomUUID(),
    referralId: randomUUID(),
    placingLa: LA,
    childRef,
    homeUrn: oak.urn,
    providerId: oak.providerId,
    hostLa: oak.la,
    outOfArea: true,
    atDistance: false,
  };
}

async function types(childRef: string): Promise<string[]> {
  const events = await sut.host.store.readStream(historyStreamId({ placingLa: LA, childRef }), {
    decrypt: false,
  });
  return events.map((event) => event.type);
}

beforeAll(async () => {
  sut = await startMonitoring({
    prefix: 'monitoring_intake',
    background: false,
    clock: () => new Date('2026-11-01T10:00:00Z'),
  });
  await sut.host.start();
  await deliver(sut.host, 'HomeRegistered', homeRegistered(oak, '2025-01-10T09:00:00Z'));
  await sut.host.catchUpProjections();
});

afterAll(async () => {
  await sut?.stop();
});

describe('history intake', () => {
  it('finds the child of a notice that names only the placement, before the read model has it', async () => {
    const p = placement('N1');
    await deliver(
      sut.host,
      'PlacementProposed',
      placementProposed(p, {
        offerId: randomUUID(),
        plannedStart: '2026-10-01',
        proposedAt: '2026-09-20T10:00:00Z',
        homePostcode: oak.postcode,
      }),
    );
    const { rows } = await sut.host.pool.query(
      'SELECT 1 FROM monitoring_placements WHERE placement_id = $1',
      [p.placementId],
    );
    expect(rows).toEqual([]);
    await deliver(
      sut.host,
      'NotificationRaised',
      notificationRaised(
        {
          notificationId: randomUUID(),
          placementId: p.placementId,
          placingLa: null,
          childRef: null,
          homeUrn: oak.urn,
          recipientOrg: oak.la,
        },
        {
          hostLa: oak.la,
          dueBy: '2026-10-01',
          placementStart: '2026-10-01',
          raisedAt: '2026-09-20T10:00:01Z',
        },
      ),
    );
    expect(await types('N1')).toEqual(['PlacementProposed', 'NotificationRaised']);
  });

  it('keeps no history for a notice about a home rather than a placement', async () => {
    const before = await sut.host.pool.query(
      "SELECT count(*)::int AS n FROM events WHERE stream_type = 'history'",
    );
    await deliver(
      sut.host,
      'NotificationRaised',
      notificationRaised(
        {
          notificationId: randomUUID(),
          kind: 'reg44.visit-overdue',
          placementId: null,
          placingLa: null,
          childRef: null,
          homeUrn: oak.urn,
          recipientOrg: oak.providerId,
        },
        { hostLa: null, dueBy: '2026-10-05', placementStart: null, raisedAt: '2026-10-01T06:00:00Z' },
      ),
    );
    const after = await sut.host.pool.query(
      "SELECT count(*)::int AS n FROM events WHERE stream_type = 'history'",
    );
    expect(after.rows).toEqual(before.rows);
  });

  it('adds a Reg 44 visit made before the placement’s start was recorded to the child’s history', async () => {
    const visit = await sut.host.app.inject({
      method: 'POST',
      url: `/v1/homes/${oak.urn}/reg44-visits`,
      headers: await bearer('P1001', 'independent-visitor'),
      payload: {
        visitDate: '2026-10-20',
        visitorName: 'I. Person',
        announced: false,
        childrenSafeguarded: 'yes',
        wellbeingPromoted: 'yes',
        summary: 'All well.',
        recommendations: [],
        conflictOfInterest: 'none',
        reportDate: '2026-10-21',
      },
    });
    expect(visit.statusCode).toBe(201);
    expect(visit.json().placements).toEqual([]);
    await sut.host.catchUpProjections();

    const p = placement('LATE1');
    const started = placementStarted(p, {
      startDate: '2026-10-15',
      startedAt: '2026-10-25T10:00:00Z',
      emergency: true,
    });
    const id = await deliver(sut.host, 'PlacementStarted', started);
    expect(await types('LATE1')).toEqual(['PlacementStarted', 'Reg44VisitRecorded']);
    // The same event delivered again (a replay through another consumer group): nothing is added.
    await deliver(sut.host, 'PlacementStarted', started, { id });
    expect(await types('LATE1')).toEqual(['PlacementStarted', 'Reg44VisitRecorded']);
  });

  it('serves an OpenAPI document covering every monitoring route', async () => {
    const response = await sut.host.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const paths = Object.keys(response.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/v1/homes/{urn}/reg44-visits',
        '/v1/compliance/reg44',
        '/v1/homes/{urn}/reg45-reviews',
        '/v1/compliance/reg45',
        '/v1/homes/{urn}/serious-events',
        '/v1/children/{placingLa}/{childRef}/history',
        '/v1/children/{placingLa}/{childRef}/history/verify',
        '/v1/exports/ssda903/episodes',
        '/v1/exports/ssda903/header',
        '/v1/analytics/stability',
        '/v1/analytics/out-of-area',
        '/v1/analytics/notification-compliance',
        '/v1/analytics/reg44-compliance',
        '/v1/audit',
      ]),
    );
  });
});
