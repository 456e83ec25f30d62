// The market view: homes and places by provider group and area with occupancy, concentration of
// places among provider groups (Herfindahl–Hirschman index and the three largest groups' share),
// weekly fees by need band and contract route (agreed in placements, and as listed by homes), and
// offers declined by each provider with the structured reasons. Pure.
import { type Intensity, intensities } from '@placements/contracts';
import type { Area } from '../access/areas.ts';
import { type Count, count, type Disclosure, round, share, statistic } from '../access/disclosure.ts';
import type { HomeRow } from '../read-models/load.ts';
import { median } from '../unmet-need/analysis.ts';

type AreaRef = { level: Area['level']; code: string; name: string };
const refOf = (area: Area): AreaRef => ({ level: area.level, code: area.code, name: area.name });

export interface ProviderRow {
  area: AreaRef;
  providerGroup: string;
  homes: number;
  registeredPlaces: number;
  occupiedPlaces: Count;
  occupancy: number | null;
  shareOfPlaces: number;
  medianListedWeeklyFee: number | null;
}

export function providerRows(
  areas: readonly Area[],
  homes: readonly HomeRow[],
  disclosure: Disclosure,
): ProviderRow[] {
  const rows: ProviderRow[] = [];
  for (const area of areas) {
    const members = new Set(area.las);
    const inArea = homes.filter((home) => members.has(home.la));
    const totalPlaces = inArea.reduce((sum, home) => sum + home.registeredPlaces, 0);
    const byGroup = new Map<string, HomeRow[]>();
    for (const home of inArea) byGroup.set(home.group, [...(byGroup.get(home.group) ?? []), home]);
    const areaRows = [...byGroup.entries()].map(([group, groupHomes]) => {
      const places = groupHomes.reduce((sum, home) => sum + home.registeredPlaces, 0);
      const occupied = count(
        groupHomes.reduce((sum, home) => sum + home.occupied, 0),
        disclosure,
      );
      return {
        area: refOf(area),
        providerGroup: group,
        homes: groupHomes.length,
        registeredPlaces: places,
        occupiedPlaces: occupied,
        occupancy: share(occupied, { value: places, suppressed: false }),
        shareOfPlaces: totalPlaces === 0 ? 0 : round(places / totalPlaces, 4),
        medianListedWeeklyFee: median(groupHomes.map((home) => home.weeklyFee)),
      };
    });
    areaRows.sort(
      (a, b) => b.registeredPlaces - a.registeredPlaces || a.providerGroup.localeCompare(b.providerGroup),
    );
    rows.push(...areaRows);
  }
  return rows;
}

export interface ConcentrationRow {
  area: AreaRef;
  homes: number;
  registeredPlaces: number;
  providerGroups: number;
  /** Σ (share of places × 100)², 0–10,000 (US DoJ/FTC and CMA practice: above 2,500 highly concentrated). */
  hhi: number;
  top3Share: number;
  largestGroup: string | null;
  largestGroupShare: number;
  independentShare: number;
}

export function concentrationRows(areas: readonly Area[], homes: readonly HomeRow[]): ConcentrationRow[] {
  return areas.map((area) => {
    const members = new Set(area.las);
    const inArea = homes.filter((home) => members.has(home.la));
    const total = inArea.reduce((sum, home) => sum + home.registeredPlaces, 0);
    const byGroup = new Map<string, number>();
    for (const home of inArea)
      byGroup.set(home.group, (byGroup.get(home.group) ?? 0) + home.registeredPlaces);
    const shares = [...byGroup.entries()]
      .map(([group, places]) => ({ group, share: total === 0 ? 0 : places / total }))
      .sort((a, b) => b.share - a.share || a.group.localeCompare(b.group));
    const independent = inArea
      .filter((home) => home.sector === 'PR4')
      .reduce((s, h) => s + h.registeredPlaces, 0);
    return {
      area: refOf(area),
      homes: inArea.length,
      registeredPlaces: total,
      providerGroups: byGroup.size,
      hhi: Math.round(shares.reduce((sum, entry) => sum + (entry.share * 100) ** 2, 0)),
      top3Share: round(
        shares.slice(0, 3).reduce((sum, entry) => sum + entry.share, 0),
        4,
      ),
      largestGroup: shares[0]?.group ?? null,
      largestGroupShare: round(shares[0]?.share ?? 0, 4),
      independentShare: total === 0 ? 0 : round(independent / total, 4),
    };
  });
}

export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return round(sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower), 0);
}

export interface FeeRow {
  basis: 'agreed' | 'listed';
  needBand: Intensity;
  contractRoute: (typeof contractRoutes)[number];
  /** Placements (agreed) or homes (listed) behind the figures. */
  n: Count;
  p10: number | null;
  p25: number | null;
  median: number | null;
  p75: number | null;
  p90: number | null;
  mean: number | null;
}

