// Working days in England: weekdays that are not England-and-Wales bank holidays. Statutory deadlines
// (notice within 5 working days of an emergency placement starting, within 10 working days after a placement
// ends, Reg 44 report distribution) are counted with this calendar. The holiday list is injectable so tests
// and future years can supply their own; the default is bank-holidays.json.

import data from './bank-holidays.json' with { type: 'json' };
import { addDays, dayOfWeek, fromDayNumber, ReferenceDataError, toDayNumber } from './iso-date.ts';

export interface BankHoliday {
  readonly date: string;
  readonly title: string;
  /** True when the day replaces a holiday that fell at a weekend. */
  readonly substitute?: boolean;
}

export interface YearRange {
  readonly from: number;
  readonly to: number;
}

export interface WorkingDayCalendarOptions {
  readonly holidays: readonly (BankHoliday | string)[];
  /** Whole calendar years the holiday list is known to be complete for; other dates are refused. */
  readonly coversYears: YearRange;
}

export class WorkingDayCalendar {
  readonly coversYears: YearRange;
  readonly holidays: readonly BankHoliday[];
  readonly #holidayDates: ReadonlySet<string>;
  readonly #firstDay: string;
  readonly #lastDay: string;

  constructor(options: WorkingDayCalendarOptions) {
    const { from, to } = options.coversYears;
    if (!Number.isInteger(from) || !Number.isInteger(to) || from > to) {
      throw new ReferenceDataError('INVALID_ARGUMENT', `coversYears ${from}-${to} is not a range of years`);
    }
    this.coversYears = Object.freeze({ from, to });
    this.#firstDay = `${String(from).padStart(4, '0')}-01-01`;
    this.#lastDay = `${String(to).padStart(4, '0')}-12-31`;
    this.holidays = Object.freeze(
      options.holidays
        .map((h) => Object.freeze(typeof h === 'string' ? { date: h, title: 'Bank holiday' } : { ...h }))
        .sort((a, b) => a.date.localeCompare(b.date)),
    );
    for (const h of this.holidays) {
      toDayNumber(h.date);
      this.#assertCovered(h.date);
    }
    this.#holidayDates = new Set(this.holidays.map((h) => h.date));
  }

  #assertCovered(date: string): void {
    toDayNumber(date);
    if (date < this.#firstDay || date > this.#lastDay) {
      throw new ReferenceDataError(
        'OUTSIDE_COVERAGE',
        `${date} is outside the working-day calendar, which covers ${this.coversYears.from}-${this.coversYears.to}`,
      );
    }
  }

  isBankHoliday(date: string): boolean {
    this.#assertCovered(date);
    return this.#holidayDates.has(date);
  }

  isWorkingDay(date: string): boolean {
    this.#assertCovered(date);
    const dow = dayOfWeek(date);
    return dow !== 0 && dow !== 6 && !this.#holidayDates.has(date);
  }

  /**
   * The n-th working day after `date`, not counting `date` itself. So "within 5 working days of 24 December
   * 2026" is addWorkingDays('2026-12-24', 5) = '2027-01-05' (25th, 28th and 1st are bank holidays).
   * n = 0 returns `date` when it is a working day and otherwise the next working day, so a deadline of
   * "no later than day X" never lands on a weekend or bank holiday.
   */
  addWorkingDays(date: string, n: number): string {
    if (!Number.isInteger(n) || n < 0) {
      throw new ReferenceDataError(
        'INVALID_ARGUMENT',
        `working days to add must be a whole number >= 0, got ${n}`,
      );
    }
    let current = date;
    if (n === 0) {
      while (!this.isWorkingDay(current)) current = addDays(current, 1);
      return current;
    }
    this.#assertCovered(current);
    let remaining = n;
    while (remaining > 0) {
      current = addDays(current, 1);
      if (this.isWorkingDay(current)) remaining -= 1;
    }
    return current;
  }

  /**
   * Working days d with a < d <= b: the number n for which addWorkingDays(a, n) = b when b is a working day.
   * Negative, with the same magnitude, when b is before a, so lateness against a deadline reads directly:
   * workingDaysBetween(deadline, sentOn) > 0 means late.
   */
  workingDaysBetween(a: string, b: string): number {
    this.#assertCovered(a);
    this.#assertCovered(b);
    if (b < a) return -this.workingDaysBetween(b, a);
    let count = 0;
    for (let day = toDayNumber(a) + 1, end = toDayNumber(b); day <= end; day += 1) {
      if (this.isWorkingDay(fromDayNumber(day))) count += 1;
    }
    return count;
  }
}

export function createWorkingDayCalendar(options?: WorkingDayCalendarOptions): WorkingDayCalendar {
  return new WorkingDayCalendar(options ?? { holidays: data.events, coversYears: data.coversYears });
}

/** Calendar sources per year, for display next to any deadline computed from a not-yet-announced year. */
export const bankHolidaySources: readonly { readonly years: readonly number[]; readonly source: string }[] =
  Object.freeze(
    data.sources.map((s) => Object.freeze({ years: Object.freeze([...s.years]), source: s.source })),
  );

export const englandAndWalesCalendar: WorkingDayCalendar = createWorkingDayCalendar();

export function isWorkingDay(date: string): boolean {
  return englandAndWalesCalendar.isWorkingDay(date);
}

export function addWorkingDays(date: string, n: number): string {
  return englandAndWalesCalendar.addWorkingDays(date, n);
}

export function workingDaysBetween(a: string, b: string): number {
  return englandAndWalesCalendar.workingDaysBetween(a, b);
}
