// What commissioners measure (DOMAIN.md §5), computed from placement and notice facts over a period.
// Pure: the routes load the facts for the caller's scope and window. Definitions:
//   stability — children looked after in the period are those with a placement on any day of it;
//     a move is a placement that started in the period as a change from a previous placement; the
//     3+ share counts children with three or more placements during the period (the DfE stability
//     measure); placement length is measured on placements that ended in the period, with ongoing
//     ones reported separately (their length so far);
//   out of area — over placements that started in the period: out of area (host LA is not the
//     placing LA), at a distance (not adjoining), over 20 miles (straight line, home postcode to
//     placement), and the LA-to-LA flows of out-of-area placements;
//   notification compliance — over notices raised in the period, by kind: delivered, sent before the
//     placement started, delivered after the due date and by how many days, acknowledged.
import { daysBetween, overlaps } from '../calendar/calendar-month.ts';

export interface Period {
  from: string;
  to: string;
}

export interface PlacementFact {
  placementId: string;
  placingLa: string;
  childRef: string;
  hostLa: string;
  homeUrn: string;
  outOfArea: boolean;
  atDistance: boolean;
  over20Miles: boolean | null;
  distanceMiles: number | null;
  startDate: string;
  endDate: string | null;
  previousPlacementId: string | null;
}

function share(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

function average(values: readonly number[]): number | null {
  return values.length === 0
    ? null
    : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10;
}

export function stability(placements: readonly PlacementFact[], period: Period) {
  const inPeriod = placements.filter((p) => overlaps(p.startDate, p.endDate, period.from, period.to));
  const perChild = new Map<string, number>();
  for (const placement of inPeriod) {
    const key = `${placement.placingLa}/${placement.childRef}`;
    perChild.set(key, (perChild.get(key) ?? 0) + 1);
  }
  const moves = inPeriod.filter(
    (p) => p.previousPlacementId !== null && p.startDate >= period.from && p.startDate <= period.to,
  ).length;
  const threeOrMore = [...perChild.values()].filter((count) => count >= 3).length;
  const completed = inPeriod
    .filter((p) => p.endDate !== null && p.endDate >= period.from && p.endDate <= period.to)
    .map((p) => daysBetween(p.startDate, p.endDate!));
  const ongoing = inPeriod
    .filter((p) => p.endDate === null || p.endDate > period.to)
    .map((p) => daysBetween(p.startDate, period.to));
  return {
    children: perChild.size,
    placements: inPeriod.length,
    moves,
    movesPerChild: perChild.size === 0 ? null : Math.round((moves / perChild.size) * 100) / 100,
    childrenWith3OrMorePlacements: threeOrMore,
    shareWith3OrMorePlacements: share(threeOrMore, perChild.size),
    placementsEnded: completed.length,
    averagePlacementLengthDays: average(completed),
    ongoingPlacements: ongoing.length,
    averageOngoingPlacementDays: average(ongoing),
  };
}

export function outOfArea(placements: readonly PlacementFact[], period: Period) {
  const started = placements.filter((p) => p.startDate >= period.from && p.startDate <= period.to);
  const count = (predicate: (p: PlacementFact) => boolean) => started.filter(predicate).length;
  const out = count((p) => p.outOfArea);
  const distance = count((p) => p.atDistance);
  const over20 = count((p) => p.over20Miles === true);
  const outAndOver20 = count((p) => p.outOfArea && p.over20Miles === true);
  const flows = new Map<string, { from: string; to: string; placements: number }>();
  for (const placement of started) {
    if (!placement.outOfArea) continue;
    const key = `${placement.placingLa}>${placement.hostLa}`;
    const flow = flows.get(key) ?? { from: placement.placingLa, to: placement.hostLa, placements: 0 };
    flow.placements += 1;
    flows.set(key, flow);
  }
  return {
    placementsStarted: started.length,
    outOfArea: out,
    outOfAreaRate: share(out, started.length),
    atDistance: distance,
    atDistanceRate: share(distance, started.length),
    over20Miles: over20,
    over20MilesRate: share(over20, started.length),
    outOfAreaAndOver20Miles: outAndOver20,
    outOfAreaAndOver20MilesRate: share(outAndOver20, started.length),
    flows: [...flows.values()].sort(
      (a, b) => b.placements - a.placements || a.from.localeCompare(b.from) || a.to.localeCompare(b.to),
    ),
  };
}

export interface NoticeFact {
  kind: string;
  dueBy: string | null;
  placementStart: string | null;
  raisedAt: string;
  deliveredOn: string | null;
  sentBeforeStart: boolean | null;
  acknowledged: boolean;
  overdue: boolean;
}

export function notificationCompliance(notices: readonly NoticeFact[], period: Period, today: string) {
  const raised = notices.filter(
    (n) => n.raisedAt.slice(0, 10) >= period.from && n.raisedAt.slice(0, 10) <= period.to,
  );
  const kinds = [...new Set(raised.map((n) => n.kind))].sort();
  return kinds.map((kind) => {
    const ofKind = raised.filter((n) => n.kind === kind);
    const delivered = ofKind.filter((n) => n.deliveredOn !== null);
    const lateDays = delivered
      .filter((n) => n.dueBy !== null && n.deliveredOn! > n.dueBy)
      .map((n) => daysBetween(n.dueBy!, n.deliveredOn!));
    const outstandingPastDue = ofKind.filter(
      (n) => n.deliveredOn === null && n.dueBy !== null && today > n.dueBy,
    );
    const beforeStart = ofKind.filter((n) => n.sentBeforeStart === true).length;
    const acknowledged = delivered.filter((n) => n.acknowledged).length;
    return {
      kind,
      notices: ofKind.length,
      delivered: delivered.length,
      sentBeforeStart: beforeStart,
      sentBeforeStartShare:
        kind === 'out-of-area.placement-notice' ? share(beforeStart, ofKind.length) : null,
      deliveredLate: lateDays.length,
      averageLatenessDays: average(lateDays),
      undeliveredPastDue: outstandingPastDue.length,
      acknowledged,
      acknowledgementRate: share(acknowledged, delivered.length),
    };
  });
}

export interface HomeMonth {
  urn: string;
  providerId: string;
  month: string;
  visited: boolean;
  /** The month has closed (a missing visit is then overdue). */
  closed: boolean;
}

export function reg44ComplianceByHome(months: readonly HomeMonth[]) {
  const byHome = new Map<
    string,
    { urn: string; providerId: string; monthsRequired: number; monthsVisited: number; monthsOverdue: number }
  >();
  for (const entry of months) {
    const home = byHome.get(entry.urn) ?? {
      urn: entry.urn,
      providerId: entry.providerId,
      monthsRequired: 0,
      monthsVisited: 0,
      monthsOverdue: 0,
    };
    home.monthsRequired += 1;
    if (entry.visited) home.monthsVisited += 1;
    else if (entry.closed) home.monthsOverdue += 1;
    byHome.set(entry.urn, home);
  }
  return [...byHome.values()]
    .map((home) => ({ ...home, complianceRate: share(home.monthsVisited, home.monthsRequired) }))
    .sort((a, b) => a.urn.localeCompare(b.urn));
}
