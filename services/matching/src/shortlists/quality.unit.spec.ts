// Shortlist quality on a realistic national registry: ~300 generated homes plus a dozen referrals
// whose right answers are known, checked rule by rule and against hand-placed homes.
import { areAdjacent, type HomeProfile } from '@placements/contracts';
import { describe, expect, it } from 'vitest';
import { milesBetween, toTenths } from '../geography.ts';
import { matchingReferral, TODAY } from '../test-support/fixtures.ts';
import { nationalHomes } from '../test-support/national-homes.ts';
import { defaultMatchingPolicy } from './policy.ts';
import { ageOn, type HomeForMatching, type ReferralForMatching, rankHomes } from './ranking.ts';

const homes = nationalHomes(300, 'matching-quality');

const MANCHESTER = 'E08000003';
const MANCHESTER_CHILD = { lat: 53.46, lon: -2.235 };
const BIRMINGHAM = 'E08000025';
const BIRMINGHAM_CHILD = { lat: 52.48, lon: -1.89 };

function referral(overrides: Partial<ReferralForMatching> = {}): ReferralForMatching {
  return matchingReferral({
    placingLa: MANCHESTER,
    childRef: 'MAN0000001',
    child: { dateOfBirth: '2011-09-14', sex: 'F', homeLocation: MANCHESTER_CHILD },
    needs: [{ domain: 'emotional-behavioural', intensity: 'medium', frequency: 'frequent' }],
    risks: {},
    ...overrides,
  });
}

function rank(ref: ReferralForMatching, registry: HomeForMatching[] = homes) {
  return rankHomes(ref, registry, defaultMatchingPolicy, TODAY);
}

function handMade(
  urn: string,
  profile: Partial<HomeProfile>,
  extra: Partial<HomeForMatching> = {},
): HomeForMatching {
  return {
    urn,
    profile: {
      name: 'Specialist House',
      providerId: 'P9999',
      providerName: 'Specialist Care Ltd',
      sector: 'PR4',
      la: MANCHESTER,
      postcode: 'M14 5AB',
      location: MANCHESTER_CHILD,
      registeredPlaces: 4,
      ageRange: { min: 8, max: 17 },
      sexes: ['M', 'F'],
      needsMet: [
        { domain: 'emotional-behavioural', maxIntensity: 'high' },
        { domain: 'education', maxIntensity: 'high' },
      ],
      weeklyFee: 4500,
      contractRoute: 'spot',
      admissionsOpen: true,
      ...profile,
    },
    registration: { status: 'registered', admissionsRestricted: false },
    ofsted: { judgement: 'good', date: '2025-06-01' },
    previousJudgement: null,
    occupiedPlaces: 0,
    reservedPlaces: 0,
    ...extra,
  };
}

/** A point `miles` due north of another. */
function north(point: { lat: number; lon: number }, miles: number) {
  return { lat: point.lat + miles / 69.05, lon: point.lon };
}

