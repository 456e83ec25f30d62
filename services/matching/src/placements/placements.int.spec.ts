import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENFIELD,
  HARINGEY,
  haringeyProfile,
  homeProfile,
  NOW,
  referralSubmitted,
  STOCKPORT,
} from '../test-support/fixtures.ts';
import {
  call,
  deliverReferralEvent,
  type RunningMatching,
  startMatching,
  whenProjected,
} from '../test-support/service.ts';

let running: RunningMatching;
const la = { org: HARINGEY, role: 'placing-authority' as const };
const provider = { org: 'P1001', role: 'provider' as const };
const JUSTIFICATION = 'The only home able to keep her safe from exploitation; she asked to move away.';

beforeAll(async () => {
  running = await startMatching({ clock: () => NOW });
  const { host } = running;
  for (const [urn, profile] of [
    ['SC300001', homeProfile({ registeredPlaces: 3 })],
    ['SC300002', haringeyProfile({ registeredPlaces: 3 })],
    [
      'SC300003',
      haringeyProfile({
        registeredPlaces: 3,
        la: ENFIELD,
        location: { lat: 51.65, lon: -0.08 },
        postcode: 'EN1 1AA',
      }),
    ],
  ] as const) {
    expect((await call(host, 'PUT', `/v1/homes/${urn}`, provider, profile)).statusCode).toBe(201);
  }
});
afterAll(async () => {
  await running?.stop();
});

async function acceptedOffer(homeUrn: string, referral: { referralId?: string; childRef?: string } = {}) {
  const { host } = running;
  const referralId = referral.referralId ?? randomUUID();
  if (!referral.referralId) {
    await deliverReferralEvent(
      host,
      'ReferralSubmitted',
      referralSubmitted({ referralId, childRef: referral.childRef ?? 'HAR0001234' }),
    );
  }
  const sent = await call(host, 'POST', `/v1/referrals/${referralId}/offers`, la, { homeUrn });
  expect(sent.statusCode).toBe(201);
  const accepted = await call(host, 'POST', `/v1/offers/${sent.json().id}/accept`, provider, {
    weeklyFee: 5300,
    earliestStart: '2026-05-20',
  });
  expect(accepted.statusCode).toBe(200);
  return { referralId, offerId: sent.json().id as string };
}

async function propose(body: Record<string, unknown>) {
  return call(running.host, 'POST', '/v1/placements', la, { plannedStart: '2026-05-20', ...body });
}

async function freePlaces(urn: string): Promise<number> {
  return (await call(running.host, 'GET', `/v1/homes/${urn}`, provider)).json().freePlaces;
}

