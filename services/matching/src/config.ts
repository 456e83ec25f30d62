// The matching service's own configuration (environment variables, validated at start-up with the
// base config). Every number here is policy, not law: the defaults and their sources are noted.
import type { ServiceHost } from '@placements/service-kit';
import { z } from 'zod';
import { defaultMatchingPolicy, type MatchingPolicy } from './shortlists/policy.ts';

const { weights, penalties, feeGuide } = defaultMatchingPolicy;
const share = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);
const pounds = (fallback: number) => z.coerce.number().positive().default(fallback);

export const matchingConfigSchema = z.object({
  /**
   * Working days an accepted offer holds its place before the reservation lapses. API.md: "a
   * configurable period (default 5 working days)"; platform policy, counted on the England and
   * Wales working-day calendar.
   */
  RESERVATION_LAPSE_WORKING_DAYS: z.coerce.number().int().min(1).max(30).default(5),
  /** How often lapsed reservations are looked for. */
  RESERVATION_LAPSE_CHECK_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  MATCHING_WEIGHTS_NEEDS: share(weights.needs),
  MATCHING_WEIGHTS_DISTANCE: share(weights.distance),
  MATCHING_WEIGHTS_FAMILY_ANCHORS: share(weights.familyAnchors),
  MATCHING_WEIGHTS_OFSTED: share(weights.ofsted),
  MATCHING_WEIGHTS_FEE: share(weights.fee),
  MATCHING_WEIGHTS_GROUP_FIT: share(weights.groupFit),
  MATCHING_WEIGHTS_CONTRACT_ROUTE: share(weights.contractRoute),
  MATCHING_PENALTY_OUT_OF_AREA: share(penalties.outOfArea),
  MATCHING_PENALTY_AT_DISTANCE: share(penalties.atDistance),
  MATCHING_PENALTY_INADEQUATE: share(penalties.inadequate),
  MATCHING_DISTANCE_HORIZON_MILES: z.coerce
    .number()
    .positive()
    .default(defaultMatchingPolicy.distanceHorizonMiles),
  MATCHING_FEE_GUIDE_LOW: pounds(feeGuide.low),
  MATCHING_FEE_GUIDE_MEDIUM: pounds(feeGuide.medium),
  MATCHING_FEE_GUIDE_HIGH: pounds(feeGuide.high),
  SHORTLIST_EVENT_CANDIDATES: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(defaultMatchingPolicy.eventCandidateLimit),
  SHORTLIST_EVENT_NEAREST_EXCLUDED: z.coerce
    .number()
    .int()
    .min(0)
    .max(500)
    .default(defaultMatchingPolicy.eventNearestExcludedLimit),
});

export type MatchingConfig = z.output<typeof matchingConfigSchema>;

export function matchingPolicyFrom(config: MatchingConfig): MatchingPolicy {
  return {
    weights: {
      needs: config.MATCHING_WEIGHTS_NEEDS,
      distance: config.MATCHING_WEIGHTS_DISTANCE,
      familyAnchors: config.MATCHING_WEIGHTS_FAMILY_ANCHORS,
      ofsted: config.MATCHING_WEIGHTS_OFSTED,
      fee: config.MATCHING_WEIGHTS_FEE,
      groupFit: config.MATCHING_WEIGHTS_GROUP_FIT,
      contractRoute: config.MATCHING_WEIGHTS_CONTRACT_ROUTE,
    },
    penalties: {
      outOfArea: config.MATCHING_PENALTY_OUT_OF_AREA,
      atDistance: config.MATCHING_PENALTY_AT_DISTANCE,
      inadequate: config.MATCHING_PENALTY_INADEQUATE,
    },
    distanceHorizonMiles: config.MATCHING_DISTANCE_HORIZON_MILES,
    feeGuide: {
      low: config.MATCHING_FEE_GUIDE_LOW,
      medium: config.MATCHING_FEE_GUIDE_MEDIUM,
      high: config.MATCHING_FEE_GUIDE_HIGH,
    },
    eventCandidateLimit: config.SHORTLIST_EVENT_CANDIDATES,
    eventNearestExcludedLimit: config.SHORTLIST_EVENT_NEAREST_EXCLUDED,
  };
}

/** The service host with matching's configuration. */
export type MatchingHost = ServiceHost<typeof matchingConfigSchema>;
