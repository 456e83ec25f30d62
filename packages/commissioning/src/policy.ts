// Every number commissioning intelligence applies as policy, named, with where it comes from.
// Statistical disclosure control, distance bands, age bands, need profiles and forecasting
// settings live here so that a change is one edit, visible in review.
import type { Intensity, NeedDomain } from '@placements/contracts';

/**
 * Counts below this are suppressed in anything shared beyond the LA that owns the children
 * (GSS/ONS statistical disclosure control practice for small numbers; the threshold the DfE
 * children-looked-after statistics and this platform's brief use). Zero is suppressed too: a zero
 * next to a known total discloses as much as a one.
 */
export const SMALL_NUMBER_THRESHOLD = 5;

/**
 * Shared counts that survive suppression are rounded to the nearest multiple of this, so that
 * totals, overlapping breakdowns and differences between periods cannot be used to recover a
 * suppressed cell (rounding to base 5, as in ONS and DfE published tables).
 */
export const ROUNDING_BASE = 5;

/** How a suppressed cell is written in CSV downloads (GSS guidance: "[c]" for confidential). */
export const SUPPRESSED_MARKER = '[c]';

/**
 * Distance bands of the gap analysis, in miles from the placing LA's centre. 20 miles is the DfE
 * children-looked-after measure of placements "more than 20 miles from home" (DOMAIN.md §2);
 * 50 miles is a commissioning band (configurable).
 */
export const DISTANCE_BANDS_MILES = [20, 50] as const;

/** Age bands a referral keeps instead of a date of birth (DfE CLA statistics split at 10 and 16). */
export const ageBands = ['under-10', '10-12', '13-15', '16-plus', 'unknown'] as const;
export type AgeBand = (typeof ageBands)[number];

/** Ages each band spans, to compare with a home's registered age range. */
export const ageBandSpan: Record<Exclude<AgeBand, 'unknown'>, readonly [number, number]> = {
  'under-10': [0, 9],
  '10-12': [10, 12],
  '13-15': [13, 15],
  '16-plus': [16, 25],
};

export function ageBandOf(age: number): AgeBand {
  if (!Number.isFinite(age) || age < 0) return 'unknown';
  if (age < 10) return 'under-10';
  if (age <= 12) return '10-12';
  if (age <= 15) return '13-15';
  return '16-plus';
}

/**
 * Need profiles: groups of need domains a referral is counted under for demand forecasting. A
 * referral belongs to exactly one profile, that of its highest-intensity need; ties go to the
 * profile listed first (the more specialist provision), so profiles add up to all referrals.
 */
export const needProfiles = [
  'harmful-sexual-behaviour',
  'exploitation',
  'disability',
  'mental-health',
  'behaviour',
  'other',
] as const;
export type NeedProfile = (typeof needProfiles)[number];

export const profileDomains: Record<NeedProfile, readonly NeedDomain[]> = {
  'harmful-sexual-behaviour': ['harmful-sexual-behaviour'],
  exploitation: ['sexual-exploitation', 'criminal-exploitation', 'missing'],
  disability: ['learning-disability', 'autism', 'physical-disability'],
  'mental-health': ['mental-health', 'self-harm'],
  behaviour: ['emotional-behavioural', 'violence-aggression', 'offending', 'substance-misuse'],
  other: ['education', 'health'],
};

/** Months forecast ahead. */
export const FORECAST_HORIZON_MONTHS = 12;
/** Months held out at the end of the history to measure the forecast error printed with it. */
export const BACKTEST_HOLDOUT_MONTHS = 12;
/** Seasonal period of monthly referrals (a year). */
export const SEASON_MONTHS = 12;
/** Training months a seasonal decomposition needs (two full years); fewer use non-seasonal ETS. */
export const MIN_SEASONAL_TRAINING_MONTHS = 24;
/** Below this many months of history no forecast is made. */
export const MIN_FORECAST_HISTORY_MONTHS = 12;
/** Prediction interval levels reported with every forecast. */
export const INTERVAL_LEVELS = [0.8, 0.95] as const;
/**
 * In shared views a series is forecast only when its mean monthly count over the last year is at
 * least the small-number threshold: a forecast of a series of ones and twos would echo them.
 */
export const SHARED_FORECAST_MIN_MEAN = SMALL_NUMBER_THRESHOLD;

/** Default period of analyses: the last 12 months. */
export const DEFAULT_PERIOD_MONTHS = 12;
/** Longest period one request may analyse (five years), to bound the work of one request. */
export const MAX_PERIOD_DAYS = 5 * 366;

/** Placements within this many miles of the placing LA count as local (the DfE 20-mile measure). */
export const LOCAL_MILES = 20;

/** Shortlist exclusion rules grouped by what they say about why nothing nearer was possible. */
export const exclusionReasonGroups = {
  capability: ['need-exceeds-statement-of-purpose', 'age-outside-registration', 'sex-outside-registration'],
  capacity: ['no-free-place', 'admissions-closed', 'admissions-restricted'],
  safety: ['inside-avoid-area'],
  regulatory: ['not-registered'],
} as const;
export type ExclusionReasonGroup = keyof typeof exclusionReasonGroups | 'none-nearer';

/** Ordinal rank of an intensity (as in contracts). */
export const intensityRanks: Record<Intensity, number> = { low: 1, medium: 2, high: 3 };
