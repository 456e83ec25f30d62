import { describe, expect, it } from 'vitest';
import data from './bank-holidays.json' with { type: 'json' };
import { addDays, dayOfWeek, ReferenceDataError } from './iso-date.ts';
import {
  addWorkingDays,
  bankHolidaySources,
  createWorkingDayCalendar,
  englandAndWalesCalendar,
  isWorkingDay,
  WorkingDayCalendar,
  workingDaysBetween,
} from './working-days.ts';

/** Gregorian Easter Sunday (anonymous Gregorian algorithm), as an independent check on the data. */
function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const holidayDates = new Set(data.events.map((e) => e.date));
const years = Array.from(
  { length: data.coversYears.to - data.coversYears.from + 1 },
  (_, i) => data.coversYears.from + i,
);

describe('bank holiday data', () => {
  it('covers 2018 to 2030 and names a source for every year', () => {
    expect(data.coversYears).toEqual({ from: 2018, to: 2030 });
    expect(bankHolidaySources.flatMap((s) => s.years).sort()).toEqual(years);
    expect(bankHolidaySources[0]?.source).toMatch(/GOV\.UK/);
    expect(bankHolidaySources[1]?.source).toMatch(/Banking and Financial Dealings Act 1971/);
  });

  it('lists each date once, on a weekday, inside the covered years', () => {
    expect(holidayDates.size).toBe(data.events.length);
    for (const { date } of data.events) {
      expect([0, 6], date).not.toContain(dayOfWeek(date));
      expect(Number(date.slice(0, 4)), date).toBeGreaterThanOrEqual(2018);
      expect(Number(date.slice(0, 4)), date).toBeLessThanOrEqual(2030);
    }
  });

  it.each(years)('has Good Friday and Easter Monday around Easter Sunday %i', (year) => {
    const easter = easterSunday(year);
    expect(holidayDates.has(addDays(easter, -2))).toBe(true);
    expect(holidayDates.has(addDays(easter, 1))).toBe(true);
  });

  it.each(years)('has New Year, Christmas and Boxing Day (or their substitutes) in %i', (year) => {
    const firstWeekdayOnOrAfter = (date: string) => {
      let d = date;
      while (dayOfWeek(d) === 0 || dayOfWeek(d) === 6) d = addDays(d, 1);
      return d;
    };
    expect(holidayDates.has(firstWeekdayOnOrAfter(`${year}-01-01`))).toBe(true);
    const christmas = firstWeekdayOnOrAfter(`${year}-12-25`);
    expect(holidayDates.has(christmas)).toBe(true);
    expect(holidayDates.has(firstWeekdayOnOrAfter(addDays(christmas, 1)))).toBe(true);
    const count = data.events.filter((e) => e.date.startsWith(`${year}-`)).length;
    expect(count).toBeGreaterThanOrEqual(8);
  });

  it('includes the one-off holidays and the moved May holidays', () => {
    for (const date of ['2020-05-08', '2022-06-02', '2022-06-03', '2022-09-19', '2023-05-08']) {
      expect(holidayDates.has(date), date).toBe(true);
    }
    expect(holidayDates.has('2020-05-04')).toBe(false);
    expect(holidayDates.has('2022-05-30')).toBe(false);
  });
});

describe('isWorkingDay', () => {
  it.each([
    ['2026-12-24', true],
    ['2026-12-25', false], // Christmas Day, Friday
    ['2026-12-26', false], // Saturday
    ['2026-12-27', false], // Sunday
    ['2026-12-28', false], // Boxing Day substitute
    ['2026-12-29', true],
    ['2027-01-01', false],
    ['2027-01-04', true],
    ['2026-04-03', false], // Good Friday
    ['2026-04-06', false], // Easter Monday
    ['2026-04-07', true],
    ['2027-03-26', false], // Good Friday
    ['2027-03-29', false], // Easter Monday
    ['2027-12-27', false], // Christmas Day substitute
    ['2027-12-28', false], // Boxing Day substitute
    ['2027-12-29', true],
    ['2026-11-21', false], // Saturday
    ['2026-11-23', true],
    ['2022-09-19', false],
    ['2022-05-30', true],
  ])('%s -> %s', (date, expected) => {
    expect(isWorkingDay(date)).toBe(expected);
  });
});

describe('addWorkingDays', () => {
  it('counts 5 working days from Christmas Eve 2026 past the holidays and the weekend', () => {
    // 25 Fri, 26-27 weekend, 28 Boxing Day substitute; 29, 30, 31; 1 Jan; 2-3 weekend; 4, 5.
    expect(addWorkingDays('2026-12-24', 5)).toBe('2027-01-05');
    expect(addWorkingDays('2026-12-24', 1)).toBe('2026-12-29');
  });

  it('counts 10 working days after a placement ends before Christmas', () => {
    expect(addWorkingDays('2026-12-18', 10)).toBe('2027-01-06');
  });

  it('skips Easter', () => {
    expect(addWorkingDays('2026-04-02', 1)).toBe('2026-04-07');
    expect(addWorkingDays('2027-03-25', 1)).toBe('2027-03-30');
    expect(addWorkingDays('2027-03-25', 5)).toBe('2027-04-05');
  });

  it('skips weekends', () => {
    expect(addWorkingDays('2026-11-20', 5)).toBe('2026-11-27');
    expect(addWorkingDays('2026-11-21', 1)).toBe('2026-11-23');
    expect(addWorkingDays('2026-11-22', 5)).toBe('2026-11-27');
    expect(addWorkingDays('2026-11-23', 10)).toBe('2026-12-07');
  });

  it('with 0 keeps a working day and moves any other day to the next working day', () => {
    expect(addWorkingDays('2026-11-23', 0)).toBe('2026-11-23');
    expect(addWorkingDays('2026-11-21', 0)).toBe('2026-11-23');
    expect(addWorkingDays('2026-12-25', 0)).toBe('2026-12-29');
  });

  it('rejects a negative or fractional count', () => {
    const invalid = expect.objectContaining({ code: 'INVALID_ARGUMENT' });
    expect(() => addWorkingDays('2026-11-23', -1)).toThrow(invalid);
    expect(() => addWorkingDays('2026-11-23', 1.5)).toThrow(invalid);
    expect(() => addWorkingDays('2026-11-23', Number.NaN)).toThrow(invalid);
  });
});

