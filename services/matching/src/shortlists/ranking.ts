// Ranking homes for a referral: hard exclusions, gates and scores (DOMAIN.md §4). Pure and
// deterministic: the same referral, homes, policy and date always give the same shortlist, ties
// broken by URN. Every candidate carries the reasons a social worker can repeat to a panel, and
// every excluded home the rules that excluded it. Matching supports a person's decision; it does
// not make it.
import {
  type GeoPoint,
  type HomeProfile,
  type Intensity,
  intensityRank,
  type Need,
  type NeedDomain,
  needDomains,
  type OfstedJudgement,
  type ReferralLocations,
  type ReferralRequirements,
  type RequiredApproval,
  type Risks,
} from '@placements/contracts';
import {
  authorityName,
  isOver20Miles,
  localityOf,
  milesBetweenPositions,
  milesFromPosition,
  neighbourhoodOf,
  type Position,
  positionOf,
  requiredApprovalFor,
  toTenths,
} from '../geography.ts';
import type { MatchingPolicy } from './policy.ts';

/** What matching needs of a referral: personal fields already opened. */
export interface ReferralForMatching {
  referralId: string;
  referralVersion: number;
  placingLa: string;
  childRef: string;
  child: { dateOfBirth: string; sex: 'M' | 'F' | 'U'; homeLocation: GeoPoint };
  needs: readonly Need[];
  risks: Risks;
  requirements: ReferralRequirements;
  locations: ReferralLocations;
}

/** A home as the registry knows it now, with its places. */
export interface HomeForMatching {
  urn: string;
  profile: HomeProfile;
  registration: { status: 'registered' | 'suspended' | 'cancelled'; admissionsRestricted: boolean };
  ofsted: { judgement: OfstedJudgement; date: string } | null;
  /** The judgement before the current one, for the trend. */
  previousJudgement: OfstedJudgement | null;
  occupiedPlaces: number;
  reservedPlaces: number;
}

/** Hard exclusions, as stable ids (they appear in the API, the events and the analytics). */
export const exclusionRules = [
  'not-registered',
  'admissions-restricted',
  'admissions-closed',
  'no-free-place',
  'age-outside-registration',
  'sex-outside-registration',
  'need-exceeds-statement-of-purpose',
  'inside-avoid-area',
  'beyond-max-distance',
] as const;
export type ExclusionRule = (typeof exclusionRules)[number];

/** Gates: allowed only with a recorded justification and the right approval (CPPCR reg 11). */
export type Gate = 'out-of-area' | 'at-a-distance' | 'inadequate-judgement' | 'emergency';

export interface Reason {
  factor: string;
  detail: string;
}

export interface Candidate {
  urn: string;
  rank: number;
  score: number;
  distanceMiles: number;
  outOfArea: boolean;
  atDistance: boolean;
  over20Miles: boolean;
  requiredApproval: RequiredApproval;
  freePlaces: number;
  weeklyFee: number;
  ofstedJudgement: OfstedJudgement | null;
  gates: Gate[];
  reasons: Reason[];
}

export interface Exclusion {
  urn: string;
  rules: ExclusionRule[];
  distanceMiles: number;
}

export interface Ranking {
  homesConsidered: number;
  /** Best first. */
  candidates: Candidate[];
  /** Nearest first, as arrays over the registry (see Exclusions). */
  exclusions: Exclusions;
  /** The same homes as objects, built on first use. */
  readonly excluded: readonly Exclusion[];
  exclusionCounts: Partial<Record<ExclusionRule, number>>;
}

/**
 * The homes a ranking excluded, nearest first (then URN): registry positions, rule bits and
 * distances in typed arrays. Most of a registry is excluded for any one child, so a ranking keeps
 * no object per excluded home; objects are made for the few the event carries, and the API view is
 * written from these arrays (see shortlist.ts).
 */
export class Exclusions {
  readonly #registry: MatchingRegistry;
  /** Registry positions, nearest first. */
  readonly #order: Uint32Array;
  /** Rule bits, by registry position. */
  readonly #bits: Uint16Array;
  /** Distance in tenths of a mile, by registry position. */
  readonly #tenths: Uint32Array;
  #objects: Exclusion[] | undefined;

  constructor(registry: MatchingRegistry, order: Uint32Array, bits: Uint16Array, tenths: Uint32Array) {
    this.#registry = registry;
    this.#order = order;
    this.#bits = bits;
    this.#tenths = tenths;
  }

  get length(): number {
    return this.#order.length;
  }

