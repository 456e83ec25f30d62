// The Home aggregate (stream `home-<urn>`): the profile its provider maintains, Ofsted's
// registration and inspections, and its places. The places live on the home's stream so that its
// version guards them: every reservation, occupation and release appends here with the version it
// was decided on, so under any concurrency reserved + occupied never exceeds registered places.
// PlaceReserved, PlaceReleased, PlaceOccupied and PlaceFreed are internal (never published);
// the offer and placement events published alongside them tell other services what happened.
import type { HomeProfile, IntegrationEventData, OfstedJudgement } from '@placements/contracts';
import { canonicalJson } from '@placements/event-store';
import { problems } from '@placements/service-kit';
import { matchingProblems } from '../problems.ts';
import type { HomeForMatching } from '../shortlists/ranking.ts';

export type RegistrationStatus = 'registered' | 'suspended' | 'cancelled';

export interface Reservation {
  referralId: string;
  expiresAt: string;
}

export interface HomeState {
  urn: string | null;
  profile: HomeProfile | null;
  registration: { status: RegistrationStatus; admissionsRestricted: boolean };
  /** Inspections in date order; the last is the current judgement. */
  inspections: { date: string; judgement: OfstedJudgement }[];
  /** Places held by accepted offers, by offer id. */
  reservations: Record<string, Reservation>;
  /** Places occupied by started placements, by placement id. */
  occupants: Record<string, { offerId: string }>;
}

export const initialHomeState: HomeState = Object.freeze({
  urn: null,
  profile: null,
  registration: { status: 'registered', admissionsRestricted: false },
  inspections: [],
  reservations: {},
  occupants: {},
}) as HomeState;

export type HomeEvent =
  | { type: 'HomeRegistered'; data: IntegrationEventData<'HomeRegistered'> }
  | { type: 'HomeProfileUpdated'; data: IntegrationEventData<'HomeProfileUpdated'> }
  | { type: 'HomeRegistrationChanged'; data: IntegrationEventData<'HomeRegistrationChanged'> }
  | { type: 'HomeInspected'; data: IntegrationEventData<'HomeInspected'> }
  | {
      type: 'PlaceReserved';
      data: { urn: string; offerId: string; referralId: string; expiresAt: string; reservedAt: string };
    }
  | {
      type: 'PlaceReleased';
      data: { urn: string; offerId: string; reason: 'withdrawn' | 'expired'; releasedAt: string };
    }
  | { type: 'PlaceOccupied'; data: { urn: string; offerId: string; placementId: string; occupiedAt: string } }
  | { type: 'PlaceFreed'; data: { urn: string; placementId: string; freedAt: string } };

export type HomeCommand =
  | {
      type: 'MaintainProfile';
      urn: string;
      profile: HomeProfile;
      /** The provider making the change; null for ops. */
      byProvider: string | null;
    }
  | { type: 'ChangeRegistration'; status: RegistrationStatus; admissionsRestricted: boolean }
  | { type: 'RecordInspection'; date: string; judgement: OfstedJudgement }
  | { type: 'ReservePlace'; offerId: string; referralId: string; expiresAt: string }
  | { type: 'ReleasePlace'; offerId: string; reason: 'withdrawn' | 'expired' }
  | { type: 'OccupyPlace'; offerId: string; placementId: string }
  | { type: 'FreePlace'; placementId: string };

export function homeStreamId(urn: string): string {
  return `home-${urn}`;
}

export interface Places {
  registered: number;
  reserved: number;
  occupied: number;
  free: number;
}

export function placesOf(state: HomeState): Places {
  const registered = state.profile?.registeredPlaces ?? 0;
  const reserved = Object.keys(state.reservations).length;
  const occupied = Object.keys(state.occupants).length;
  return { registered, reserved, occupied, free: Math.max(0, registered - reserved - occupied) };
}

export function currentJudgement(state: HomeState): { judgement: OfstedJudgement; date: string } | null {
  return state.inspections.at(-1) ?? null;
}

export function previousJudgement(state: HomeState): OfstedJudgement | null {
  return state.inspections.at(-2)?.judgement ?? null;
}

export function evolve(state: HomeState, event: { type: string; data: unknown }): HomeState {
  const e = event as HomeEvent;
  switch (e.type) {
    case 'HomeRegistered':
      return { ...state, urn: e.data.urn, profile: e.data.profile };
    case 'HomeProfileUpdated':
      return { ...state, profile: e.data.profile };
    case 'HomeRegistrationChanged':
      return {
        ...state,
        registration: { status: e.data.status, admissionsRestricted: e.data.admissionsRestricted },
      };
    case 'HomeInspected': {
      // Recorded out of order (a late upload of an older report) still sorts by inspection date.
      const inspections = [...state.inspections, { date: e.data.date, judgement: e.data.judgement }].sort(
        (a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0),
      );
      return { ...state, inspections };
    }
    case 'PlaceReserved':
      return {
        ...state,
        reservations: {
          ...state.reservations,
          [e.data.offerId]: { referralId: e.data.referralId, expiresAt: e.data.expiresAt },
        },
      };
    case 'PlaceReleased': {
      const { [e.data.offerId]: _released, ...reservations } = state.reservations;
      return { ...state, reservations };
    }
    case 'PlaceOccupied': {
      const { [e.data.offerId]: _taken, ...reservations } = state.reservations;
      return {
        ...state,
        reservations,
        occupants: { ...state.occupants, [e.data.placementId]: { offerId: e.data.offerId } },
      };
    }
    case 'PlaceFreed': {
      const { [e.data.placementId]: _left, ...occupants } = state.occupants;
      return { ...state, occupants };
    }
    default:
      return state;
  }
}

