import { describe, expect, it } from 'vitest';
import { isOver20Miles, milesBetween, requiredApprovalFor, toTenths } from '../geography.ts';
import {
  ENFIELD,
  HARINGEY,
  HARINGEY_CHILD_HOME,
  haringeyProfile,
  homeProfile,
  matchingHome,
  matchingReferral,
  TODAY,
} from '../test-support/fixtures.ts';
import { defaultMatchingPolicy, type MatchingPolicy } from './policy.ts';
import { ageOn, type HomeForMatching, type ReferralForMatching, rankHomes } from './ranking.ts';

function rank(
  homes: HomeForMatching[],
  referral: ReferralForMatching = matchingReferral(),
  policy = defaultMatchingPolicy,
) {
  return rankHomes(referral, homes, policy, TODAY);
}
function rulesOf(home: HomeForMatching, referral?: ReferralForMatching): string[] {
  return rank([home], referral).excluded[0]?.rules ?? [];
}

describe('hard exclusions (each with its rule)', () => {
  it('Given an eligible home, Then it is a candidate with no exclusion', () => {
    const result = rank([matchingHome('SC000001')]);
    expect(result.candidates.map((c) => c.urn)).toEqual(['SC000001']);
    expect(result.excluded).toEqual([]);
  });

  it.each([
    ['suspended', 'not-registered'],
    ['cancelled', 'not-registered'],
  ] as const)('Given a %s registration, Then %s', (status, rule) => {
    expect(
      rulesOf(matchingHome('SC000001', { registration: { status, admissionsRestricted: false } })),
    ).toEqual([rule]);
  });

  it('Given Ofsted restricted admissions, Then admissions-restricted', () => {
    const home = matchingHome('SC000001', {
      registration: { status: 'registered', admissionsRestricted: true },
    });
    expect(rulesOf(home)).toEqual(['admissions-restricted']);
  });

  it('Given the provider closed admissions, Then admissions-closed', () => {
    expect(
      rulesOf(matchingHome('SC000001', { profile: haringeyProfile({ admissionsOpen: false }) })),
    ).toEqual(['admissions-closed']);
  });

  it('Given every place occupied or reserved, Then no-free-place', () => {
    const home = matchingHome('SC000001', {
      profile: haringeyProfile({ registeredPlaces: 2 }),
      occupiedPlaces: 1,
      reservedPlaces: 1,
    });
    expect(rulesOf(home)).toEqual(['no-free-place']);
  });

  it('Given a child younger or older than the registered ages, Then age-outside-registration', () => {
    expect(
      rulesOf(matchingHome('SC000001', { profile: haringeyProfile({ ageRange: { min: 15, max: 17 } }) })),
    ).toEqual(['age-outside-registration']);
    expect(
      rulesOf(matchingHome('SC000001', { profile: haringeyProfile({ ageRange: { min: 8, max: 13 } }) })),
    ).toEqual(['age-outside-registration']);
  });

  it('judges age on the required-by date when it is later than today', () => {
    // 14 today, 15 on 2026-10-01.
    const referral = matchingReferral({
      requirements: {
        placementType: 'K2',
        urgency: 'planned',
        requiredBy: '2026-10-01',
        livingArrangement: 'no-preference',
      },
    });
    expect(
      rulesOf(
        matchingHome('SC000001', { profile: haringeyProfile({ ageRange: { min: 8, max: 14 } }) }),
        referral,
      ),
    ).toEqual(['age-outside-registration']);
    expect(ageOn('2011-09-14', '2026-09-13')).toBe(14);
    expect(ageOn('2011-09-14', '2026-09-14')).toBe(15);
  });

  it('Given a home for boys only and a girl, Then sex-outside-registration; a child recorded U fits a mixed home', () => {
    expect(rulesOf(matchingHome('SC000001', { profile: haringeyProfile({ sexes: ['M'] }) }))).toEqual([
      'sex-outside-registration',
    ]);
    const unknownSex = matchingReferral({
      child: { dateOfBirth: '2011-09-14', sex: 'U', homeLocation: HARINGEY_CHILD_HOME },
    });
    expect(rulesOf(matchingHome('SC000001'), unknownSex)).toEqual([]);
    expect(
      rulesOf(matchingHome('SC000001', { profile: haringeyProfile({ sexes: ['F'] }) }), unknownSex),
    ).toEqual(['sex-outside-registration']);
  });

  it('Given a need above what the Statement of Purpose meets, or a domain it omits, Then need-exceeds-statement-of-purpose', () => {
    const lower = matchingHome('SC000001', {
      profile: haringeyProfile({ needsMet: [{ domain: 'self-harm', maxIntensity: 'medium' }] }),
    });
    expect(rulesOf(lower)).toEqual(['need-exceeds-statement-of-purpose']);
    const omitted = matchingHome('SC000001', {
      profile: haringeyProfile({ needsMet: [{ domain: 'autism', maxIntensity: 'high' }] }),
    });
    expect(rulesOf(omitted)).toEqual(['need-exceeds-statement-of-purpose']);
  });

  it('Given a home inside an area the child must avoid, Then inside-avoid-area', () => {
    const referral = matchingReferral({
      locations: { avoidAreas: [{ lat: 51.59, lon: -0.1, radiusMiles: 0.5 }], familyAnchors: [] },
    });
    expect(rulesOf(matchingHome('SC000001'), referral)).toEqual(['inside-avoid-area']);
  });

  it('Given a home beyond the referral’s maximum distance, Then beyond-max-distance (a hard rule)', () => {
    const referral = matchingReferral({
      requirements: {
        placementType: 'K2',
        urgency: 'planned',
        livingArrangement: 'no-preference',
        maxDistanceMiles: 20,
      },
    });
    expect(rulesOf(matchingHome('SC000001', { profile: homeProfile() }), referral)).toEqual([
      'beyond-max-distance',
    ]);
  });

  it('lists every rule a home breaks, counts them by rule, and lists excluded homes nearest first', () => {
    const far = matchingHome('SC000009', {
      profile: homeProfile({ sexes: ['M'], admissionsOpen: false }),
    });
    const near = matchingHome('SC000002', { profile: haringeyProfile({ sexes: ['M'] }) });
    const result = rank([far, near]);
    expect(result.excluded.map((e) => e.urn)).toEqual(['SC000002', 'SC000009']);
    expect(result.excluded[1]?.rules).toEqual(['admissions-closed', 'sex-outside-registration']);
    expect(result.exclusionCounts).toEqual({ 'sex-outside-registration': 2, 'admissions-closed': 1 });
    expect(result.excluded[0]?.distanceMiles).toBe(
      toTenths(milesBetween(HARINGEY_CHILD_HOME, near.profile.location)),
    );
  });

  it('orders excluded homes nearest first, then by URN, in a registry too large to pack sort keys', () => {
    // 70,000 homes on a grid, several at each distance, listed out of URN order.
    const homes = Array.from({ length: 70_000 }, (_, i) =>
      matchingHome(`SC${String(69_999 - i).padStart(6, '0')}`, {
        profile: haringeyProfile({
          admissionsOpen: false,
          location: { lat: 51.59 + (i % 50) * 0.01, lon: -0.1 },
        }),
      }),
    );
    const result = rank(homes);
    expect(result.exclusions.length).toBe(homes.length);
    const expected = homes
      .map((home) => ({ urn: home.urn, miles: milesBetween(HARINGEY_CHILD_HOME, home.profile.location) }))
      .sort((a, b) => Math.round(a.miles * 1e5) - Math.round(b.miles * 1e5) || (a.urn < b.urn ? -1 : 1));
    expect(result.excluded.map((e) => e.urn)).toEqual(expected.map((e) => e.urn));
  });
});

