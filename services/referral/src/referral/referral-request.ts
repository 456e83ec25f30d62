// Request bodies of the referral API (API.md, Referral service) and the checks a case-system
// integrator needs: SSDA903 codes of the current collection year, real dates, plausible ages, UK
// postcodes (normalised) and coordinates, non-empty views, the disclosure attestation, no
// duplicate need domains. Every failing field is reported in one response: the cross-field checks
// run even when single fields have already failed, so nothing is held back for a second attempt.
// Bodies that depend on the date are built per service from its clock, so they carry no OpenAPI
// component id (two services in one process would register the same id twice).
import {
  type CodeListName,
  childRef,
  collectionYearOf,
  isoDate,
  isValidCode,
  livingArrangement,
  need,
  risks,
  sexCode,
  supportedCollectionYears,
  toDayNumber,
  todayInEngland,
  urgency,
} from '@placements/contracts';
import { isValid as isValidPostcode, toNormalised as normalisePostcode } from 'postcode';
import { z } from 'zod';
import {
  ADULTHOOD_AGE,
  CHILDRENS_HOME_PLACEMENT_TYPES,
  LEAVING_CARE_WARNING_AGE,
  MAX_AVOID_AREA_RADIUS_MILES,
  MAX_CHILD_VIEWS_LENGTH,
  MAX_DISTANCE_MILES,
  MAX_LOCATIONS,
  MAX_NAME_LENGTH,
  MAX_REASON_LENGTH,
  UK_BOUNDS,
} from './policy.ts';

/** Today in England (`YYYY-MM-DD`), from the service clock. */
export type Today = () => string;

const MINUTE_MS = 60_000;

/**
 * Today in England from a clock, worked out once a minute: the date in England only changes on
 * a minute boundary (its offsets from UTC are whole hours), and one request asks several times.
 */
export function todayFrom(clock: () => Date): Today {
  let minute = Number.NaN;
  let today = '';
  return () => {
    const now = clock().getTime();
    const current = Math.floor(now / MINUTE_MS);
    if (current !== minute) {
      today = todayInEngland(new Date(now));
      minute = current;
    }
    return today;
  };
}

let lastYear: { date: string; year: string } | undefined;

/**
 * The SSDA903 collection year whose code lists apply today. Past the newest year the package
 * holds, the newest lists are used, so referrals keep flowing until the lists are updated.
 */
export function codeListYear(today: string): string {
  if (lastYear?.date === today) return lastYear.year;
  const inForce = collectionYearOf(today);
  const year = supportedCollectionYears.includes(inForce)
    ? inForce
    : (supportedCollectionYears.filter((candidate) => candidate <= inForce).at(-1) ??
      supportedCollectionYears[0]!);
  lastYear = { date: today, year };
  return year;
}

