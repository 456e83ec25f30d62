// Fixtures for matching's tests (no I/O): a home profile, a home as the ranking sees it, a referral
// as the ranking sees it, and a Given/When/Then runner for the pure decide/evolve functions.
// Haringey (E09000014) places; Stockport (E08000007) does not adjoin it; Enfield (E09000010) does.
import type { HomeProfile } from '@placements/contracts';
import { ProblemError } from '@placements/service-kit';
import type { HomeForMatching, ReferralForMatching } from '../shortlists/ranking.ts';

/** A Monday in term time, far from bank holidays. */
export const NOW = new Date('2026-05-11T09:00:00.000Z');
export const TODAY = '2026-05-11';

export const HARINGEY = 'E09000014';
export const ENFIELD = 'E09000010';
export const STOCKPORT = 'E08000007';

export const HARINGEY_CHILD_HOME = { lat: 51.597, lon: -0.072 };

export function homeProfile(overrides: Partial<HomeProfile> = {}): HomeProfile {
  return {
    name: 'Oak House',
    providerId: 'P1001',
    providerName: 'Oak Care Ltd',
    parentGroup: 'Oak Group',
    sector: 'PR4',
    la: STOCKPORT,
    postcode: 'SK1 3XE',
    location: { lat: 53.409, lon: -2.149 },
    registeredPlaces: 4,
    ageRange: { min: 11, max: 17 },
    sexes: ['M', 'F'],
    needsMet: [
      { domain: 'self-harm', maxIntensity: 'high' },
      { domain: 'emotional-behavioural', maxIntensity: 'high' },
      { domain: 'education', maxIntensity: 'medium' },
      { domain: 'missing', maxIntensity: 'medium' },
    ],
    weeklyFee: 5200,
    contractRoute: 'spot',
    admissionsOpen: true,
    ...overrides,
  };
}

/** A Haringey home near the child (about 1.5 miles). */
export function haringeyProfile(overrides: Partial<HomeProfile> = {}): HomeProfile {
  return homeProfile({
    la: HARINGEY,
    postcode: 'N17 9AB',
    location: { lat: 51.59, lon: -0.1 },
    ...overrides,
  });
}

export function matchingHome(
  urn: string,
  overrides: Partial<Omit<HomeForMatching, 'urn'>> = {},
): HomeForMatching {
  return {
    urn,
    profile: haringeyProfile(),
    registration: { status: 'registered', admissionsRestricted: false },
    ofsted: { judgement: 'good', date: '2025-06-01' },
    previousJudgement: null,
    occupiedPlaces: 1,
    reservedPlaces: 0,
    ...overrides,
  };
}

export function matchingReferral(overrides: Partial<ReferralForMatching> = {}): ReferralForMatching {
  return {
    referralId: '6f1c2d3e-4b5a-4c6d-8e7f-901234567890',
    referralVersion: 1,
    placingLa: HARINGEY,
    childRef: 'HAR0001234',
    // 14 on TODAY.
    child: { dateOfBirth: '2011-09-14', sex: 'F', homeLocation: HARINGEY_CHILD_HOME },
    needs: [{ domain: 'self-harm', intensity: 'high', frequency: 'frequent' }],
    risks: { selfHarm: 'risk-present', missing: 'no-known-risk' },
    requirements: { placementType: 'K2', urgency: 'planned', livingArrangement: 'no-preference' },
    locations: { avoidAreas: [], familyAnchors: [] },
    ...overrides,
  };
}

interface Aggregate<S, C, E> {
  initial: S;
  evolve: (state: S, event: { type: string; data: unknown }) => S;
  decide: (command: C, state: S, ctx: { now: Date }) => E[];
}

export interface Outcome<E> {
  events: E[];
  error: ProblemError | undefined;
}

/** given(history).when(command) → the events decided, or the problem thrown. */
export function scenario<S, C, E>(aggregate: Aggregate<S, C, E>) {
  return (...history: { type: string; data: unknown }[]) => ({
    state: history.reduce(aggregate.evolve, aggregate.initial),
    when(command: C, now: Date = NOW): Outcome<E> {
      const state = history.reduce(aggregate.evolve, aggregate.initial);
      try {
        return { events: aggregate.decide(command, state, { now }), error: undefined };
      } catch (error) {
        if (error instanceof ProblemError) return { events: [], error };
        throw error;
      }
    },
  });
}

/** ReferralSubmitted as the referral service publishes it (personal fields opened). */
export function referralSubmitted(overrides: Record<string, unknown> = {}) {
  return {
    referralId: '6f1c2d3e-4b5a-4c6d-8e7f-901234567890',
    placingLa: HARINGEY,
    childRef: 'HAR0001234',
    child: {
      dateOfBirth: '2011-09-14',
      sex: 'F',
      ethnicity: 'WBRI',
      legalStatus: 'C2',
      categoryOfNeed: 'N1',
      homePostcode: 'N17 6QA',
      homeLocation: HARINGEY_CHILD_HOME,
    },
    needs: [{ domain: 'self-harm', intensity: 'high', frequency: 'frequent' }],
    risks: { selfHarm: 'risk-present' },
    requirements: {
      placementType: 'K2',
      urgency: 'planned',
      requiredBy: '2026-06-01',
      livingArrangement: 'no-preference',
    },
    locations: { avoidAreas: [], familyAnchors: [{ lat: 51.6, lon: -0.08, label: 'sister' }] },
    childViews: 'Wants to stay near her sister and keep going to her school.',
    attestation: { fullDisclosure: true, referrerName: 'A. Social Worker' },
    submittedAt: '2026-05-11T08:00:00.000Z',
    ...overrides,
  };
}