  /** The i-th nearest excluded home's URN as a JSON string literal. */
  urnJsonAt(i: number): string {
    return this.#registry.homes[this.#order[i]!]!.urnJson;
  }

  /** The i-th nearest excluded home's rules, as bits of `exclusionRules`. */
  bitsAt(i: number): number {
    return this.#bits[this.#order[i]!]!;
  }

  /** The i-th nearest excluded home's distance in tenths of a mile. */
  tenthsAt(i: number): number {
    return this.#tenths[this.#order[i]!]!;
  }

  at(i: number): Exclusion {
    const position = this.#order[i]!;
    return {
      urn: this.#registry.homes[position]!.home.urn,
      rules: rulesOf(this.#bits[position]!),
      distanceMiles: this.#tenths[position]! / 10,
    };
  }

  /** The nearest `count` as objects. */
  nearest(count: number): Exclusion[] {
    const n = Math.min(count, this.length);
    const out: Exclusion[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.at(i);
    return out;
  }

  toArray(): readonly Exclusion[] {
    this.#objects ??= this.nearest(this.length);
    return this.#objects;
  }
}

/** Risk flags and the Statement-of-Purpose domain that addresses each. */
const riskDomains: Record<keyof Risks, NeedDomain> = {
  selfHarm: 'self-harm',
  sexualExploitation: 'sexual-exploitation',
  criminalExploitation: 'criminal-exploitation',
  substanceMisuse: 'substance-misuse',
  missing: 'missing',
  riskToOthers: 'violence-aggression',
};

const OFSTED_SCORE: Record<OfstedJudgement, number> = {
  outstanding: 1,
  good: 0.8,
  'requires-improvement': 0.4,
  inadequate: 0.1,
};
/** A home not yet inspected is neither credited nor condemned. */
const UNINSPECTED_SCORE = 0.5;
const TREND_STEP = 0.1;

const CONTRACT_SCORE = { block: 1, 'in-house-own': 0.9, 'in-house-other': 0.5, framework: 0.7, spot: 0.4 };

const OFSTED_LABEL: Record<OfstedJudgement, string> = {
  outstanding: 'Outstanding',
  good: 'Good',
  'requires-improvement': 'Requires improvement to be good',
  inadequate: 'Inadequate',
};

const DOMAIN_INDEX = Object.fromEntries(needDomains.map((domain, i) => [domain, i])) as Record<
  NeedDomain,
  number
>;
const RULE_BIT = Object.fromEntries(exclusionRules.map((rule, i) => [rule, 1 << i])) as Record<
  ExclusionRule,
  number
>;
const SEX_BIT = { M: 1, F: 2, U: 4 } as const;

/**
 * A home with what ranking needs precomputed once: its position, the intensity it meets per need
 * domain, the sexes it admits, and the rules that exclude it whoever the child is. A registry of
 * these is reused across referrals while the homes read model has not changed.
 */
export interface IndexedHome {
  home: HomeForMatching;
  position: Position;
  /** Intensity rank met per need domain (index of `needDomains`), 0 when not met. */
  needRank: Uint8Array;
  sexMask: number;
  /** Bits of the rules that depend on the home alone (registration, admissions, places). */
  homeRules: number;
  freePlaces: number;
  /** The Ofsted factor's score and reason, which depend on the home alone. */
  ofsted: [number, string];
  /** That factor as a candidate's reason for the weight it was last scored with (set on first use). */
  ofstedReason?: [weight: number, points: number, reason: Reason];
  /** The URN as a JSON string literal, for writing views. */
  urnJson: string;
}

/** A home indexed for ranking, its needs met written into `needRank` (the registry's column). */
function indexHome(home: HomeForMatching, needRank: Uint8Array): IndexedHome {
  const { profile } = home;
  for (const need of profile.needsMet) needRank[DOMAIN_INDEX[need.domain]] = intensityRank[need.maxIntensity];
  let sexMask = 0;
  for (const sex of profile.sexes) sexMask |= SEX_BIT[sex];
  // A child recorded as sex U can live in a home registered for U or for both boys and girls.
  if ((sexMask & 3) === 3) sexMask |= SEX_BIT.U;
  const freePlaces = freePlacesOf(home);
  let homeRules = 0;
  if (home.registration.status !== 'registered') homeRules |= RULE_BIT['not-registered'];
  if (home.registration.admissionsRestricted) homeRules |= RULE_BIT['admissions-restricted'];
  if (!profile.admissionsOpen) homeRules |= RULE_BIT['admissions-closed'];
  if (freePlaces <= 0) homeRules |= RULE_BIT['no-free-place'];
  return {
    home,
    position: positionOf(profile.location),
    needRank,
    sexMask,
    homeRules,
    freePlaces,
    ofsted: ofstedFactor(home),
    urnJson: JSON.stringify(home.urn),
  };
}

/**
 * The registry indexed for ranking, in URN order (also the tie-break order of equally distant
 * homes). What every home is checked against for every referral is also held column by column in
 * typed arrays, so the pass over thousands of homes reads a few contiguous arrays rather than an
 * object graph per home; only candidates, a small share, are read as objects.
 */
export class MatchingRegistry {
  readonly homes: readonly IndexedHome[];
  readonly latRad: Float64Array;
  readonly lonRad: Float64Array;
  readonly cosLat: Float64Array;
  readonly ageMin: Float64Array;
  readonly ageMax: Float64Array;
  readonly sexMask: Uint8Array;
  readonly homeRules: Uint16Array;
  /** Intensity rank met per need domain, `needDomains.length` entries per home. */
  readonly needRank: Uint8Array;

  constructor(homes: readonly HomeForMatching[]) {
    const sorted = [...homes].sort((a, b) => compareUrn(a.urn, b.urn));
    const n = sorted.length;
    const domains = needDomains.length;
    this.latRad = new Float64Array(n);
    this.lonRad = new Float64Array(n);
    this.cosLat = new Float64Array(n);
    this.ageMin = new Float64Array(n);
    this.ageMax = new Float64Array(n);
    this.sexMask = new Uint8Array(n);
    this.homeRules = new Uint16Array(n);
    this.needRank = new Uint8Array(n * domains);
    this.homes = sorted.map((home, i) => {
      const indexed = indexHome(home, this.needRank.subarray(i * domains, (i + 1) * domains));
      this.latRad[i] = indexed.position.latRad;
      this.lonRad[i] = indexed.position.lonRad;
      this.cosLat[i] = indexed.position.cosLat;
      this.ageMin[i] = home.profile.ageRange.min;
      this.ageMax[i] = home.profile.ageRange.max;
      this.sexMask[i] = indexed.sexMask;
      this.homeRules[i] = indexed.homeRules;
      return indexed;
    });
  }

  get size(): number {
    return this.homes.length;
  }
}

/** Everything about the referral that does not depend on the home, computed once. */
export interface MatchingContext {
  referral: ReferralForMatching;
  neighbours: ReadonlySet<string>;
  /** Age in whole years on the date the placement is needed. */
  childAge: number;
  needBand: Intensity;
  presentRiskDomains: NeedDomain[];
  asOf: string;
  /** The child's needs as (domain index, intensity rank) pairs. */
  needRanks: { domain: number; rank: number }[];
  sexBit: number;
  childPosition: Position;
  avoidAreas: { position: Position; radiusMiles: number }[];
  anchors: Position[];
  /** Reasons shared by this ranking's candidates (see ReasonMemo). */
  memo: ReasonMemo;
}

export function matchingContext(referral: ReferralForMatching, asOf: string): MatchingContext {
  const requiredBy = referral.requirements.requiredBy;
  const ageDate = requiredBy && requiredBy > asOf ? requiredBy : asOf;
  let band: Intensity = 'low';
  for (const need of referral.needs)
    if (intensityRank[need.intensity] > intensityRank[band]) band = need.intensity;
  return {
    referral,
    neighbours: neighbourhoodOf(referral.placingLa, asOf),
    childAge: ageOn(referral.child.dateOfBirth, ageDate),
    needBand: band,
    presentRiskDomains: (Object.keys(riskDomains) as (keyof Risks)[])
      .filter((key) => referral.risks[key] === 'risk-present')
      .map((key) => riskDomains[key]),
    asOf,
    needRanks: referral.needs.map((need) => ({
      domain: DOMAIN_INDEX[need.domain],
      rank: intensityRank[need.intensity],
    })),
    sexBit: SEX_BIT[referral.child.sex],
    childPosition: positionOf(referral.child.homeLocation),
    avoidAreas: referral.locations.avoidAreas.map((area) => ({
      position: positionOf(area),
      radiusMiles: area.radiusMiles,
    })),
    anchors: referral.locations.familyAnchors.map(positionOf),
    memo: newReasonMemo(),
  };
}

/** Miles from the child's home to a home. */
export function distanceToHome(ctx: MatchingContext, home: HomeForMatching): number {
  return milesBetweenPositions(ctx.childPosition, positionOf(home.profile.location));
}

/** Whole years between a date of birth and a date. */
export function ageOn(dateOfBirth: string, date: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export function freePlacesOf(
  home: Pick<HomeForMatching, 'profile' | 'occupiedPlaces' | 'reservedPlaces'>,
): number {
  return Math.max(0, home.profile.registeredPlaces - home.occupiedPlaces - home.reservedPlaces);
}

/** The rules (as bits) that exclude the registry's home at `at` for this referral; 0 when it may be offered. */
function exclusionBits(
  registry: MatchingRegistry,
  at: number,
  ctx: MatchingContext,
  distance: number,
): number {
  let bits = registry.homeRules[at]!;
  if (ctx.childAge < registry.ageMin[at]! || ctx.childAge > registry.ageMax[at]!)
    bits |= RULE_BIT['age-outside-registration'];
  if ((registry.sexMask[at]! & ctx.sexBit) === 0) bits |= RULE_BIT['sex-outside-registration'];
  const needs = registry.needRank;
  const base = at * needDomains.length;
  for (const need of ctx.needRanks) {
    if (needs[base + need.domain]! < need.rank) {
      bits |= RULE_BIT['need-exceeds-statement-of-purpose'];
      break;
    }
  }
  for (const area of ctx.avoidAreas) {
    const miles = milesFromPosition(
      area.position,
      registry.latRad[at]!,
      registry.lonRad[at]!,
      registry.cosLat[at]!,
    );
    if (miles <= area.radiusMiles) {
      bits |= RULE_BIT['inside-avoid-area'];
      break;
    }
  }
  const max = ctx.referral.requirements.maxDistanceMiles;
  if (max !== undefined && distance > max) bits |= RULE_BIT['beyond-max-distance'];
  return bits;
}

/** The rule lists, one shared frozen array per combination (at most 2^9), built on first use. */
const rulesByBits = new Map<number, ExclusionRule[]>();

function rulesOf(bits: number): ExclusionRule[] {
  let rules = rulesByBits.get(bits);
  if (!rules) {
    rules = [];
    for (let i = 0; i < exclusionRules.length; i++) if (bits & (1 << i)) rules.push(exclusionRules[i]!);
    Object.freeze(rules);
    rulesByBits.set(bits, rules);
  }
  return rules;
}

/** The hard rules that exclude a home for this referral (empty when it may be offered). */
export function exclusionRulesFor(
  home: HomeForMatching,
  ctx: MatchingContext,
  distance: number,
): ExclusionRule[] {
  return rulesOf(exclusionBits(new MatchingRegistry([home]), 0, ctx, distance));
}

/**
 * Ranks every home for the referral. Candidates come best first (score, then URN); excluded homes
 * nearest first (then URN), each with all the rules it breaks.
 */
export function rankHomes(
  referral: ReferralForMatching,
  homes: readonly HomeForMatching[] | MatchingRegistry,
  policy: MatchingPolicy,
  asOf: string,
): Ranking {
  const registry = homes instanceof MatchingRegistry ? homes : new MatchingRegistry(homes);
  const ctx = matchingContext(referral, asOf);
  const candidates: Candidate[] = [];
  const size = registry.size;
  const { latRad, lonRad, cosLat } = registry;
  const child = ctx.childPosition;
  const bitsOf = new Uint16Array(size);
  const tenthsOf = new Uint32Array(size);
  /** Sort keys of the excluded homes: distance and registry position packed (see nearestFirst). */
  const keys = new Float64Array(size);
  const positions = new Uint32Array(size);
  let excludedCount = 0;
  const counts = new Array<number>(exclusionRules.length).fill(0);
  for (let position = 0; position < size; position++) {
    const distance = milesFromPosition(child, latRad[position]!, lonRad[position]!, cosLat[position]!);
    const bits = exclusionBits(registry, position, ctx, distance);
    if (bits !== 0) {
      for (let i = 0; i < exclusionRules.length; i++) if (bits & (1 << i)) counts[i]! += 1;
      bitsOf[position] = bits;
      tenthsOf[position] = Math.round(distance * 10);
      keys[excludedCount] = nearestKey(distance, position, size);
      positions[excludedCount++] = position;
    } else {
      candidates.push(assessCandidate(registry.homes[position]!, ctx, policy, distance));
    }
  }
  const ranked = bestFirst(candidates);
  for (let i = 0; i < ranked.length; i++) ranked[i]!.rank = i + 1;
  const exclusionCounts: Partial<Record<ExclusionRule, number>> = {};
  for (let i = 0; i < exclusionRules.length; i++)
    if (counts[i]! > 0) exclusionCounts[exclusionRules[i]!] = counts[i]!;
  const exclusions = new Exclusions(
    registry,
    nearestFirst(keys.subarray(0, excludedCount), positions.subarray(0, excludedCount), size),
    bitsOf,
    tenthsOf,
  );
  return {
    homesConsidered: size,
    candidates: ranked,
    exclusions,
    get excluded() {
      return exclusions.toArray();
    },
    exclusionCounts,
  };
}

/** Scores in thousandths shifted to stay positive in a packed key (scores stay within ±1,000). */
const SCORE_OFFSET = 1_000_000;

/**
 * Candidates by score, best first, equal scores in their original order (URN order, as the registry
 * is). Score (to the thousandth it is rounded to) and index are packed into one float so the sort
 * runs natively instead of calling a comparator some n log n times.
 */
function bestFirst(candidates: Candidate[]): Candidate[] {
  const n = candidates.length;
  if (n >= TIE_SLOTS) return candidates.sort((a, b) => b.score - a.score || compareUrn(a.urn, b.urn));
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++)
    keys[i] = (SCORE_OFFSET - Math.round(candidates[i]!.score * 1000)) * TIE_SLOTS + i;
  keys.sort();
  const ranked: Candidate[] = new Array(n);
  for (let i = 0; i < n; i++) ranked[i] = candidates[keys[i]! % TIE_SLOTS]!;
  return ranked;
}

/** Registry positions a packed sort key can carry (distances up to ~1,000 miles stay below 2^53). */
const TIE_SLOTS = 65_536;

/**
 * An excluded home's sort key: distance (to 1e-5 mile) and registry position packed into one float,
 * so equal distances keep registry (URN) order and the sort runs natively. For a registry too large
 * to pack (none in England comes close), the distance alone, and positions break ties below.
 */
function nearestKey(distance: number, position: number, size: number): number {
  const quantised = Math.round(distance * 1e5);
  return size < TIE_SLOTS ? quantised * TIE_SLOTS + position : quantised;
}

/** Registry positions of the excluded homes, nearest first, from their keys and positions. */
function nearestFirst(keys: Float64Array, positions: Uint32Array, size: number): Uint32Array {
  const n = keys.length;
  if (size >= TIE_SLOTS) {
    const byDistance = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => keys[a]! - keys[b]! || positions[a]! - positions[b]!,
    );
    return Uint32Array.from(byDistance, (i) => positions[i]!);
  }
  keys.sort();
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = keys[i]! % TIE_SLOTS;
  return order;
}

function compareUrn(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Reasons that many candidates of one ranking share, built once per ranking: the same needs met
 * at the same levels read the same, as do homes of one size and age range, one fee, one contract
 * route, one authority. Keys are the inputs each reason depends on besides the referral.
 */
interface ReasonMemo {
  needs: Map<number, [number, Reason]>;
  fee: Map<number, [number, Reason]>;
  groupFit: Map<number, [number, Reason]>;
  contract: Map<string, [number, Reason]>;
  locality: Map<string, { outOfArea: boolean; atDistance: boolean; reason: Reason }>;
  inadequate: Reason | undefined;
  emergency: Reason | undefined;
}

function newReasonMemo(): ReasonMemo {
  return {
    needs: new Map(),
    fee: new Map(),
    groupFit: new Map(),
    contract: new Map(),
    locality: new Map(),
    inadequate: undefined,
    emergency: undefined,
  };
}

/** A factor's points and its reason, "detail (+points)". */
function scored(factor: string, weight: number, score: number, detail: string): [number, Reason] {
  const points = weight * score;
  return [points, pointsReason(factor, points, detail)];
}

function pointsReason(factor: string, points: number, detail: string): Reason {
  return { factor, detail: `${detail} (+${points.toFixed(3)})` };
}

/** Scores a home that passed every hard rule, with one reason per factor. */
export function assessCandidate(
  indexed: IndexedHome,
  ctx: MatchingContext,
  policy: MatchingPolicy,
  distance: number,
): Candidate {
  const { referral } = ctx;
  const { home, position, needRank } = indexed;
  const { profile } = home;
  const { weights, penalties } = policy;
  const memo = ctx.memo;
  const miles = toTenths(distance);
  let total = 0;

  // Needs: every need is met (else excluded); a home staffed exactly for the intensity is the
  // specialist fit, a home staffed well above it slightly less so. Risk flags the Statement of
  // Purpose addresses count too. The reason depends only on the levels met and the risks covered.
  let needsKey = 0;
  for (const need of ctx.needRanks) needsKey = needsKey * 4 + needRank[need.domain]!;
  let risksCovered = 0;
  for (const domain of ctx.presentRiskDomains) if (needRank[DOMAIN_INDEX[domain]]! > 0) risksCovered++;
  needsKey = needsKey * 8 + risksCovered;
  let needs = memo.needs.get(needsKey);
  if (!needs) {
    needs = needsReason(ctx, needRank, risksCovered, weights.needs);
    memo.needs.set(needsKey, needs);
  }
  total += needs[0];

  // Distance and family anchors differ for every home: scored inline, without a memo entry.
  const distanceScore = Math.max(0, 1 - distance / policy.distanceHorizonMiles);
  const over20 = isOver20Miles(miles);
  const distancePoints = weights.distance * distanceScore;
  total += distancePoints;
  const distanceReason = pointsReason(
    'distance',
    distancePoints,
    `${miles} miles from the child's home${over20 ? ' (more than 20 miles)' : ' (within 20 miles)'}`,
  );

  const anchors = ctx.anchors;
  let anchorsReason: Reason;
  if (anchors.length > 0) {
    let nearest = Number.POSITIVE_INFINITY;
    for (const anchor of anchors) nearest = Math.min(nearest, milesBetweenPositions(anchor, position));
    const anchorPoints = weights.familyAnchors * Math.max(0, 1 - nearest / policy.distanceHorizonMiles);
    total += anchorPoints;
    anchorsReason = pointsReason(
      'family-anchors',
      anchorPoints,
      `nearest family anchor ${toTenths(nearest)} miles away (${anchors.length} given)`,
    );
  } else {
    const anchorPoints = weights.familyAnchors * distanceScore;
    total += anchorPoints;
    anchorsReason = pointsReason(
      'family-anchors',
      anchorPoints,
      "no family anchors given; scored on distance from the child's home",
    );
  }

  // The Ofsted factor depends on the home alone: kept with the indexed home, for its weight.
  let ofsted = indexed.ofstedReason;
  if (ofsted?.[0] !== weights.ofsted) {
    ofsted = [weights.ofsted, ...scored('ofsted', weights.ofsted, indexed.ofsted[0], indexed.ofsted[1])];
    indexed.ofstedReason = ofsted;
  }
  total += ofsted[1];

  let fee = memo.fee.get(profile.weeklyFee);
  if (!fee) {
    const guide = policy.feeGuide[ctx.needBand];
    const over = (profile.weeklyFee - guide) / guide;
    fee = scored(
      'fee',
      weights.fee,
      over <= 0 ? 1 : Math.max(0, 1 - over),
      `${money(profile.weeklyFee)} a week against a guide of ${money(guide)} for ${ctx.needBand}-intensity needs` +
        (over <= 0 ? ' (at or below guide)' : ` (${Math.round(over * 100)}% above)`),
    );
    memo.fee.set(profile.weeklyFee, fee);
  }
  total += fee[0];

  const inUse = home.occupiedPlaces + home.reservedPlaces;
  const single = profile.singlePlacement === true || profile.registeredPlaces === 1;
  const { min, max } = profile.ageRange;
  const groupKey =
    ((((single ? 1 : 0) * 1024 + inUse) * 1024 + profile.registeredPlaces) * 64 + min) * 64 + max;
  let group = memo.groupFit.get(groupKey);
  if (!group) {
    group = scored('group-fit', weights.groupFit, ...groupFit(home, ctx));
    memo.groupFit.set(groupKey, group);
  }
  total += group[0];

  const route = profile.contractRoute;
  const ownInHouse = route === 'in-house' && profile.providerId === referral.placingLa;
  const contractKey = ownInHouse ? 'in-house-own' : route;
  let contract = memo.contract.get(contractKey);
  if (!contract) {
    const routeScore =
      route === 'in-house'
        ? ownInHouse
          ? CONTRACT_SCORE['in-house-own']
          : CONTRACT_SCORE['in-house-other']
        : CONTRACT_SCORE[route];
    contract = scored('contract-route', weights.contractRoute, routeScore, contractDetail(route, ownInHouse));
    memo.contract.set(contractKey, contract);
  }
  total += contract[0];

  // Gates: allowed, but only with the approval CPPCR reg 11 requires, and exceptional.
  let place = memo.locality.get(profile.la);
  if (!place) {
    place = localityReason(referral.placingLa, profile.la, ctx.neighbours, penalties);
    memo.locality.set(profile.la, place);
  }
  const judgement = home.ofsted?.judgement ?? null;
  const inadequate = judgement === 'inadequate';
  const emergency = referral.requirements.urgency === 'emergency';
  if (place.outOfArea) {
    total -= penalties.outOfArea;
    if (place.atDistance) total -= penalties.atDistance;
  }
  const reasons: Reason[] = [
    needs[1],
    distanceReason,
    anchorsReason,
    ofsted[2],
    fee[1],
    group[1],
    contract[1],
    place.reason,
  ];
  if (inadequate) {
    total -= penalties.inadequate;
    memo.inadequate ??= {
      factor: 'approval',
      detail: `Ofsted judged the home Inadequate: DCS approval required (-${penalties.inadequate.toFixed(3)})`,
    };
    reasons.push(memo.inadequate);
  }
  if (emergency) {
    memo.emergency ??= {
      factor: 'approval',
      detail: 'Emergency: the placement may start before approval; the approval must be recorded afterwards',
    };
    reasons.push(memo.emergency);
  }

  return {
    urn: home.urn,
    rank: 0,
    score: Math.round(total * 1000) / 1000,
    distanceMiles: miles,
    outOfArea: place.outOfArea,
    atDistance: place.atDistance,
    over20Miles: over20,
    requiredApproval: requiredApprovalFor(place, judgement),
    freePlaces: indexed.freePlaces,
    weeklyFee: profile.weeklyFee,
    ofstedJudgement: judgement,
    gates: gatesFor(place.outOfArea, place.outOfArea && place.atDistance, inadequate, emergency),
    reasons,
  };
}

/** The gate lists, one shared frozen array per combination, built on first use. */
const gateLists = new Map<number, Gate[]>();

function gatesFor(outOfArea: boolean, atDistance: boolean, inadequate: boolean, emergency: boolean): Gate[] {
  const key = (outOfArea ? 1 : 0) | (atDistance ? 2 : 0) | (inadequate ? 4 : 0) | (emergency ? 8 : 0);
  let gates = gateLists.get(key);
  if (!gates) {
    gates = [];
    if (outOfArea) gates.push('out-of-area');
    if (atDistance) gates.push('at-a-distance');
    if (inadequate) gates.push('inadequate-judgement');
    if (emergency) gates.push('emergency');
    Object.freeze(gates);
    gateLists.set(key, gates);
  }
  return gates;
}

/** The needs factor: how exactly the Statement of Purpose meets each need, and the risks it covers. */
function needsReason(
  ctx: MatchingContext,
  needRank: Uint8Array,
  risksCovered: number,
  weight: number,
): [number, Reason] {
  const { referral } = ctx;
  let fit = 0;
  let exact = 0;
  const parts: string[] = [];
  for (const need of referral.needs) {
    const met = needRank[DOMAIN_INDEX[need.domain]]!;
    const margin = met - intensityRank[need.intensity];
    if (margin === 0) exact++;
    fit += margin === 0 ? 1 : margin === 1 ? 0.9 : 0.8;
    parts.push(`${need.domain} ${need.intensity} (home up to ${intensityName(met)})`);
  }
  const needFit = referral.needs.length > 0 ? fit / referral.needs.length : 1;
  const present = ctx.presentRiskDomains.length;
  const riskCoverage = present > 0 ? risksCovered / present : 1;
  const needsDetail =
    referral.needs.length > 0
      ? `Statement of Purpose meets all ${referral.needs.length} needs: ${parts.join(', ')}; exact specialist level for ${exact}`
      : 'No needs listed on the referral';
  const riskDetail = present > 0 ? `; covers ${risksCovered} of ${present} risks present` : '';
  return scored('needs', weight, 0.8 * needFit + 0.2 * riskCoverage, needsDetail + riskDetail);
}

/** Where the home is relative to the placing authority, and the approval reason that follows. */
function localityReason(
  placingLa: string,
  hostLa: string,
  neighbours: ReadonlySet<string>,
  penalties: MatchingPolicy['penalties'],
): { outOfArea: boolean; atDistance: boolean; reason: Reason } {
  const locality = localityOf(placingLa, hostLa, neighbours);
  if (!locality.outOfArea) {
    return {
      ...locality,
      reason: { factor: 'approval', detail: `In area (${authorityName(hostLa)}): no reg 11 approval needed` },
    };
  }
  const where = `home in ${authorityName(hostLa)}`;
  if (locality.atDistance) {
    return {
      ...locality,
      reason: {
        factor: 'approval',
        detail: `At a distance (${where}, not adjoining ${authorityName(placingLa)}): DCS approval and host consultation required, CPPCR reg 11 (-${(penalties.outOfArea + penalties.atDistance).toFixed(3)})`,
      },
    };
  }
  return {
    ...locality,
    reason: {
      factor: 'approval',
      detail: `Out of area (${where}, adjoining ${authorityName(placingLa)}): nominated officer approval required, CPPCR reg 11 (-${penalties.outOfArea.toFixed(3)})`,
    },
  };
}

function ofstedFactor(home: HomeForMatching): [number, string] {
  if (!home.ofsted) return [UNINSPECTED_SCORE, 'not yet inspected by Ofsted'];
  const { judgement, date } = home.ofsted;
  let score = OFSTED_SCORE[judgement];
  let trend = '';
  if (home.previousJudgement) {
    const change = OFSTED_SCORE[judgement] - OFSTED_SCORE[home.previousJudgement];
    if (change > 0) {
      score = Math.min(1, score + TREND_STEP);
      trend = `, improved from ${OFSTED_LABEL[home.previousJudgement]}`;
    } else if (change < 0) {
      score = Math.max(0, score - TREND_STEP);
      trend = `, declined from ${OFSTED_LABEL[home.previousJudgement]}`;
    }
  }
  return [score, `Ofsted ${OFSTED_LABEL[judgement]} (${date})${trend}`];
}

/**
 * Resident-group fit. The registry knows each home's size, occupancy and registered age range;
 * other children's ages are their personal data and are not used, so "only older" and "only
 * younger" are judged from the ages the home is registered for.
 */
function groupFit(home: HomeForMatching, ctx: MatchingContext): [number, string] {
  const { profile } = home;
  const inUse = home.occupiedPlaces + home.reservedPlaces;
  const single = profile.singlePlacement === true || profile.registeredPlaces === 1;
  const size = single ? 'single-placement home' : `${inUse} of ${profile.registeredPlaces} places in use`;
  const { min, max } = profile.ageRange;
  switch (ctx.referral.requirements.livingArrangement) {
    case 'solo':
      if (single) return [1, `wants to live alone: ${size}`];
      return inUse === 0
        ? [0.5, `wants to live alone: ${size}, currently empty`]
        : [0, `wants to live alone: ${size}`];
    case 'with-others':
      if (single) return [0.2, `wants to live with others: ${size}`];
      return inUse > 0
        ? [1, `wants to live with others: ${size}`]
        : [0.6, `wants to live with others: ${size}`];
    case 'only-older': {
      if (single) return [1, `wants only older children: ${size}`];
      const younger = Math.max(0, ctx.childAge - min);
      return [
        younger === 0 ? 1 : Math.max(0, 1 - younger / (max - min + 1)),
        `wants only older children: registered for ages ${min}–${max}, child is ${ctx.childAge}`,
      ];
    }
    case 'only-younger': {
      if (single) return [1, `wants only younger children: ${size}`];
      const older = Math.max(0, max - ctx.childAge);
      return [
        older === 0 ? 1 : Math.max(0, 1 - older / (max - min + 1)),
        `wants only younger children: registered for ages ${min}–${max}, child is ${ctx.childAge}`,
      ];
    }
    case 'no-preference':
      return [1, `no living-alongside preference: ${size}`];
  }
}

function contractDetail(route: HomeProfile['contractRoute'], ownInHouse: boolean): string {
  switch (route) {
    case 'block':
      return 'block contract bed (already paid for)';
    case 'in-house':
      return ownInHouse ? "the placing authority's own home" : "another authority's in-house home";
    case 'framework':
      return 'framework contract';
    case 'spot':
      return 'spot purchase';
  }
}

function intensityName(rank: number): string {
  return rank >= 3 ? 'high' : rank === 2 ? 'medium' : rank === 1 ? 'low' : 'none';
}

/** Pounds with thousands separators, e.g. £5,200. */
function money(amount: number): string {
  const whole = String(Math.round(amount));
  let out = '';
  for (let i = 0; i < whole.length; i++) {
    if (i > 0 && (whole.length - i) % 3 === 0) out += ',';
    out += whole[i];
  }
  return `£${out}`;
}