/** Whole years of age on a date (a 29 February birthday falls on 1 March in other years). */
export function ageOn(dateOfBirth: string, date: string): number {
  const years = Number(date.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  return date.slice(5) < dateOfBirth.slice(5) ? years - 1 : years;
}

/** Checks a code against the SSDA903 list of the collection year in force today. */
function inCodeList(today: Today, list: CodeListName, what: string, example: string) {
  return (code: string, ctx: z.core.$RefinementCtx<string>) => {
    const year = codeListYear(today());
    if (!isValidCode(year, list, code)) {
      ctx.addIssue({
        code: 'custom',
        message: `must be an SSDA903 ${what} code for collection year ${year} (e.g. ${example})`,
      });
    }
  };
}

function ssda903Code(today: Today, list: CodeListName, what: string, example: string) {
  return z
    .string()
    .superRefine(inCodeList(today, list, what, example))
    .describe(`SSDA903 ${what} code of the current collection year, e.g. ${example}`);
}

const latitude = z
  .number()
  .min(UK_BOUNDS.minLat, `must be inside the UK (latitude ${UK_BOUNDS.minLat} to ${UK_BOUNDS.maxLat})`)
  .max(UK_BOUNDS.maxLat, `must be inside the UK (latitude ${UK_BOUNDS.minLat} to ${UK_BOUNDS.maxLat})`);
const longitude = z
  .number()
  .min(UK_BOUNDS.minLon, `must be inside the UK (longitude ${UK_BOUNDS.minLon} to ${UK_BOUNDS.maxLon})`)
  .max(UK_BOUNDS.maxLon, `must be inside the UK (longitude ${UK_BOUNDS.minLon} to ${UK_BOUNDS.maxLon})`);

const ukPoint = z.strictObject({ lat: latitude, lon: longitude }).describe('WGS84 coordinates inside the UK');

const postcode = z
  .string()
  .trim()
  .refine((value) => isValidPostcode(value), 'must be a UK postcode, e.g. N17 6QA')
  .transform((value) => normalisePostcode(value) ?? value)
  .describe('UK postcode; stored normalised (upper case, one space), e.g. N17 6QA');

const text = (max: number, empty: string) =>
  z.string().trim().min(1, empty).max(max, `must be at most ${max} characters`);

function dateOfBirth(today: Today) {
  const checked = isoDate.superRefine((value, ctx) => {
    const now = today();
    // isoDate's own refinement may have failed; the age is only meaningful for a real date.
    if (!isRealDate(value)) return;
    if (value > now) {
      ctx.addIssue({ code: 'custom', message: 'must not be in the future' });
    } else if (ageOn(value, now) >= ADULTHOOD_AGE) {
      ctx.addIssue({
        code: 'custom',
        message: `the child must be under ${ADULTHOOD_AGE} on the date of referral; children's homes look after children`,
      });
    }
  });
  return checked.describe(
    `YYYY-MM-DD, not in the future; the child must be under ${ADULTHOOD_AGE} (a warning from ${LEAVING_CARE_WARNING_AGE})`,
  );
}

function referralChild(today: Today) {
  return z.strictObject({
    dateOfBirth: dateOfBirth(today),
    sex: sexCode.superRefine(inCodeList(today, 'sex', 'sex', 'F')),
    ethnicity: ssda903Code(today, 'ethnicity', 'ethnicity', 'WBRI'),
    legalStatus: ssda903Code(today, 'legalStatus', 'legal status', 'C2'),
    categoryOfNeed: ssda903Code(today, 'categoryOfNeed', 'category of need', 'N1'),
    homePostcode: postcode,
    homeLocation: ukPoint,
  });
}

function placementType(today: Today) {
  return ssda903Code(today, 'placementType', 'placement type', 'K2').refine(
    (code) =>
      !isValidCode(codeListYear(today()), 'placementType', code) ||
      CHILDRENS_HOME_PLACEMENT_TYPES.includes(code),
    `must be a children's home placement type: ${CHILDRENS_HOME_PLACEMENT_TYPES.join(' or ')}`,
  );
}

const avoidArea = z.strictObject({
  lat: latitude,
  lon: longitude,
  radiusMiles: z
    .number()
    .positive('must be more than 0')
    .max(MAX_AVOID_AREA_RADIUS_MILES, `must be at most ${MAX_AVOID_AREA_RADIUS_MILES} miles`),
});

const familyAnchor = z.strictObject({
  lat: latitude,
  lon: longitude,
  label: text(MAX_NAME_LENGTH, 'must not be empty; leave it out instead').optional(),
});

function requirements(today: Today) {
  return z.strictObject({
    placementType: placementType(today),
    urgency,
    requiredBy: isoDate.optional().describe('YYYY-MM-DD; not in the past for a planned referral'),
    livingArrangement,
    maxDistanceMiles: z
      .number()
      .positive('must be more than 0')
      .max(MAX_DISTANCE_MILES, `must be at most ${MAX_DISTANCE_MILES} miles`)
      .optional(),
    avoidAreas: z.array(avoidArea).max(MAX_LOCATIONS, `list at most ${MAX_LOCATIONS}`).default([]),
    familyAnchors: z.array(familyAnchor).max(MAX_LOCATIONS, `list at most ${MAX_LOCATIONS}`).default([]),
  });
}

const needs = z.array(need).min(1, 'list at least one need').max(15, 'list each need domain at most once');

/** The needs part shared by a submission and a needs update. */
function needsShape(today: Today) {
  return { needs, risks, requirements: requirements(today) };
}

/**
 * Checks across fields, on the raw body, so they run even when other fields failed: a repeated
 * need domain, and a planned referral required by a date already past.
 */
function crossFieldChecks(today: Today) {
  return (body: unknown, ctx: z.core.$RefinementCtx<unknown>) => {
    if (!isRecord(body)) return;
    if (Array.isArray(body.needs)) {
      const firstIndex = new Map<string, number>();
      body.needs.forEach((item, index) => {
        if (!isRecord(item) || typeof item.domain !== 'string') return;
        const first = firstIndex.get(item.domain);
        if (first === undefined) firstIndex.set(item.domain, index);
        else
          ctx.addIssue({
            code: 'custom',
            path: ['needs', index, 'domain'],
            message: `duplicate need domain "${item.domain}" (already at needs.${first}); give each domain once with its highest intensity`,
          });
      });
    }
    const wanted = body.requirements;
    if (
      isRecord(wanted) &&
      wanted.urgency === 'planned' &&
      typeof wanted.requiredBy === 'string' &&
      isRealDate(wanted.requiredBy) &&
      wanted.requiredBy < today()
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['requirements', 'requiredBy'],
        message:
          'must not be in the past for a planned referral; use urgency "emergency" if the child needs a home now',
      });
    }
  };
}

