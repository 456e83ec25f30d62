import { describe, expect, it } from 'vitest';
import { addDays, ReferenceDataError } from './iso-date.ts';
import {
  allLocalAuthorityRecords,
  findLocalAuthority,
  isUpperTierLaCode,
  type LocalAuthority,
  localAuthorities,
  localAuthorityDataset,
  localAuthorityRecord,
  regionOf,
  regions,
  successorsOn,
} from './local-authorities.ts';

const ON = '2026-04-01';

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

describe('local authority table', () => {
  it('lists the 153 children’s services authorities in force in 2026', () => {
    const current = localAuthorities(ON);
    expect(current).toHaveLength(153);
    expect(countBy(current, (la) => la.kind)).toEqual({
      unitary: 63,
      'metropolitan-district': 36,
      'london-borough': 33,
      county: 21,
    });
    expect(countBy(current, (la) => la.region)).toEqual({
      'North East': 12,
      'North West': 24,
      'Yorkshire and The Humber': 15,
      'East Midlands': 10,
      'West Midlands': 14,
      'East of England': 11,
      London: 33,
      'South East': 19,
      'South West': 15,
    });
  });

  it('follows the DfE authority count through the reorganisations', () => {
    expect(localAuthorities('2018-06-01')).toHaveLength(152);
    expect(localAuthorities('2019-04-01')).toHaveLength(151);
    expect(localAuthorities('2020-04-01')).toHaveLength(151);
    expect(localAuthorities('2021-04-01')).toHaveLength(152);
    expect(localAuthorities('2023-04-01')).toHaveLength(153);
    expect(localAuthorities('2025-04-01')).toHaveLength(153);
  });

  it('has unique, well-formed codes and a consistent kind, region and date range on every record', () => {
    const all = allLocalAuthorityRecords();
    expect(new Set(all.map((la) => la.code)).size).toBe(all.length);
    const regionNames = new Map(regions.map((r) => [r.code, r.name]));
    const kindByPrefix: Record<string, LocalAuthority['kind']> = {
      E06: 'unitary',
      E08: 'metropolitan-district',
      E09: 'london-borough',
      E10: 'county',
    };
    for (const la of all) {
      expect(isUpperTierLaCode(la.code), la.code).toBe(true);
      expect(la.kind, la.code).toBe(kindByPrefix[la.code.slice(0, 3)]);
      expect(regionNames.get(la.regionCode), la.code).toBe(la.region);
      if (la.validTo !== null) expect(la.validTo > la.validFrom, la.code).toBe(true);
      expect(la.successors.length > 0, la.code).toBe(la.validTo !== null);
    }
    expect(new Set(localAuthorities(ON).map((la) => la.name)).size).toBe(153);
  });

  it('pairs codes and names correctly', () => {
    const expected: Record<string, string> = {
      E09000014: 'Haringey',
      E09000001: 'City of London',
      E09000010: 'Enfield',
      E09000003: 'Barnet',
      E08000007: 'Stockport',
      E08000003: 'Manchester',
      E08000035: 'Leeds',
      E08000037: 'Gateshead',
      E08000025: 'Birmingham',
      E08000038: 'Barnsley',
      E08000039: 'Sheffield',
      E10000016: 'Kent',
      E10000030: 'Surrey',
      E06000052: 'Cornwall',
      E06000053: 'Isles of Scilly',
      E06000057: 'Northumberland',
      E06000023: 'Bristol, City of',
      E06000047: 'County Durham',
      E06000051: 'Shropshire',
      E06000054: 'Wiltshire',
      E06000055: 'Bedford',
      E06000056: 'Central Bedfordshire',
      E06000046: 'Isle of Wight',
      E06000058: 'Bournemouth, Christchurch and Poole',
      E06000059: 'Dorset',
      E06000060: 'Buckinghamshire',
      E06000061: 'North Northamptonshire',
      E06000062: 'West Northamptonshire',
      E06000063: 'Cumberland',
      E06000064: 'Westmorland and Furness',
      E06000065: 'North Yorkshire',
      E06000066: 'Somerset',
    };
    for (const [code, name] of Object.entries(expected)) {
      expect(findLocalAuthority(code, ON)?.name, code).toBe(name);
    }
  });

  it('dates the post-2009 authorities from their creation', () => {
    const created = (code: string) => localAuthorityRecord(code)?.validFrom;
    for (const code of ['E06000047', 'E06000049', 'E06000050', 'E06000051', 'E06000052', 'E06000054']) {
      expect(created(code), code).toBe('2009-04-01');
    }
    expect(created('E06000055')).toBe('2009-04-01');
    expect(created('E06000056')).toBe('2009-04-01');
    expect(created('E06000058')).toBe('2019-04-01');
    expect(created('E06000060')).toBe('2020-04-01');
    expect(created('E06000061')).toBe('2021-04-01');
    expect(created('E06000063')).toBe('2023-04-01');
    expect(created('E08000038')).toBe('2025-04-01');
  });

  it('ends each abolished or recoded authority the day before its successors start', () => {
    const ended = allLocalAuthorityRecords().filter((la) => la.validTo !== null);
    expect(ended.map((la) => la.code).sort()).toEqual([
      'E06000028',
      'E06000029',
      'E06000048',
      'E08000016',
      'E08000019',
      'E08000020',
      'E10000002',
      'E10000006',
      'E10000009',
      'E10000021',
      'E10000023',
      'E10000027',
    ]);
    for (const la of ended) {
      for (const next of la.successors) {
        const successor = localAuthorityRecord(next);
        expect(successor, `${la.code} -> ${next}`).toBeDefined();
        expect(successor?.validFrom, `${la.code} -> ${next}`).toBe(addDays(la.validTo ?? '', 1));
      }
    }
    expect(localAuthorityRecord('E10000006')?.successors).toEqual(['E06000063', 'E06000064']);
    expect(localAuthorityRecord('E10000021')?.successors).toEqual(['E06000061', 'E06000062']);
    expect(localAuthorityRecord('E10000009')?.successors).toEqual(['E06000058', 'E06000059']);
  });

  it('answers by date around each change', () => {
    expect(findLocalAuthority('E10000006', '2023-03-31')?.name).toBe('Cumbria');
    expect(findLocalAuthority('E10000006', '2023-04-01')).toBeUndefined();
    expect(findLocalAuthority('E06000063', '2023-03-31')).toBeUndefined();
    expect(findLocalAuthority('E06000063', '2023-04-01')?.name).toBe('Cumberland');
    expect(findLocalAuthority('E08000016', '2025-03-31')?.name).toBe('Barnsley');
    expect(findLocalAuthority('E08000016', '2025-04-01')).toBeUndefined();
    expect(findLocalAuthority('E06000028', '2019-03-31')?.name).toBe('Bournemouth');
    expect(findLocalAuthority('E06000058', '2019-03-31')).toBeUndefined();
    expect(findLocalAuthority('E08000020', '2012-06-01')?.name).toBe('Gateshead');
    expect(findLocalAuthority('E08000037', '2012-06-01')).toBeUndefined();
    expect(findLocalAuthority('E99999999', ON)).toBeUndefined();
  });

  it('defaults to today, when every authority in the table is in force or later', () => {
    expect(findLocalAuthority('E09000014')?.name).toBe('Haringey');
    expect(localAuthorities().length).toBeGreaterThanOrEqual(153);
  });

  it('resolves a code to the authorities covering its area on a date', () => {
    const names = (code: string, on: string) => successorsOn(code, on).map((la) => la.name);
    expect(names('E10000009', ON)).toEqual(['Bournemouth, Christchurch and Poole', 'Dorset']);
    expect(names('E10000006', ON)).toEqual(['Cumberland', 'Westmorland and Furness']);
    expect(names('E08000016', ON)).toEqual(['Barnsley']);
    expect(successorsOn('E08000016', ON)[0]?.code).toBe('E08000038');
    expect(names('E06000048', '2020-01-01')).toEqual(['Northumberland']);
    expect(names('E09000014', ON)).toEqual(['Haringey']);
    expect(names('E99999999', ON)).toEqual([]);
  });

  it('puts every centroid in England and every London centroid in London', () => {
    for (const la of allLocalAuthorityRecords()) {
      const { lat, lon } = la.centroid;
      expect(lat >= 49.8 && lat <= 55.85 && lon >= -6.45 && lon <= 1.8, la.code).toBe(true);
      expect(Math.round(lat * 1000) / 1000, la.code).toBe(lat);
      expect(Math.round(lon * 1000) / 1000, la.code).toBe(lon);
      if (la.kind === 'london-borough') {
        expect(lat >= 51.28 && lat <= 51.7 && lon >= -0.52 && lon <= 0.34, la.code).toBe(true);
      }
    }
  });

  it('checks the form of a code', () => {
    expect(isUpperTierLaCode('E09000014')).toBe(true);
    expect(isUpperTierLaCode('E10000016')).toBe(true);
    expect(isUpperTierLaCode('E07000223')).toBe(false);
    expect(isUpperTierLaCode('W06000015')).toBe(false);
    expect(isUpperTierLaCode('E0900001')).toBe(false);
    expect(isUpperTierLaCode('e09000014')).toBe(false);
  });

  it('gives the region of current and historical codes', () => {
    expect(regions.map((r) => r.code)).toEqual([
      'E12000001',
      'E12000002',
      'E12000003',
      'E12000004',
      'E12000005',
      'E12000006',
      'E12000007',
      'E12000008',
      'E12000009',
    ]);
    expect(regionOf('E09000014')).toEqual({ code: 'E12000007', name: 'London' });
    expect(regionOf('E10000006')?.name).toBe('North West');
    expect(regionOf('E06000065')?.name).toBe('Yorkshire and The Humber');
    expect(regionOf('E06000035')?.name).toBe('South East');
    expect(regionOf('E99999999')).toBeUndefined();
  });

  it('refuses dates it cannot answer for', () => {
    expect(() => localAuthorities('2005-01-01')).toThrow(ReferenceDataError);
    expect(() => localAuthorities('2005-01-01')).toThrow(
      expect.objectContaining({ code: 'OUTSIDE_COVERAGE' }),
    );
    expect(() => findLocalAuthority('E09000014', '2026-02-30')).toThrow(
      expect.objectContaining({ code: 'INVALID_DATE' }),
    );
    expect(localAuthorityDataset.completeFrom).toBe('2009-04-01');
    expect(localAuthorityDataset.version).toBe('2026-04-01');
  });

  it('hands out records that cannot be changed', () => {
    const la = findLocalAuthority('E09000014', ON);
    expect(Object.isFrozen(la)).toBe(true);
    expect(Object.isFrozen(la?.centroid)).toBe(true);
  });
});
