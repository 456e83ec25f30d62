// Given stays at homes, visits and registrations, when a month is checked on a day, then these homes
// are overdue for their Reg 44 visit (CHR reg 44: at least once each calendar month).
import { describe, expect, it } from 'vitest';
import {
  type HomeRegistration,
  homesRequiringVisits,
  isMonthClosed,
  monthsToCheck,
  overdueVisits,
  registeredDuring,
  type Stay,
} from './visit-requirement.ts';

const now = new Date('2026-07-01T06:00:00Z');

function stay(urn: string, startDate: string, endDate: string | null, n = 1): Stay {
  return {
    placementId: `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`,
    placingLa: 'E09000014',
    childRef: `C${n}`,
    urn,
    providerId: 'P1',
    startDate,
    endDate,
  };
}

function check(input: {
  month?: string;
  today: string;
  stays: Stay[];
  visits?: Record<string, number>;
  raised?: string[];
  registrations?: HomeRegistration[];
}) {
  return overdueVisits({
    month: input.month ?? '2026-06',
    today: input.today,
    now,
    stays: input.stays,
    registrations: new Map((input.registrations ?? []).map((r) => [r.urn, r])),
    visits: new Map(Object.entries(input.visits ?? {})),
    alreadyRaised: new Set(input.raised ?? []),
  }).map((overdue) => overdue.urn);
}

describe('Reg 44 visit overdue', () => {
  it('given a home with a child all June and no visit, when July begins, then June is overdue', () => {
    const overdue = overdueVisits({
      month: '2026-06',
      today: '2026-07-01',
      now,
      stays: [stay('SC000001', '2026-05-01', null)],
      registrations: new Map(),
      visits: new Map(),
      alreadyRaised: new Set(),
    });
    expect(overdue).toEqual([
      {
        urn: 'SC000001',
        providerId: 'P1',
        month: '2026-06',
        placements: [
          { placementId: '00000000-0000-4000-9000-000000000001', placingLa: 'E09000014', childRef: 'C1' },
        ],
        detectedAt: now.toISOString(),
      },
    ]);
  });

  it('given the same home, when it is still the last day of June, then nothing is overdue yet', () => {
    expect(check({ today: '2026-06-30', stays: [stay('SC000001', '2026-05-01', null)] })).toEqual([]);
    expect(isMonthClosed('2026-06', '2026-06-30')).toBe(false);
    expect(isMonthClosed('2026-06', '2026-07-01')).toBe(true);
  });

  it('given a visit late in the month (30 June), then June is met', () => {
    expect(
      check({ today: '2026-07-01', stays: [stay('SC000001', '2026-05-01', null)], visits: { SC000001: 1 } }),
    ).toEqual([]);
  });

  it('given a visit on 1 July only, then it does not count for June', () => {
    // Visits are counted by the month of their visit date; a July visit is in July's count.
    expect(check({ today: '2026-07-02', stays: [stay('SC000001', '2026-05-01', null)], visits: {} })).toEqual(
      ['SC000001'],
    );
  });

  it('given a home with no child placed during the month, then no visit is required', () => {
    const stays = [stay('SC000001', '2026-03-01', '2026-05-31', 1), stay('SC000002', '2026-07-01', null, 2)];
    expect(check({ today: '2026-07-05', stays })).toEqual([]);
  });

  it('given a child placed only on the last day of the month, then the home needed a visit', () => {
    expect(check({ today: '2026-07-01', stays: [stay('SC000001', '2026-06-30', null)] })).toEqual([
      'SC000001',
    ]);
  });

  it('given a child who left on the first day of the month, then the home needed a visit', () => {
    expect(check({ today: '2026-07-01', stays: [stay('SC000001', '2026-01-01', '2026-06-01')] })).toEqual([
      'SC000001',
    ]);
  });

  it('given the overdue fact already raised for the home and month, then it is not raised again', () => {
    expect(
      check({ today: '2026-07-01', stays: [stay('SC000001', '2026-05-01', null)], raised: ['SC000001'] }),
    ).toEqual([]);
  });

  it('given a home whose registration was cancelled before the month, then it is out of scope', () => {
    const registrations: HomeRegistration[] = [
      {
        urn: 'SC000001',
        providerId: 'P1',
        changes: [
          { on: '2025-01-01', status: 'registered' },
          { on: '2026-05-20', status: 'cancelled' },
        ],
      },
    ];
    expect(registeredDuring(registrations[0], '2026-06')).toBe(false);
    expect(registeredDuring(registrations[0], '2026-05')).toBe(true);
    expect(
      check({ today: '2026-07-01', stays: [stay('SC000001', '2026-01-01', null)], registrations }),
    ).toEqual([]);
  });

  it('given several children in one home, then one overdue fact lists every placement of the month', () => {
    const stays = [stay('SC000001', '2026-01-01', '2026-06-10', 1), stay('SC000001', '2026-06-15', null, 2)];
    const homes = homesRequiringVisits('2026-06', stays, new Map());
    expect(homes.get('SC000001')?.placements.map((p) => p.childRef)).toEqual(['C1', 'C2']);
  });

  it('checks the closed months before today, not the current one', () => {
    expect(monthsToCheck('2026-07-01', 3)).toEqual(['2026-04', '2026-05', '2026-06']);
    expect(monthsToCheck('2027-01-15', 2)).toEqual(['2026-11', '2026-12']);
  });
});