export function submitReferralBody(today: Today) {
  return z
    .strictObject({
      childRef: childRef.describe('The LA’s own child id (SSDA903 CHILD): 1–10 letters or digits'),
      child: referralChild(today),
      ...needsShape(today),
      childViews: text(
        MAX_CHILD_VIEWS_LENGTH,
        'must record the child’s own views and wishes; it cannot be empty',
      ).describe('The child’s own views and wishes, in their words where possible (required)'),
      attestation: z.strictObject({
        fullDisclosure: z.literal(true, {
          error: 'must be true: the referrer attests that everything known about the child is disclosed',
        }),
        referrerName: text(MAX_NAME_LENGTH, 'must name the referrer'),
      }),
    })
    .superRefine(crossFieldChecks(today), { when: () => true });
}
export type SubmitReferralBody = z.output<ReturnType<typeof submitReferralBody>>;

export function updateNeedsBody(today: Today) {
  return z.strictObject(needsShape(today)).superRefine(crossFieldChecks(today), { when: () => true });
}
export type UpdateNeedsBody = z.output<ReturnType<typeof updateNeedsBody>>;

export const withdrawBody = z
  .strictObject({ reason: text(MAX_REASON_LENGTH, 'must say why the referral is withdrawn') })
  .meta({ id: 'ReferralWithdrawal' });

export const referralIdParams = z.strictObject({ id: z.uuid('must be a referral id (a UUID)') });

export interface ReferralWarning {
  path: string;
  code: string;
  message: string;
}

/** What a referral may be submitted with but the referrer should know (not errors). */
export function submissionWarnings(body: SubmitReferralBody, today: string): ReferralWarning[] {
  const warnings: ReferralWarning[] = [];
  if (ageOn(body.child.dateOfBirth, today) >= LEAVING_CARE_WARNING_AGE) {
    warnings.push({
      path: 'body.child.dateOfBirth',
      code: 'leaving-care-age',
      message: `the child is ${LEAVING_CARE_WARNING_AGE} or older: the placement will end at ${ADULTHOOD_AGE}; plan the move to leaving-care support`,
    });
  }
  return warnings;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRealDate(value: string): boolean {
  try {
    toDayNumber(value);
    return true;
  } catch {
    return false;
  }
}
