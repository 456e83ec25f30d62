import {
  codeList,
  homeProfile,
  isValidCode,
  localAuthorities,
  localAuthorityRecord,
  referralSubmitted,
  regionOf,
  urn,
} from '@placements/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_AS_OF, FEE_CEILING, FEE_FLOOR, generateHomes } from './homes.ts';
import { postcodeDistricts } from './postcode-districts.ts';
import { allocate, SeededRandom } from './random.ts';
import { generateReferrals, toReferralSubmitted } from './referrals.ts';

const national = generateHomes({ count: 2500, seed: 'national' });

function share<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  return items.filter(predicate).length / items.length;
}

function milesBetween(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 3958.8 * Math.asin(Math.sqrt(h));
}

afterEach(() => vi.restoreAllMocks());

describe('seeded random numbers', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('allocates exact quotas by largest remainder', () => {
    const labels = allocate(new SeededRandom(1), 10, [
      ['a', 0.25],
      ['b', 0.75],
    ]);
    expect(labels.filter((l) => l === 'a')).toHaveLength(3);
    expect(labels.filter((l) => l === 'b')).toHaveLength(7);
  });
});

describe('generateHomes', () => {
  it('is deterministic for a seed, differs between seeds, and never calls Math.random', () => {
    const spy = vi.spyOn(Math, 'random');
    const first = generateHomes({ count: 300, seed: 42 });
    const again = generateHomes({ count: 300, seed: 42 });
    const other = generateHomes({ count: 300, seed: 43 });
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(spy).not.toHaveBeenCalled();
  });

  it('produces profiles the contract accepts, with unique valid URNs', () => {
    const urns = new Set<string>();
    for (const home of national) {
      expect(homeProfile.safeParse(home.profile).success).toBe(true);
      expect(urn.safeParse(home.urn).success).toBe(true);
      urns.add(home.urn);
      expect(home.profile.ageRange.min).toBeLessThanOrEqual(home.profile.ageRange.max);
    }
    expect(urns.size).toBe(national.length);
  });

  it('puts about a quarter of homes in the North West and covers every region', () => {
    const northWest = share(national, (h) => regionOf(h.profile.la)?.code === 'E12000002');
    expect(northWest).toBeGreaterThanOrEqual(0.24);
    expect(northWest).toBeLessThanOrEqual(0.26);
    const regionsSeen = new Set(national.map((h) => regionOf(h.profile.la)?.code));
    expect(regionsSeen.size).toBe(9);
  });

  it('makes about 74% of homes independent (PR4)', () => {
    const independent = share(national, (h) => h.profile.sector === 'PR4');
    expect(independent).toBeGreaterThanOrEqual(0.73);
    expect(independent).toBeLessThanOrEqual(0.75);
    // Council homes are run by the council of the area they are in.
    for (const home of national.filter((h) => h.profile.sector === 'PR1')) {
      expect(home.profile.providerId).toBe(home.profile.la);
      expect(home.profile.contractRoute).toBe('in-house');
    }
  });

  it('has typically 4–6 places and 100+ single-placement homes per 2,500', () => {
    expect(
      share(national, (h) => h.profile.registeredPlaces >= 4 && h.profile.registeredPlaces <= 6),
    ).toBeGreaterThan(0.55);
    const single = national.filter((h) => h.profile.singlePlacement);
    expect(single.length).toBeGreaterThanOrEqual(100);
    expect(single.every((h) => h.profile.registeredPlaces === 1)).toBe(true);
  });

  it('keeps fees within £1,800–£6,000 and charges more for high-intensity homes', () => {
    const fees = national.map((h) => h.profile.weeklyFee);
    expect(Math.min(...fees)).toBeGreaterThanOrEqual(FEE_FLOOR);
    expect(Math.max(...fees)).toBeLessThanOrEqual(FEE_CEILING);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const highShare = (h: (typeof national)[number]) =>
      h.profile.needsMet.filter((n) => n.maxIntensity === 'high').length / h.profile.needsMet.length;
    const intensive = national.filter((h) => highShare(h) >= 0.5).map((h) => h.profile.weeklyFee);
    const lighter = national.filter((h) => highShare(h) < 0.25).map((h) => h.profile.weeklyFee);
    expect(mean(intensive)).toBeGreaterThan(mean(lighter) + 500);
  });

  it('has a realistic Ofsted mix with inspections in the past', () => {
    const judgement = (j: string | null) => share(national, (h) => (h.inspection?.judgement ?? null) === j);
    expect(judgement('good')).toBeGreaterThan(0.55);
    expect(judgement('outstanding')).toBeGreaterThan(0.15);
    expect(judgement('requires-improvement')).toBeGreaterThan(0.1);
    expect(judgement('inadequate')).toBeGreaterThan(0.01);
    expect(judgement('inadequate')).toBeLessThan(0.06);
    for (const home of national) if (home.inspection) expect(home.inspection.date < DEFAULT_AS_OF).toBe(true);
  });

  it('lists Statement-of-Purpose needs, including specialist (high) ones and every domain somewhere', () => {
    const domains = new Set(national.flatMap((h) => h.profile.needsMet.map((n) => n.domain)));
    expect(domains.size).toBe(15);
    for (const home of national) {
      expect(home.profile.needsMet.length).toBeGreaterThan(3);
      expect(new Set(home.profile.needsMet.map((n) => n.domain)).size).toBe(home.profile.needsMet.length);
    }
    expect(share(national, (h) => h.profile.needsMet.some((n) => n.maxIntensity === 'high'))).toBeGreaterThan(
      0.5,
    );
  });

  it('uses every contract route, block beds being the minority', () => {
    const routes = new Set(national.map((h) => h.profile.contractRoute));
    expect([...routes].sort()).toEqual(['block', 'framework', 'in-house', 'spot']);
    expect(share(national, (h) => h.profile.contractRoute === 'block')).toBeLessThan(0.2);
  });

  it('gives each home a postcode of its authority and coordinates near its centroid', () => {
    for (const home of national) {
      const [outward] = home.profile.postcode.split(' ');
      expect(postcodeDistricts[home.profile.la]).toContain(outward);
      expect(home.profile.postcode).toMatch(/^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}$/);
      const la = localAuthorityRecord(home.profile.la)!;
      expect(milesBetween(la.centroid, home.profile.location)).toBeLessThanOrEqual(14.01);
    }
  });

  it('has postcode districts for every authority in force', () => {
    for (const la of localAuthorities(DEFAULT_AS_OF))
      expect(postcodeDistricts[la.code]?.length).toBeGreaterThan(0);
  });
});

