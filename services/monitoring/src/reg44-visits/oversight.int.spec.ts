// Reg 44 visits, the monthly overdue check, Reg 45 reviews and serious events over HTTP, on a real
// database. Other services' events reach the service through its intake (as its consumer hands them
// over); the Kafka path itself is covered by the placement history tests.
import { randomUUID } from 'node:crypto';
import { isSealedField } from '@placements/event-store';
import { bearer } from '@placements/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyStreamId } from '../placement-history/history-entry.ts';
import {
  homeRegistered,
  homeRegistrationChanged,
  type PlacementFacts,
  placementProposed,
  placementStarted,
  referralSubmitted,
} from '../testing/integration-events.ts';
import { deliver, type ServiceUnderTest, startMonitoring } from '../testing/service-under-test.ts';
import { raiseOverdueVisits } from './overdue-schedule.ts';

const LA = 'E09000014';
const OTHER_LA = 'E08000007';
const oak = { urn: 'SC200001', providerId: 'P1001', la: LA, postcode: 'N15 1AA' };
const elm = { urn: 'SC200002', providerId: 'P1001', la: 'E09000010', postcode: 'EN1 2BB' };
const ash = { urn: '2000003', providerId: 'P2002', la: OTHER_LA, postcode: 'SK1 3XE' };

let now = new Date('2026-06-20T10:00:00Z');
let sut: ServiceUnderTest;

function placement(child: string, home: typeof oak, placingLa = LA): PlacementFacts {
  return {
    placementId: randomUUID(),
    referralId: randomUUID(),
    placingLa,
    childRef: child,
    homeUrn: home.urn,
    providerId: home.providerId,
    hostLa: home.la,
    outOfArea: home.la !== placingLa,
    atDistance: false,
  };
}

async function place(p: PlacementFacts, home: typeof oak, startDate: string) {
  await deliver(
    sut.host,
    'ReferralSubmitted',
    referralSubmitted({
      referralId: p.referralId,
      placingLa: p.placingLa,
      childRef: p.childRef,
      submittedAt: `${startDate}T08:00:00Z`,
    }),
  );
  await deliver(
    sut.host,
    'PlacementProposed',
    placementProposed(p, {
      offerId: randomUUID(),
      plannedStart: startDate,
      proposedAt: `${startDate}T08:30:00Z`,
      homePostcode: home.postcode,
    }),
  );
  await deliver(
    sut.host,
    'PlacementStarted',
    placementStarted(p, { startDate, startedAt: `${startDate}T09:00:00Z` }),
  );
}

const visit = {
  visitDate: '2026-06-18',
  visitorName: 'I. Person',
  announced: false,
  childrenSafeguarded: 'yes',
  wellbeingPromoted: 'partly',
  summary: 'Staffing is stable; recording of incidents needs work.',
  recommendations: [{ action: 'Review incident logs weekly', dueBy: '2026-07-18' }],
  conflictOfInterest: 'none',
  reportDate: '2026-06-19',
};

const c1 = placement('OAK1', oak);
const c2 = placement('OAK2', oak, OTHER_LA);
const c3 = placement('ELM1', elm);

beforeAll(async () => {
  sut = await startMonitoring({ clock: () => now, prefix: 'monitoring_oversight' });
  await sut.host.start({ messaging: false });
  await deliver(sut.host, 'HomeRegistered', homeRegistered(oak, '2025-01-10T09:00:00Z'));
  await deliver(sut.host, 'HomeRegistered', homeRegistered(elm, '2025-12-15T09:00:00Z'));
  await deliver(sut.host, 'HomeRegistered', homeRegistered(ash, '2025-01-10T09:00:00Z'));
  await place(c1, oak, '2026-05-01');
  await place(c2, oak, '2026-06-01');
  await place(c3, elm, '2026-05-15');
  await sut.host.catchUpProjections();
});

afterAll(async () => {
  await sut?.stop();
});

