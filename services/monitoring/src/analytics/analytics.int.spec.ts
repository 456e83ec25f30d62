// The analytics endpoints on a real database against figures worked out by hand, for a placing LA
// (its own children) and for ops (everyone); then the read models are rebuilt from zero (by the
// host and by the rebuild command) and every answer is the same.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bearer } from '@placements/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  homeRegistered,
  type NoticeFacts,
  notificationAcknowledged,
  notificationDelivered,
  notificationOverdue,
  notificationRaised,
  type PlacementFacts,
  placementEnded,
  placementProposed,
  placementStarted,
  referralSubmitted,
} from '../testing/integration-events.ts';
import { deliver, type ServiceUnderTest, startMonitoring } from '../testing/service-under-test.ts';

const A = 'E09000014';
const B = 'E08000007';
const oak = { urn: 'SC500001', providerId: 'P1001', la: A, postcode: 'N15 1AA' };
const elm = { urn: 'SC500002', providerId: 'P1001', la: 'E09000010', postcode: 'EN1 2BB' };
const ash = { urn: '5000003', providerId: 'P2002', la: B, postcode: 'SK1 3XE' };
type Home = typeof oak;

let sut: ServiceUnderTest;

function placement(placingLa: string, childRef: string, home: Home): PlacementFacts {
  return {
    placementId: randomUUID(),
    referralId: randomUUID(),
    placingLa,
    childRef,
    homeUrn: home.urn,
    providerId: home.providerId,
    hostLa: home.la,
    outOfArea: home.la !== placingLa,
    atDistance: home.la === B || (placingLa === B && home.la === A),
  };
}

async function start(p: PlacementFacts, home: Home, on: string, miles: number, previous?: PlacementFacts) {
  await deliver(
    sut.host,
    'PlacementProposed',
    placementProposed(p, {
      offerId: randomUUID(),
      plannedStart: on,
      proposedAt: `${on}T08:00:00Z`,
      homePostcode: home.postcode,
      distanceMiles: miles,
      previousPlacementId: previous?.placementId ?? null,
      placeChangeReason: previous ? 'CARPL' : null,
    }),
  );
  if (previous)
    await deliver(
      sut.host,
      'PlacementEnded',
      placementEnded(previous, {
        endDate: on,
        reasonEnded: 'X1',
        endedAt: `${on}T09:00:00Z`,
        nextPlacementId: p.placementId,
      }),
    );
  await deliver(
    sut.host,
    'PlacementStarted',
    placementStarted(p, {
      startDate: on,
      startedAt: `${on}T09:00:01Z`,
      previousPlacementId: previous?.placementId ?? null,
    }),
  );
}

async function referral(placingLa: string, childRef: string, on: string) {
  await deliver(
    sut.host,
    'ReferralSubmitted',
    referralSubmitted({ referralId: randomUUID(), placingLa, childRef, submittedAt: `${on}T08:00:00Z` }),
  );
}

function notice(
  p: PlacementFacts,
  home: Home,
  kind: NoticeFacts['kind'] = 'out-of-area.placement-notice',
): NoticeFacts {
  return {
    notificationId: randomUUID(),
    kind,
    placementId: p.placementId,
    placingLa: p.placingLa,
    childRef: p.childRef,
    homeUrn: home.urn,
    recipientOrg: home.la,
  };
}

async function get(path: string, org: string, role: 'placing-authority' | 'ops', query = 'asOf=2026-12-31') {
  const response = await sut.host.app.inject({
    method: 'GET',
    url: `/v1/analytics/${path}?${query}`,
    headers: await bearer(org, role),
  });
  expect(response.statusCode).toBe(200);
  return response.json();
}