export const contractRoutes = ['in-house', 'block', 'framework', 'spot'] as const;

function feeRow(
  basis: FeeRow['basis'],
  needBand: Intensity,
  route: FeeRow['contractRoute'],
  fees: number[],
  disclosure: Disclosure,
): FeeRow {
  const sorted = [...fees].sort((a, b) => a - b);
  const shown = (value: number | null) => statistic(value, sorted.length, disclosure);
  return {
    basis,
    needBand,
    contractRoute: route,
    n: count(sorted.length, disclosure),
    p10: shown(quantile(sorted, 0.1)),
    p25: shown(quantile(sorted, 0.25)),
    median: shown(quantile(sorted, 0.5)),
    p75: shown(quantile(sorted, 0.75)),
    p90: shown(quantile(sorted, 0.9)),
    mean: shown(sorted.length === 0 ? null : round(sorted.reduce((a, b) => a + b, 0) / sorted.length, 0)),
  };
}

/** The highest intensity a home is staffed for: its need band. */
export function homeBandOf(home: HomeRow): Intensity {
  const top = Math.max(0, ...Object.values(home.needsMet).map((rank) => rank ?? 0));
  return top >= 3 ? 'high' : top === 2 ? 'medium' : 'low';
}

export function feeRows(
  agreed: readonly { needBand: Intensity; contractRoute: string; weeklyFee: number }[],
  homes: readonly HomeRow[],
  disclosure: Disclosure,
): FeeRow[] {
  const rows: FeeRow[] = [];
  for (const band of intensities)
    for (const route of contractRoutes) {
      const fees = agreed
        .filter((p) => p.needBand === band && p.contractRoute === route)
        .map((p) => p.weeklyFee);
      rows.push(feeRow('agreed', band, route, fees, disclosure));
    }
  for (const band of intensities)
    for (const route of contractRoutes) {
      const fees = homes
        .filter((h) => homeBandOf(h) === band && h.contractRoute === route)
        .map((h) => h.weeklyFee);
      // Listed fees are registry data, but a figure over one or two homes is that home's price:
      // shared views protect them like everything else.
      rows.push(feeRow('listed', band, route, fees, disclosure));
    }
  return rows;
}

export const declineReasons = [
  'no-vacancy',
  'needs-exceed-statement-of-purpose',
  'group-compatibility',
  'location-risk',
  'staffing',
  'other',
] as const;

export interface DeclineRow {
  providerId: string;
  providerName: string;
  offers: Count;
  accepted: Count;
  declined: Count;
  declineRate: number | null;
  reasons: Record<(typeof declineReasons)[number], Count>;
}

export const OTHER_PROVIDERS = 'Other providers (each fewer than 5 offers)';

/**
 * Offers and declines per provider. In protected views a provider's own row appears only when its
 * offers are published (5 or more): the rest are pooled into one row, so a row's presence never
 * says a provider received one offer.
 */
export function declineRows(
  offers: readonly { providerId: string; status: string; declineReason: string | null }[],
  providerNames: ReadonlyMap<string, string>,
  disclosure: Disclosure,
): DeclineRow[] {
  const byProvider = new Map<string, (typeof offers)[number][]>();
  for (const offer of offers)
    byProvider.set(offer.providerId, [...(byProvider.get(offer.providerId) ?? []), offer]);
  const row = (
    providerId: string,
    providerName: string,
    list: readonly (typeof offers)[number][],
  ): DeclineRow => {
    const declined = list.filter((o) => o.status === 'declined');
    const offersCount = count(list.length, disclosure);
    const declinedCount = count(declined.length, disclosure);
    return {
      providerId,
      providerName,
      offers: offersCount,
      accepted: count(list.filter((o) => o.status === 'accepted').length, disclosure),
      declined: declinedCount,
      declineRate: share(declinedCount, offersCount),
      reasons: Object.fromEntries(
        declineReasons.map((reason) => [
          reason,
          count(declined.filter((o) => o.declineReason === reason).length, disclosure),
        ]),
      ) as DeclineRow['reasons'],
    };
  };
  const rows: DeclineRow[] = [];
  const pooled: (typeof offers)[number][] = [];
  for (const [providerId, list] of byProvider) {
    const candidate = row(providerId, providerNames.get(providerId) ?? providerId, list);
    if (candidate.offers.suppressed) pooled.push(...list);
    else rows.push(candidate);
  }
  rows.sort(
    (a, b) => (b.offers.value ?? 0) - (a.offers.value ?? 0) || a.providerName.localeCompare(b.providerName),
  );
  if (pooled.length > 0) rows.push(row('other', OTHER_PROVIDERS, pooled));
  return rows;
}
