// The referral as the API answers with it (API.md: the submitted body plus id, placingLa, status,
// version, submittedAt), and who may see what: the placing LA sees its referrals with personal
// fields opened (or the erased marker once the child's key is shredded); ops sees every referral
// with personal fields withheld; anyone else is told the referral does not exist.
import {
  erasedMarker,
  isErased,
  livingArrangement,
  need,
  referralStatus,
  risks,
  urgency,
} from '@placements/contracts';
import { isSealedField } from '@placements/event-store';
import type { Principal } from '@placements/service-kit';
import { z } from 'zod';
import type { Referral } from './referral.ts';
import type { ReferralWarning } from './referral-request.ts';

export const WITHHELD = Object.freeze({ $withheld: true as const });
export type Withheld = typeof WITHHELD;

function isWithheld(value: unknown): value is Withheld {
  return value === WITHHELD;
}

const withheldMarker = z.strictObject({ $withheld: z.literal(true) }).meta({
  id: 'PersonalDataWithheld',
  description: 'A personal field the caller may not read (only the placing LA reads its children’s data).',
});
const erased = erasedMarker.meta({
  id: 'PersonalDataErased',
  description: 'A personal field whose data key was shredded (erasure): the data is gone everywhere.',
});

function personalView<T extends z.ZodType>(schema: T) {
  return z.union([schema, erased, withheldMarker]);
}

const point = { lat: z.number(), lon: z.number() };

const childView = z.object({
  dateOfBirth: z.string(),
  sex: z.string(),
  ethnicity: z.string(),
  legalStatus: z.string(),
  categoryOfNeed: z.string(),
  homePostcode: z.string(),
  homeLocation: z.object(point),
});

export const referralWarning = z.object({
  path: z.string(),
  code: z.string(),
  message: z.string(),
});

export const referralView = z
  .object({
    id: z.uuid(),
    placingLa: z.string(),
    status: referralStatus,
    version: z.number().int(),
    submittedAt: z.string(),
    childRef: z.string(),
    child: personalView(childView),
    needs: z.array(need),
    risks,
    requirements: z.object({
      placementType: z.string(),
      urgency,
      requiredBy: z.string().optional(),
      livingArrangement,
      maxDistanceMiles: z.number().optional(),
      avoidAreas: personalView(z.array(z.object({ ...point, radiusMiles: z.number() }))),
      familyAnchors: personalView(z.array(z.object({ ...point, label: z.string().optional() }))),
    }),
    childViews: personalView(z.string()),
    attestation: z.object({ fullDisclosure: z.literal(true), referrerName: z.string() }),
    /** When needs, risks and requirements were last replaced. */
    needsUpdatedAt: z.string(),
    withdrawal: z.object({ reason: z.string(), withdrawnAt: z.string() }).optional(),
    placement: z
      .object({ placementId: z.uuid(), homeUrn: z.string(), startDate: z.string(), placedAt: z.string() })
      .optional(),
    /** Only on the response to a write: things the referrer should know that did not stop it. */
    warnings: z.array(referralWarning).optional(),
  })
  .meta({ id: 'Referral' });
export type ReferralView = z.infer<typeof referralView>;

/** `owner`: the placing LA, personal fields opened; `ops`: everything, personal fields withheld. */
export type Audience = 'owner' | 'ops';

/** Who the caller is to this referral; undefined means it must look as if it did not exist. */
export function audienceOf(principal: Principal, placingLa: string): Audience | undefined {
  if (principal.org === placingLa && principal.roles.includes('placing-authority')) return 'owner';
  if (principal.roles.includes('ops')) return 'ops';
  return undefined;
}

/**
 * The API shape of a referral. Personal fields must already be opened for the owner; anything
 * still sealed (or any field for ops) is shown withheld, so ciphertext never reaches a client.
 */
export function presentReferral(
  referral: Referral,
  audience: Audience,
  warnings?: readonly ReferralWarning[],
): ReferralView {
  const show = <T>(value: T): T | Withheld =>
    audience !== 'owner' || isSealedField(value) ? WITHHELD : value;
  const locations = show(referral.locations);
  const [avoidAreas, familyAnchors] =
    isWithheld(locations) || isErased(locations)
      ? [locations, locations]
      : [locations.avoidAreas, locations.familyAnchors];
  return {
    id: referral.referralId,
    placingLa: referral.placingLa,
    status: referral.status,
    version: referral.version,
    submittedAt: referral.submittedAt,
    childRef: referral.childRef,
    child: show(referral.child),
    needs: referral.needs,
    risks: referral.risks,
    requirements: { ...referral.requirements, avoidAreas, familyAnchors },
    childViews: show(referral.childViews),
    attestation: referral.attestation,
    needsUpdatedAt: referral.needsUpdatedAt,
    ...(referral.withdrawal ? { withdrawal: referral.withdrawal } : {}),
    ...(referral.placement ? { placement: referral.placement } : {}),
    ...(warnings ? { warnings: [...warnings] } : {}),
  };
}
