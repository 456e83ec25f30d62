import { describe, expect, it } from 'vitest';
import { homeProfile, NOW, scenario } from '../test-support/fixtures.ts';
import {
  asMatchingHome,
  decide,
  evolve,
  type HomeCommand,
  type HomeEvent,
  initialHomeState,
  lapsedReservations,
  placesOf,
} from './home.ts';

const given = scenario<ReturnType<typeof evolve>, HomeCommand, HomeEvent>({
  initial: initialHomeState,
  evolve,
  decide,
});

const URN = 'SC123456';
const at = NOW.toISOString();
const registered = (places = 2, overrides = {}) => ({
  type: 'HomeRegistered',
  data: { urn: URN, profile: homeProfile({ registeredPlaces: places, ...overrides }), registeredAt: at },
});
const reserved = (offerId: string, expiresAt = '2026-05-18T09:00:00.000Z') => ({
  type: 'PlaceReserved',
  data: { urn: URN, offerId, referralId: 'r', expiresAt, reservedAt: at },
});
const occupied = (offerId: string, placementId: string) => ({
  type: 'PlaceOccupied',
  data: { urn: URN, offerId, placementId, occupiedAt: at },
});
const registration = (status: string, admissionsRestricted = false) => ({
  type: 'HomeRegistrationChanged',
  data: { urn: URN, status, admissionsRestricted, changedAt: at },
});
const reserve = (offerId: string): HomeCommand => ({
  type: 'ReservePlace',
  offerId,
  referralId: 'r',
  expiresAt: '2026-05-18T09:00:00.000Z',
});

describe('Home: profile', () => {
  it('Given no home, When a profile is maintained, Then the home is registered', () => {
    const { events } = given().when({
      type: 'MaintainProfile',
      urn: URN,
      profile: homeProfile(),
      byProvider: 'P1001',
    });
    expect(events).toEqual([
      { type: 'HomeRegistered', data: { urn: URN, profile: homeProfile(), registeredAt: at } },
    ]);
  });

  it('Given a home, When its provider changes the profile, Then it is updated; an identical profile changes nothing', () => {
    const changed = homeProfile({ registeredPlaces: 2, weeklyFee: 5400 });
    expect(
      given(registered()).when({ type: 'MaintainProfile', urn: URN, profile: changed, byProvider: 'P1001' })
        .events,
    ).toEqual([{ type: 'HomeProfileUpdated', data: { urn: URN, profile: changed, updatedAt: at } }]);
    const same = given(registered()).when({
      type: 'MaintainProfile',
      urn: URN,
      profile: homeProfile({ registeredPlaces: 2 }),
      byProvider: 'P1001',
    });
    expect(same.events).toEqual([]);
  });

  it("Given another provider's home, When a provider maintains it, Then 403: no takeover of a URN", () => {
    const { error } = given(registered()).when({
      type: 'MaintainProfile',
      urn: URN,
      profile: homeProfile({ providerId: 'P2002' }),
      byProvider: 'P2002',
    });
    expect(error?.status).toBe(403);
  });

  it('Given ops, When it changes any home, Then it may', () => {
    const { events } = given(registered()).when({
      type: 'MaintainProfile',
      urn: URN,
      profile: homeProfile({ providerId: 'P2002' }),
      byProvider: null,
    });
    expect(events[0]?.type).toBe('HomeProfileUpdated');
  });

  it('Given two places in use, When registered places drop below that, Then 409 places-in-use', () => {
    const { error } = given(registered(2), reserved('o1'), occupied('o1', 'p1'), reserved('o2')).when({
      type: 'MaintainProfile',
      urn: URN,
      profile: homeProfile({ registeredPlaces: 1 }),
      byProvider: 'P1001',
    });
    expect(error?.slug).toBe('places-in-use');
  });
});

describe('Home: registration and inspections', () => {
  it('Given a home, When Ofsted suspends it, Then HomeRegistrationChanged; the same status again changes nothing', () => {
    const { events } = given(registered()).when({
      type: 'ChangeRegistration',
      status: 'suspended',
      admissionsRestricted: false,
    });
    expect(events).toEqual([
      {
        type: 'HomeRegistrationChanged',
        data: { urn: URN, status: 'suspended', admissionsRestricted: false, changedAt: at },
      },
    ]);
    expect(
      given(registered(), registration('suspended')).when({
        type: 'ChangeRegistration',
        status: 'suspended',
        admissionsRestricted: false,
      }).events,
    ).toEqual([]);
  });

  it('Given inspections recorded out of order, Then the latest by date is current and the one before is the trend', () => {
    const inspected = (date: string, judgement: string) => ({
      type: 'HomeInspected',
      data: { urn: URN, date, judgement, recordedAt: at },
    });
    const state = given(
      registered(),
      inspected('2025-01-10', 'good'),
      inspected('2023-02-01', 'inadequate'),
    ).state;
    const home = asMatchingHome(state);
    expect(home.ofsted).toEqual({ judgement: 'good', date: '2025-01-10' });
    expect(home.previousJudgement).toBe('inadequate');
  });

  it('Given no home, When a registration change is recorded, Then 404', () => {
    expect(
      given().when({ type: 'ChangeRegistration', status: 'suspended', admissionsRestricted: false }).error
        ?.status,
    ).toBe(404);
  });
});

