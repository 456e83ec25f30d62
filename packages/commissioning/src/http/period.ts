// The period an analysis covers, in English calendar dates (inclusive). Exact views take any
// dates; protected (shared) views take whole calendar months only, so that two overlapping
// requests cannot be differenced down to a single day's children.
import { addDays, isoDate, toDayNumber, todayInEngland } from '@placements/contracts';
import { problems } from '@placements/service-kit';
import { z } from 'zod';
import type { Disclosure } from '../access/disclosure.ts';
import { DEFAULT_PERIOD_MONTHS, MAX_PERIOD_DAYS } from '../policy.ts';

export interface Period {
  from: string;
  to: string;
}

export const periodSchema = z
  .strictObject({ from: z.string(), to: z.string() })
  .meta({ id: 'CommissioningPeriod' });

export const periodQuery = {
  from: isoDate.optional().describe('first day of the period (England); shared views: the 1st of a month'),
  to: isoDate.optional().describe('last day of the period (England); shared views: the last day of a month'),
};

export function monthOf(date: string): string {
  return date.slice(0, 7);
}

/** `YYYY-MM` plus n months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export function firstDayOf(month: string): string {
  return `${month}-01`;
}

export function lastDayOf(month: string): string {
  return addDays(firstDayOf(addMonths(month, 1)), -1);
}

/** Months from `from` to `to` inclusive, `YYYY-MM`. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  for (let month = from; month <= to; month = addMonths(month, 1)) months.push(month);
  return months;
}

export function resolvePeriod(
  query: { from?: string | undefined; to?: string | undefined },
  disclosure: Disclosure,
  now: Date,
): Period {
  const today = todayInEngland(now);
  const errors: { path: string; message: string }[] = [];
  let from: string;
  let to: string;
  if (disclosure === 'protected') {
    const lastComplete = addMonths(monthOf(today), -1);
    to = query.to ?? lastDayOf(lastComplete);
    from = query.from ?? firstDayOf(addMonths(monthOf(to), -(DEFAULT_PERIOD_MONTHS - 1)));
    if (query.from !== undefined && !from.endsWith('-01'))
      errors.push({
        path: 'query.from',
        message: 'shared figures cover whole months: use the 1st of a month',
      });
    if (query.to !== undefined && to !== lastDayOf(monthOf(to)))
      errors.push({
        path: 'query.to',
        message: 'shared figures cover whole months: use the last day of a month',
      });
  } else {
    to = query.to ?? today;
    // The last 365 days up to and including `to`.
    from = query.from ?? addDays(to, -364);
  }
  if (from > to) errors.push({ path: 'query.from', message: 'must not be after to' });
  else if (toDayNumber(to) - toDayNumber(from) + 1 > MAX_PERIOD_DAYS)
    errors.push({ path: 'query.from', message: `a period is at most ${MAX_PERIOD_DAYS} days` });
  if (errors.length > 0) throw problems.validation(errors);
  return { from, to };
}