beforeAll(async () => {
  sut = await startMonitoring({
    prefix: 'monitoring_analytics',
    clock: () => new Date('2027-01-15T10:00:00Z'),
  });
  await sut.host.start({ messaging: false });
  for (const home of [oak, elm, ash])
    await deliver(sut.host, 'HomeRegistered', homeRegistered(home, '2025-01-10T09:00:00Z'));

  // K1 (A): Oak from June 2025, Elm from 1 March 2026, Ash from 1 August 2026 (open).
  await referral(A, 'K1', '2025-05-20');
  const p1 = placement(A, 'K1', oak);
  const p2 = placement(A, 'K1', elm);
  const p3 = placement(A, 'K1', ash);
  await start(p1, oak, '2025-06-01', 3);
  const n1 = notice(p2, elm);
  await deliver(
    sut.host,
    'NotificationRaised',
    notificationRaised(n1, {
      hostLa: elm.la,
      dueBy: '2026-03-01',
      placementStart: '2026-03-01',
      raisedAt: '2026-02-20T10:00:00Z',
    }),
  );
  await deliver(
    sut.host,
    'NotificationDelivered',
    notificationDelivered(n1, { deliveredAt: '2026-02-21T10:00:00Z', sentBeforeStart: true }),
  );
  await deliver(sut.host, 'NotificationAcknowledged', notificationAcknowledged(n1, '2026-02-22T10:00:00Z'));
  await start(p2, elm, '2026-03-01', 8, p1);
  const n2 = notice(p3, ash);
  await deliver(
    sut.host,
    'NotificationRaised',
    notificationRaised(n2, {
      hostLa: ash.la,
      dueBy: '2026-08-01',
      placementStart: '2026-08-01',
      raisedAt: '2026-07-25T10:00:00Z',
    }),
  );
  await start(p3, ash, '2026-08-01', 160, p2);
  await deliver(
    sut.host,
    'NotificationDelivered',
    notificationDelivered(n2, { deliveredAt: '2026-08-04T10:00:00Z', sentBeforeStart: false }),
  );
  const n4 = notice(p2, elm, 'out-of-area.departure-notice');
  await deliver(
    sut.host,
    'NotificationRaised',
    notificationRaised(n4, {
      hostLa: elm.la,
      dueBy: '2026-08-14',
      placementStart: null,
      raisedAt: '2026-08-01T10:00:00Z',
    }),
  );
  await deliver(
    sut.host,
    'NotificationDelivered',
    notificationDelivered(n4, { deliveredAt: '2026-08-05T10:00:00Z', sentBeforeStart: null }),
  );
  await deliver(sut.host, 'NotificationAcknowledged', notificationAcknowledged(n4, '2026-08-06T10:00:00Z'));

  // K2 (A): an emergency at Ash from 1 February to 2 May 2026; its notice was never delivered.
  await referral(A, 'K2', '2026-01-30');
  const p4 = placement(A, 'K2', ash);
  await start(p4, ash, '2026-02-01', 160);
  const n3 = notice(p4, ash);
  await deliver(
    sut.host,
    'NotificationRaised',
    notificationRaised(n3, {
      hostLa: ash.la,
      dueBy: '2026-02-06',
      placementStart: '2026-02-01',
      raisedAt: '2026-02-01T10:00:00Z',
    }),
  );
  await deliver(
    sut.host,
    'NotificationOverdue',
    notificationOverdue(n3, { dueBy: '2026-02-06', detectedAt: '2026-02-07T06:00:00Z' }),
  );
  await deliver(
    sut.host,
    'PlacementEnded',
    placementEnded(p4, { endDate: '2026-05-02', reasonEnded: 'E13', endedAt: '2026-05-02T12:00:00Z' }),
  );

  // K3 (B): at Oak, out of area and far, from April 2026 (open).
  await referral(B, 'K3', '2026-03-20');
  await start(placement(B, 'K3', oak), oak, '2026-04-01', 180);

  // K4 (A): at Oak during 2025 only.
  await referral(A, 'K4', '2024-12-20');
  const p6 = placement(A, 'K4', oak);
  await start(p6, oak, '2025-01-01', 2);
  await deliver(
    sut.host,
    'PlacementEnded',
    placementEnded(p6, { endDate: '2025-11-30', reasonEnded: 'E13', endedAt: '2025-11-30T12:00:00Z' }),
  );
  await sut.host.catchUpProjections();

  // Oak visited every month of 2026 but March and July; Elm in March, April and May; Ash never.
  const visits: [Home, string][] = [
    ...['01', '02', '04', '05', '06', '08', '09', '10', '11', '12'].map(
      (m) => [oak, `2026-${m}-20`] as [Home, string],
    ),
    ...['03', '04', '05'].map((m) => [elm, `2026-${m}-10`] as [Home, string]),
  ];
  for (const [home, visitDate] of visits) {
    const response = await sut.host.app.inject({
      method: 'POST',
      url: `/v1/homes/${home.urn}/reg44-visits`,
      headers: await bearer(home.providerId, 'independent-visitor'),
      payload: {
        visitDate,
        visitorName: 'I. Person',
        announced: false,
        childrenSafeguarded: 'yes',
        wellbeingPromoted: 'yes',
        summary: 'Visit report.',
        recommendations: [],
        conflictOfInterest: 'none',
        reportDate: visitDate,
      },
    });
    expect(response.statusCode).toBe(201);
  }
  const review = await sut.host.app.inject({
    method: 'POST',
    url: `/v1/homes/${oak.urn}/reg45-reviews`,
    headers: await bearer('P1001', 'provider'),
    payload: { completedOn: '2026-12-01', reportSentOn: '2026-12-10', summary: 'Good.' },
  });
  expect(review.statusCode).toBe(201);
  await sut.host.catchUpProjections();
}, 120_000);

