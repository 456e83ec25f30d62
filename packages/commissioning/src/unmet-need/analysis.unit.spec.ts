// Why placements went further away, and the "local as possible, specialist as necessary" indicator.
import { describe, expect, it } from 'vitest';
import type { Area } from '../access/areas.ts';
import type { PlacementRow, ShortlistRow } from '../read-models/load.ts';
import {
  analyseLocalSpecialist,
  analyseUnmetNeed,
  bindingReasonOf,
  distantReasonOf,
  isLocal,
} from './analysis.ts';

const LA = 'E09000014';
const area: Area = { level: 'la', code: LA, name: 'Haringey', las: [LA] };

function placement(id: string, overrides: Partial<PlacementRow> = {}): PlacementRow {
  return {
    placementId: id,
    referralId: `ref-${id}`,
    offerId: null,
    placingLa: LA,
    childRef: `C${id}`,
    homeUrn: 'SC000001',
    providerId: 'P1',
    hostLa: 'E08000003',
    outOfArea: true,
    atDistance: true,
    distanceMiles: 40,
    over20Miles: true,
    emergency: false,
    startDate: '2026-03-01',
    endDate: null,
    plannedStart: '2026-03-01',
    reasonEnded: null,
    previousPlacementId: null,
    placeChangeReason: null,
    weeklyFee: 5000,
    status: 'active',
    ...overrides,
  };
}

function shortlist(
  nearestExcluded: ShortlistRow['nearestExcluded'],
  overrides: Partial<ShortlistRow> = {},
): ShortlistRow {
  return {
    referralId: 'x',
    candidateCount: 3,
    inAreaCandidates: 0,
    nearestCandidateMiles: 40,
    exclusionCounts: {},
    nearestExcluded,
    ...overrides,
  };
}

describe('why nothing nearer', () => {
  it('blames capacity when a nearer home that could meet the need had no room', () => {
    const list = shortlist([
      { rules: ['need-exceeds-statement-of-purpose'], distanceMiles: 2 },
      { rules: ['no-free-place'], distanceMiles: 5 },
    ]);
    expect(distantReasonOf(placement('1'), list)).toBe('capacity');
  });

  it('calls it specialist when every nearer home lacked the capability', () => {
    const list = shortlist([
      { rules: ['need-exceeds-statement-of-purpose', 'no-free-place'], distanceMiles: 2 },
      { rules: ['age-outside-registration'], distanceMiles: 5 },
      { rules: ['no-free-place'], distanceMiles: 60 }, // further than the placement: irrelevant
    ]);
    expect(distantReasonOf(placement('1'), list)).toBe('capability');
  });

  it('tells the child’s safety, a nearer candidate not chosen, no nearer home and no shortlist apart', () => {
    expect(
      distantReasonOf(placement('1'), shortlist([{ rules: ['inside-avoid-area'], distanceMiles: 3 }])),
    ).toBe('safety');
    expect(distantReasonOf(placement('1'), shortlist([], { nearestCandidateMiles: 12 }))).toBe(
      'nearerCandidateNotChosen',
    );
    expect(distantReasonOf(placement('1'), shortlist([], { nearestCandidateMiles: 40 }))).toBe(
      'noNearerHome',
    );
    expect(distantReasonOf(placement('1'), undefined)).toBe('noShortlist');
  });

  it('names the rule that excluded most homes for a referral with no candidate', () => {
    expect(
      bindingReasonOf({
        'no-free-place': 40,
        'need-exceeds-statement-of-purpose': 900,
        'beyond-max-distance': 300,
      }),
    ).toBe('capability');
    expect(bindingReasonOf({ 'beyond-max-distance': 1200, 'no-free-place': 10 })).toBe('distance');
  });

  it('counts placements in the LA or within 20 miles as local', () => {
    expect(isLocal(placement('1', { outOfArea: false, distanceMiles: 25 }))).toBe(true);
    expect(isLocal(placement('1', { distanceMiles: 19.9 }))).toBe(true);
    expect(isLocal(placement('1', { distanceMiles: 20.1 }))).toBe(false);
  });
});

describe('unmet need and the local/specialist indicator', () => {
  const needs = new Map([
    ['ref-1', { needs: [{ domain: 'self-harm' as const, intensity: 'high' as const }] }],
    ['ref-2', { needs: [{ domain: 'self-harm' as const, intensity: 'high' as const }] }],
    ['ref-3', { needs: [{ domain: 'self-harm' as const, intensity: 'high' as const }] }],
  ]);
  const placements = [
    placement('1', { outOfArea: false, atDistance: false, distanceMiles: 4 }),
    placement('2'),
    placement('3'),
  ];
  const shortlists = new Map([
    ['ref-2', shortlist([{ rules: ['need-exceeds-statement-of-purpose'], distanceMiles: 3 }])],
    ['ref-3', shortlist([{ rules: ['no-free-place'], distanceMiles: 3 }])],
  ]);

  it('reads each need’s placements as local, further for the specialism, or further for want of room', () => {
    const rows = analyseLocalSpecialist({
      areas: [area],
      placements,
      needsByReferral: needs,
      shortlists,
      disclosure: 'exact',
    });
    const selfHarm = rows.find((r) => r.need.domain === 'self-harm' && r.need.intensity === 'high')!;
    expect(selfHarm).toMatchObject({
      placements: { value: 3 },
      local: { value: 1 },
      distantSpecialist: { value: 1 },
      distantCapacity: { value: 1 },
      distantOther: { value: 0 },
      localAsPossibleSpecialistAsNecessary: 0.667,
      capacityDrivenShare: 0.333,
      medianDistanceMiles: 40,
    });
  });

  it('counts referrals with no candidate and out-of-area placements by reason', () => {
    const referrals = ['1', '2', '3', '4'].map((id) => ({
      referralId: `ref-${id}`,
      placingLa: LA,
      childRef: `C${id}`,
      ageBand: '13-15' as const,
      sex: 'F',
      urgency: 'planned' as const,
      needs: [],
      needProfile: 'other' as const,
      needBand: 'low' as const,
      submittedOn: '2026-02-01',
      status: 'submitted',
    }));
    const withNone = new Map([
      ...shortlists,
      ['ref-4', shortlist([], { candidateCount: 0, exclusionCounts: { 'no-free-place': 12 } })],
    ]);
    const [row] = analyseUnmetNeed({
      areas: [area],
      referrals,
      placements,
      shortlists: withNone,
      disclosure: 'exact',
    });
    expect(row).toMatchObject({
      referrals: { value: 4 },
      shortlisted: { value: 3 },
      noCandidate: { value: 1 },
      noCandidateReasons: { capacity: { value: 1 }, capability: { value: 0 } },
      outOfArea: { value: 2 },
      outOfAreaReasons: { capability: { value: 1 }, capacity: { value: 1 } },
    });
    const [shared] = analyseUnmetNeed({
      areas: [area],
      referrals,
      placements,
      shortlists: withNone,
      disclosure: 'protected',
    });
    expect(shared!.noCandidate).toEqual({ value: null, suppressed: true });
    expect(shared!.noCandidateShare).toBeNull();
  });
});
