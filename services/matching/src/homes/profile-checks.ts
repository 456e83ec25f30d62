// Checks on a home profile beyond its schema: facts a registry entry must not contradict (an age
// range the right way round, an authority in force, a real English postcode and location, a
// single-placement home with one place). Each failure names its field.
import { findLocalAuthority, type HomeProfile } from '@placements/contracts';
import type { FieldError } from '@placements/service-kit';

/** UK postcode (outward + inward), case-insensitive, optional single space. */
export const UK_POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/i;

/** England's bounding box, generously drawn (Isles of Scilly to Northumberland and the Norfolk coast). */
const ENGLAND = { minLat: 49.8, maxLat: 55.85, minLon: -6.5, maxLon: 1.8 };

export function profileErrors(profile: HomeProfile, asOf: string): FieldError[] {
  const errors: FieldError[] = [];
  if (profile.ageRange.min > profile.ageRange.max) {
    errors.push({ path: 'body.ageRange.max', message: 'must not be below ageRange.min' });
  }
  if (!findLocalAuthority(profile.la, asOf)) {
    errors.push({ path: 'body.la', message: `is not an upper-tier local authority in force on ${asOf}` });
  }
  if (!UK_POSTCODE.test(profile.postcode.trim())) {
    errors.push({ path: 'body.postcode', message: 'must be a UK postcode, e.g. SK1 3XE' });
  }
  const { lat, lon } = profile.location;
  if (lat < ENGLAND.minLat || lat > ENGLAND.maxLat || lon < ENGLAND.minLon || lon > ENGLAND.maxLon) {
    errors.push({ path: 'body.location', message: 'must be a location in England' });
  }
  if (profile.singlePlacement && profile.registeredPlaces !== 1) {
    errors.push({
      path: 'body.singlePlacement',
      message: 'a single-placement home is registered for one place',
    });
  }
  if (new Set(profile.sexes).size !== profile.sexes.length) {
    errors.push({ path: 'body.sexes', message: 'must not repeat a sex' });
  }
  const domains = profile.needsMet.map((need) => need.domain);
  if (new Set(domains).size !== domains.length) {
    errors.push({ path: 'body.needsMet', message: 'must list each need domain once' });
  }
  return errors;
}
