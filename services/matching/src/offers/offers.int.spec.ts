import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARINGEY, haringeyProfile, NOW, referralSubmitted } from '../test-support/fixtures.ts';
import {
  call,
  deliverReferralEvent,
  type RunningMatching,
  startMatching,
  whenProjected,
} from '../test-support/service.ts';
import { expireLapsedReservations } from './lapse.ts';

let running: RunningMatching;
let now = NOW;
const la = { org: HARINGEY, role: 'placing-authority' as const };
const otherLa = { org: 'E09000019', role: 'placing-authority' as const };
const provider = { org: 'P1001', role: 'provider' as const };
const otherProvider = { org: 'P2002', role: 'provider' as const };

beforeAll(async () => {
  running = await startMatching({ clock: () => now });
});
afterAll(async () => {
  await running?.stop();
});

async function referral(overrides: Record<string, unknown> = {}): Promise<string> {
  const referralId = randomUUID();
  await deliverReferralEvent(
    running.host,
    'ReferralSubmitted',
    referralSubmitted({ referralId, ...overrides }),
  );
  return referralId;
}

async function home(urn: string, places = 2, profile = {}): Promise<void> {
  const response = await call(
    running.host,
    'PUT',
    `/v1/homes/${urn}`,
    provider,
    haringeyProfile({ registeredPlaces: places, ...profile }),
  );
  expect(response.statusCode).toBe(201);
}

async function send(referralId: string, homeUrn: string) {
  return call(running.host, 'POST', `/v1/referrals/${referralId}/offers`, la, {
    homeUrn,
    note: 'Can you meet her needs?',
  });
}

const accept = { weeklyFee: 5200, earliestStart: '2026-05-20' };

/** Waits until the offers read model shows the offer with this status. */
async function openOffer(id: string, status = 'sent'): Promise<void> {
  await whenProjected(running.host, async () => {
    const { rows } = await running.host.pool.query('SELECT status FROM offers WHERE id = $1', [id]);
    expect(rows[0]?.status).toBe(status);
  });
}