afterAll(async () => {
  await sut?.stop();
});

const period = { from: '2026-01-01', to: '2026-12-31' };

describe('analytics for a placing LA (its own children) and for ops (all)', () => {
  it('stability: moves per child, share with 3+ placements, placement length', async () => {
    expect(await get('stability', A, 'placing-authority')).toEqual({
      placingLa: A,
      period,
      children: 2,
      placements: 4,
      moves: 2,
      movesPerChild: 1,
      childrenWith3OrMorePlacements: 1,
      shareWith3OrMorePlacements: 0.5,
      placementsEnded: 3,
      averagePlacementLengthDays: 172,
      ongoingPlacements: 1,
      averageOngoingPlacementDays: 152,
    });
    expect(await get('stability', 'ops', 'ops')).toMatchObject({
      placingLa: null,
      children: 3,
      placements: 5,
      movesPerChild: 0.67,
      shareWith3OrMorePlacements: 0.3333,
      averageOngoingPlacementDays: 213,
    });
    expect(await get('stability', 'ops', 'ops', `asOf=2026-12-31&la=${B}`)).toMatchObject({
      placingLa: B,
      children: 1,
    });
  });

  it('out of area: rates and LA-to-LA flows', async () => {
    expect(await get('out-of-area', A, 'placing-authority')).toEqual({
      placingLa: A,
      period,
      placementsStarted: 3,
      outOfArea: 3,
      outOfAreaRate: 1,
      atDistance: 2,
      atDistanceRate: 0.6667,
      over20Miles: 2,
      over20MilesRate: 0.6667,
      outOfAreaAndOver20Miles: 2,
      outOfAreaAndOver20MilesRate: 0.6667,
      flows: [
        { from: A, to: B, placements: 2 },
        { from: A, to: 'E09000010', placements: 1 },
      ],
    });
    const all = await get('out-of-area', 'ops', 'ops');
    expect(all.flows).toEqual([
      { from: A, to: B, placements: 2 },
      { from: B, to: A, placements: 1 },
      { from: A, to: 'E09000010', placements: 1 },
    ]);
  });

  it('notification compliance: sent before start, lateness, acknowledgements', async () => {
    expect(await get('notification-compliance', A, 'placing-authority')).toEqual({
      placingLa: A,
      period,
      kinds: [
        {
          kind: 'out-of-area.departure-notice',
          notices: 1,
          delivered: 1,
          sentBeforeStart: 0,
          sentBeforeStartShare: null,
          deliveredLate: 0,
          averageLatenessDays: null,
          undeliveredPastDue: 0,
          acknowledged: 1,
          acknowledgementRate: 1,
        },
        {
          kind: 'out-of-area.placement-notice',
          notices: 3,
          delivered: 2,
          sentBeforeStart: 1,
          sentBeforeStartShare: 0.3333,
          deliveredLate: 1,
          averageLatenessDays: 3,
          undeliveredPastDue: 1,
          acknowledged: 1,
          acknowledgementRate: 0.5,
        },
      ],
    });
    expect((await get('notification-compliance', B, 'placing-authority')).kinds).toEqual([]);
  });

  it('Reg 44 and 45 compliance by home and provider', async () => {
    const la = await get('reg44-compliance', A, 'placing-authority');
    expect(la.months).toHaveLength(12);
    expect(la.homes).toEqual([
      expect.objectContaining({
        urn: ash.urn,
        monthsRequired: 9,
        monthsVisited: 0,
        monthsOverdue: 9,
        complianceRate: 0,
      }),
      expect.objectContaining({
        urn: oak.urn,
        monthsRequired: 3,
        monthsVisited: 2,
        monthsOverdue: 1,
        reg45ReviewOverdue: false,
      }),
      expect.objectContaining({
        urn: elm.urn,
        monthsRequired: 6,
        monthsVisited: 3,
        monthsOverdue: 3,
        reg45ReviewOverdue: true,
      }),
    ]);
    expect(la.providers).toEqual([
      {
        providerId: 'P1001',
        homes: 2,
        monthsRequired: 9,
        monthsVisited: 5,
        monthsOverdue: 4,
        complianceRate: 0.5556,
        reg45HomesOverdue: 1,
        reg45LateReports: 0,
      },
      {
        providerId: 'P2002',
        homes: 1,
        monthsRequired: 9,
        monthsVisited: 0,
        monthsOverdue: 9,
        complianceRate: 0,
        reg45HomesOverdue: 1,
        reg45LateReports: 0,
      },
    ]);
    const all = await get('reg44-compliance', 'ops', 'ops');
    expect(all.homes.find((h: { urn: string }) => h.urn === oak.urn)).toMatchObject({
      monthsRequired: 12,
      monthsVisited: 10,
      monthsOverdue: 2,
      complianceRate: 0.8333,
      reg45NextReviewDueBy: '2027-06-01',
    });
    expect(all.providers[0]).toMatchObject({
      providerId: 'P1001',
      monthsRequired: 18,
      monthsVisited: 13,
      complianceRate: 0.7222,
    });
  });

  it('keeps a placing LA to its own figures', async () => {
    const response = await sut.host.app.inject({
      method: 'GET',
      url: `/v1/analytics/stability?la=${B}`,
      headers: await bearer(A, 'placing-authority'),
    });
    expect(response.statusCode).toBe(403);
    const provider = await sut.host.app.inject({
      method: 'GET',
      url: '/v1/analytics/stability',
      headers: await bearer('P1001', 'provider'),
    });
    expect(provider.statusCode).toBe(403);
  });
});

describe('rebuilding the read models', () => {
  const answers = async () =>
    Promise.all(
      ['stability', 'out-of-area', 'notification-compliance', 'reg44-compliance'].map((path) =>
        get(path, 'ops', 'ops'),
      ),
    );

  it('gives the same answers after a rebuild from zero by the host', async () => {
    const live = await answers();
    await sut.host.rebuildProjections();
    expect(await answers()).toEqual(live);
  });

  it('gives the same answers after the rebuild command', async () => {
    const live = await answers();
    const cli = fileURLToPath(new URL('../cli/rebuild.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [cli], {
      env: { ...process.env, DATABASE_URL: sut.db.url, DATABASE_POOL_SIZE: '2', LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/projection:read-models: \d+ events replayed/);
    expect(await answers()).toEqual(live);
  });
});
