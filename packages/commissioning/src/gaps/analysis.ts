// Needs-led gap analysis: for each area and need cell (domain × intensity), the children referred
// with that need in the period (by urgency, age band and sex) against the homes whose Statement of
// Purpose covers it, their places and the places free today, and how many of those children had a
// home able to take them (every need, age band, sex, a free place) within each distance band of
// their placing LA. Pure: the caller loads homes and referrals.
//
// Gap kinds, where referrals were made for the need:
//   no-provision        no home in the area covers the need at that intensity;
//   no-available-place  homes cover it but none of them can admit today;
//   shortfall           fewer available places than referrals in the period.
// In protected views a row whose demand is suppressed is judged on supply alone (so a flag never
// reveals whether one child or none was referred).
import { type Intensity, intensities, type NeedDomain, needDomains } from '@placements/contracts';
import type { Area } from '../access/areas.ts';
import { type Count, count, type Disclosure, round } from '../access/disclosure.ts';
import { centreOf, milesBetween, regionCodeOf } from '../geography.ts';
import { needCells } from '../needs/profile.ts';
import { type AgeBand, ageBandSpan, ageBands, DISTANCE_BANDS_MILES, intensityRanks } from '../policy.ts';
import { availablePlaces, type HomeRow, type ReferralRow } from '../read-models/load.ts';

export const gapKinds = ['no-provision', 'no-available-place', 'shortfall'] as const;
export type GapKind = (typeof gapKinds)[number];

export const reachBands = ['inLa', 'within20Miles', 'within50Miles', 'inRegion', 'anywhere'] as const;
export type ReachBand = (typeof reachBands)[number];

export interface GapRow {
  area: { level: Area['level']; code: string; name: string };
  need: { domain: NeedDomain; intensity: Intensity };
  demand: {
    referrals: Count;
    planned: Count;
    emergency: Count;
    ageBands: Record<AgeBand, Count>;
    sexes: Record<'M' | 'F' | 'U' | 'unknown', Count>;
  };
  supply: { homes: number; registeredPlaces: number; availablePlaces: number };
  reach: Record<ReachBand, Count>;
  referralsPerAvailablePlace: number | null;
  gap: GapKind | null;
  gapBasis: 'demand-and-supply' | 'supply-only' | null;
}

/** Which distance bands had at least one home able to take the child. */
export type Reach = Record<ReachBand, boolean>;

/** Whether the home's Statement of Purpose covers every need of the referral. */
export function meetsNeeds(home: HomeRow, needs: ReferralRow['needs']): boolean {
  for (const need of needs)
    if ((home.needsMet[need.domain] ?? 0) < intensityRanks[need.intensity]) return false;
  return true;
}

const DOMAIN_INDEX = new Map<string, number>(needDomains.map((domain, i) => [domain, i]));
const SEX_BITS: Record<string, number> = { M: 1, F: 2, U: 4 };

/** A home reduced to what reach needs, in numbers, so a national analysis stays a tight loop. */
interface CompactHome {
  la: string;
  region: string | null;
  lat: number;
  lon: number;
  ageMin: number;
  ageMax: number;
  sexes: number;
  needs: Uint8Array;
}

function compact(home: HomeRow): CompactHome {
  const needs = new Uint8Array(needDomains.length);
  for (const [domain, rank] of Object.entries(home.needsMet)) {
    const index = DOMAIN_INDEX.get(domain);
    if (index !== undefined) needs[index] = rank ?? 0;
  }
  let sexes = 0;
  for (const sex of home.sexes) sexes |= SEX_BITS[sex] ?? 0;
  return {
    la: home.la,
    region: home.region,
    lat: home.lat,
    lon: home.lon,
    ageMin: home.ageMin,
    ageMax: home.ageMax,
    sexes,
    needs,
  };
}

function admitsSex(sexes: number, sex: string): boolean {
  const bit = SEX_BITS[sex];
  if (bit !== undefined && (sexes & bit) !== 0) return true;
  // A child recorded as U (or unknown) can live where both boys and girls are registered.
  return (sex === 'U' || sex === 'unknown') && (sexes & 3) === 3;
}

/**
 * Reach for many referrals against one registry: only homes with a place to offer are scanned,
 * and referrals alike in LA, age band, sex and needs share one answer.
 */
export function reachIndex(homes: readonly HomeRow[]): (referral: ReferralRow) => Reach {
  const open = homes.filter((home) => availablePlaces(home) > 0).map(compact);
  const memo = new Map<string, Reach>();
  const [near, far] = DISTANCE_BANDS_MILES;
  return (referral) => {
    const needs = referral.needs.map(
      (need) => [DOMAIN_INDEX.get(need.domain) ?? 0, intensityRanks[need.intensity]] as const,
    );
    const key = `${referral.placingLa}|${referral.ageBand}|${referral.sex}|${needs
      .map(([domain, rank]) => `${domain}:${rank}`)
      .sort()
      .join(',')}`;
    const known = memo.get(key);
    if (known) return known;
    const reach: Reach = {
      inLa: false,
      within20Miles: false,
      within50Miles: false,
      inRegion: false,
      anywhere: false,
    };
    const centre = centreOf(referral.placingLa);
    const region = regionCodeOf(referral.placingLa);
    // Overlap: a home registered for any age in the band is counted as able (an upper bound on reach).
    const [minAge, maxAge] = referral.ageBand === 'unknown' ? [-1, 99] : ageBandSpan[referral.ageBand];
    scan: for (const home of open) {
      if (home.ageMin > maxAge || home.ageMax < minAge || !admitsSex(home.sexes, referral.sex)) continue;
      for (const [domain, rank] of needs) if (home.needs[domain]! < rank) continue scan;
      reach.anywhere = true;
      if (home.la === referral.placingLa) reach.inLa = true;
      if (home.region !== null && home.region === region) reach.inRegion = true;
      if (centre && !(reach.within20Miles && reach.within50Miles)) {
        const miles = milesBetween(centre, home);
        if (miles <= near) reach.within20Miles = true;
        if (miles <= far) reach.within50Miles = true;
      }
      if (reach.inLa && reach.within20Miles && reach.within50Miles && reach.inRegion) break;
    }
    memo.set(key, reach);
    return reach;
  };
}