describe('shortlist quality on ~300 generated homes', () => {
  it('1. the only home meeting a high-intensity need, 50 miles away, ranks above every closer home that cannot meet it', () => {
    const need = [
      { domain: 'harmful-sexual-behaviour', intensity: 'high', frequency: 'constant' },
      { domain: 'physical-disability', intensity: 'high', frequency: 'constant' },
    ] as const;
    const meetsBoth = (h: HomeForMatching) =>
      need.every((n) => h.profile.needsMet.some((m) => m.domain === n.domain && m.maxIntensity === 'high'));
    expect(homes.filter(meetsBoth)).toEqual([]); // precondition of the fixture
    const specialist = handMade('SC999001', {
      location: north(MANCHESTER_CHILD, 50),
      la: 'E10000017',
      needsMet: need.map((n) => ({ domain: n.domain, maxIntensity: 'high' as const })),
    });
    const result = rank(referral({ needs: [...need] }), [...homes, specialist]);
    expect(result.candidates.map((c) => c.urn)).toEqual(['SC999001']);
    expect(result.candidates[0]?.distanceMiles).toBeCloseTo(50, 0);
    const closer = result.excluded.filter((e) => e.distanceMiles < 50);
    expect(closer.length).toBeGreaterThan(20);
    for (const e of closer) expect(e.rules).toContain('need-exceeds-statement-of-purpose');
  });

  it('2. an avoided area excludes the nearest home', () => {
    const before = rank(referral());
    const nearest = homes.find(
      (h) => h.urn === before.candidates.toSorted((a, b) => a.distanceMiles - b.distanceMiles)[0]?.urn,
    )!;
    const after = rank(
      referral({
        locations: { avoidAreas: [{ ...nearest.profile.location, radiusMiles: 0.2 }], familyAnchors: [] },
      }),
    );
    expect(after.candidates.map((c) => c.urn)).not.toContain(nearest.urn);
    expect(after.excluded.find((e) => e.urn === nearest.urn)?.rules).toContain('inside-avoid-area');
  });

  it('3. every candidate passes every hard rule and every exclusion rule is true of its home', () => {
    const ref = referral({
      needs: [
        { domain: 'missing', intensity: 'medium', frequency: 'frequent' },
        { domain: 'education', intensity: 'low', frequency: 'occasional' },
      ],
      requirements: {
        placementType: 'K2',
        urgency: 'planned',
        livingArrangement: 'no-preference',
        maxDistanceMiles: 80,
      },
    });
    const result = rank(ref);
    expect(result.candidates.length + result.excluded.length).toBe(homes.length);
    expect(result.candidates.length).toBeGreaterThan(3);
    const byUrn = new Map(homes.map((h) => [h.urn, h]));
    const age = ageOn(ref.child.dateOfBirth, TODAY);
    for (const c of result.candidates) {
      const h = byUrn.get(c.urn)!;
      expect(h.profile.registeredPlaces - h.occupiedPlaces).toBeGreaterThan(0);
      expect(h.profile.admissionsOpen).toBe(true);
      expect(age).toBeGreaterThanOrEqual(h.profile.ageRange.min);
      expect(age).toBeLessThanOrEqual(h.profile.ageRange.max);
      expect(h.profile.sexes).toContain('F');
      expect(c.distanceMiles).toBeLessThanOrEqual(80);
    }
    for (const e of result.excluded) {
      const h = byUrn.get(e.urn)!;
      expect(e.rules.length).toBeGreaterThan(0);
      if (e.rules.includes('no-free-place'))
        expect(h.occupiedPlaces).toBeGreaterThanOrEqual(h.profile.registeredPlaces);
      if (e.rules.includes('sex-outside-registration')) expect(h.profile.sexes).not.toContain('F');
      if (e.rules.includes('beyond-max-distance')) expect(e.distanceMiles).toBeGreaterThan(80);
      if (e.rules.includes('admissions-closed')) expect(h.profile.admissionsOpen).toBe(false);
    }
  });

  it('4. approval levels agree with the adjacency reference data for every candidate', () => {
    const result = rank(referral());
    for (const c of result.candidates) {
      const home = homes.find((h) => h.urn === c.urn)!;
      const outOfArea = home.profile.la !== MANCHESTER;
      const atDistance = outOfArea && !areAdjacent(MANCHESTER, home.profile.la, TODAY);
      expect({ outOfArea: c.outOfArea, atDistance: c.atDistance }).toEqual({ outOfArea, atDistance });
      const expected =
        atDistance || c.ofstedJudgement === 'inadequate' ? 'dcs' : outOfArea ? 'nominated-officer' : null;
      expect(c.requiredApproval).toBe(expected);
      expect(c.over20Miles).toBe(c.distanceMiles > 20);
      expect(c.distanceMiles).toBe(toTenths(milesBetween(MANCHESTER_CHILD, home.profile.location)));
    }
  });

  it('5. a maximum distance of 20 miles leaves only homes within 20 miles', () => {
    const result = rank(
      referral({
        requirements: {
          placementType: 'K2',
          urgency: 'planned',
          livingArrangement: 'no-preference',
          maxDistanceMiles: 20,
        },
      }),
    );
    expect(result.candidates.length).toBeGreaterThan(0);
    expect(result.candidates.every((c) => c.distanceMiles <= 20 && !c.over20Miles)).toBe(true);
    expect(result.exclusionCounts['beyond-max-distance']).toBeGreaterThan(200);
  });

  it('6. a boy is never offered a girls-only home and a 9-year-old never a home registered from 11', () => {
    const result = rank(
      referral({
        child: { dateOfBirth: '2016-09-01', sex: 'M', homeLocation: BIRMINGHAM_CHILD },
        placingLa: BIRMINGHAM,
      }),
    );
    for (const c of result.candidates) {
      const home = homes.find((h) => h.urn === c.urn)!;
      expect(home.profile.sexes).toContain('M');
      expect(home.profile.ageRange.min).toBeLessThanOrEqual(9);
    }
    expect(result.exclusionCounts['age-outside-registration']).toBeGreaterThan(0);
  });

  it('7. a child who wants to live alone gets a single-placement home first, ahead of a nearer shared home', () => {
    const ref = referral({
      placingLa: BIRMINGHAM,
      child: { dateOfBirth: '2011-09-14', sex: 'F', homeLocation: BIRMINGHAM_CHILD },
      requirements: { placementType: 'K2', urgency: 'planned', livingArrangement: 'solo' },
    });
    const single = handMade('SC999002', {
      la: BIRMINGHAM,
      location: north(BIRMINGHAM_CHILD, 6),
      registeredPlaces: 1,
      singlePlacement: true,
    });
    const shared = handMade(
      'SC999003',
      { la: BIRMINGHAM, location: north(BIRMINGHAM_CHILD, 1), registeredPlaces: 5 },
      { occupiedPlaces: 3 },
    );
    const registry = [...homes, single, shared];
    const result = rank(ref, registry);
    const top = registry.find((h) => h.urn === result.candidates[0]?.urn)!;
    expect(top.profile.registeredPlaces).toBe(1);
    expect(result.candidates.findIndex((c) => c.urn === 'SC999002')).toBeLessThan(
      result.candidates.findIndex((c) => c.urn === 'SC999003'),
    );
  });

  it('8. the nearest eligible home, once suspended or full, is excluded with the rule that says why', () => {
    const near = handMade('SC999004', { location: north(MANCHESTER_CHILD, 0.5) });
    const suspended = {
      ...near,
      registration: { status: 'suspended' as const, admissionsRestricted: false },
    };
    const full = { ...near, occupiedPlaces: 4 };
    expect(rank(referral(), [...homes, near]).candidates.map((c) => c.urn)).toContain('SC999004');
    expect(rank(referral(), [...homes, suspended]).excluded.find((e) => e.urn === 'SC999004')?.rules).toEqual(
      ['not-registered'],
    );
    expect(rank(referral(), [...homes, full]).excluded.find((e) => e.urn === 'SC999004')?.rules).toEqual([
      'no-free-place',
    ]);
  });

  it('9. a block bed ranks above an identical spot-purchase home next door', () => {
    const block = handMade('SC999006', { location: north(MANCHESTER_CHILD, 2), contractRoute: 'block' });
    const spot = handMade('SC999005', { location: north(MANCHESTER_CHILD, 2), contractRoute: 'spot' });
    const { candidates } = rank(referral(), [...homes, spot, block]);
    expect(candidates.findIndex((c) => c.urn === 'SC999006')).toBeLessThan(
      candidates.findIndex((c) => c.urn === 'SC999005'),
    );
  });

  it('10. an Inadequate home is gated for the DCS and ranks below an equivalent Good home', () => {
    const inadequate = handMade(
      'SC999007',
      { location: north(MANCHESTER_CHILD, 1) },
      { ofsted: { judgement: 'inadequate', date: '2026-02-01' } },
    );
    const good = handMade('SC999008', { location: north(MANCHESTER_CHILD, 1) });
    const { candidates } = rank(referral(), [...homes, inadequate, good]);
    const bad = candidates.find((c) => c.urn === 'SC999007')!;
    expect(bad.requiredApproval).toBe('dcs');
    expect(bad.gates).toContain('inadequate-judgement');
    expect(candidates.indexOf(bad)).toBeGreaterThan(candidates.findIndex((c) => c.urn === 'SC999008'));
  });

  it('11. an emergency referral marks every candidate with the emergency gate', () => {
    const result = rank(
      referral({
        requirements: { placementType: 'K2', urgency: 'emergency', livingArrangement: 'no-preference' },
      }),
    );
    expect(result.candidates.length).toBeGreaterThan(0);
    expect(result.candidates.every((c) => c.gates.includes('emergency'))).toBe(true);
  });

  it('12. is deterministic over the registry: same output twice and whatever the order homes are read in', () => {
    const ref = referral({
      requirements: { placementType: 'K2', urgency: 'planned', livingArrangement: 'with-others' },
    });
    const first = rank(ref);
    expect(rank(ref)).toEqual(first);
    expect(rank(ref, [...homes].reverse())).toEqual(first);
    expect(first.candidates.map((c) => c.rank)).toEqual(first.candidates.map((_, i) => i + 1));
    for (let i = 1; i < first.candidates.length; i++) {
      expect(first.candidates[i - 1]!.score).toBeGreaterThanOrEqual(first.candidates[i]!.score);
    }
  });
});