describe('targeted offers', () => {
  it('sends an offer (201), the provider accepts it and a place is reserved', async () => {
    const { host } = running;
    await home('SC200001', 2);
    const referralId = await referral();
    const sent = await send(referralId, 'SC200001');
    expect(sent.statusCode).toBe(201);
    expect(sent.json()).toMatchObject({
      referralId,
      homeUrn: 'SC200001',
      status: 'sent',
      providerId: 'P1001',
    });
    const id = sent.json().id;
    const accepted = await call(host, 'POST', `/v1/offers/${id}/accept`, provider, accept);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({
      status: 'accepted',
      acceptance: {
        weeklyFee: 5200,
        earliestStart: '2026-05-20',
        reservationExpiresAt: '2026-05-18T09:00:00.000Z',
      },
    });
    const homeView = (await call(host, 'GET', '/v1/homes/SC200001', provider)).json();
    expect(homeView).toMatchObject({ reservedPlaces: 1, freePlaces: 1 });
    const again = await call(host, 'POST', `/v1/offers/${id}/accept`, provider, accept);
    expect(again.statusCode).toBe(409);
    expect(again.json().type).toMatch(/offer-not-open$/);
  });

  it('refuses an offer to a home a hard rule excludes (409 home-excluded with its rules)', async () => {
    const { host } = running;
    await home('SC200002', 2, { sexes: ['M'], ageRange: { min: 16, max: 17 } });
    const referralId = await referral();
    const response = await send(referralId, 'SC200002');
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      type: '/problems/home-excluded',
      rules: ['age-outside-registration', 'sex-outside-registration'],
    });
    const unknownHome = await send(referralId, 'SC299999');
    expect(unknownHome.statusCode).toBe(404);
    const wrongLa = await call(host, 'POST', `/v1/referrals/${referralId}/offers`, otherLa, {
      homeUrn: 'SC200001',
    });
    expect(wrongLa.statusCode).toBe(404);
    const asProvider = await call(host, 'POST', `/v1/referrals/${referralId}/offers`, provider, {
      homeUrn: 'SC200001',
    });
    expect(asProvider.statusCode).toBe(403);
  });

  it('refuses a second open offer to the same home for the same referral', async () => {
    await home('SC200003', 2);
    const referralId = await referral();
    const first = (await send(referralId, 'SC200003')).json();
    await openOffer(first.id);
    const duplicate = await send(referralId, 'SC200003');
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().type).toBe('/problems/offer-already-open');
  });

  it('lets only the home’s provider answer; others get 404; a decline carries a structured reason', async () => {
    const { host } = running;
    await home('SC200004', 2);
    const referralId = await referral();
    const id = (await send(referralId, 'SC200004')).json().id;
    expect((await call(host, 'POST', `/v1/offers/${id}/accept`, otherProvider, accept)).statusCode).toBe(404);
    expect((await call(host, 'GET', `/v1/offers/${id}`, otherProvider)).statusCode).toBe(404);
    expect((await call(host, 'GET', `/v1/offers/${id}`, otherLa)).statusCode).toBe(404);
    expect((await call(host, 'POST', `/v1/offers/${id}/accept`, la, accept)).statusCode).toBe(403);
    const badReason = await call(host, 'POST', `/v1/offers/${id}/decline`, provider, { reason: 'busy' });
    expect(badReason.statusCode).toBe(400);
    expect(badReason.json().errors[0].path).toBe('body.reason');
    const declined = await call(host, 'POST', `/v1/offers/${id}/decline`, provider, {
      reason: 'group-compatibility',
      note: 'Current group are much younger.',
    });
    expect(declined.statusCode).toBe(200);
    expect(declined.json()).toMatchObject({
      status: 'declined',
      decline: { reason: 'group-compatibility', note: 'Current group are much younger.' },
    });
    // The note is personal free text: sealed in the event log, readable through the API.
    const { rows } = await running.db.adminPool.query(
      `SELECT data FROM events WHERE event_type = 'OfferDeclined' AND data->>'offerId' = $1`,
      [id],
    );
    expect(rows[0].data.note.$personal).toBe('v1');
    expect(JSON.stringify(rows[0].data)).not.toContain('younger');
  });

  it('withdrawing an accepted offer releases its place', async () => {
    const { host } = running;
    await home('SC200005', 1);
    const referralId = await referral();
    const id = (await send(referralId, 'SC200005')).json().id;
    await call(host, 'POST', `/v1/offers/${id}/accept`, provider, accept);
    expect((await call(host, 'GET', '/v1/homes/SC200005', provider)).json().freePlaces).toBe(0);
    expect((await call(host, 'POST', `/v1/offers/${id}/withdraw`, otherLa, {})).statusCode).toBe(404);
    const withdrawn = await call(host, 'POST', `/v1/offers/${id}/withdraw`, la, {
      note: 'Placed elsewhere.',
    });
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json().status).toBe('withdrawn');
    expect((await call(host, 'GET', '/v1/homes/SC200005', provider)).json().freePlaces).toBe(1);
    expect((await call(host, 'POST', `/v1/offers/${id}/withdraw`, la, {})).statusCode).toBe(409);
  });

  it('lists offers to a provider’s homes and for an LA’s referrals only', async () => {
    const { host } = running;
    await whenProjected(host, async () => {
      const { rows } = await host.pool.query(`SELECT count(*)::int AS n FROM offers WHERE status <> 'sent'`);
      expect(rows[0].n).toBe(3);
    });
    const mine = (await call(host, 'GET', '/v1/offers?status=declined', provider)).json();
    expect(mine.items.length).toBeGreaterThan(0);
    expect(
      mine.items.every(
        (o: { providerId: string; status: string }) => o.providerId === 'P1001' && o.status === 'declined',
      ),
    ).toBe(true);
    expect((await call(host, 'GET', '/v1/offers', otherProvider)).json().items).toEqual([]);
    expect((await call(host, 'GET', '/v1/offers', otherLa)).json().items).toEqual([]);
    const byHome = (await call(host, 'GET', '/v1/offers?homeUrn=SC200001&limit=1', la)).json();
    expect(byHome.items).toHaveLength(1);
    expect(byHome.items[0]).toMatchObject({ homeUrn: 'SC200001', status: 'accepted', weeklyFee: 5200 });
    const all = (await call(host, 'GET', '/v1/offers', { org: 'ops', role: 'ops' })).json();
    expect(all.items).toHaveLength(4);
  });

  it('50 concurrent accepts on a home with 1 free place: exactly 1 accepted, 49 × 409 no-free-place', async () => {
    const { host } = running;
    await home('SC200050', 1);
    const offerIds: string[] = [];
    for (let i = 0; i < 50; i++) {
      const referralId = await referral({ childRef: `HAR${String(i).padStart(4, '0')}` });
      const sent = await send(referralId, 'SC200050');
      expect(sent.statusCode).toBe(201);
      offerIds.push(sent.json().id);
    }
    const responses = await Promise.all(
      offerIds.map((id) => call(host, 'POST', `/v1/offers/${id}/accept`, provider, accept)),
    );
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    const refused = responses.filter((r) => r.statusCode === 409);
    expect(refused).toHaveLength(49);
    for (const r of refused) expect(r.json().type).toBe('/problems/no-free-place');
    const homeView = (await call(host, 'GET', '/v1/homes/SC200050', provider)).json();
    expect(homeView).toMatchObject({
      registeredPlaces: 1,
      reservedPlaces: 1,
      occupiedPlaces: 0,
      freePlaces: 0,
    });
    const { rows } = await running.db.adminPool.query(
      `SELECT count(*)::int AS n FROM events WHERE stream_id = 'home-SC200050' AND event_type = 'PlaceReserved'`,
    );
    expect(rows[0].n).toBe(1);
  });

  it('a reservation lapses after 5 working days (clock injected): offer expired, place released', async () => {
    const { host } = running;
    await home('SC200006', 1);
    const referralId = await referral();
    const id = (await send(referralId, 'SC200006')).json().id;
    await call(host, 'POST', `/v1/offers/${id}/accept`, provider, accept);
    await openOffer(id, 'accepted');
    now = new Date('2026-05-18T08:59:00.000Z'); // a minute before the 5th working day's lapse time
    expect(await expireLapsedReservations(host, now)).toBe(0);
    now = new Date('2026-05-18T09:00:00.000Z');
    expect(await expireLapsedReservations(host, now)).toBeGreaterThanOrEqual(1);
    const offer = (await call(host, 'GET', `/v1/offers/${id}`, la)).json();
    expect(offer).toMatchObject({ status: 'expired', expiredAt: '2026-05-18T09:00:00.000Z' });
    expect((await call(host, 'GET', '/v1/homes/SC200006', provider)).json().freePlaces).toBe(1);
    await openOffer(id, 'expired');
    // A second run (a restart, another instance) changes nothing.
    expect(await expireLapsedReservations(host, now)).toBe(0);
    now = NOW;
  });

  it('stops new reservations when Ofsted restricts admissions', async () => {
    const { host } = running;
    await home('SC200007', 2);
    const referralId = await referral();
    const id = (await send(referralId, 'SC200007')).json().id;
    await call(
      host,
      'PUT',
      '/v1/homes/SC200007/registration',
      { org: 'ofsted', role: 'regulator' },
      {
        status: 'registered',
        admissionsRestricted: true,
      },
    );
    const refused = await call(host, 'POST', `/v1/offers/${id}/accept`, provider, accept);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().type).toBe('/problems/admissions-restricted');
  });

  it('refuses offers for a withdrawn referral, and for one whose child’s data was erased', async () => {
    const { host } = running;
    const withdrawnId = await referral();
    await deliverReferralEvent(host, 'ReferralWithdrawn', {
      referralId: withdrawnId,
      placingLa: HARINGEY,
      childRef: 'HAR0001234',
      reason: 'Returned home',
      withdrawnAt: NOW.toISOString(),
    });
    expect((await send(withdrawnId, 'SC200001')).json().type).toBe('/problems/referral-withdrawn');
    const erasedId = await referral({ childRef: 'HARERASED', child: { $erased: true } });
    expect((await send(erasedId, 'SC200001')).json().type).toBe('/problems/referral-erased');
  });
});
