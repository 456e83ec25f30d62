// Date-only ISO strings (YYYY-MM-DD) as used by all reference data, and the error type the reference
// modules throw. Dates carry no time zone: arithmetic runs on UTC midnights so that no daylight-saving
// shift can move a date.

export type ReferenceDataErrorCode =
  | 'INVALID_DATE'
  | 'INVALID_ARGUMENT'
  | 'OUTSIDE_COVERAGE'
  | 'UNKNOWN_LOCAL_AUTHORITY';

export class ReferenceDataError extends Error {
  override readonly name = 'ReferenceDataError';
  readonly code: ReferenceDataErrorCode;

  constructor(code: ReferenceDataErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 for a valid ISO date; throws INVALID_DATE otherwise (e.g. 2026-02-30). */
export function toDayNumber(date: string): number {
  const match = ISO_DATE.exec(date);
  if (match) {
    const [, y, m, d] = match;
    const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
    // Date.UTC silently rolls 2026-02-30 over to March; the round trip catches it.
    if (fromDayNumber(ms / DAY_MS) === date) return ms / DAY_MS;
  }
  throw new ReferenceDataError('INVALID_DATE', `"${date}" is not a valid date in YYYY-MM-DD form`);
}

export function fromDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function assertIsoDate(date: string): string {
  toDayNumber(date);
  return date;
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: string): number {
  // 1970-01-01 was a Thursday.
  return (((toDayNumber(date) + 4) % 7) + 7) % 7;
}

const englandDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today's date in England, which is what "as of today" means for English statutory data. */
export function todayInEngland(now: Date = new Date()): string {
  return englandDate.format(now);
}
