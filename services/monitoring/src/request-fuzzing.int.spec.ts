// Abuse resistance of every write of the monitoring service: Reg 44 visits, Reg 45 reviews and
// serious events with bodies generated from /openapi.json and mutated from valid examples, at a
// known home with a child placed and at unknown homes. Never a 5xx, always problem+json for a 4xx,
// never an event or an audit row written by a refused request; only health, docs, metrics and the
// API documents are served without a token.
import { randomUUID } from 'node:crypto';
import { type FuzzOperation, fuzzEveryWrite, UNAUTHENTICATED_ROUTE } from '@placements/service-kit/fuzzing';
import { bearer } from '@placements/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  homeRegistered,
  type PlacementFacts,
  placementProposed,
  placementStarted,
  referralSubmitted,
} from './testing/integration-events.ts';
import { deliver, type ServiceUnderTest, startMonitoring } from './testing/service-under-test.ts';

let running: ServiceUnderTest;
const NOW = new Date('2026-06-10T09:00:00Z');

beforeAll(async () => {
  running = await startMonitoring({ clock: () => NOW, prefix: 'monitoring_fuzz', background: false });
  await running.host.app.ready();
});
afterAll(async () => {
  await running?.stop();
});

describe('request fuzzing', () => {
  it('only health, docs, metrics and the API documents are served without a token', () => {
    expect(running.host.publicRoutes.filter((route) => !UNAUTHENTICATED_ROUTE.test(route))).toEqual([]);
  });

  it('answers every generated write with a problem or a success, never a 5xx or a partial write', async () => {
    const { host } = running;
    const home = { urn: 'SC400001', providerId: 'P4001', la: 'E09000010', postcode: 'EN1 1AA' };
    await deliver(host, 'HomeRegistered', homeRegistered(home, '2026-01-05T09:00:00Z'));
    const placement: PlacementFacts = {
      placementId: randomUUID(),
      referralId: randomUUID(),
      placingLa: 'E09000014',
      childRef: 'FUZZ1',
      homeUrn: home.urn,
      providerId: home.providerId,
      hostLa: home.la,
      outOfArea: true,
      atDistance: false,
    };
    await deliver(
      host,
      'ReferralSubmitted',
      referralSubmitted({
        referralId: placement.referralId,
        placingLa: placement.placingLa,
        childRef: 'FUZZ1',
        submittedAt: '2026-05-20T09:00:00Z',
      }),
    );
    await deliver(
      host,
      'PlacementProposed',
      placementProposed(placement, {
        offerId: randomUUID(),
        plannedStart: '2026-06-01',
        proposedAt: '2026-05-28T09:00:00Z',
        homePostcode: home.postcode,
      }),
    );
    await deliver(
      host,
      'PlacementStarted',
      placementStarted(placement, { startDate: '2026-06-01', startedAt: '2026-06-01T09:00:00Z' }),
    );
    await host.catchUpProjections();

    const homes = [home.urn, 'SC499999', 'bad'];
    const visitor = await bearer(home.providerId, 'independent-visitor');
    const provider = await bearer(home.providerId, 'provider');
    const operations: FuzzOperation[] = [
      {
        method: 'POST',
        path: '/v1/homes/{urn}/reg44-visits',
        urls: homes.map((urn) => `/v1/homes/${urn}/reg44-visits`),
        headers: visitor,
        examples: [
          {
            visitDate: '2026-06-09',
            visitorName: 'I. Person',
            announced: false,
            childrenSafeguarded: 'yes',
            wellbeingPromoted: 'partly',
            summary: 'Children spoke well of staff.',
            recommendations: [{ action: 'Agree a tutoring plan', dueBy: '2026-07-09' }],
            conflictOfInterest: 'none',
            reportDate: '2026-06-10',
          },
        ],
      },
      {
        method: 'POST',
        path: '/v1/homes/{urn}/reg45-reviews',
        urls: homes.map((urn) => `/v1/homes/${urn}/reg45-reviews`),
        headers: provider,
        examples: [
          { completedOn: '2026-06-01', reportSentOn: '2026-06-05', summary: 'Quality of care reviewed.' },
        ],
      },
      {
        method: 'POST',
        path: '/v1/homes/{urn}/serious-events',
        urls: homes.map((urn) => `/v1/homes/${urn}/serious-events`),
        headers: provider,
        examples: [
          {
            category: 'police-involvement',
            occurredAt: '2026-06-09T21:00:00Z',
            placementId: placement.placementId,
            summary: 'Police called; the child was unharmed.',
          },
          { category: 'serious-complaint', occurredAt: '2026-06-08T10:00:00Z', summary: 'A complaint.' },
        ],
      },
    ];
    await fuzzEveryWrite('monitoring', { app: host.app, pool: running.db.pool, operations });
  });
});
