// The synthetic national dataset with gaps planted in it, for the gap-analysis test: the registry
// and referrals of @placements/synthetic-data (2,500 homes, 3,000 referrals over a year), changed
// so that exactly these region-level gaps exist. Test code only.
import { localAuthorities, type NeedDomain } from '@placements/contracts';
import { type GeneratedHome, generateReferrals } from '@placements/synthetic-data';
import type { GapKind } from '../gaps/analysis.ts';
import { buildWorld, type World } from './world.ts';

export const NORTH_EAST = 'E12000001';
export const LONDON = 'E12000007';
export const EAST_OF_ENGLAND = 'E12000006';

export interface PlantedGap {
  region: string;
  domain: NeedDomain;
  intensity: 'high';
  gap: GapKind;
}

export const plantedGaps: readonly PlantedGap[] = [
  // No home in the North East meets high-intensity harmful sexual behaviour.
  { region: NORTH_EAST, domain: 'harmful-sexual-behaviour', intensity: 'high', gap: 'no-provision' },
  // No London home meets high-intensity physical disability.
  { region: LONDON, domain: 'physical-disability', intensity: 'high', gap: 'no-provision' },
  // East of England homes for high-intensity physical disability exist, but none is admitting.
  { region: EAST_OF_ENGLAND, domain: 'physical-disability', intensity: 'high', gap: 'no-available-place' },
  // London has one home for high-intensity offending (7 places) and more referrals than that.
  { region: LONDON, domain: 'offending', intensity: 'high', gap: 'shortfall' },
];

const regionOfLa = new Map(localAuthorities('2026-04-01').map((la) => [la.code, la.regionCode]));

function downgrade(homes: GeneratedHome[], region: string, domain: NeedDomain): void {
  for (const home of homes) {
    if (regionOfLa.get(home.profile.la) !== region) continue;
    for (const need of home.profile.needsMet)
      if (need.domain === domain && need.maxIntensity === 'high') need.maxIntensity = 'medium';
  }
}

export function plantedWorld(asOf: string): World {
  return buildWorld({
    seed: 'national',
    homes: 2500,
    referrals: 3000,
    asOf,
    months: 12,
    placementRate: 0,
    adjustHomes: (homes) => {
      downgrade(homes, NORTH_EAST, 'harmful-sexual-behaviour');
      downgrade(homes, LONDON, 'physical-disability');
      for (const home of homes) {
        const meetsPdHigh = home.profile.needsMet.some(
          (n) => n.domain === 'physical-disability' && n.maxIntensity === 'high',
        );
        if (regionOfLa.get(home.profile.la) === EAST_OF_ENGLAND && meetsPdHigh)
          home.profile.admissionsOpen = false;
      }
    },
    extraReferrals: (date) => {
      const planted = (placingLa: string, count: number, domain: NeedDomain, seed: string) =>
        generateReferrals({ count, seed, asOf: date, placingLa }).map((referral) => {
          referral.body.needs = [
            ...referral.body.needs.filter((need) => need.domain !== domain),
            { domain, intensity: 'high', frequency: 'frequent' },
          ];
          return referral;
        });
      return [
        ...planted('E06000047', 2, 'harmful-sexual-behaviour', 'planted-hsb'), // County Durham
        ...planted('E09000022', 2, 'physical-disability', 'planted-pd'), // Lambeth
        ...planted('E10000015', 2, 'physical-disability', 'planted-pd-east'), // Hertfordshire
        ...planted('E09000014', 4, 'offending', 'planted-offending'), // Haringey
      ];
    },
  });
}