/** The distance bands in which some home could take this child today. */
export function reachOf(referral: ReferralRow, homes: readonly HomeRow[]): Reach {
  return reachIndex(homes)(referral);
}

function emptyCounter<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

function disclose<K extends string>(counts: Record<K, number>, disclosure: Disclosure): Record<K, Count> {
  return Object.fromEntries(
    Object.entries(counts).map(([key, value]) => [key, count(value as number, disclosure)]),
  ) as Record<K, Count>;
}

export interface GapAnalysisInput {
  areas: readonly Area[];
  homes: readonly HomeRow[];
  referrals: readonly ReferralRow[];
  disclosure: Disclosure;
}

export function analyseGaps(input: GapAnalysisInput): GapRow[] {
  const { areas, homes, referrals, disclosure } = input;
  const reach = reachIndex(homes);
  const reachByReferral = new Map<string, Reach>();
  for (const referral of referrals) reachByReferral.set(referral.referralId, reach(referral));

  const rows: GapRow[] = [];
  for (const area of areas) {
    const members = new Set(area.las);
    const areaHomes = homes.filter((home) => members.has(home.la));
    const areaReferrals = referrals.filter((referral) => members.has(referral.placingLa));
    for (const cell of needCells) {
      const rank = intensityRanks[cell.intensity];
      const demand = areaReferrals.filter((referral) =>
        referral.needs.some((need) => need.domain === cell.domain && need.intensity === cell.intensity),
      );
      const ageCounts = emptyCounter(ageBands);
      const sexCounts = emptyCounter(['M', 'F', 'U', 'unknown'] as const);
      const reachCounts = emptyCounter(reachBands);
      let emergency = 0;
      for (const referral of demand) {
        ageCounts[referral.ageBand] += 1;
        const sex = (['M', 'F', 'U'] as const).find((s) => s === referral.sex) ?? 'unknown';
        sexCounts[sex] += 1;
        if (referral.urgency === 'emergency') emergency += 1;
        const reach = reachByReferral.get(referral.referralId)!;
        for (const band of reachBands) if (reach[band]) reachCounts[band] += 1;
      }
      const able = areaHomes.filter((home) => (home.needsMet[cell.domain] ?? 0) >= rank);
      const supply = {
        homes: able.length,
        registeredPlaces: able.reduce((sum, home) => sum + home.registeredPlaces, 0),
        availablePlaces: able.reduce((sum, home) => sum + availablePlaces(home), 0),
      };
      const referralsCount = count(demand.length, disclosure);
      const { gap, basis } = judgeGap(demand.length, referralsCount, supply);
      rows.push({
        area: { level: area.level, code: area.code, name: area.name },
        need: { domain: cell.domain, intensity: cell.intensity },
        demand: {
          referrals: referralsCount,
          planned: count(demand.length - emergency, disclosure),
          emergency: count(emergency, disclosure),
          ageBands: disclose(ageCounts, disclosure),
          sexes: disclose(sexCounts, disclosure),
        },
        supply,
        reach: disclose(reachCounts, disclosure),
        referralsPerAvailablePlace:
          referralsCount.value === null || supply.availablePlaces === 0
            ? null
            : round(referralsCount.value / supply.availablePlaces, 2),
        gap,
        gapBasis: basis,
      });
    }
  }
  return rows;
}

function judgeGap(
  exactDemand: number,
  shown: Count,
  supply: GapRow['supply'],
): { gap: GapKind | null; basis: GapRow['gapBasis'] } {
  if (shown.suppressed) {
    if (supply.homes === 0) return { gap: 'no-provision', basis: 'supply-only' };
    if (supply.availablePlaces === 0) return { gap: 'no-available-place', basis: 'supply-only' };
    return { gap: null, basis: null };
  }
  const demand = shown.value ?? exactDemand;
  if (demand === 0) return { gap: null, basis: null };
  if (supply.homes === 0) return { gap: 'no-provision', basis: 'demand-and-supply' };
  if (supply.availablePlaces === 0) return { gap: 'no-available-place', basis: 'demand-and-supply' };
  if (demand > supply.availablePlaces) return { gap: 'shortfall', basis: 'demand-and-supply' };
  return { gap: null, basis: null };
}

/** The need cells in a fixed order, exported for the heatmap axes. */
export const needAxis = { domains: [...new Set(needCells.map((cell) => cell.domain))], intensities };
