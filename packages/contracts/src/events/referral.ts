// Integration events of the referral service, published on `placements.referral.v1` keyed by
// referral id. `child`, `childViews` and `locations` are personal and travel encrypted.
import { z } from 'zod';
import {
  childRef,
  frequency,
  geoPoint,
  intensity,
  isoDate,
  isoInstant,
  laCode,
  livingArrangement,
  needDomain,
  riskKeys,
  riskValue,
  sexCode,
  urgency,
  uuid,
} from '../common.ts';
import { personal } from '../personal.ts';

export const need = z.strictObject({ domain: needDomain, intensity, frequency });
export type Need = z.infer<typeof need>;

export const risks = z.strictObject(
  Object.fromEntries(riskKeys.map((key) => [key, riskValue.optional()])) as {
    [K in (typeof riskKeys)[number]]: z.ZodOptional<typeof riskValue>;
  },
);
export type Risks = z.infer<typeof risks>;

/** The child as the referral describes them; every field is personal. */
export const referralChild = z.strictObject({
  dateOfBirth: isoDate,
  sex: sexCode,
  ethnicity: z.string(),
  legalStatus: z.string(),
  categoryOfNeed: z.string(),
  homePostcode: z.string(),
  homeLocation: geoPoint,
});
export type ReferralChild = z.infer<typeof referralChild>;

export const avoidArea = z.strictObject({
  lat: z.number(),
  lon: z.number(),
  radiusMiles: z.number().positive(),
});
export const familyAnchor = z.strictObject({
  lat: z.number(),
  lon: z.number(),
  label: z.string().optional(),
});

/** Where the child must not be placed and whom they should stay near: personal. */
export const referralLocations = z.strictObject({
  avoidAreas: z.array(avoidArea),
  familyAnchors: z.array(familyAnchor),
});
export type ReferralLocations = z.infer<typeof referralLocations>;

/** Placement requirements without the location lists (those are personal). */
export const referralRequirements = z.strictObject({
  placementType: z.string(),
  urgency,
  requiredBy: isoDate.optional(),
  livingArrangement,
  maxDistanceMiles: z.number().positive().optional(),
});
export type ReferralRequirements = z.infer<typeof referralRequirements>;

export const referralSubmitted = z.strictObject({
  referralId: uuid,
  placingLa: laCode,
  childRef,
  child: personal(referralChild),
  needs: z.array(need),
  risks,
  requirements: referralRequirements,
  locations: personal(referralLocations),
  childViews: personal(z.string()),
  attestation: z.strictObject({ fullDisclosure: z.literal(true), referrerName: z.string() }),
  submittedAt: isoInstant,
});

export const referralNeedsUpdated = z.strictObject({
  referralId: uuid,
  placingLa: laCode,
  childRef,
  /** Stream version of the referral after this update: shortlists are produced per version. */
  referralVersion: z.number().int().positive(),
  needs: z.array(need),
  risks,
  requirements: referralRequirements,
  locations: personal(referralLocations),
  updatedAt: isoInstant,
});

export const referralWithdrawn = z.strictObject({
  referralId: uuid,
  placingLa: laCode,
  childRef,
  reason: z.string(),
  withdrawnAt: isoInstant,
});

export const referralPlaced = z.strictObject({
  referralId: uuid,
  placingLa: laCode,
  childRef,
  placementId: uuid,
  homeUrn: z.string(),
  startDate: isoDate,
  placedAt: isoInstant,
});

/** Fields of referral events that are encrypted with the child's data key. */
export const referralPersonalFields = ['child', 'locations', 'childViews'] as const;
