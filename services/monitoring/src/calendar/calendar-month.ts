// Calendar months and date spans as the regulations count them: Reg 44 visits are due "at least once
// each calendar month", Reg 45 reviews every six months, and SSDA903 years run April to March. Dates
// are ISO `YYYY-MM-DD` strings and months `YYYY-MM`; arithmetic runs on whole days, never instants.
import { addDays, toDayNumber } from '@placements/contracts';

const MONTH = /^(\d{4})-(\d{2})$/;

export function isMonth(value: string): boolean {
  const match = MONTH.exec(value);
  return !!match && Number(match[2]) >= 1 && Number(match[2]) <= 12;
}

export function monthOf(date: string): string {
  return date.slice(0, 7);
}

export function firstDayOf(month: string): string {
  return `${month}-01`;
}

export function lastDayOf(month: string): string {
  return addDays(firstDayOf(addMonthsToMonth(month, 1)), -1);
}

export function addMonthsToMonth(month: string, n: number): string {
  const match = MONTH.exec(month);
  if (!match) throw new RangeError(`${month} is not a month (YYYY-MM)`);
  const index = Number(match[1]) * 12 + Number(match[2]) - 1 + n;
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The same day n months later, clamped to the month's last day (31 August + 6 months = 28/29 February). */
export function addMonths(date: string, n: number): string {
  const month = addMonthsToMonth(monthOf(date), n);
  const last = lastDayOf(month);
  const day = `${month}-${date.slice(8, 10)}`;
  return day > last ? last : day;
}

/** Months from `from` to `to` inclusive, in order. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  for (let month = from; month <= to; month = addMonthsToMonth(month, 1)) months.push(month);
  return months;
}

/** Whole days from a to b (b - a). */
export function daysBetween(a: string, b: string): number {
  return toDayNumber(b) - toDayNumber(a);
}

/** Whether [start, end] (end null = still open) shares at least one day with [from, to]. */
export function overlaps(start: string, end: string | null, from: string, to: string): boolean {
  return start <= to && (end === null || end >= from);
}
