// Unmet need: referrals whose shortlist had no candidate (and what excluded every home), and
// placements made out of area because nothing nearer could meet the need, read from the
// shortlist's nearest excluded homes and their rules. The "local as possible, specialist as
// necessary" indicator per need follows from the same reading: a placement is consistent with the
// principle when it is local, or when every nearer home was excluded for what it could not do
// (its Statement of Purpose, age or sex registration); it is not when a nearer home that could
// have met the need had no room. Pure.
import type { Intensity, NeedDomain } from '@placements/contracts';
import type { Area } from '../access/areas.ts';
import { type Count, count, type Disclosure, share, statistic } from '../access/disclosure.ts';
import { needCells } from '../needs/profile.ts';
import { exclusionReasonGroups, LOCAL_MILES } from '../policy.ts';
import type { PlacementRow, ReferralRow, ShortlistRow } from '../read-models/load.ts';

export const ruleGroups = ['capability', 'capacity', 'safety', 'regulatory', 'distance', 'other'] as const;
export type RuleGroup = (typeof ruleGroups)[number];

export const distantReasons = [
  'capacity',
  'safety',
  'regulatory',
  'capability',
  'nearerCandidateNotChosen',
  'noNearerHome',
  'noShortlist',
] as const;
export type DistantReason = (typeof distantReasons)[number];

export function ruleGroupOf(rule: string): RuleGroup {
  for (const [group, rules] of Object.entries(exclusionReasonGroups))
    if ((rules as readonly string[]).includes(rule)) return group as RuleGroup;
  return rule === 'beyond-max-distance' ? 'distance' : 'other';
}

/** For a referral with no candidate: the group of the rule that excluded the most homes. */
export function bindingReasonOf(exclusionCounts: Record<string, number>): RuleGroup {
  let best: RuleGroup = 'other';
  let most = -1;
  for (const [rule, homes] of Object.entries(exclusionCounts)) {
    const group = ruleGroupOf(rule);
    if (homes > most || (homes === most && ruleGroups.indexOf(group) < ruleGroups.indexOf(best))) {
      best = group;
      most = homes;
    }
  }
  return best;
}

/**
 * Why an out-of-area placement went as far as it did, from the homes nearer than the one chosen
 * that the shortlist excluded. A nearer home excluded only for capacity could have met the need:
 * that is a sufficiency failure and wins; then the child's own safety (an area to avoid), then
 * registration; only when every nearer home lacked the capability is the distance specialist.
 */
export function distantReasonOf(placement: PlacementRow, shortlist: ShortlistRow | undefined): DistantReason {
  if (!shortlist) return 'noShortlist';
  const distance = placement.distanceMiles;
  const nearer =
    distance === null
      ? []
      : shortlist.nearestExcluded.filter(
          (home) => home.distanceMiles !== null && home.distanceMiles < distance,
        );
  if (nearer.length === 0) {
    const nearest = shortlist.nearestCandidateMiles;
    return nearest !== null && distance !== null && nearest < distance
      ? 'nearerCandidateNotChosen'
      : 'noNearerHome';
  }
  const groups = nearer.map((home) => new Set(home.rules.map(ruleGroupOf)));
  if (groups.some((set) => [...set].every((group) => group === 'capacity'))) return 'capacity';
  if (groups.some((set) => set.has('safety') && !set.has('capability'))) return 'safety';
  if (groups.some((set) => set.has('regulatory') && !set.has('capability'))) return 'regulatory';
  return 'capability';
}

/** Local: in the placing LA, or within the DfE 20-mile measure of the child's home. */
export function isLocal(placement: PlacementRow): boolean {
  return !placement.outOfArea || (placement.distanceMiles !== null && placement.distanceMiles <= LOCAL_MILES);
}

