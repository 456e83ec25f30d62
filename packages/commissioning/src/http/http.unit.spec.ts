// CSV downloads and analysis periods.
import { describe, expect, it } from 'vitest';
import { addMonths, monthsBetween, resolvePeriod } from './period.ts';
import { toCsv } from './tables.ts';

describe('CSV', () => {
  it('flattens nested fields to dotted columns and writes suppressed cells as [c]', () => {
    const csv = toCsv([
      {
        area: { code: 'E06000047', name: 'County Durham' },
        demand: { referrals: { value: 5, suppressed: false } },
        rules: ['a', 'b'],
      },
      {
        area: { code: 'E09000014', name: 'Haringey, London' },
        demand: { referrals: { value: null, suppressed: true } },
        rules: [],
      },
    ]);
    expect(csv).toBe(
      'area.code,area.name,demand.referrals,rules\nE06000047,County Durham,5,a; b\nE09000014,"Haringey, London",[c],\n',
    );
  });

  it('quotes text a spreadsheet would run as a formula', () => {
    expect(toCsv([{ name: '=HYPERLINK("x")', fee: -5 }])).toBe('name,fee\n"\'=HYPERLINK(""x"")",-5\n');
  });
});

describe('periods', () => {
  const now = new Date('2026-06-15T11:00:00Z');

  it('defaults to the last 365 days for exact views and the last 12 whole months for shared ones', () => {
    expect(resolvePeriod({}, 'exact', now)).toEqual({ from: '2025-06-16', to: '2026-06-15' });
    expect(resolvePeriod({}, 'protected', now)).toEqual({ from: '2025-06-01', to: '2026-05-31' });
  });

  it('refuses part months in shared views and a period backwards, naming each field', () => {
    expect(() => resolvePeriod({ from: '2026-01-02', to: '2026-02-27' }, 'protected', now)).toThrow(
      expect.objectContaining({
        status: 400,
        errors: [
          expect.objectContaining({ path: 'query.from' }),
          expect.objectContaining({ path: 'query.to' }),
        ],
      }),
    );
    expect(() => resolvePeriod({ from: '2026-03-01', to: '2026-02-01' }, 'exact', now)).toThrow(
      expect.objectContaining({ status: 400 }),
    );
    expect(resolvePeriod({ from: '2026-01-01', to: '2026-02-28' }, 'protected', now)).toEqual({
      from: '2026-01-01',
      to: '2026-02-28',
    });
  });

  it('counts months across years', () => {
    expect(addMonths('2025-11', 3)).toBe('2026-02');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(monthsBetween('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });
});
