// The market view: concentration, fee distributions and declines by provider.
import { describe, expect, it } from 'vitest';
import type { Area } from '../access/areas.ts';
import type { HomeRow } from '../read-models/load.ts';
import {
  concentrationRows,
  declineRows,
  feeRows,
  OTHER_PROVIDERS,
  providerRows,
  quantile,
} from './analysis.ts';

const area: Area = { level: 'region', code: 'E12000002', name: 'North West', las: ['E08000003'] };
const home = (urn: string, group: string, places: number, overrides: Partial<HomeRow> = {}): HomeRow => ({
  urn,
  name: urn,
  providerId: group,
  providerName: group,
  group,
  sector: 'PR4',
  la: 'E08000003',
  region: 'E12000002',
  lat: 53.48,
  lon: -2.24,
  registeredPlaces: places,
  ageMin: 10,
  ageMax: 17,
  sexes: ['M', 'F'],
  needsMet: { 'self-harm': 3 },
  weeklyFee: 4000,
  contractRoute: 'spot',
  admitting: true,
  registrationStatus: 'registered',
  ofstedJudgement: 'good',
  occupied: 0,
  reserved: 0,
  ...overrides,
});

describe('market concentration', () => {
  it('computes the Herfindahl–Hirschman index and the top-three share of places', () => {
    const homes = [
      home('a', 'A', 50),
      home('b', 'B', 30),
      home('c', 'C', 10),
      home('d', 'D', 10, { sector: 'PR1' }),
    ];
    const [row] = concentrationRows([area], homes);
    // 50² + 30² + 10² + 10² = 3,600: highly concentrated.
    expect(row).toMatchObject({
      hhi: 3600,
      providerGroups: 4,
      top3Share: 0.9,
      largestGroup: 'A',
      largestGroupShare: 0.5,
      independentShare: 0.9,
    });
  });

  it('shows occupancy by group, protected in shared views', () => {
    const homes = [home('a', 'A', 10, { occupied: 8 }), home('b', 'B', 6, { occupied: 3 })];
    const exact = providerRows([area], homes, 'exact');
    expect(exact.map((r) => [r.providerGroup, r.occupiedPlaces.value, r.occupancy])).toEqual([
      ['A', 8, 0.8],
      ['B', 3, 0.5],
    ]);
    const shared = providerRows([area], homes, 'protected');
    expect(shared.map((r) => [r.occupiedPlaces, r.occupancy])).toEqual([
      [{ value: 10, suppressed: false }, 1],
      [{ value: null, suppressed: true }, null],
    ]);
  });
});

describe('fees', () => {
  it('gives quantiles of agreed fees by need band and route, withheld below 5 placements when shared', () => {
    expect(quantile([1000, 2000, 3000, 4000, 5000], 0.25)).toBe(2000);
    const agreed = [4000, 4200, 4400, 4600, 4800].map((weeklyFee) => ({
      needBand: 'high' as const,
      contractRoute: 'spot',
      weeklyFee,
    }));
    const rows = feeRows(agreed, [], 'protected');
    const highSpot = rows.find(
      (r) => r.basis === 'agreed' && r.needBand === 'high' && r.contractRoute === 'spot',
    )!;
    expect(highSpot).toMatchObject({ n: { value: 5 }, median: 4400, p25: 4200, mean: 4400 });
    const few = feeRows(agreed.slice(0, 4), [], 'protected').find(
      (r) => r.basis === 'agreed' && r.needBand === 'high' && r.contractRoute === 'spot',
    )!;
    expect(few).toMatchObject({ n: { value: null, suppressed: true }, median: null, mean: null });
  });
});

describe('declines by provider', () => {
  const offers = [
    ...Array.from({ length: 6 }, (_, i) => ({
      providerId: 'P1',
      status: i < 4 ? 'declined' : 'accepted',
      declineReason: i < 4 ? 'no-vacancy' : null,
    })),
    { providerId: 'P2', status: 'declined', declineReason: 'staffing' },
    { providerId: 'P3', status: 'accepted', declineReason: null },
  ];
  const names = new Map([
    ['P1', 'One Care'],
    ['P2', 'Two Care'],
    ['P3', 'Three Care'],
  ]);

  it('counts offers, declines and reasons per provider', () => {
    const rows = declineRows(offers, names, 'exact');
    expect(rows[0]).toMatchObject({
      providerName: 'One Care',
      offers: { value: 6 },
      declined: { value: 4 },
      declineRate: 0.667,
      reasons: { 'no-vacancy': { value: 4 } },
    });
    expect(rows).toHaveLength(3);
  });

  it('pools providers with fewer than 5 offers in shared views, so a row never stands for one offer', () => {
    const rows = declineRows(offers, names, 'protected');
    expect(rows.map((r) => r.providerName)).toEqual(['One Care', OTHER_PROVIDERS]);
    expect(rows[1]!.offers).toEqual({ value: null, suppressed: true });
  });
});
