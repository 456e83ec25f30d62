import { ERASED } from '@placements/contracts';
import { describe, expect, it } from 'vitest';
import { evolve, initialReferralState, type Referral, type ReferralSubmitted } from './referral.ts';
import { audienceOf, presentReferral, WITHHELD } from './referral-view.ts';

const submitted: ReferralSubmitted = {
  type: 'ReferralSubmitted',
  data: {
    referralId: '0d6c1c1e-5f0b-4b8e-9d55-3f7d1a2b9c01',
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
    risks: {},
    requirements: { placementType: 'K2', urgency: 'emergency', livingArrangement: 'solo' },
    locations: { avoidAreas: [{ lat: 51.6, lon: -0.1, radiusMiles: 3 }], familyAnchors: [] },
    childViews: 'Wants to stay near her sister.',
    attestation: { fullDisclosure: true, referrerName: 'A. Social Worker' },
    submittedAt: '2026-11-22T10:00:00.000Z',
  },
};
const referral = evolve(initialReferralState, submitted) as Referral;

describe('who sees a referral', () => {
  it('the placing LA is its owner; ops sees it; another LA or role does not', () => {
    expect(audienceOf({ sub: 'a', org: 'E09000014', roles: ['placing-authority'] }, 'E09000014')).toBe(
      'owner',
    );
    expect(audienceOf({ sub: 'o', org: 'ops', roles: ['ops'] }, 'E09000014')).toBe('ops');
    expect(
      audienceOf({ sub: 'b', org: 'E08000007', roles: ['placing-authority'] }, 'E09000014'),
    ).toBeUndefined();
    expect(
      audienceOf({ sub: 'h', org: 'E09000014', roles: ['host-authority'] }, 'E09000014'),
    ).toBeUndefined();
  });
});

describe('the referral as the API shows it', () => {
  it('puts the location lists back inside requirements, as API.md has them', () => {
    const view = presentReferral(referral, 'owner');
    expect(view.requirements).toEqual({
      placementType: 'K2',
      urgency: 'emergency',
      livingArrangement: 'solo',
      avoidAreas: [{ lat: 51.6, lon: -0.1, radiusMiles: 3 }],
      familyAnchors: [],
    });
    expect(view).toMatchObject({
      id: referral.referralId,
      status: 'submitted',
      version: 1,
      child: submitted.data.child,
    });
    expect(view).not.toHaveProperty('warnings');
  });

  it('withholds every personal field from ops', () => {
    const view = presentReferral(referral, 'ops');
    expect(view.child).toEqual(WITHHELD);
    expect(view.childViews).toEqual(WITHHELD);
    expect(view.requirements.avoidAreas).toEqual(WITHHELD);
    expect(view.requirements.familyAnchors).toEqual(WITHHELD);
    expect(view.needs).toEqual(submitted.data.needs);
  });

  it('shows erased markers once the child’s data is gone', () => {
    const erased = { ...referral, child: ERASED, childViews: ERASED, locations: ERASED };
    const view = presentReferral(erased, 'owner');
    expect(view.child).toEqual(ERASED);
    expect(view.childViews).toEqual(ERASED);
    expect(view.requirements.avoidAreas).toEqual(ERASED);
    expect(view.requirements.familyAnchors).toEqual(ERASED);
  });

  it('never passes ciphertext through, even to the owner', () => {
    const sealed = { $personal: 'v1', sub: 'child:E09000014:HAR0001234', iv: 'a', ct: 'b', tag: 'c' };
    const view = presentReferral(
      { ...referral, child: sealed as never, locations: sealed as never },
      'owner',
    );
    expect(view.child).toEqual(WITHHELD);
    expect(view.requirements.avoidAreas).toEqual(WITHHELD);
    expect(view.childViews).toBe('Wants to stay near her sister.');
  });
});
