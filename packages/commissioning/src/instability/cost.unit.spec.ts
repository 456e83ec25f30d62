// The cost of instability for one child: given placements, when costed over a period with the
// configured unit costs, then moves, placement days and costs follow.
import { describe, expect, it } from 'vitest';
import type { PlacementRow } from '../read-models/load.ts';
import { defaultUnitCosts } from '../reference/unit-costs.ts';
import { childInstability } from './cost.ts';

const placement = (
  id: string,
  startDate: string,
  endDate: string | null,
  weeklyFee: number,
  emergency = false,
): PlacementRow => ({
  placementId: id,
  referralId: 'r',
  offerId: null,
  placingLa: 'E09000014',
  childRef: 'HAR0001',
  homeUrn: 'SC000001',
  providerId: 'P1',
  hostLa: 'E09000014',
  outOfArea: false,
  atDistance: false,
  distanceMiles: 3,
  over20Miles: false,
  emergency,
  startDate,
  endDate,
  plannedStart: startDate,
  reasonEnded: endDate ? 'X1' : null,
  previousPlacementId: null,
  placeChangeReason: 'CARPL',
  weeklyFee,
  status: endDate ? 'ended' : 'active',
});

describe('cost of instability', () => {
  const placements = [
    placement('a', '2025-11-01', '2026-01-15', 3500),
    placement('b', '2026-01-15', '2026-03-01', 4200, true),
    placement('c', '2026-03-01', null, 4900),
  ];

  it('counts every placement after the first as a move and costs it from the unit costs', () => {
    const result = childInstability(placements, { from: '2026-01-01', to: '2026-03-31' }, defaultUnitCosts);
    const base = defaultUnitCosts.costs.findSubsequentPlacement.amount;
    const emergency = defaultUnitCosts.costs.emergencyMoveSupplement.amount;
    expect(result.placementsEver).toBe(3);
    expect(result.placementsInPeriod).toBe(3);
    expect(result.movesInPeriod).toBe(2);
    expect(result.moves.map((m) => [m.date, m.cost])).toEqual([
      ['2026-01-15', base + emergency],
      ['2026-03-01', base],
    ]);
    expect(result.moveCostInPeriod).toBe(2 * base + emergency);
    // 14 days at 3,500, 45 days at 4,200, 31 days at 4,900 (a placement's end day is the next one's first).
    expect(result.placementDaysInPeriod).toBe(14 + 45 + 31);
    expect(result.placementCostInPeriod).toBe(Math.round((14 * 3500 + 45 * 4200 + 31 * 4900) / 7));
    expect(result.currentWeeklyFee).toBe(4900);
    expect(result.monthly.map((m) => [m.month, m.moves, m.weeklyFeeAtMonthEnd])).toEqual([
      ['2026-01', 1, 4200],
      ['2026-02', 0, 4200],
      ['2026-03', 1, 4900],
    ]);
  });

  it('takes configurable unit costs', () => {
    const costs = structuredClone(defaultUnitCosts);
    costs.costs.findSubsequentPlacement.amount = 2500;
    costs.costs.emergencyMoveSupplement.amount = 0;
    expect(
      childInstability(placements, { from: '2026-01-01', to: '2026-03-31' }, costs).moveCostInPeriod,
    ).toBe(5000);
  });
});
