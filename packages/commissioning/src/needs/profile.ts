// A referral's needs summarised for commissioning: its need band (highest intensity), its need
// profile (for demand forecasting), and the need cells (domain × intensity) of the gap analysis.
import { type Intensity, intensities, type NeedDomain, needDomains } from '@placements/contracts';
import { intensityRanks, type NeedProfile, needProfiles, profileDomains } from '../policy.ts';

export interface NeedLike {
  domain: NeedDomain;
  intensity: Intensity;
}

const profileOfDomain = new Map<NeedDomain, NeedProfile>();
for (const profile of needProfiles)
  for (const domain of profileDomains[profile]) profileOfDomain.set(domain, profile);

/** The highest intensity among the needs ('low' for a referral with none). */
export function needBandOf(needs: readonly NeedLike[]): Intensity {
  let band: Intensity = 'low';
  for (const need of needs) if (intensityRanks[need.intensity] > intensityRanks[band]) band = need.intensity;
  return band;
}

/** The profile of the highest-intensity need; ties go to the profile listed first in policy. */
export function needProfileOf(needs: readonly NeedLike[]): NeedProfile {
  let best: NeedProfile = 'other';
  let bestRank = 0;
  for (const need of needs) {
    const profile = profileOfDomain.get(need.domain) ?? 'other';
    const rank = intensityRanks[need.intensity];
    if (
      rank > bestRank ||
      (rank === bestRank && needProfiles.indexOf(profile) < needProfiles.indexOf(best))
    ) {
      best = profile;
      bestRank = rank;
    }
  }
  return best;
}

/** Every need cell, in a fixed order: the rows of a gap analysis for one area. */
export const needCells: readonly { domain: NeedDomain; intensity: Intensity }[] = needDomains.flatMap(
  (domain) => intensities.map((intensity) => ({ domain, intensity })),
);
