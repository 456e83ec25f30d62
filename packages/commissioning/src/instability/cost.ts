// The cost of instability for one child: placements, moves and the weekly cost over time, plus the
// cost of each move from the configured unit costs. A move is a placement that starts after an
// earlier placement of the same child (SSDA903: a new episode with a placement change). Placement
// cost accrues per day at the weekly fee / 7 while the placement is live. Pure.
import { toDayNumber } from '@placements/contracts';
import { round } from '../access/disclosure.ts';
import { firstDayOf, lastDayOf, monthOf, monthsBetween } from '../http/period.ts';
import type { PlacementRow } from '../read-models/load.ts';
import { moveCost, type UnitCosts } from '../reference/unit-costs.ts';

export interface Move {
  date: string;
  fromPlacementId: string | null;
  toPlacementId: string;
  placeChangeReason: string | null;
  emergency: boolean;
  cost: number;
}

export interface ChildInstability {
  placingLa: string;
  childRef: string;
  placementsEver: number;
  placementsInPeriod: number;
  /** Days in placement within the period (for weekly averages). */
  placementDaysInPeriod: number;
  moves: Move[];
  movesInPeriod: number;
  currentWeeklyFee: number | null;
  placementCostInPeriod: number;
  moveCostInPeriod: number;
  totalCostInPeriod: number;
  monthly: {
    month: string;
    weeklyFeeAtMonthEnd: number | null;
    placementCost: number;
    moves: number;
    moveCost: number;
  }[];
}

/** ISO dates compare as strings. */
const laterOf = (a: string, b: string) => (a > b ? a : b);
const earlierOf = (a: string, b: string) => (a < b ? a : b);

/** Days of [start, end) that fall in [from, to] (inclusive dates). */
function overlapDays(start: string, endExclusive: string | null, from: string, to: string): number {
  const a = Math.max(toDayNumber(start), toDayNumber(from));
  const b = Math.min(
    endExclusive === null ? Number.POSITIVE_INFINITY : toDayNumber(endExclusive) - 1,
    toDayNumber(to),
  );
  return Math.max(0, b - a + 1);
}

/**
 * One child's instability over [from, to]. `placements` are every placement of the child (any
 * period); only started ones count. A placement's end date is its last day (the child moves out
 * that day), so it costs up to the day before.
 */
export function childInstability(
  placements: readonly PlacementRow[],
  period: { from: string; to: string },
  unitCosts: UnitCosts,
): ChildInstability {
  const started = placements
    .filter((p) => p.startDate !== null)
    .sort((a, b) => a.startDate!.localeCompare(b.startDate!) || a.placementId.localeCompare(b.placementId));
  const first = started[0];
  const moves: Move[] = started.slice(1).map((placement, i) => ({
    date: placement.startDate!,
    fromPlacementId: placement.previousPlacementId ?? started[i]!.placementId,
    toPlacementId: placement.placementId,
    placeChangeReason: placement.placeChangeReason,
    emergency: placement.emergency === true,
    cost: moveCost(unitCosts, placement.emergency === true),
  }));
  const inPeriod = (date: string) => date >= period.from && date <= period.to;
  const live = started.filter((p) => overlapDays(p.startDate!, p.endDate, period.from, period.to) > 0);
  const placementCost = live.reduce(
    (sum, p) => sum + ((p.weeklyFee ?? 0) / 7) * overlapDays(p.startDate!, p.endDate, period.from, period.to),
    0,
  );
  const placementDays = live.reduce(
    (sum, p) => sum + overlapDays(p.startDate!, p.endDate, period.from, period.to),
    0,
  );
  const periodMoves = moves.filter((move) => inPeriod(move.date));
  const moveCostInPeriod = periodMoves.reduce((sum, move) => sum + move.cost, 0);
  const current = started.filter((p) => p.endDate === null || p.endDate > period.to).at(-1);
  const months =
    first === undefined
      ? []
      : monthsBetween(monthOf(laterOf(first.startDate!, period.from)), monthOf(period.to));
  const monthly = months.map((month) => {
    const from = laterOf(firstDayOf(month), period.from);
    const to = earlierOf(lastDayOf(month), period.to);
    const cost = started.reduce(
      (sum, p) => sum + ((p.weeklyFee ?? 0) / 7) * overlapDays(p.startDate!, p.endDate, from, to),
      0,
    );
    const monthMoves = periodMoves.filter((move) => move.date >= from && move.date <= to);
    const atEnd = started.filter((p) => p.startDate! <= to && (p.endDate === null || p.endDate > to)).at(-1);
    return {
      month,
      weeklyFeeAtMonthEnd: atEnd?.weeklyFee ?? null,
      placementCost: round(cost, 0),
      moves: monthMoves.length,
      moveCost: monthMoves.reduce((sum, move) => sum + move.cost, 0),
    };
  });
  return {
    placingLa: first?.placingLa ?? placements[0]?.placingLa ?? '',
    childRef: first?.childRef ?? placements[0]?.childRef ?? '',
    placementsEver: started.length,
    placementsInPeriod: live.length,
    placementDaysInPeriod: placementDays,
    moves,
    movesInPeriod: periodMoves.length,
    currentWeeklyFee: current?.weeklyFee ?? null,
    placementCostInPeriod: round(placementCost, 0),
    moveCostInPeriod,
    totalCostInPeriod: round(placementCost + moveCostInPeriod, 0),
    monthly,
  };
}