/** Whether the home may take a new child now: registered, not restricted, admissions open. */
function assertAdmitting(state: HomeState, urn: string): void {
  if (state.registration.status !== 'registered') {
    throw matchingProblems.homeNotRegistered(urn, state.registration.status);
  }
  if (state.registration.admissionsRestricted) throw matchingProblems.admissionsRestricted(urn);
  if (!state.profile?.admissionsOpen) throw matchingProblems.admissionsClosed(urn);
}

export function decide(command: HomeCommand, state: HomeState, ctx: { now: Date }): HomeEvent[] {
  const at = ctx.now.toISOString();
  if (command.type === 'MaintainProfile') {
    const { urn, profile, byProvider } = command;
    if (!state.profile) return [{ type: 'HomeRegistered', data: { urn, profile, registeredAt: at } }];
    if (byProvider !== null && state.profile.providerId !== byProvider)
      throw matchingProblems.notYourHome(urn);
    const places = placesOf(state);
    if (profile.registeredPlaces < places.reserved + places.occupied) {
      throw matchingProblems.placesInUse(urn, places.reserved + places.occupied);
    }
    if (sameProfile(state.profile, profile)) return [];
    return [{ type: 'HomeProfileUpdated', data: { urn, profile, updatedAt: at } }];
  }

  const urn = state.urn;
  if (!urn || !state.profile) throw problems.notFound('home');
  switch (command.type) {
    case 'ChangeRegistration': {
      const { status, admissionsRestricted } = command;
      if (
        status === state.registration.status &&
        admissionsRestricted === state.registration.admissionsRestricted
      ) {
        return [];
      }
      return [
        { type: 'HomeRegistrationChanged', data: { urn, status, admissionsRestricted, changedAt: at } },
      ];
    }
    case 'RecordInspection':
      return [
        {
          type: 'HomeInspected',
          data: { urn, date: command.date, judgement: command.judgement, recordedAt: at },
        },
      ];
    case 'ReservePlace': {
      if (state.reservations[command.offerId]) return [];
      assertAdmitting(state, urn);
      if (placesOf(state).free <= 0) throw matchingProblems.noFreePlace(urn);
      return [
        {
          type: 'PlaceReserved',
          data: {
            urn,
            offerId: command.offerId,
            referralId: command.referralId,
            expiresAt: command.expiresAt,
            reservedAt: at,
          },
        },
      ];
    }
    case 'ReleasePlace':
      if (!state.reservations[command.offerId]) return [];
      return [
        {
          type: 'PlaceReleased',
          data: { urn, offerId: command.offerId, reason: command.reason, releasedAt: at },
        },
      ];
    case 'OccupyPlace': {
      if (state.occupants[command.placementId]) return [];
      if (!state.reservations[command.offerId]) throw matchingProblems.reservationLapsed(command.offerId);
      // The reservation already counts against the places; a suspension since then still stops the move-in.
      if (state.registration.status !== 'registered') {
        throw matchingProblems.homeNotRegistered(urn, state.registration.status);
      }
      return [
        {
          type: 'PlaceOccupied',
          data: { urn, offerId: command.offerId, placementId: command.placementId, occupiedAt: at },
        },
      ];
    }
    case 'FreePlace':
      if (!state.occupants[command.placementId]) return [];
      return [{ type: 'PlaceFreed', data: { urn, placementId: command.placementId, freedAt: at } }];
  }
}

/** Reservations whose lapse time has passed, oldest first. */
export function lapsedReservations(state: HomeState, now: Date): string[] {
  const iso = now.toISOString();
  return Object.entries(state.reservations)
    .filter(([, reservation]) => reservation.expiresAt <= iso)
    .sort(([, a], [, b]) => (a.expiresAt < b.expiresAt ? -1 : 1))
    .map(([offerId]) => offerId);
}

function sameProfile(a: HomeProfile, b: HomeProfile): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** The home as the ranking sees it, from its own stream (fresher than the read model). */
export function asMatchingHome(state: HomeState): HomeForMatching {
  if (!state.urn || !state.profile) throw new Error('a home that does not exist cannot be matched');
  const places = placesOf(state);
  return {
    urn: state.urn,
    profile: state.profile,
    registration: { ...state.registration },
    ofsted: currentJudgement(state),
    previousJudgement: previousJudgement(state),
    occupiedPlaces: places.occupied,
    reservedPlaces: places.reserved,
  };
}
