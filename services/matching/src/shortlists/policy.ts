// The matching policy: how much each factor weighs in a home's score, the penalties for gated
// homes, and the guide fees per need band. All of it is configuration (MATCHING_* variables, see
// config.ts) because it is local commissioning policy, not law; the defaults are documented here.
import type { Intensity } from '@placements/contracts';

export interface MatchingWeights {
  /** Statement-of-Purpose fit to the child's needs and risk flags (DOMAIN.md §4: needs-led). */
  needs: number;
  /** Closeness to the child's home. */
  distance: number;
  /** Closeness to the people and places the child should stay near. */
  familyAnchors: number;
  /** Ofsted judgement and its trend. */
  ofsted: number;
  /** Weekly fee against the guide for the child's need band. */
  fee: number;
  /** Resident-group fit for the child's living-alongside preference. */
  groupFit: number;
  /** Contract route: block beds are already paid for, then in-house, framework, spot. */
  contractRoute: number;
}

export interface MatchingPenalties {
  /** CPPCR reg 11: out-of-area placements must be exceptional. */
  outOfArea: number;
  /** Further penalty when also at a distance (non-adjoining authority). */
  atDistance: number;
  /** Ofsted judged the home Inadequate. */
  inadequate: number;
}

export interface MatchingPolicy {
  weights: MatchingWeights;
  penalties: MatchingPenalties;
  /** Distance at which the distance and family-anchor scores reach zero. */
  distanceHorizonMiles: number;
  /** Guide weekly fee by the child's highest need intensity; fees above it score lower. */
  feeGuide: Record<Intensity, number>;
  /** Candidates carried by the ShortlistProduced event (the API returns them all). */
  eventCandidateLimit: number;
  /** Nearest excluded homes carried by the ShortlistProduced event. */
  eventNearestExcludedLimit: number;
}

export const defaultMatchingPolicy: MatchingPolicy = Object.freeze({
  weights: Object.freeze({
    needs: 0.3,
    distance: 0.18,
    familyAnchors: 0.08,
    ofsted: 0.14,
    fee: 0.08,
    // The child's own wish about who they live alongside (DOMAIN.md §4: views are first-class).
    groupFit: 0.15,
    contractRoute: 0.07,
  }),
  penalties: Object.freeze({ outOfArea: 0.03, atDistance: 0.05, inadequate: 0.1 }),
  distanceHorizonMiles: 100,
  // Weekly fees run £1,800–£6,000 (DOMAIN.md §6), higher for complex needs.
  feeGuide: Object.freeze({ low: 3500, medium: 4500, high: 5500 }),
  eventCandidateLimit: 50,
  eventNearestExcludedLimit: 20,
});