export interface UnmetNeedRow {
  area: { level: Area['level']; code: string; name: string };
  referrals: Count;
  shortlisted: Count;
  noCandidate: Count;
  noCandidateShare: number | null;
  noCandidateReasons: Record<RuleGroup, Count>;
  placementsStarted: Count;
  outOfArea: Count;
  atDistance: Count;
  over20Miles: Count;
  outOfAreaReasons: Record<DistantReason, Count>;
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

function disclose<K extends string>(counts: Record<K, number>, disclosure: Disclosure): Record<K, Count> {
  return Object.fromEntries(
    Object.entries(counts).map(([k, v]) => [k, count(v as number, disclosure)]),
  ) as Record<K, Count>;
}

export function analyseUnmetNeed(input: {
  areas: readonly Area[];
  referrals: readonly ReferralRow[];
  placements: readonly PlacementRow[];
  shortlists: ReadonlyMap<string, ShortlistRow>;
  disclosure: Disclosure;
}): UnmetNeedRow[] {
  const { areas, referrals, placements, shortlists, disclosure } = input;
  return areas.map((area) => {
    const members = new Set(area.las);
    const areaReferrals = referrals.filter((referral) => members.has(referral.placingLa));
    const areaPlacements = placements.filter((placement) => members.has(placement.placingLa));
    let shortlisted = 0;
    let noCandidate = 0;
    const reasons = zeroes(ruleGroups);
    for (const referral of areaReferrals) {
      const shortlist = shortlists.get(referral.referralId);
      if (!shortlist) continue;
      shortlisted += 1;
      if (shortlist.candidateCount === 0) {
        noCandidate += 1;
        reasons[bindingReasonOf(shortlist.exclusionCounts)] += 1;
      }
    }
    const distant = zeroes(distantReasons);
    let outOfArea = 0;
    let atDistance = 0;
    let over20 = 0;
    for (const placement of areaPlacements) {
      if (placement.over20Miles) over20 += 1;
      if (!placement.outOfArea) continue;
      outOfArea += 1;
      if (placement.atDistance) atDistance += 1;
      distant[distantReasonOf(placement, shortlists.get(placement.referralId))] += 1;
    }
    const noCandidateCount = count(noCandidate, disclosure);
    const shortlistedCount = count(shortlisted, disclosure);
    return {
      area: { level: area.level, code: area.code, name: area.name },
      referrals: count(areaReferrals.length, disclosure),
      shortlisted: shortlistedCount,
      noCandidate: noCandidateCount,
      noCandidateShare: share(noCandidateCount, shortlistedCount),
      noCandidateReasons: disclose(reasons, disclosure),
      placementsStarted: count(areaPlacements.length, disclosure),
      outOfArea: count(outOfArea, disclosure),
      atDistance: count(atDistance, disclosure),
      over20Miles: count(over20, disclosure),
      outOfAreaReasons: disclose(distant, disclosure),
    };
  });
}

export interface LocalSpecialistRow {
  area: { level: Area['level']; code: string; name: string };
  need: { domain: NeedDomain; intensity: Intensity };
  placements: Count;
  local: Count;
  distantSpecialist: Count;
  distantCapacity: Count;
  distantOther: Count;
  /** (local + distant for specialism) / placements: the share consistent with the principle. */
  localAsPossibleSpecialistAsNecessary: number | null;
  capacityDrivenShare: number | null;
  medianDistanceMiles: number | null;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function analyseLocalSpecialist(input: {
  areas: readonly Area[];
  placements: readonly PlacementRow[];
  needsByReferral: ReadonlyMap<string, { needs: readonly { domain: NeedDomain; intensity: Intensity }[] }>;
  shortlists: ReadonlyMap<string, ShortlistRow>;
  disclosure: Disclosure;
}): LocalSpecialistRow[] {
  const { areas, placements, needsByReferral, shortlists, disclosure } = input;
  const rows: LocalSpecialistRow[] = [];
  for (const area of areas) {
    const members = new Set(area.las);
    const areaPlacements = placements.filter((placement) => members.has(placement.placingLa));
    for (const cell of needCells) {
      const withNeed = areaPlacements.filter((placement) =>
        (needsByReferral.get(placement.referralId)?.needs ?? []).some(
          (need) => need.domain === cell.domain && need.intensity === cell.intensity,
        ),
      );
      let local = 0;
      let specialist = 0;
      let capacity = 0;
      const distances: number[] = [];
      for (const placement of withNeed) {
        if (placement.distanceMiles !== null) distances.push(placement.distanceMiles);
        if (isLocal(placement)) {
          local += 1;
          continue;
        }
        const reason = distantReasonOf(placement, shortlists.get(placement.referralId));
        if (reason === 'capability') specialist += 1;
        else if (reason === 'capacity') capacity += 1;
      }
      const total = count(withNeed.length, disclosure);
      const localCount = count(local, disclosure);
      const specialistCount = count(specialist, disclosure);
      const capacityCount = count(capacity, disclosure);
      // From the published sum, so the share says no more than the counts beside it.
      const consistent = count(local + specialist, disclosure);
      rows.push({
        area: { level: area.level, code: area.code, name: area.name },
        need: { domain: cell.domain, intensity: cell.intensity },
        placements: total,
        local: localCount,
        distantSpecialist: specialistCount,
        distantCapacity: capacityCount,
        distantOther: count(withNeed.length - local - specialist - capacity, disclosure),
        localAsPossibleSpecialistAsNecessary: share(consistent, total),
        capacityDrivenShare: share(capacityCount, total),
        medianDistanceMiles: statistic(median(distances), distances.length, disclosure),
      });
    }
  }
  return rows;
}
