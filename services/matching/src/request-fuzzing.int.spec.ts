// Abuse resistance of every write of the matching service: bodies generated from /openapi.json and
// mutated from valid examples, against real homes, referrals, offers and placements and unknown
// ones. Never a 5xx, always problem+json for a 4xx, never an event written by a refused request;
// only health, docs, metrics and the API documents are served without a token.
import { randomUUID } from 'node:crypto';
import { type FuzzOperation, fuzzEveryWrite, UNAUTHENTICATED_ROUTE } from '@placements/service-kit/fuzzing';
import { bearer } from '@placements/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENFIELD,
  HARINGEY,
  haringeyProfile,
  homeProfile,
  NOW,
  referralSubmitted,
} from './test-support/fixtures.ts';
import { call, deliverReferralEvent, type RunningMatching, startMatching } from './test-support/service.ts';

let running: RunningMatching;
beforeAll(async () => {
  running = await startMatching({ clock: () => NOW });
});
afterAll(async () => {
  await running?.stop();
});

const la = { org: HARINGEY, role: 'placing-authority' as const };
const provider = { org: 'P1001', role: 'provider' as const };

describe('request fuzzing', () => {
  it('only health, docs, metrics and the API documents are served without a token', () => {
    expect(running.host.publicRoutes.filter((route) => !UNAUTHENTICATED_ROUTE.test(route))).toEqual([]);
  });

  it('answers every generated write with a problem or a success, never a 5xx or a partial write', async () => {
    const { host } = running;
    const enfieldHome = haringeyProfile({
      la: ENFIELD,
      location: { lat: 51.65, lon: -0.08 },
      postcode: 'EN1 1AA',
    });
    for (const [urn, profile] of [
      ['SC300001', homeProfile()],
      ['SC300002', haringeyProfile()],
      ['SC300003', enfieldHome],
    ] as const) {
      expect((await call(host, 'PUT', `/v1/homes/${urn}`, provider, profile)).statusCode).toBe(201);
    }
    const referralId = randomUUID();
    await deliverReferralEvent(
      host,
      'ReferralSubmitted',
      referralSubmitted({ referralId, childRef: 'FUZZ1' }),
    );
    const offer = async (homeUrn: string) => {
      const sent = await call(host, 'POST', `/v1/referrals/${referralId}/offers`, la, { homeUrn });
      expect(sent.statusCode, sent.body).toBe(201);
      return sent.json().id as string;
    };
    const sentOffer = await offer('SC300002');
    const acceptedOffer = await offer('SC300003');
    expect(
      (
        await call(host, 'POST', `/v1/offers/${acceptedOffer}/accept`, provider, {
          weeklyFee: 5300,
          earliestStart: '2026-05-20',
        })
      ).statusCode,
    ).toBe(200);
    const proposal = {
      offerId: acceptedOffer,
      plannedStart: '2026-05-20',
      emergency: false,
      justification: 'Near her school and her sister.',
      previousPlacementId: null,
      placeChangeReason: null,
    };
    const proposed = await call(host, 'POST', '/v1/placements', la, proposal);
    expect(proposed.statusCode, proposed.body).toBe(201);
    const placementId = proposed.json().id as string;

    const unknown = randomUUID();
    const headers = {
      la: await bearer(HARINGEY, 'placing-authority'),
      provider: await bearer('P1001', 'provider'),
      ops: await bearer('ops', 'ops'),
      regulator: await bearer('ofsted', 'regulator'),
    };
    const homes = ['/v1/homes/SC300001', '/v1/homes/SC399999', '/v1/homes/bad'];
    const offers = (suffix: string) =>
      [sentOffer, acceptedOffer, unknown, 'x'].map((id) => `/v1/offers/${id}${suffix}`);
    const placements = (suffix: string) =>
      [placementId, unknown, 'x'].map((id) => `/v1/placements/${id}${suffix}`);
    const operations: FuzzOperation[] = [
      {
        method: 'PUT',
        path: '/v1/homes/{urn}',
        urls: homes,
        headers: headers.ops,
        examples: [homeProfile(), enfieldHome],
        headerVariants: [{ 'if-match': '"1"' }],
      },
      {
        method: 'PUT',
        path: '/v1/homes/{urn}/registration',
        urls: homes.map((url) => `${url}/registration`),
        headers: headers.regulator,
        examples: [{ status: 'registered', admissionsRestricted: false }],
      },
      {
        method: 'POST',
        path: '/v1/homes/{urn}/inspections',
        urls: homes.map((url) => `${url}/inspections`),
        headers: headers.regulator,
        examples: [{ date: '2026-05-01', judgement: 'good' }],
      },
      {
        method: 'POST',
        path: '/v1/referrals/{referralId}/offers',
        urls: [referralId, unknown, 'x'].map((id) => `/v1/referrals/${id}/offers`),
        headers: headers.la,
        examples: [{ homeUrn: 'SC300001', note: 'Specialist in education support.' }],
      },
      {
        method: 'POST',
        path: '/v1/offers/{id}/accept',
        urls: offers('/accept'),
        headers: headers.provider,
        examples: [{ weeklyFee: 5300, earliestStart: '2026-05-20' }],
      },
      {
        method: 'POST',
        path: '/v1/offers/{id}/decline',
        urls: offers('/decline'),
        headers: headers.provider,
        examples: [{ reason: 'staffing', note: 'No night staff.' }],
      },
      {
        method: 'POST',
        path: '/v1/offers/{id}/withdraw',
        urls: offers('/withdraw'),
        headers: headers.la,
        examples: [{ note: 'Another home was found.' }, {}],
      },
      {
        method: 'POST',
        path: '/v1/placements',
        urls: ['/v1/placements'],
        headers: headers.la,
        examples: [proposal, { ...proposal, previousPlacementId: placementId, placeChangeReason: 'CARPL' }],
      },
      {
        method: 'POST',
        path: '/v1/placements/{id}/approvals',
        urls: placements('/approvals'),
        headers: headers.la,
        examples: [
          { level: 'nominated-officer', approverName: 'N. Officer', decision: 'approved', note: 'Agreed.' },
          { level: 'dcs', approverName: 'D. Director', decision: 'rejected' },
        ],
      },
      {
        method: 'POST',
        path: '/v1/placements/{id}/start',
        urls: placements('/start'),
        headers: headers.la,
        examples: [{ startDate: '2026-05-20' }],
      },
      {
        method: 'POST',
        path: '/v1/placements/{id}/end',
        urls: placements('/end'),
        headers: headers.la,
        examples: [{ endDate: '2026-06-01', reasonEnded: 'E13', note: 'Went home.' }],
      },
    ];
    await fuzzEveryWrite('matching', { app: host.app, pool: running.db.pool, operations });
  });
});
