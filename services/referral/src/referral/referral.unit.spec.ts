import { integrationEvents } from '@placements/contracts';
import { ProblemError } from '@placements/service-kit';
import { describe, expect, it } from 'vitest';
import {
  decide,
  evolve,
  evolveAll,
  initialReferralState,
  type RecordPlacement,
  type ReferralCommand,
  type ReferralEvent,
  type ReferralSubmitted,
  type SubmitReferral,
} from './referral.ts';
import { toStoredEvents } from './referral-stream.ts';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const LATER = new Date('2026-11-23T09:30:00.000Z');
const REFERRAL_ID = '0d6c1c1e-5f0b-4b8e-9d55-3f7d1a2b9c01';
const PLACEMENT_ID = '7a1e7c2e-1b2f-4c55-8f0e-2d9c8b7a6f54';

const submit: SubmitReferral = {
  type: 'SubmitReferral',
  data: {
    referralId: REFERRAL_ID,
    placingLa: 'E09000014',
    childRef: 'HAR0001234',
    child: {
      dateOfBirth: '2011-05-14',
      sex: 'F',
      ethnicity: 'WBRI',
      legalStatus: 'C2',
      categoryOfNeed: 'N1',
      homePostcode: 'N17 6QA',
      homeLocation: { lat: 51.597, lon: -0.072 },
    },
    needs: [{ domain: 'self-harm', intensity: 'high', frequency: 'frequent' }],
    risks: { sexualExploitation: 'risk-present' },
    requirements: {
      placementType: 'K2',
      urgency: 'planned',
      requiredBy: '2026-12-01',
      livingArrangement: 'no-preference',
      maxDistanceMiles: 60,
    },
    locations: { avoidAreas: [{ lat: 51.6, lon: -0.1, radiusMiles: 3 }], familyAnchors: [] },
    childViews: 'Wants to stay near her sister.',
    attestation: { fullDisclosure: true, referrerName: 'A. Social Worker' },
  },
};

const submitted: ReferralSubmitted = {
  type: 'ReferralSubmitted',
  data: { ...submit.data, submittedAt: NOW.toISOString() },
};

const newNeeds = {
  needs: [
    { domain: 'missing' as const, intensity: 'medium' as const, frequency: 'occasional' as const },
    { domain: 'education' as const, intensity: 'low' as const, frequency: 'constant' as const },
  ],
  risks: { missing: 'risk-present' as const },
  requirements: { placementType: 'K2', urgency: 'emergency' as const, livingArrangement: 'solo' as const },
  locations: { avoidAreas: [], familyAnchors: [{ lat: 51.5, lon: -0.1, label: 'sister' }] },
};

const needsUpdated = (referralVersion: number): ReferralEvent => ({
  type: 'ReferralNeedsUpdated',
  data: {
    referralId: REFERRAL_ID,
    placingLa: 'E09000014',
    childRef: 'HAR0001234',
    referralVersion,
    ...newNeeds,
    updatedAt: NOW.toISOString(),
  },
});

const withdrawn: ReferralEvent = {
  type: 'ReferralWithdrawn',
  data: {
    referralId: REFERRAL_ID,
    placingLa: 'E09000014',
    childRef: 'HAR0001234',
    reason: 'Placed with kinship carers',
    withdrawnAt: NOW.toISOString(),
  },
};

const recordPlacement: RecordPlacement = {
  type: 'RecordPlacement',
  data: {
    referralId: REFERRAL_ID,
    placingLa: 'E09000014',
    childRef: 'HAR0001234',
    placementId: PLACEMENT_ID,
    homeUrn: 'SC123456',
    startDate: '2026-11-30',
    startedAt: '2026-11-30T08:00:00.000Z',
  },
};

const placed: ReferralEvent = {
  type: 'ReferralPlaced',
  data: {
    referralId: REFERRAL_ID,
    placingLa: 'E09000014',
    childRef: 'HAR0001234',
    placementId: PLACEMENT_ID,
    homeUrn: 'SC123456',
    startDate: '2026-11-30',
    placedAt: '2026-11-30T08:00:00.000Z',
  },
};