describe('gates and required approval (CPPCR reg 11)', () => {
  it('Given a home in the placing LA, Then no approval and no gate', () => {
    const [candidate] = rank([matchingHome('SC000001')]).candidates;
    expect(candidate).toMatchObject({
      outOfArea: false,
      atDistance: false,
      requiredApproval: null,
      gates: [],
    });
  });

  it('Given a home in an adjoining LA, Then out of area, not at a distance: nominated officer', () => {
    const home = matchingHome('SC000001', {
      profile: haringeyProfile({ la: ENFIELD, location: { lat: 51.65, lon: -0.08 } }),
    });
    const [candidate] = rank([home]).candidates;
    expect(candidate).toMatchObject({
      outOfArea: true,
      atDistance: false,
      requiredApproval: 'nominated-officer',
      gates: ['out-of-area'],
    });
    expect(candidate?.reasons.find((r) => r.factor === 'approval')?.detail).toMatch(
      /adjoining Haringey.*nominated officer/,
    );
  });

  it('Given a home in a non-adjoining LA, Then at a distance: DCS', () => {
    const [candidate] = rank([matchingHome('SC000001', { profile: homeProfile() })]).candidates;
    expect(candidate).toMatchObject({
      outOfArea: true,
      atDistance: true,
      requiredApproval: 'dcs',
      over20Miles: true,
      gates: ['out-of-area', 'at-a-distance'],
    });
  });

  it('Given an in-area home judged Inadequate, Then it is gated and needs the DCS', () => {
    const home = matchingHome('SC000001', { ofsted: { judgement: 'inadequate', date: '2026-01-10' } });
    const [candidate] = rank([home]).candidates;
    expect(candidate).toMatchObject({
      requiredApproval: 'dcs',
      gates: ['inadequate-judgement'],
      ofstedJudgement: 'inadequate',
    });
  });

  it('Given an emergency referral, Then every candidate carries the emergency gate', () => {
    const referral = matchingReferral({
      requirements: { placementType: 'K2', urgency: 'emergency', livingArrangement: 'no-preference' },
    });
    expect(rank([matchingHome('SC000001')], referral).candidates[0]?.gates).toEqual(['emergency']);
  });

  it('computes the approval level from locality and judgement', () => {
    expect(requiredApprovalFor({ outOfArea: false, atDistance: false }, 'good')).toBeNull();
    expect(requiredApprovalFor({ outOfArea: true, atDistance: false }, 'outstanding')).toBe(
      'nominated-officer',
    );
    expect(requiredApprovalFor({ outOfArea: true, atDistance: true }, null)).toBe('dcs');
    expect(requiredApprovalFor({ outOfArea: true, atDistance: false }, 'inadequate')).toBe('dcs');
  });

  it('treats a placing LA code not in force as having no neighbours (the cautious reading)', () => {
    const referral = matchingReferral({ placingLa: 'E10000002' });
    const home = matchingHome('SC000001', { profile: haringeyProfile({ la: ENFIELD }) });
    expect(rank([home], referral).candidates[0]).toMatchObject({ atDistance: true, requiredApproval: 'dcs' });
  });
});