describe('Reg 44 visits', () => {
  it('records a visit by the provider’s visitor, listing the children there that day, in each child’s history', async () => {
    const response = await sut.host.app.inject({
      method: 'POST',
      url: `/v1/homes/${oak.urn}/reg44-visits`,
      headers: await bearer('P1001', 'independent-visitor'),
      payload: visit,
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({
      urn: oak.urn,
      providerId: 'P1001',
      visitDate: '2026-06-18',
      conflictOfInterest: 'none',
    });
    expect(body.placements.map((p: { childRef: string }) => p.childRef).sort()).toEqual(['OAK1', 'OAK2']);
    expect(response.headers.location).toBe(`/v1/homes/${oak.urn}/reg44-visits/${body.id}`);

    const history = await sut.host.store.readStream(historyStreamId({ placingLa: LA, childRef: 'OAK1' }));
    expect(history.map((e) => e.type)).toContain('Reg44VisitRecorded');
    const elsewhere = await sut.host.store.readStream(historyStreamId({ placingLa: LA, childRef: 'ELM1' }));
    expect(elsewhere.map((e) => e.type)).not.toContain('Reg44VisitRecorded');
  });

  it('refuses visitors of another provider (403), other roles (403), no token (401) and unknown homes (404)', async () => {
    const post = async (headers: Record<string, string>, urn = oak.urn) =>
      (
        await sut.host.app.inject({
          method: 'POST',
          url: `/v1/homes/${urn}/reg44-visits`,
          headers,
          payload: visit,
        })
      ).statusCode;
    expect(await post(await bearer('P2002', 'independent-visitor'))).toBe(403);
    expect(await post(await bearer('P1001', 'provider'))).toBe(403);
    expect(await post(await bearer(LA, 'placing-authority'))).toBe(403);
    expect(await post({})).toBe(401);
    expect(await post(await bearer('P1001', 'independent-visitor'), 'SC999999')).toBe(404);
    expect(await post(await bearer('ops', 'ops'))).toBe(201);
  });

  it('names every bad field in one problem: a future visit, a report before it, a blank declaration, an unknown field', async () => {
    const response = await sut.host.app.inject({
      method: 'POST',
      url: `/v1/homes/${oak.urn}/reg44-visits`,
      headers: await bearer('P1001', 'independent-visitor'),
      payload: { ...visit, conflictOfInterest: ' ', surprise: 1 },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(
      response
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['body.conflictOfInterest', 'body.surprise']);

    const dates = await sut.host.app.inject({
      method: 'POST',
      url: `/v1/homes/${oak.urn}/reg44-visits`,
      headers: await bearer('P1001', 'independent-visitor'),
      payload: { ...visit, visitDate: '2026-06-21', reportDate: '2026-06-20' },
    });
    expect(dates.statusCode).toBe(400);
    expect(dates.json().errors).toEqual([
      { path: 'body.visitDate', message: 'must not be in the future' },
      { path: 'body.reportDate', message: 'must be on or after the visit date' },
    ]);
  });

  it('lists visits to the provider, Ofsted and placing LAs with a child there (their own children only)', async () => {
    await sut.host.catchUpProjections();
    const list = async (org: string, role: Parameters<typeof bearer>[1]) =>
      sut.host.app.inject({
        method: 'GET',
        url: `/v1/homes/${oak.urn}/reg44-visits`,
        headers: await bearer(org, role),
      });

    const provider = await list('P1001', 'provider');
    expect(provider.statusCode).toBe(200);
    expect(provider.json().items).toHaveLength(2);
    expect((await list('ofsted', 'regulator')).json().items).toHaveLength(2);

    const la = (await list(OTHER_LA, 'placing-authority')).json();
    expect(la.items).toHaveLength(2);
    expect(la.items[0].placements).toEqual([
      expect.objectContaining({ placingLa: OTHER_LA, childRef: 'OAK2' }),
    ]);

    expect((await list('E06000001', 'placing-authority')).statusCode).toBe(403);
    expect((await list('P2002', 'provider')).statusCode).toBe(403);
  });
});

describe('Reg 44 compliance and the overdue check', () => {
  it('shows June: Oak visited, Elm not yet overdue while June is open', async () => {
    const response = await sut.host.app.inject({
      method: 'GET',
      url: '/v1/compliance/reg44?month=2026-06',
      headers: await bearer('ofsted', 'regulator'),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      month: '2026-06',
      closed: false,
      homes: [
        { urn: oak.urn, visits: 2, overdue: false, childrenPlaced: 2 },
        { urn: elm.urn, visits: 0, overdue: false, childrenPlaced: 1 },
      ],
    });
  });

  it('when July begins, raises each missed home-month once, even across runs and a restart', async () => {
    now = new Date('2026-07-01T05:00:00Z');
    const raised = await raiseOverdueVisits(sut.host, now);
    // May: both homes had a child and no visit; June: Oak was visited on the 18th, Elm was not.
    expect(raised.map((o) => [o.urn, o.month])).toEqual([
      [oak.urn, '2026-05'],
      [elm.urn, '2026-05'],
      [elm.urn, '2026-06'],
    ]);
    expect(raised.find((o) => o.month === '2026-06')?.placements).toEqual([
      { placementId: c3.placementId, placingLa: LA, childRef: 'ELM1' },
    ]);
    expect(await raiseOverdueVisits(sut.host, now)).toEqual([]);

    const restarted = await sut.another({ clock: () => now, background: false });
    expect(await raiseOverdueVisits(restarted, new Date('2026-07-02T05:00:00Z'))).toEqual([]);

    const stored = await sut.host.store.readStream(`reg44overdue-${elm.urn}-2026-06`);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.type).toBe('Reg44VisitOverdue');

    await sut.host.catchUpProjections();
    const response = await sut.host.app.inject({
      method: 'GET',
      url: '/v1/compliance/reg44?month=2026-06',
      headers: await bearer('P1001', 'provider'),
    });
    expect(response.json()).toMatchObject({
      closed: true,
      homes: [
        { urn: oak.urn, visits: 2, overdue: false, overdueRecorded: false },
        { urn: elm.urn, visits: 0, overdue: true, overdueRecorded: true },
      ],
    });
  });

  it('does not count a home whose registration was cancelled before the month', async () => {
    await deliver(
      sut.host,
      'HomeRegistrationChanged',
      homeRegistrationChanged(ash.urn, 'cancelled', '2026-04-01T09:00:00Z'),
    );
    await place(placement('ASH1', ash, OTHER_LA), ash, '2026-03-01');
    await sut.host.catchUpProjections();
    const response = await sut.host.app.inject({
      method: 'GET',
      url: '/v1/compliance/reg44?month=2026-06',
      headers: await bearer('ops', 'ops'),
    });
    expect(response.json().homes.map((h: { urn: string }) => h.urn)).toEqual([oak.urn, elm.urn]);
  });

  it('scopes the list to the caller and refuses a bad or future month', async () => {
    const get = async (query: string, org: string, role: Parameters<typeof bearer>[1]) =>
      sut.host.app.inject({
        method: 'GET',
        url: `/v1/compliance/reg44?${query}`,
        headers: await bearer(org, role),
      });
    expect(
      (await get('month=2026-06', OTHER_LA, 'placing-authority'))
        .json()
        .homes.map((h: { urn: string }) => h.urn),
    ).toEqual([oak.urn]);
    expect((await get('month=2026-06', 'P2002', 'provider')).json().homes).toEqual([]);
    const bad = await get('month=2026-13', 'ops', 'ops');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('query.month');
    expect((await get('month=2026-08', 'ops', 'ops')).statusCode).toBe(400);
  });
});

describe('Reg 45 reviews', () => {
  it('records a review by the home’s provider and reports the cadence', async () => {
    const response = await sut.host.app.inject({
      method: 'POST',
      url: `/v1/homes/${oak.urn}/reg45-reviews`,
      headers: await bearer('P1001', 'provider'),
      payload: { completedOn: '2026-05-01', reportSentOn: '2026-06-05', summary: 'Quality of care is good.' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ reportDueBy: '2026-05-29', reportLate: true });

    const other = await sut.host.app.inject({
      method: 'POST',
      url: `/v1/homes/${oak.urn}/reg45-reviews`,
      headers: await bearer('P2002', 'provider'),
      payload: { completedOn: '2026-05-01', summary: 'x' },
    });
    expect(other.statusCode).toBe(403);

    await sut.host.catchUpProjections();
    const compliance = await sut.host.app.inject({
      method: 'GET',
      url: '/v1/compliance/reg45',
      headers: await bearer('ofsted', 'regulator'),
    });
    expect(compliance.statusCode).toBe(200);
    const homes = compliance.json().homes;
    expect(homes.find((h: { urn: string }) => h.urn === oak.urn)).toMatchObject({
      lastCompletedOn: '2026-05-01',
      nextReviewDueBy: '2026-11-01',
      reviewOverdue: false,
      lastReport: { late: true, outstanding: false },
    });
    // Elm joined the registry on 15 December 2025 and has no review: due 15 June 2026, overdue on 1 July.
    expect(homes.find((h: { urn: string }) => h.urn === elm.urn)).toMatchObject({
      nextReviewDueBy: '2026-06-15',
      reviewOverdue: true,
    });
    expect(homes.map((h: { urn: string }) => h.urn)).not.toContain(ash.urn);
  });
});

describe('serious events', () => {
  it('seals the summary with the named child’s key and shows it only to those entitled', async () => {
    const response = await sut.host.app.inject({
      method: 'POST',
      url: `/v1/homes/${oak.urn}/serious-events`,
      headers: await bearer('P1001', 'provider'),
      payload: {
        category: 'police-involvement',
        occurredAt: '2026-06-30T21:00:00Z',
        placementId: c1.placementId,
        summary: 'OAK1 was brought back by police after going missing overnight.',
      },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ placingLa: LA, childRef: 'OAK1', recordedWithinStandard: true });

    const id = response.json().id;
    const [stored] = await sut.host.store.readStream(`seriousevent-${id}`, { decrypt: false });
    expect(isSealedField((stored!.data as { summary: unknown }).summary)).toBe(true);

    await sut.host.catchUpProjections();
    const asLa = await sut.host.app.inject({
      method: 'GET',
      url: `/v1/homes/${oak.urn}/serious-events`,
      headers: await bearer(LA, 'placing-authority'),
    });
    expect(asLa.json().items[0].summary).toContain('brought back by police');
    const asOtherLa = await sut.host.app.inject({
      method: 'GET',
      url: `/v1/homes/${oak.urn}/serious-events`,
      headers: await bearer(OTHER_LA, 'placing-authority'),
    });
    expect(asOtherLa.json().items).toEqual([]);

    // In the history of the other child at the home the entry is there, its summary withheld.
    const other = await sut.host.app.inject({
      method: 'GET',
      url: `/v1/children/${OTHER_LA}/OAK2/history`,
      headers: await bearer(OTHER_LA, 'placing-authority'),
    });
    const entry = other.json().entries.find((e: { type: string }) => e.type === 'SeriousEventRecorded');
    expect(entry.data.summary).toEqual({ $withheld: true });
    const own = await sut.host.app.inject({
      method: 'GET',
      url: `/v1/children/${LA}/OAK1/history`,
      headers: await bearer(LA, 'placing-authority'),
    });
    const ownEntry = own.json().entries.find((e: { type: string }) => e.type === 'SeriousEventRecorded');
    expect(ownEntry.data.summary).toContain('brought back by police');
  });

  it('refuses a placement that is not at the home and a future event, naming both fields', async () => {
    const response = await sut.host.app.inject({
      method: 'POST',
      url: `/v1/homes/${oak.urn}/serious-events`,
      headers: await bearer('P1001', 'provider'),
      payload: {
        category: 'serious-injury',
        occurredAt: '2026-07-05T10:00:00Z',
        placementId: c3.placementId,
        summary: 'x',
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'body.occurredAt',
      'body.placementId',
    ]);
  });
});