describe('placements: reg 11 gating, approvals, start and end', () => {
  it('an at-distance placement needs a justification and the DCS; starts once approved; ends with a REC code', async () => {
    const { host, db } = running;
    const { offerId, referralId } = await acceptedOffer('SC300001', { childRef: 'HARDIST1' });
    const missing = await propose({ offerId });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors).toEqual([{ path: 'body.justification', message: expect.any(String) }]);

    const proposed = await propose({ offerId, justification: JUSTIFICATION });
    expect(proposed.statusCode).toBe(201);
    const placement = proposed.json();
    expect(placement).toMatchObject({
      status: 'awaiting-approval',
      referralId,
      childRef: 'HARDIST1',
      placingLa: HARINGEY,
      homeUrn: 'SC300001',
      hostLa: STOCKPORT,
      outOfArea: true,
      atDistance: true,
      distanceMiles: 152.6,
      over20Miles: true,
      requiredApproval: 'dcs',
      plannedStart: '2026-05-20',
      placementType: 'K2',
      placementProvider: 'PR4',
      homePostcode: 'SK1 3XE',
      weeklyFee: 5300,
      justification: JUSTIFICATION,
    });
    const { rows } = await db.adminPool.query(
      `SELECT data FROM events WHERE event_type = 'PlacementProposed' AND data->>'placementId' = $1`,
      [placement.id],
    );
    expect(rows[0].data.justification.$personal).toBe('v1');

    const early = await call(host, 'POST', `/v1/placements/${placement.id}/start`, la, {
      startDate: '2026-05-20',
    });
    expect(early.statusCode).toBe(409);
    expect(early.json().type).toBe('/problems/approval-required');

    const byOfficer = await call(host, 'POST', `/v1/placements/${placement.id}/approvals`, la, {
      level: 'nominated-officer',
      approverName: 'N. Officer',
      decision: 'approved',
    });
    expect(byOfficer.statusCode).toBe(422);

    const byDcs = await call(host, 'POST', `/v1/placements/${placement.id}/approvals`, la, {
      level: 'dcs',
      approverName: 'D. Director',
      decision: 'approved',
      note: 'Agreed given the exploitation risk at home.',
    });
    expect(byDcs.statusCode).toBe(201);
    expect(byDcs.json()).toMatchObject({
      status: 'approved',
      approvals: [
        { level: 'dcs', approverName: 'D. Director', decision: 'approved', recordedAfterStart: false },
      ],
    });

    const free = await freePlaces('SC300001');
    const started = await call(host, 'POST', `/v1/placements/${placement.id}/start`, la, {
      startDate: '2026-05-20',
    });
    expect(started.statusCode).toBe(200);
    expect(started.json()).toMatchObject({
      status: 'active',
      startDate: '2026-05-20',
      approvalMissing: false,
    });
    const home = (await call(host, 'GET', '/v1/homes/SC300001', provider)).json();
    expect(home).toMatchObject({ occupiedPlaces: 1, reservedPlaces: 0, freePlaces: free });

    const badRec = await call(host, 'POST', `/v1/placements/${placement.id}/end`, la, {
      endDate: '2026-11-02',
      reasonEnded: 'QQ',
    });
    expect(badRec.statusCode).toBe(400);
    expect(badRec.json().errors[0].path).toBe('body.reasonEnded');
    const ended = await call(host, 'POST', `/v1/placements/${placement.id}/end`, la, {
      endDate: '2026-11-02',
      reasonEnded: 'E13',
      note: 'Returned to live with her grandmother.',
    });
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).toMatchObject({ status: 'ended', endDate: '2026-11-02', reasonEnded: 'E13' });
    expect(await freePlaces('SC300001')).toBe(free + 1);
  });

  it('an emergency starts without approval (approvalMissing) and the later approval is marked recordedAfterStart', async () => {
    const { host } = running;
    const { offerId } = await acceptedOffer('SC300001', { childRef: 'HAREMER1' });
    const placement = (await propose({ offerId, emergency: true, justification: JUSTIFICATION })).json();
    const started = await call(host, 'POST', `/v1/placements/${placement.id}/start`, la, {
      startDate: '2026-05-11',
    });
    expect(started.statusCode).toBe(200);
    expect(started.json()).toMatchObject({ status: 'active', emergency: true, approvalMissing: true });
    const late = await call(host, 'POST', `/v1/placements/${placement.id}/approvals`, la, {
      level: 'dcs',
      approverName: 'D. Director',
      decision: 'approved',
    });
    expect(late.statusCode).toBe(201);
    expect(late.json()).toMatchObject({ status: 'active', approvals: [{ recordedAfterStart: true }] });
  });

  it('an in-area placement needs no justification or approval; a move ends it the same day with X1 and frees its place', async () => {
    const { host } = running;
    const first = await acceptedOffer('SC300002', { childRef: 'HARMOVE1' });
    const inArea = await propose({ offerId: first.offerId });
    expect(inArea.statusCode).toBe(201);
    expect(inArea.json()).toMatchObject({ status: 'approved', outOfArea: false, requiredApproval: null });
    const previousId = inArea.json().id;
    expect(
      (await call(host, 'POST', `/v1/placements/${previousId}/start`, la, { startDate: '2026-05-20' }))
        .statusCode,
    ).toBe(200);
    const freeBefore = await freePlaces('SC300002');

    const second = await acceptedOffer('SC300003', { referralId: first.referralId });
    const noReason = await propose({
      offerId: second.offerId,
      justification: JUSTIFICATION,
      previousPlacementId: previousId,
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors.map((e: { path: string }) => e.path)).toEqual(['body.placeChangeReason']);
    const badReason = await propose({
      offerId: second.offerId,
      justification: JUSTIFICATION,
      previousPlacementId: previousId,
      placeChangeReason: 'BORED',
    });
    expect(badReason.statusCode).toBe(400);

    const move = await propose({
      offerId: second.offerId,
      justification: JUSTIFICATION,
      previousPlacementId: previousId,
      placeChangeReason: 'CARPL',
    });
    expect(move.statusCode).toBe(201);
    expect(move.json()).toMatchObject({
      outOfArea: true,
      atDistance: false,
      requiredApproval: 'nominated-officer',
      hostLa: ENFIELD,
    });
    const moveId = move.json().id;
    await call(host, 'POST', `/v1/placements/${moveId}/approvals`, la, {
      level: 'nominated-officer',
      approverName: 'N. Officer',
      decision: 'approved',
    });
    const started = await call(host, 'POST', `/v1/placements/${moveId}/start`, la, {
      startDate: '2026-06-15',
    });
    expect(started.statusCode).toBe(200);
    expect(started.json()).toMatchObject({
      status: 'active',
      previousPlacementId: previousId,
      placeChangeReason: 'CARPL',
    });
    const previous = (await call(host, 'GET', `/v1/placements/${previousId}`, la)).json();
    expect(previous).toMatchObject({
      status: 'ended',
      endDate: '2026-06-15',
      reasonEnded: 'X1',
      nextPlacementId: moveId,
    });
    expect(await freePlaces('SC300002')).toBe(freeBefore + 1);

    await whenProjected(host, async () => {
      const history = (await call(host, 'GET', '/v1/placements?childRef=HARMOVE1', la)).json();
      expect(history.items.map((p: { id: string; status: string }) => [p.id, p.status])).toEqual([
        [moveId, 'active'],
        [previousId, 'ended'],
      ]);
    });
    const ended = (await call(host, 'GET', '/v1/placements?childRef=HARMOVE1&status=ended', la)).json();
    expect(ended.items).toHaveLength(1);

    // The read models are projections: replayed from the log they come back the same.
    const offersBefore = (await call(host, 'GET', '/v1/offers?limit=500', la)).json();
    const placementsBefore = (await call(host, 'GET', '/v1/placements?limit=500', la)).json();
    await host.rebuildProjections();
    await whenProjected(host, async () => {
      expect((await call(host, 'GET', '/v1/placements?limit=500', la)).json()).toEqual(placementsBefore);
      expect(
        (await call(host, 'GET', '/v1/offers?limit=500', la)).json().items.map((o: { id: string }) => o.id),
      ).toEqual(offersBefore.items.map((o: { id: string }) => o.id));
    });
  });

  it('one accepted offer yields one live placement', async () => {
    const { offerId } = await acceptedOffer('SC300002', { childRef: 'HARTWICE' });
    expect((await propose({ offerId })).statusCode).toBe(201);
    const again = await propose({ offerId });
    expect(again.statusCode).toBe(409);
    expect(again.json().type).toBe('/problems/offer-taken-up');
  });

  it('shows placements to their placing LA, the home’s provider (without the free text) and ops only', async () => {
    const { host } = running;
    const { offerId } = await acceptedOffer('SC300001', { childRef: 'HARSCOPE' });
    const id = (await propose({ offerId, justification: JUSTIFICATION })).json().id;
    expect((await call(host, 'GET', `/v1/placements/${id}`, la)).json().justification).toBe(JUSTIFICATION);
    const asProvider = await call(host, 'GET', `/v1/placements/${id}`, provider);
    expect(asProvider.statusCode).toBe(200);
    expect(asProvider.json().justification).toBeUndefined();
    expect(
      (await call(host, 'GET', `/v1/placements/${id}`, { org: 'E09000019', role: 'placing-authority' }))
        .statusCode,
    ).toBe(404);
    expect(
      (await call(host, 'GET', `/v1/placements/${id}`, { org: 'P2002', role: 'provider' })).statusCode,
    ).toBe(404);
    expect(
      (await call(host, 'GET', `/v1/placements/${id}`, { org: 'ofsted', role: 'regulator' })).statusCode,
    ).toBe(403);
    expect((await call(host, 'GET', `/v1/placements/${id}`, { org: 'ops', role: 'ops' })).statusCode).toBe(
      200,
    );
    const start = await call(
      host,
      'POST',
      `/v1/placements/${id}/start`,
      { org: 'E09000019', role: 'placing-authority' },
      { startDate: '2026-05-20' },
    );
    expect(start.statusCode).toBe(404);
    const unknownOffer = await propose({ offerId: randomUUID() });
    expect(unknownOffer.statusCode).toBe(404);
  });

  it('cannot start once the offer was withdrawn and its place released', async () => {
    const { host } = running;
    const { offerId } = await acceptedOffer('SC300002', { childRef: 'HARLAPSE' });
    const id = (await propose({ offerId })).json().id;
    expect((await call(host, 'POST', `/v1/offers/${offerId}/withdraw`, la, {})).statusCode).toBe(200);
    const start = await call(host, 'POST', `/v1/placements/${id}/start`, la, { startDate: '2026-05-20' });
    expect(start.statusCode).toBe(409);
    expect(start.json().type).toBe('/problems/reservation-lapsed');
  });
});
