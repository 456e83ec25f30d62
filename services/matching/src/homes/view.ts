// How a home reads over HTTP (API.md `GET /v1/homes/{urn}`): the provider's profile plus its
// places, Ofsted registration and latest judgement. Registry data, not personal data.
import { homeProfile, ofstedJudgement, registrationStatus, urn } from '@placements/contracts';
import { z } from 'zod';
import { currentJudgement, type HomeState, placesOf } from './home.ts';

export const homeView = z
  .object({
    urn,
    ...homeProfile.shape,
    occupiedPlaces: z.number().int(),
    reservedPlaces: z.number().int(),
    freePlaces: z.number().int(),
    registration: z.object({ status: registrationStatus, admissionsRestricted: z.boolean() }),
    ofsted: z.object({ judgement: ofstedJudgement, date: z.string() }).nullable(),
    version: z.number().int().describe('stream version, also sent as the ETag'),
  })
  .meta({ id: 'Home' });
export type HomeView = z.infer<typeof homeView>;

export function homeViewOf(state: HomeState, version: number): HomeView {
  if (!state.urn || !state.profile) throw new Error('home view of a home that does not exist');
  const places = placesOf(state);
  return {
    urn: state.urn,
    ...state.profile,
    occupiedPlaces: places.occupied,
    reservedPlaces: places.reserved,
    freePlaces: places.free,
    registration: { ...state.registration },
    ofsted: currentJudgement(state),
    version,
  };
}