describe('generateReferrals', () => {
  it('is deterministic and produces bodies that become valid ReferralSubmitted events', () => {
    const spy = vi.spyOn(Math, 'random');
    const referrals = generateReferrals({ count: 200, seed: 'refs' });
    expect(generateReferrals({ count: 200, seed: 'refs' })).toEqual(referrals);
    expect(spy).not.toHaveBeenCalled();
    const refs = new Set<string>();
    for (const [i, referral] of referrals.entries()) {
      const event = toReferralSubmitted(referral, {
        referralId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        submittedAt: '2026-04-01T09:00:00Z',
      });
      const parsed = referralSubmitted.safeParse(event);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      const { child, requirements } = referral.body;
      expect(isValidCode('2026-27', 'ethnicity', child.ethnicity)).toBe(true);
      expect(isValidCode('2026-27', 'legalStatus', child.legalStatus)).toBe(true);
      expect(isValidCode('2026-27', 'categoryOfNeed', child.categoryOfNeed)).toBe(true);
      expect(referral.body.childRef).toMatch(/^[A-Za-z0-9]{1,10}$/);
      expect(referral.body.childViews.length).toBeGreaterThan(0);
      expect(requirements.urgency === 'planned' ? requirements.requiredBy : undefined).toEqual(
        requirements.urgency === 'planned' ? expect.any(String) : undefined,
      );
      refs.add(`${referral.placingLa}/${referral.body.childRef}`);
    }
    expect(refs.size).toBe(referrals.length);
    expect(codeList('2026-27', 'ethnicity').length).toBeGreaterThan(5);
  });

  it('places the child in the placing authority and honours a fixed placing LA', () => {
    const referrals = generateReferrals({ count: 50, seed: 1, placingLa: 'E09000014' });
    for (const referral of referrals) {
      expect(referral.placingLa).toBe('E09000014');
      expect(postcodeDistricts.E09000014).toContain(referral.body.child.homePostcode.split(' ')[0]);
      const centroid = localAuthorityRecord('E09000014')!.centroid;
      expect(milesBetween(centroid, referral.body.child.homeLocation)).toBeLessThan(2.6);
    }
  });

  it('gives children aged 8–17 with at least one need', () => {
    for (const { body } of generateReferrals({ count: 300, seed: 2 })) {
      const age = (Date.parse(DEFAULT_AS_OF) - Date.parse(body.child.dateOfBirth)) / (365.25 * 86_400_000);
      expect(age).toBeGreaterThanOrEqual(8);
      expect(age).toBeLessThan(18);
      expect(body.needs.length).toBeGreaterThan(0);
    }
  });

  it('refuses an unknown placing authority', () => {
    expect(() => generateReferrals({ count: 1, seed: 1, placingLa: 'E09999999' })).toThrow(
      /not a local authority/,
    );
  });
});