/** Given these events, when this command: then these events, or this problem. */
function given(...history: ReferralEvent[]) {
  const state = evolveAll(initialReferralState, history);
  return {
    when: (command: ReferralCommand, now: Date = NOW) => {
      const run = () => decide(command, state, { now });
      return {
        thenEmits: (expected: ReferralEvent[]) => {
          const events = run();
          expect(events).toEqual(expected);
          // Every stored event is an integration event: it must satisfy the catalogue exactly.
          for (const event of events)
            expect(() => integrationEvents[event.type].schema.parse(event.data)).not.toThrow();
        },
        thenFails: (status: number, slug: string) => {
          let thrown: unknown;
          try {
            run();
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(ProblemError);
          expect((thrown as ProblemError).status).toBe(status);
          expect((thrown as ProblemError).slug).toBe(slug);
        },
      };
    },
  };
}

describe('submit a referral', () => {
  it('given no referral, when submitted, then ReferralSubmitted stamped with the clock', () => {
    given().when(submit).thenEmits([submitted]);
  });

  it('given a submitted referral, when the same id is submitted again, then 409 referral-exists', () => {
    given(submitted).when(submit).thenFails(409, 'referral-exists');
  });
});

describe('update needs', () => {
  const update: ReferralCommand = { type: 'UpdateReferralNeeds', data: newNeeds };

  it('given a submitted referral, when needs are replaced, then ReferralNeedsUpdated names the new version', () => {
    given(submitted)
      .when(update)
      .thenEmits([needsUpdated(2)]);
  });

  it('given an already updated referral, when needs are replaced again, then the version counts every event', () => {
    given(submitted, needsUpdated(2))
      .when(update)
      .thenEmits([needsUpdated(3)]);
  });

  it('given no referral, when needs are replaced, then 404', () => {
    given().when(update).thenFails(404, 'not-found');
  });

  it('given a withdrawn referral, when needs are replaced, then 409 referral-not-open', () => {
    given(submitted, withdrawn).when(update).thenFails(409, 'referral-not-open');
  });

  it('given a placed referral, when needs are replaced, then 409 referral-not-open', () => {
    given(submitted, placed).when(update).thenFails(409, 'referral-not-open');
  });
});

describe('withdraw', () => {
  const withdraw: ReferralCommand = {
    type: 'WithdrawReferral',
    data: { reason: 'Placed with kinship carers' },
  };

  it('given a submitted referral, when withdrawn, then ReferralWithdrawn with the reason', () => {
    given(submitted).when(withdraw).thenEmits([withdrawn]);
  });

  it('given a referral with updated needs, when withdrawn, then ReferralWithdrawn', () => {
    given(submitted, needsUpdated(2)).when(withdraw).thenEmits([withdrawn]);
  });

  it('given a withdrawn referral, when withdrawn again, then 409 referral-not-open', () => {
    given(submitted, withdrawn).when(withdraw).thenFails(409, 'referral-not-open');
  });

  it('given a placed referral, when withdrawn, then 409 referral-not-open', () => {
    given(submitted, placed).when(withdraw).thenFails(409, 'referral-not-open');
  });

  it('given no referral, when withdrawn, then 404', () => {
    given().when(withdraw).thenFails(404, 'not-found');
  });
});

describe('placed (from matching’s PlacementStarted)', () => {
  it('given a submitted referral, when its placement starts, then ReferralPlaced at the start instant', () => {
    given(submitted).when(recordPlacement, LATER).thenEmits([placed]);
  });

  it('given a placed referral, when a placement starts again (redelivery or a move), then nothing', () => {
    given(submitted, placed).when(recordPlacement).thenEmits([]);
    given(submitted, placed)
      .when({ ...recordPlacement, data: { ...recordPlacement.data, placementId: REFERRAL_ID } })
      .thenEmits([]);
  });

  it('given no referral, when a placement names it, then nothing', () => {
    given().when(recordPlacement).thenEmits([]);
  });

  it('given a withdrawn referral, when its placement starts anyway, then it is still recorded as placed', () => {
    given(submitted, withdrawn).when(recordPlacement).thenEmits([placed]);
  });

  it('given a referral, when a placement names it for another child, then 422 placement-does-not-match-referral', () => {
    given(submitted)
      .when({ ...recordPlacement, data: { ...recordPlacement.data, childRef: 'OTHER1' } })
      .thenFails(422, 'placement-does-not-match-referral');
    given(submitted)
      .when({ ...recordPlacement, data: { ...recordPlacement.data, placingLa: 'E08000007' } })
      .thenFails(422, 'placement-does-not-match-referral');
  });
});

describe('evolve', () => {
  it('a submission opens the referral at version 1 with everything the LA sent', () => {
    const state = evolve(initialReferralState, submitted);
    expect(state).toMatchObject({
      status: 'submitted',
      version: 1,
      referralId: REFERRAL_ID,
      child: submit.data.child,
      locations: submit.data.locations,
      childViews: submit.data.childViews,
      submittedAt: NOW.toISOString(),
      needsUpdatedAt: NOW.toISOString(),
    });
  });

  it('a needs update replaces needs, risks, requirements and locations, and nothing about the child', () => {
    const state = evolveAll(initialReferralState, [submitted, needsUpdated(2)]);
    expect(state).toMatchObject({
      status: 'submitted',
      version: 2,
      needs: newNeeds.needs,
      risks: newNeeds.risks,
      requirements: newNeeds.requirements,
      locations: newNeeds.locations,
      child: submit.data.child,
    });
  });

  it('a withdrawal closes the referral and keeps the reason', () => {
    const state = evolveAll(initialReferralState, [submitted, withdrawn]);
    expect(state).toMatchObject({
      status: 'withdrawn',
      version: 2,
      withdrawal: { reason: 'Placed with kinship carers', withdrawnAt: NOW.toISOString() },
    });
  });

  it('a placement after a withdrawal marks it placed and keeps the withdrawal on record', () => {
    const state = evolveAll(initialReferralState, [submitted, withdrawn, placed]);
    expect(state).toMatchObject({
      status: 'placed',
      version: 3,
      withdrawal: { reason: 'Placed with kinship carers' },
      placement: { placementId: PLACEMENT_ID, homeUrn: 'SC123456', startDate: '2026-11-30' },
    });
  });

  it('an unknown event type only advances the version', () => {
    const before = evolve(initialReferralState, submitted);
    const after = evolve(before, { type: 'SomethingNewer', data: {} });
    expect(after).toEqual({ ...before, version: 2 });
  });

  it('an event without a submission before it is ignored', () => {
    expect(evolve(initialReferralState, withdrawn)).toEqual({ status: 'none', version: 0 });
  });
});

describe('stored form', () => {
  it('seals the child, views and locations of a submission with the child’s subject', () => {
    const [event] = toStoredEvents([submitted], { correlationId: 'c1' });
    expect(event?.personal).toEqual({
      subjectId: 'child:E09000014:HAR0001234',
      fields: ['child', 'locations', 'childViews'],
    });
    expect(event?.metadata).toEqual({ correlationId: 'c1' });
  });

  it('seals the locations of a needs update and nothing of a withdrawal or placement', () => {
    const [update, withdrawal, placement] = toStoredEvents([needsUpdated(2), withdrawn, placed], {});
    expect(update?.personal?.fields).toEqual(['locations']);
    expect(withdrawal?.personal).toBeUndefined();
    expect(placement?.personal).toBeUndefined();
  });

  it('refuses event data the catalogue would reject', () => {
    const bad = { ...submitted, data: { ...submitted.data, childRef: 'not a ref!' } };
    expect(() => toStoredEvents([bad], {})).toThrow();
  });
});
