// A realistic registry for shortlist tests and benchmarks: homes generated deterministically from
// the DOMAIN.md §6 figures (@placements/synthetic-data), with occupancy spread so that some are
// full, some have one place left and some are empty.
import { generateHomes, generateReferrals } from '@placements/synthetic-data';
import type { HomeForMatching, ReferralForMatching } from '../shortlists/ranking.ts';

export function nationalHomes(count: number, seed: string | number): HomeForMatching[] {
  return generateHomes({ count, seed }).map((home, index) => {
    const places = home.profile.registeredPlaces;
    const occupiedPlaces =
      index % 4 === 0
        ? places
        : index % 4 === 1
          ? Math.max(0, places - 1)
          : index % 4 === 2
            ? 0
            : Math.floor(places / 2);
    return {
      urn: home.urn,
      profile: home.profile,
      registration: { status: 'registered', admissionsRestricted: false },
      ofsted: home.inspection,
      previousJudgement: null,
      occupiedPlaces,
      reservedPlaces: 0,
    };
  });
}

/** Generated referrals (@placements/synthetic-data) as the referral consumer hands them to ranking. */
export function nationalReferrals(count: number, seed: string | number): ReferralForMatching[] {
  return generateReferrals({ count, seed }).map((r, index) => ({
    referralId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    referralVersion: 1,
    placingLa: r.placingLa,
    childRef: r.body.childRef,
    child: {
      dateOfBirth: r.body.child.dateOfBirth,
      sex: r.body.child.sex,
      homeLocation: r.body.child.homeLocation,
    },
    needs: r.body.needs,
    risks: r.body.risks,
    requirements: (({ avoidAreas: _a, familyAnchors: _f, ...rest }) => rest)(r.body.requirements),
    locations: {
      avoidAreas: r.body.requirements.avoidAreas,
      familyAnchors: r.body.requirements.familyAnchors,
    },
  }));
}
