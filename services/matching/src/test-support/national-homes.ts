// A realistic registry for shortlist tests and benchmarks: homes generated deterministically from
// the DOMAIN.md §6 figures (@placements/synthetic-data), with occupancy spread so that some are
// full, some have one place left and some are empty.
import { generateHomes } from '@placements/synthetic-data';
import type { HomeForMatching } from '../shortlists/ranking.ts';

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
