// Gap analysis on a handful of homes and referrals: given the registry and the referrals, when
// analysed, then the gap of each need cell follows from demand and supply.
import type { Need } from '@placements/contracts';
import { describe, expect, it } from 'vitest';
import type { Area } from '../access/areas.ts';
import type { HomeRow, ReferralRow } from '../read-models/load.ts';
import { analyseGaps, reachOf } from './analysis.ts';

const MANCHESTER = 'E08000003';
const SALFORD = 'E08000006';
const NORTHUMBERLAND = 'E06000057';

function home(
  urn: string,
  la: string,
  needsMet: HomeRow['needsMet'],
  overrides: Partial<HomeRow> = {},
): HomeRow {
  const centre = {
    [MANCHESTER]: { lat: 53.48, lon: -2.24 },
    [SALFORD]: { lat: 53.49, lon: -2.29 },
    [NORTHUMBERLAND]: { lat: 55.2, lon: -2.0 },
  }[la]!;
  return {
    urn,
    name: urn,
    providerId: 'P1',
    providerName: 'Provider',
    group: 'Group',
    sector: 'PR4',
    la,
    region: la === NORTHUMBERLAND ? 'E12000001' : 'E12000002',
    ...centre,
    registeredPlaces: 4,
    ageMin: 10,
    ageMax: 17,
    sexes: ['M', 'F'],
    needsMet,
    weeklyFee: 4000,
    contractRoute: 'spot',
    admitting: true,
    registrationStatus: 'registered',
    ofstedJudgement: 'good',
    occupied: 0,
    reserved: 0,
    ...overrides,
  };
}

function referral(id: string, la: string, needs: Need[], overrides: Partial<ReferralRow> = {}): ReferralRow {
  return {
    referralId: id,
    placingLa: la,
    childRef: id,
    ageBand: '13-15',
    sex: 'F',
    urgency: 'planned',
    needs,
    needProfile: 'behaviour',
    needBand: 'high',
    submittedOn: '2026-03-01',
    status: 'submitted',
    ...overrides,
  };
}

const need = (domain: Need['domain'], intensity: Need['intensity']): Need => ({
  domain,
  intensity,
  frequency: 'frequent',
});
const manchester: Area = { level: 'la', code: MANCHESTER, name: 'Manchester', las: [MANCHESTER] };

describe('gap analysis', () => {
  it('finds no provision, no available place and a shortfall, and no gap where supply suffices', () => {
    const homes = [
      home('A', MANCHESTER, { 'self-harm': 3, 'emotional-behavioural': 2 }),
      home('B', MANCHESTER, { autism: 3 }, { admitting: false }),
      home('C', MANCHESTER, { offending: 3 }, { registeredPlaces: 2, occupied: 1 }),
    ];
    const referrals = [
      referral('r1', MANCHESTER, [need('self-harm', 'high')]),
      referral('r2', MANCHESTER, [need('harmful-sexual-behaviour', 'high')]),
      referral('r3', MANCHESTER, [need('autism', 'medium')]),
      referral('r4', MANCHESTER, [need('offending', 'high')]),
      referral('r5', MANCHESTER, [need('offending', 'high')], { urgency: 'emergency' }),
    ];
    const rows = analyseGaps({ areas: [manchester], homes, referrals, disclosure: 'exact' });
    const gapOf = (domain: string, intensity: string) =>
      rows.find((r) => r.need.domain === domain && r.need.intensity === intensity)!;
    expect(rows).toHaveLength(45);
    expect(gapOf('self-harm', 'high').gap).toBeNull();
    expect(gapOf('harmful-sexual-behaviour', 'high')).toMatchObject({
      gap: 'no-provision',
      supply: { homes: 0 },
    });
    // A home for autism at high intensity covers medium too, but it is not admitting.
    expect(gapOf('autism', 'medium')).toMatchObject({
      gap: 'no-available-place',
      supply: { homes: 1, availablePlaces: 0 },
    });
    expect(gapOf('offending', 'high')).toMatchObject({
      gap: 'shortfall',
      supply: { homes: 1, registeredPlaces: 2, availablePlaces: 1 },
      demand: { referrals: { value: 2 }, emergency: { value: 1 }, planned: { value: 1 } },
      referralsPerAvailablePlace: 2,
    });
    // Cells nobody was referred for are no gap, even without supply.
    expect(gapOf('physical-disability', 'low').gap).toBeNull();
  });

  it('measures reach by distance band from the placing LA', () => {
    const homes = [
      home('S', SALFORD, { 'self-harm': 3 }),
      home('N', NORTHUMBERLAND, { 'sexual-exploitation': 3 }),
    ];
    expect(reachOf(referral('r', MANCHESTER, [need('self-harm', 'medium')]), homes)).toEqual({
      inLa: false,
      within20Miles: true,
      within50Miles: true,
      inRegion: true,
      anywhere: true,
    });
    expect(reachOf(referral('r', MANCHESTER, [need('sexual-exploitation', 'high')]), homes)).toEqual({
      inLa: false,
      within20Miles: false,
      within50Miles: false,
      inRegion: false,
      anywhere: true,
    });
    // Sex and age band must be admitted too.
    expect(
      reachOf(referral('r', MANCHESTER, [need('self-harm', 'low')], { sex: 'M' }), [
        home('S', SALFORD, { 'self-harm': 1 }, { sexes: ['F'] }),
      ]).anywhere,
    ).toBe(false);
    expect(
      reachOf(referral('r', MANCHESTER, [need('self-harm', 'low')], { ageBand: 'under-10' }), [
        home('S', SALFORD, { 'self-harm': 1 }),
      ]).anywhere,
    ).toBe(false);
  });

  it('in a shared view, withholds small demand and judges those cells on supply alone', () => {
    const rows = analyseGaps({
      areas: [manchester],
      homes: [home('A', MANCHESTER, { 'self-harm': 3 })],
      referrals: [referral('r1', MANCHESTER, [need('harmful-sexual-behaviour', 'high')])],
      disclosure: 'protected',
    });
    const hsb = rows.find(
      (r) => r.need.domain === 'harmful-sexual-behaviour' && r.need.intensity === 'high',
    )!;
    expect(hsb.demand.referrals).toEqual({ value: null, suppressed: true });
    expect(hsb).toMatchObject({ gap: 'no-provision', gapBasis: 'supply-only' });
    // A cell with no referrals at all looks the same: the flag cannot tell one child from none.
    const pd = rows.find((r) => r.need.domain === 'physical-disability' && r.need.intensity === 'high')!;
    expect(pd).toMatchObject({
      demand: { referrals: { value: null, suppressed: true } },
      gap: 'no-provision',
      gapBasis: 'supply-only',
    });
  });
});
