// Which homes needed a Reg 44 visit in a calendar month, and which missed it. CHR 2015 reg 44(2): an
// independent person must visit each children's home at least once each calendar month. A home is in
// scope for a month when it was registered on some day of the month and had a child placed on some
// day of it; it is overdue once the month has closed (today is after its last day in England) with no
// visit dated in it. Pure: the schedule, the compliance endpoint and the analytics share these rules.
import type { PlacementAtHome } from '@placements/contracts';
import { addMonthsToMonth, firstDayOf, lastDayOf, monthOf, overlaps } from '../calendar/calendar-month.ts';

/** A child's stay at a home: a started placement, open (endDate null) or ended. */
export interface Stay {
  placementId: string;
  placingLa: string;
  childRef: string;
  urn: string;
  providerId: string;
  startDate: string;
  endDate: string | null;
}

/** What the service knows of a home's registration: status changes with the date each took effect. */
export interface HomeRegistration {
  urn: string;
  providerId: string | null;
  changes: readonly { on: string; status: 'registered' | 'suspended' | 'cancelled' }[];
}

export interface HomeRequiringVisit {
  urn: string;
  providerId: string;
  /** Placements at the home on some day of the month. */
  placements: PlacementAtHome[];
}

/**
 * Whether the home was registered on at least one day of the month. With no registration facts the
 * home is taken to be registered: a home a child was placed in was registered to take them.
 */
export function registeredDuring(registration: HomeRegistration | undefined, month: string): boolean {
  const changes = [...(registration?.changes ?? [])].sort((a, b) => a.on.localeCompare(b.on));
  if (changes.length === 0) return true;
  const start = firstDayOf(month);
  const end = lastDayOf(month);
  const before = changes.filter((change) => change.on <= start).at(-1);
  // Unknown before the first recorded change: registered (the first change is usually the registration).
  if (!before || before.status === 'registered') return true;
  return changes.some((change) => change.on > start && change.on <= end && change.status === 'registered');
}

/** A month is closed once its last day is over in England. */
export function isMonthClosed(month: string, today: string): boolean {
  return today > lastDayOf(month);
}

/** Closed months the overdue check looks at: the `lookback` months before today's month. */
export function monthsToCheck(today: string, lookback: number): string[] {
  const current = monthOf(today);
  const months: string[] = [];
  for (let back = lookback; back >= 1; back--) months.push(addMonthsToMonth(current, -back));
  return months;
}

export function homesRequiringVisits(
  month: string,
  stays: readonly Stay[],
  registrations: ReadonlyMap<string, HomeRegistration>,
): Map<string, HomeRequiringVisit> {
  const from = firstDayOf(month);
  const to = lastDayOf(month);
  const homes = new Map<string, HomeRequiringVisit>();
  for (const stay of stays) {
    if (!overlaps(stay.startDate, stay.endDate, from, to)) continue;
    const registration = registrations.get(stay.urn);
    if (!registeredDuring(registration, month)) continue;
    let home = homes.get(stay.urn);
    if (!home) {
      home = { urn: stay.urn, providerId: registration?.providerId ?? stay.providerId, placements: [] };
      homes.set(stay.urn, home);
    }
    home.placements.push({
      placementId: stay.placementId,
      placingLa: stay.placingLa,
      childRef: stay.childRef,
    });
  }
  for (const home of homes.values())
    home.placements.sort((a, b) => a.placementId.localeCompare(b.placementId));
  return homes;
}

export interface OverdueVisit {
  urn: string;
  providerId: string;
  month: string;
  placements: PlacementAtHome[];
  detectedAt: string;
}

/**
 * The Reg44VisitOverdue facts for a closed month: every home that needed a visit and has none dated
 * in the month, except those already raised. Nothing for a month that has not closed yet.
 */
export function overdueVisits(input: {
  month: string;
  today: string;
  now: Date;
  stays: readonly Stay[];
  registrations: ReadonlyMap<string, HomeRegistration>;
  /** Visits dated in the month, by URN. */
  visits: ReadonlyMap<string, number>;
  /** URNs whose overdue fact for this month is already recorded. */
  alreadyRaised: ReadonlySet<string>;
}): OverdueVisit[] {
  if (!isMonthClosed(input.month, input.today)) return [];
  const overdue: OverdueVisit[] = [];
  for (const home of homesRequiringVisits(input.month, input.stays, input.registrations).values()) {
    if ((input.visits.get(home.urn) ?? 0) > 0 || input.alreadyRaised.has(home.urn)) continue;
    overdue.push({
      urn: home.urn,
      providerId: home.providerId,
      month: input.month,
      placements: home.placements,
      detectedAt: input.now.toISOString(),
    });
  }
  return overdue.sort((a, b) => a.urn.localeCompare(b.urn));
}
