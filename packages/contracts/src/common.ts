// Primitive vocabulary shared by every service's API and events: identifiers, dates and the
// enumerations that API.md fixes as the public contract. Changing a literal here is a breaking
// change for LA case systems and host authorities.
import { z } from 'zod';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar date `YYYY-MM-DD` that exists (2026-02-30 is rejected). */
export const isoDate = z
  .string()
  .regex(ISO_DATE, 'must be a date in the form YYYY-MM-DD')
  .refine((value) => {
    const parsed = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
  }, 'must be a real calendar date');

/** An instant in ISO 8601 with an offset; normalised by consumers to UTC. */
export const isoInstant = z.iso.datetime({ offset: true });

export const uuid = z.uuid();

/** ONS code of an English upper-tier local authority (E06 unitary, E08 metropolitan, E09 London, E10 county). */
export const laCode = z
  .string()
  .regex(/^E(06|08|09|10)\d{6}$/, 'must be an ONS code of an English upper-tier local authority');

/** Ofsted unique reference number: `SC` + 6 digits (older registrations) or 7 digits. */
export const urn = z
  .string()
  .regex(/^(SC\d{6}|\d{7})$/, 'must be an Ofsted URN (SC + 6 digits, or 7 digits)');

export const providerId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/, 'must be a provider id');

/** The placing LA's own child identifier (SSDA903 CHILD): 1–10 letters or digits. */
export const childRef = z.string().regex(/^[A-Za-z0-9]{1,10}$/, 'must be 1–10 letters or digits');

export const needDomains = [
  'emotional-behavioural',
  'mental-health',
  'self-harm',
  'violence-aggression',
  'sexual-exploitation',
  'criminal-exploitation',
  'missing',
  'substance-misuse',
  'harmful-sexual-behaviour',
  'offending',
  'learning-disability',
  'autism',
  'physical-disability',
  'education',
  'health',
] as const;
export const needDomain = z.enum(needDomains);
export type NeedDomain = z.infer<typeof needDomain>;

export const intensities = ['low', 'medium', 'high'] as const;
export const intensity = z.enum(intensities);
export type Intensity = z.infer<typeof intensity>;
/** Ordinal rank of an intensity, for "need above what the home meets" comparisons. */
export const intensityRank: Record<Intensity, number> = { low: 1, medium: 2, high: 3 };

export const frequencies = ['occasional', 'frequent', 'constant'] as const;
export const frequency = z.enum(frequencies);

export const riskKeys = [
  'selfHarm',
  'sexualExploitation',
  'criminalExploitation',
  'substanceMisuse',
  'missing',
  'riskToOthers',
] as const;
export const riskValue = z.enum(['no-known-risk', 'risk-present']);

export const urgency = z.enum(['planned', 'emergency']);
export const livingArrangement = z.enum([
  'solo',
  'with-others',
  'only-older',
  'only-younger',
  'no-preference',
]);

export const contractRoute = z.enum(['in-house', 'block', 'framework', 'spot']);
export const registrationStatus = z.enum(['registered', 'suspended', 'cancelled']);
export const ofstedJudgement = z.enum(['outstanding', 'good', 'requires-improvement', 'inadequate']);
export type OfstedJudgement = z.infer<typeof ofstedJudgement>;

export const requiredApproval = z.enum(['nominated-officer', 'dcs']).nullable();
export type RequiredApproval = z.infer<typeof requiredApproval>;
export const approvalLevel = z.enum(['nominated-officer', 'dcs']);
export const approvalDecision = z.enum(['approved', 'rejected']);

export const offerStatus = z.enum(['sent', 'accepted', 'declined', 'withdrawn', 'expired']);
export const declineReason = z.enum([
  'no-vacancy',
  'needs-exceed-statement-of-purpose',
  'group-compatibility',
  'location-risk',
  'staffing',
  'other',
]);
export const placementStatus = z.enum(['awaiting-approval', 'approved', 'rejected', 'active', 'ended']);
export const referralStatus = z.enum(['submitted', 'placed', 'withdrawn']);

export const noticeKinds = [
  'out-of-area.placement-notice',
  'out-of-area.departure-notice',
  'reg44.report-available',
  'reg44.visit-overdue',
  'reg40.serious-event',
] as const;
export const noticeKind = z.enum(noticeKinds);
export type NoticeKind = z.infer<typeof noticeKind>;
export const notificationStatus = z.enum(['pending', 'delivered', 'acknowledged', 'overdue']);

export const reg44Opinion = z.enum(['yes', 'partly', 'no']);

/** CHR 2015 reg 40 notifiable events (Schedule of events to be notified). */
export const seriousEventCategories = [
  'death-of-child',
  'serious-injury',
  'sexual-exploitation',
  'police-involvement',
  'allegation-against-home',
  'child-protection-enquiry-instigated',
  'child-protection-enquiry-concluded',
  'staff-referred-to-dbs',
  'serious-illness-or-accident',
  'serious-complaint',
  'other-serious-incident',
] as const;
export const seriousEventCategory = z.enum(seriousEventCategories);

export const sexCode = z.enum(['M', 'F', 'U']);

export const geoPoint = z.strictObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});
export type GeoPoint = z.infer<typeof geoPoint>;

/** Roles carried in the `roles` claim of a bearer token (API.md, Authentication and roles). */
export const roles = [
  'placing-authority',
  'host-authority',
  'provider',
  'independent-visitor',
  'regulator',
  'ops',
  /**
   * Commissioning analysts of a consortium or Regional Care Co-operative (`org` = `consortium:<id>`):
   * read-only aggregates across the member LAs, with small numbers suppressed. No other service grants it.
   */
  'commissioner',
] as const;
export type Role = (typeof roles)[number];
