// Integration events of the matching service, published on `placements.matching.v1`. Home events
// are keyed by URN, offer events by the home's URN (so a home's places are ordered), placement
// events by placement id and shortlists by referral id.
import { z } from 'zod';
import {
  approvalDecision,
  approvalLevel,
  childRef,
  contractRoute,
  declineReason,
  geoPoint,
  intensity,
  isoDate,
  isoInstant,
  laCode,
  needDomain,
  ofstedJudgement,
  providerId,
  registrationStatus,
  requiredApproval,
  sexCode,
  urn,
  uuid,
} from '../common.ts';
import { personal } from '../personal.ts';

/** A home's profile as its provider maintains it (API.md `PUT /v1/homes/{urn}`). */
export const homeProfile = z.strictObject({
  name: z.string().min(1).max(200),
  providerId,
  providerName: z.string().min(1).max(200),
  parentGroup: z.string().max(200).optional(),
  sector: z.enum(['PR0', 'PR1', 'PR2', 'PR3', 'PR4', 'PR5']),
  la: laCode,
  postcode: z.string(),
  location: geoPoint,
  registeredPlaces: z.number().int().min(1).max(60),
  ageRange: z.strictObject({ min: z.number().int().min(0).max(25), max: z.number().int().min(0).max(25) }),
  sexes: z.array(sexCode).min(1),
  singlePlacement: z.boolean().optional(),
  needsMet: z.array(z.strictObject({ domain: needDomain, maxIntensity: intensity })),
  weeklyFee: z.number().positive(),
  contractRoute,
  admissionsOpen: z.boolean(),
});
export type HomeProfile = z.infer<typeof homeProfile>;

export const homeRegistered = z.strictObject({ urn, profile: homeProfile, registeredAt: isoInstant });
export const homeProfileUpdated = z.strictObject({ urn, profile: homeProfile, updatedAt: isoInstant });
export const homeRegistrationChanged = z.strictObject({
  urn,
  status: registrationStatus,
  admissionsRestricted: z.boolean(),
  changedAt: isoInstant,
});
export const homeInspected = z.strictObject({
  urn,
  date: isoDate,
  judgement: ofstedJudgement,
  recordedAt: isoInstant,
});

export const shortlistReason = z.strictObject({ factor: z.string(), detail: z.string() });
export const shortlistCandidate = z.strictObject({
  urn,
  rank: z.number().int().positive(),
  score: z.number(),
  distanceMiles: z.number(),
  outOfArea: z.boolean(),
  atDistance: z.boolean(),
  over20Miles: z.boolean(),
  requiredApproval,
  freePlaces: z.number().int(),
  weeklyFee: z.number(),
  ofstedJudgement: ofstedJudgement.nullable(),
  gates: z.array(z.string()),
  reasons: z.array(shortlistReason),
});
export const shortlistExclusion = z.strictObject({
  urn,
  rules: z.array(z.string()),
  distanceMiles: z.number().optional(),
});

export const shortlistProduced = z.strictObject({
  referralId: uuid,
  referralVersion: z.number().int().positive(),
  placingLa: laCode,
  childRef,
  generatedAt: isoInstant,
  homesConsidered: z.number().int(),
  /**
   * The best candidates with their reasons. Personal: their distances from the child's home, with
   * the homes' known locations, would locate the child, so they are sealed with the child's key.
   */
  candidates: personal(z.array(shortlistCandidate)),
  /** Count of homes excluded by each rule (a home may be excluded by several). */
  exclusionCounts: z.record(z.string(), z.number().int()),
  /** The excluded homes nearest the child, with their rules: why nothing nearer was possible. Personal, as candidates. */
  nearestExcluded: personal(z.array(shortlistExclusion)),
});

const offerRef = {
  offerId: uuid,
  referralId: uuid,
  placingLa: laCode,
  childRef,
  homeUrn: urn,
  providerId,
};
/** Free text people write about the child (notes, justifications) is personal: sealed with the child's key. */
const personalText = personal(z.string());

export const offerSent = z.strictObject({ ...offerRef, note: personalText.optional(), sentAt: isoInstant });
export const offerAccepted = z.strictObject({
  ...offerRef,
  weeklyFee: z.number().positive(),
  earliestStart: isoDate,
  reservationExpiresAt: isoInstant,
  acceptedAt: isoInstant,
});
export const offerDeclined = z.strictObject({
  ...offerRef,
  reason: declineReason,
  note: personalText.optional(),
  declinedAt: isoInstant,
});
export const offerWithdrawn = z.strictObject({
  ...offerRef,
  withdrawnAt: isoInstant,
  note: z.string().optional(),
});
export const offerExpired = z.strictObject({ ...offerRef, expiredAt: isoInstant });

/** What every placement event repeats so consumers need no join to place it in a child's history. */
const placementRef = {
  placementId: uuid,
  referralId: uuid,
  placingLa: laCode,
  childRef,
  homeUrn: urn,
  providerId,
  hostLa: laCode,
  outOfArea: z.boolean(),
  atDistance: z.boolean(),
};

export const placementProposed = z.strictObject({
  ...placementRef,
  offerId: uuid,
  distanceMiles: z.number(),
  over20Miles: z.boolean(),
  requiredApproval,
  plannedStart: isoDate,
  emergency: z.boolean(),
  justification: personalText.optional(),
  previousPlacementId: uuid.nullable(),
  placeChangeReason: z.string().nullable(),
  /** SSDA903 PLACE and PLACE_PROVIDER and the home's postcode (PL_POST): derived from the home. */
  placementType: z.string(),
  placementProvider: z.string(),
  homePostcode: z.string(),
  weeklyFee: z.number(),
  proposedAt: isoInstant,
});

export const placementApprovalRecorded = z.strictObject({
  ...placementRef,
  level: approvalLevel,
  approverName: z.string(),
  decision: approvalDecision,
  note: personalText.optional(),
  /** True when recorded after an emergency start: a compliance fact (CPPCR reg 11). */
  recordedAfterStart: z.boolean(),
  recordedAt: isoInstant,
});

export const placementStarted = z.strictObject({
  ...placementRef,
  startDate: isoDate,
  emergency: z.boolean(),
  requiredApproval,
  /** Started without the approval CPPCR reg 11 requires (emergency only). */
  approvalMissing: z.boolean(),
  previousPlacementId: uuid.nullable(),
  placeChangeReason: z.string().nullable(),
  startedAt: isoInstant,
});

export const placementEnded = z.strictObject({
  ...placementRef,
  endDate: isoDate,
  /** SSDA903 REC code; X1 when the child moved to another placement the same day. */
  reasonEnded: z.string(),
  note: personalText.optional(),
  nextPlacementId: uuid.nullable(),
  endedAt: isoInstant,
});
