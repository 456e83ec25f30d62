// A shortlist for one referral version, in its two forms: the ShortlistProduced event (published;
// candidates capped, exclusions summarised by rule plus the nearest excluded homes) and the API
// view (every candidate and every excluded home), stored for GET /v1/referrals/{id}/shortlist.
import type { IntegrationEventData } from '@placements/contracts';
import type { MatchingPolicy } from './policy.ts';
import type { Candidate, Exclusion, Ranking, ReferralForMatching } from './ranking.ts';

export interface ShortlistView {
  referralId: string;
  referralVersion: number;
  generatedAt: string;
  homesConsidered: number;
  exclusionCounts: Record<string, number>;
  candidates: Candidate[];
  excluded: Exclusion[];
}

export function shortlistStreamId(referralId: string): string {
  return `shortlist-${referralId}`;
}

export function shortlistView(
  referral: ReferralForMatching,
  ranking: Ranking,
  generatedAt: string,
): ShortlistView {
  return {
    referralId: referral.referralId,
    referralVersion: referral.referralVersion,
    generatedAt,
    homesConsidered: ranking.homesConsidered,
    exclusionCounts: ranking.exclusionCounts as Record<string, number>,
    candidates: ranking.candidates,
    excluded: ranking.excluded,
  };
}

export function shortlistProduced(
  referral: ReferralForMatching,
  ranking: Ranking,
  policy: MatchingPolicy,
  generatedAt: string,
): IntegrationEventData<'ShortlistProduced'> {
  return {
    referralId: referral.referralId,
    referralVersion: referral.referralVersion,
    placingLa: referral.placingLa,
    childRef: referral.childRef,
    generatedAt,
    homesConsidered: ranking.homesConsidered,
    candidates: ranking.candidates.slice(0, policy.eventCandidateLimit),
    exclusionCounts: ranking.exclusionCounts as Record<string, number>,
    nearestExcluded: ranking.excluded.slice(0, policy.eventNearestExcludedLimit),
  };
}
