// Property: whatever the interleaving of accepts (reservations), starts (occupations), ends,
// withdrawals, lapses, registration changes and profile changes on a home, the places reserved plus
// the places occupied never exceed the registered places, and a reservation is refused exactly
// when the home cannot admit or has no free place.
import { ProblemError } from '@placements/service-kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { homeProfile, NOW } from '../test-support/fixtures.ts';
import {
  decide,
  evolve,
  type HomeCommand,
  type HomeEvent,
  type HomeState,
  initialHomeState,
  lapsedReservations,
  placesOf,
} from './home.ts';

type Step =
  | { kind: 'accept'; offer: number }
  | { kind: 'start'; offer: number }
  | { kind: 'end'; offer: number }
  | { kind: 'withdraw'; offer: number }
  | { kind: 'lapse'; hours: number }
  | { kind: 'registration'; status: 'registered' | 'suspended' | 'cancelled'; restricted: boolean }
  | { kind: 'places'; places: number };

const offer = fc.integer({ min: 0, max: 9 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: offer.map((o) => ({ kind: 'accept' as const, offer: o })) },
  { weight: 4, arbitrary: offer.map((o) => ({ kind: 'start' as const, offer: o })) },
  { weight: 3, arbitrary: offer.map((o) => ({ kind: 'end' as const, offer: o })) },
  { weight: 1, arbitrary: offer.map((o) => ({ kind: 'withdraw' as const, offer: o })) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 1, max: 200 }).map((hours) => ({ kind: 'lapse' as const, hours })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('registration' as const),
      status: fc.constantFrom('registered' as const, 'suspended' as const, 'cancelled' as const),
      restricted: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 6 }).map((places) => ({ kind: 'places' as const, places })),
  },
);

const URN = 'SC123456';
const RESERVATION_HOURS = 120;

function commandsFor(s: Step, state: HomeState, now: Date): HomeCommand[] {
  switch (s.kind) {
    case 'accept':
      return [
        {
          type: 'ReservePlace',
          offerId: `o${s.offer}`,
          referralId: `r${s.offer}`,
          expiresAt: new Date(now.getTime() + RESERVATION_HOURS * 3_600_000).toISOString(),
        },
      ];
    case 'start':
      return [{ type: 'OccupyPlace', offerId: `o${s.offer}`, placementId: `p${s.offer}` }];
    case 'end':
      return [{ type: 'FreePlace', placementId: `p${s.offer}` }];
    case 'withdraw':
      return [{ type: 'ReleasePlace', offerId: `o${s.offer}`, reason: 'withdrawn' }];
    case 'lapse':
      return lapsedReservations(state, now).map((offerId) => ({
        type: 'ReleasePlace',
        offerId,
        reason: 'expired',
      }));
    case 'registration':
      return [{ type: 'ChangeRegistration', status: s.status, admissionsRestricted: s.restricted }];
    case 'places':
      return [
        {
          type: 'MaintainProfile',
          urn: URN,
          profile: homeProfile({ registeredPlaces: s.places }),
          byProvider: 'P1001',
        },
      ];
  }
}

describe('places are never overbooked', () => {
  it('holds for random interleavings of accept, start, end, withdraw, lapse and registration changes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(step, { maxLength: 80 }), (places, steps) => {
        let now = NOW;
        let state = evolve(initialHomeState, {
          type: 'HomeRegistered',
          data: {
            urn: URN,
            profile: homeProfile({ registeredPlaces: places }),
            registeredAt: now.toISOString(),
          },
        });
        for (const s of steps) {
          if (s.kind === 'lapse') now = new Date(now.getTime() + s.hours * 3_600_000);
          for (const command of commandsFor(s, state, now)) {
            const before = placesOf(state);
            let events: HomeEvent[] = [];
            try {
              events = decide(command, state, { now });
            } catch (error) {
              if (!(error instanceof ProblemError)) throw error;
              if (command.type === 'ReservePlace' && error.slug === 'no-free-place')
                expect(before.free).toBe(0);
              continue;
            }
            if (command.type === 'ReservePlace' && events.length > 0) {
              expect(state.registration.status).toBe('registered');
              expect(state.registration.admissionsRestricted).toBe(false);
              expect(before.free).toBeGreaterThan(0);
            }
            state = events.reduce(evolve, state);
            const after = placesOf(state);
            expect(after.reserved + after.occupied).toBeLessThanOrEqual(after.registered);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
