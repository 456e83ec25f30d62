// Calendar arithmetic the Reg 44, Reg 45 and SSDA903 rules rely on.
import { describe, expect, it } from 'vitest';
import {
  addMonths,
  addMonthsToMonth,
  daysBetween,
  isMonth,
  lastDayOf,
  monthsBetween,
  overlaps,
} from './calendar-month.ts';

describe('calendar months', () => {
  it('knows the last day of each month, leap years included', () => {
    expect(lastDayOf('2026-02')).toBe('2026-02-28');
    expect(lastDayOf('2028-02')).toBe('2028-02-29');
    expect(lastDayOf('2026-12')).toBe('2026-12-31');
    expect(lastDayOf('2026-04')).toBe('2026-04-30');
  });

  it('adds months across year ends and clamps the day', () => {
    expect(addMonthsToMonth('2026-11', 3)).toBe('2027-02');
    expect(addMonthsToMonth('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28');
    expect(addMonths('2026-01-15', 6)).toBe('2026-07-15');
  });

  it('lists months inclusively and counts days', () => {
    expect(monthsBetween('2026-11', '2027-02')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(daysBetween('2026-03-31', '2026-04-01')).toBe(1);
  });

  it('recognises months and overlaps', () => {
    expect(isMonth('2026-13')).toBe(false);
    expect(isMonth('2026-07')).toBe(true);
    expect(overlaps('2026-05-31', null, '2026-06-01', '2026-06-30')).toBe(true);
    expect(overlaps('2026-05-01', '2026-05-31', '2026-06-01', '2026-06-30')).toBe(false);
    expect(overlaps('2026-05-01', '2026-06-01', '2026-06-01', '2026-06-30')).toBe(true);
  });
});