describe('workingDaysBetween', () => {
  it('counts the working days after the first date up to and including the second', () => {
    expect(workingDaysBetween('2026-12-24', '2027-01-05')).toBe(5);
    expect(workingDaysBetween('2026-11-20', '2026-11-27')).toBe(5);
    expect(workingDaysBetween('2026-11-23', '2026-11-23')).toBe(0);
    expect(workingDaysBetween('2026-11-21', '2026-11-22')).toBe(0);
    // 2026: 261 weekdays less 8 bank holidays; 1 January itself is not counted but is a holiday anyway.
    expect(workingDaysBetween('2026-01-01', '2026-12-31')).toBe(253);
  });

  it('is negative when the second date is earlier, so lateness reads directly', () => {
    expect(workingDaysBetween('2027-01-05', '2026-12-24')).toBe(-5);
  });

  it('inverts addWorkingDays', () => {
    for (let start = '2026-01-01'; start < '2027-12-20'; start = addDays(start, 11)) {
      for (const n of [1, 5, 10, 20]) {
        expect(workingDaysBetween(start, addWorkingDays(start, n)), `${start}+${n}`).toBe(n);
      }
    }
  });
});

describe('calendar coverage and input checks', () => {
  it('refuses dates outside the covered years', () => {
    const outside = expect.objectContaining({ code: 'OUTSIDE_COVERAGE' });
    expect(() => isWorkingDay('2031-01-02')).toThrow(outside);
    expect(() => isWorkingDay('2017-12-29')).toThrow(outside);
    expect(() => addWorkingDays('2030-12-24', 5)).toThrow(outside);
    expect(() => workingDaysBetween('2030-12-01', '2031-01-10')).toThrow(outside);
    expect(() => isWorkingDay('2031-01-02')).toThrow(/2018-2030/);
  });

  it('refuses malformed dates', () => {
    const invalid = expect.objectContaining({ code: 'INVALID_DATE' });
    expect(() => isWorkingDay('2026-02-30')).toThrow(invalid);
    expect(() => isWorkingDay('22/11/2026')).toThrow(invalid);
    expect(() => isWorkingDay('2026-11-22T00:00:00Z')).toThrow(ReferenceDataError);
  });
});

describe('injected calendars', () => {
  it('uses the holidays it is given instead of the default list', () => {
    const calendar = createWorkingDayCalendar({
      holidays: ['2026-06-15'],
      coversYears: { from: 2026, to: 2026 },
    });
    expect(calendar.isWorkingDay('2026-06-15')).toBe(false);
    expect(calendar.isWorkingDay('2026-12-25')).toBe(true);
    expect(calendar.addWorkingDays('2026-06-12', 1)).toBe('2026-06-16');
    expect(() => calendar.isWorkingDay('2027-01-04')).toThrow(
      expect.objectContaining({ code: 'OUTSIDE_COVERAGE' }),
    );
  });

  it('accepts full holiday records and keeps them sorted', () => {
    const calendar = new WorkingDayCalendar({
      holidays: [
        { date: '2026-12-25', title: 'Christmas Day' },
        { date: '2026-05-04', title: 'Early May bank holiday' },
      ],
      coversYears: { from: 2026, to: 2026 },
    });
    expect(calendar.holidays.map((h) => h.date)).toEqual(['2026-05-04', '2026-12-25']);
    expect(calendar.isBankHoliday('2026-05-04')).toBe(true);
  });

  it('rejects a holiday list that does not fit its own coverage', () => {
    expect(() =>
      createWorkingDayCalendar({ holidays: ['2027-01-01'], coversYears: { from: 2026, to: 2026 } }),
    ).toThrow(expect.objectContaining({ code: 'OUTSIDE_COVERAGE' }));
    expect(() => createWorkingDayCalendar({ holidays: [], coversYears: { from: 2027, to: 2026 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() =>
      createWorkingDayCalendar({ holidays: ['2026-13-01'], coversYears: { from: 2026, to: 2026 } }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_DATE' }));
  });

  it('defaults to the England and Wales list', () => {
    expect(englandAndWalesCalendar.coversYears).toEqual({ from: 2018, to: 2030 });
    expect(englandAndWalesCalendar.holidays).toHaveLength(data.events.length);
    expect(englandAndWalesCalendar.holidays.find((h) => h.date === '2026-12-28')?.substitute).toBe(true);
  });
});