describe('Home: places', () => {
  it('Given a free place, When a place is reserved, Then PlaceReserved and one fewer free place', () => {
    const { events } = given(registered(1)).when(reserve('o1'));
    expect(events.map((e) => e.type)).toEqual(['PlaceReserved']);
    const state = [registered(1), ...events].reduce(evolve, initialHomeState);
    expect(placesOf(state)).toEqual({ registered: 1, reserved: 1, occupied: 0, free: 0 });
  });

  it('Given every place reserved or occupied, When another reservation comes, Then 409 no-free-place', () => {
    const { error } = given(registered(2), reserved('o1'), occupied('o1', 'p1'), reserved('o2')).when(
      reserve('o3'),
    );
    expect(error?.slug).toBe('no-free-place');
  });

  it('Given the same offer reserved already, When it reserves again, Then nothing new (idempotent)', () => {
    expect(given(registered(1), reserved('o1')).when(reserve('o1')).events).toEqual([]);
  });

  it.each([
    ['suspended', false, 'not-registered'],
    ['cancelled', false, 'not-registered'],
    ['registered', true, 'admissions-restricted'],
  ])(
    'Given registration %s (restricted %s), When a place is reserved, Then 409 %s',
    (status, restricted, slug) => {
      const { error } = given(registered(3), registration(status, restricted)).when(reserve('o1'));
      expect(error?.slug).toBe(slug);
    },
  );

  it('Given the provider closed admissions, When a place is reserved, Then 409 admissions-closed', () => {
    expect(given(registered(3, { admissionsOpen: false })).when(reserve('o1')).error?.slug).toBe(
      'admissions-closed',
    );
  });

  it('Given a reservation, When the placement starts, Then the reserved place becomes occupied', () => {
    const { events } = given(registered(2), reserved('o1')).when({
      type: 'OccupyPlace',
      offerId: 'o1',
      placementId: 'p1',
    });
    const state = [registered(2), reserved('o1'), ...events].reduce(evolve, initialHomeState);
    expect(placesOf(state)).toEqual({ registered: 2, reserved: 0, occupied: 1, free: 1 });
  });

  it('Given no reservation for the offer (released or lapsed), When the placement starts, Then 409 reservation-lapsed', () => {
    const released = {
      type: 'PlaceReleased',
      data: { urn: URN, offerId: 'o1', reason: 'expired', releasedAt: at },
    };
    const { error } = given(registered(2), reserved('o1'), released).when({
      type: 'OccupyPlace',
      offerId: 'o1',
      placementId: 'p1',
    });
    expect(error?.slug).toBe('reservation-lapsed');
  });

  it('Given a reservation and then a suspension, When the placement starts, Then 409 not-registered', () => {
    const { error } = given(registered(2), reserved('o1'), registration('suspended')).when({
      type: 'OccupyPlace',
      offerId: 'o1',
      placementId: 'p1',
    });
    expect(error?.slug).toBe('not-registered');
  });

  it('Given an occupied place, When the placement ends, Then the place is freed; freeing twice changes nothing', () => {
    const history = [registered(1), reserved('o1'), occupied('o1', 'p1')];
    const { events } = given(...history).when({ type: 'FreePlace', placementId: 'p1' });
    expect(events.map((e) => e.type)).toEqual(['PlaceFreed']);
    const state = [...history, ...events].reduce(evolve, initialHomeState);
    expect(placesOf(state).free).toBe(1);
    expect(given(...history, ...events).when({ type: 'FreePlace', placementId: 'p1' }).events).toEqual([]);
  });

  it('Given reservations, Then those past their lapse time are lapsed, oldest first', () => {
    const state = [
      registered(3),
      reserved('late', '2026-05-20T09:00:00.000Z'),
      reserved('b', '2026-05-12T09:00:00.000Z'),
      reserved('a', '2026-05-11T09:00:00.000Z'),
    ].reduce(evolve, initialHomeState);
    expect(lapsedReservations(state, new Date('2026-05-12T09:00:00.000Z'))).toEqual(['a', 'b']);
  });
});
