import { describe, expect, it } from 'vitest';
import {
  addDays,
  assertIsoDate,
  dayOfWeek,
  ReferenceDataError,
  toDayNumber,
  todayInEngland,
} from './iso-date.ts';

describe('ISO dates', () => {
  it('accepts real calendar dates only', () => {
    expect(assertIsoDate('2024-02-29')).toBe('2024-02-29');
    for (const bad of [
      '2026-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-1-01',
      '20260101',
      '2026-01-01T00:00:00Z',
    ]) {
      expect(() => toDayNumber(bad), bad).toThrow(ReferenceDataError);
      expect(() => toDayNumber(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_DATE' }));
    }
  });

  it('does day arithmetic across months, years and the clock change', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30'); // clocks go forward on 29 March 2026
    expect(addDays('2026-10-24', 2)).toBe('2026-10-26'); // and back on 25 October 2026
  });

  it('knows the day of the week', () => {
    expect(dayOfWeek('1970-01-01')).toBe(4);
    expect(dayOfWeek('2026-11-22')).toBe(0);
    expect(dayOfWeek('2026-12-26')).toBe(6);
    expect(dayOfWeek('1969-12-31')).toBe(3);
  });

  it('reads today in England, not in UTC', () => {
    expect(todayInEngland(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(todayInEngland(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12-31');
  });
});