describe('distance', () => {
  it('is haversine miles to one decimal, with the 20-mile flag', () => {
    // Charing Cross to Manchester Piccadilly is about 163 miles as the crow flies.
    const miles = milesBetween({ lat: 51.5074, lon: -0.1278 }, { lat: 53.4808, lon: -2.2426 });
    expect(miles).toBeGreaterThan(161);
    expect(miles).toBeLessThan(165);
    expect(toTenths(milesBetween(HARINGEY_CHILD_HOME, { lat: 53.409, lon: -2.149 }))).toBe(152.6);
    expect(toTenths(12.449)).toBe(12.4);
    expect(isOver20Miles(20)).toBe(false);
    expect(isOver20Miles(20.1)).toBe(true);
  });
});

describe('scores and reasons', () => {
  it('gives every candidate a reason for each factor, including approval', () => {
    const [candidate] = rank([matchingHome('SC000001')]).candidates;
    expect(candidate?.reasons.map((r) => r.factor)).toEqual([
      'needs',
      'distance',
      'family-anchors',
      'ofsted',
      'fee',
      'group-fit',
      'contract-route',
      'approval',
    ]);
    expect(candidate?.reasons[0]?.detail).toMatch(/meets all 1 needs: self-harm high \(home up to high\)/);
    expect(candidate?.reasons.find((r) => r.factor === 'ofsted')?.detail).toContain('Good (2025-06-01)');
  });

  it('ranks nearer first all else being equal, and breaks exact ties by URN', () => {
    const near = matchingHome('SC000005');
    const far = matchingHome('SC000001', {
      profile: haringeyProfile({ location: { lat: 51.62, lon: -0.13 } }),
    });
    const twin = matchingHome('SC000003');
    const { candidates } = rank([far, near, twin]);
    expect(candidates.map((c) => c.urn)).toEqual(['SC000003', 'SC000005', 'SC000001']);
    expect(candidates.map((c) => c.rank)).toEqual([1, 2, 3]);
  });

  it('is deterministic: the same inputs give the same shortlist whatever the input order', () => {
    const homes = ['SC000004', 'SC000001', 'SC000003', 'SC000002'].map((urn, i) =>
      matchingHome(urn, { profile: haringeyProfile({ weeklyFee: 4000 + (i % 2) * 800 }) }),
    );
    expect(rank(homes)).toEqual(rank([...homes].reverse()));
  });

  it('prefers the home near the family anchor', () => {
    const referral = matchingReferral({
      locations: { avoidAreas: [], familyAnchors: [{ lat: 51.55, lon: -0.2, label: 'grandmother' }] },
    });
    const towardsAnchor = matchingHome('SC000002', {
      profile: haringeyProfile({ location: { lat: 51.57, lon: -0.125 } }),
    });
    const awayFromAnchor = matchingHome('SC000001', {
      profile: haringeyProfile({ location: { lat: 51.615, lon: -0.02 } }),
    });
    const { candidates } = rank([awayFromAnchor, towardsAnchor], referral);
    expect(candidates[0]?.urn).toBe('SC000002');
    // The anchor's label is personal and never appears in a reason.
    expect(JSON.stringify(candidates)).not.toContain('grandmother');
  });

  it('puts block beds (already paid for) first among equals', () => {
    const block = matchingHome('SC000009', { profile: haringeyProfile({ contractRoute: 'block' }) });
    const spot = matchingHome('SC000001', { profile: haringeyProfile({ contractRoute: 'spot' }) });
    expect(rank([spot, block]).candidates[0]?.urn).toBe('SC000009');
  });

  it('prefers Outstanding to Good, and an improving home to a declining one', () => {
    const outstanding = matchingHome('SC000009', {
      ofsted: { judgement: 'outstanding', date: '2025-01-01' },
    });
    const good = matchingHome('SC000001');
    expect(rank([good, outstanding]).candidates[0]?.urn).toBe('SC000009');
    const improving = matchingHome('SC000008', { previousJudgement: 'requires-improvement' });
    const declining = matchingHome('SC000002', { previousJudgement: 'outstanding' });
    const { candidates } = rank([declining, improving]);
    expect(candidates[0]?.urn).toBe('SC000008');
    expect(candidates[0]?.reasons.find((r) => r.factor === 'ofsted')?.detail).toContain('improved from');
  });

  it('prefers a single-placement home for a child who wants to live alone', () => {
    const referral = matchingReferral({
      requirements: { placementType: 'K2', urgency: 'planned', livingArrangement: 'solo' },
    });
    const single = matchingHome('SC000009', {
      profile: haringeyProfile({ registeredPlaces: 1, singlePlacement: true }),
      occupiedPlaces: 0,
    });
    const shared = matchingHome('SC000001', {
      profile: haringeyProfile({ registeredPlaces: 5 }),
      occupiedPlaces: 3,
    });
    expect(rank([shared, single], referral).candidates[0]?.urn).toBe('SC000009');
  });

  it('prefers a fee within the guide for the need band', () => {
    const cheaper = matchingHome('SC000009', { profile: haringeyProfile({ weeklyFee: 4800 }) });
    const dearer = matchingHome('SC000001', { profile: haringeyProfile({ weeklyFee: 7500 }) });
    const { candidates } = rank([dearer, cheaper]);
    expect(candidates[0]?.urn).toBe('SC000009');
    expect(candidates[1]?.reasons.find((r) => r.factor === 'fee')?.detail).toMatch(
      /£7,500 a week against a guide of £5,500/,
    );
  });

  it('ranks an in-area home above an otherwise equal out-of-area one (penalty for the gate)', () => {
    const inArea = matchingHome('SC000009');
    const adjoining = matchingHome('SC000001', { profile: haringeyProfile({ la: ENFIELD }) });
    expect(rank([adjoining, inArea]).candidates[0]?.urn).toBe('SC000009');
  });

  it('follows the configured weights', () => {
    // Near but Requires improvement vs far but Outstanding: distance decides by default, Ofsted when weighted so.
    const near = matchingHome('SC000001', {
      ofsted: { judgement: 'requires-improvement', date: '2025-01-01' },
    });
    const far = matchingHome('SC000009', {
      profile: haringeyProfile({ location: { lat: 51.66, lon: -0.25 } }),
      ofsted: { judgement: 'outstanding', date: '2025-01-01' },
    });
    expect(rank([near, far]).candidates[0]?.urn).toBe('SC000009');
    const distanceFirst: MatchingPolicy = {
      ...defaultMatchingPolicy,
      weights: { ...defaultMatchingPolicy.weights, distance: 0.9, ofsted: 0.01 },
      distanceHorizonMiles: 15,
    };
    expect(rank([near, far], matchingReferral(), distanceFirst).candidates[0]?.urn).toBe('SC000001');
  });

  it('places the child in their own authority with no justification needed (sanity of the fixtures)', () => {
    expect(matchingReferral().placingLa).toBe(HARINGEY);
  });
});
