import { describe, expect, it } from 'vitest';
import { ReferenceDataError } from '../reference/iso-date.ts';
import {
  type CodeListName,
  CollectionYearError,
  codeList,
  codeListNames,
  codeListsSource,
  collectionYearBounds,
  collectionYearCodeLists,
  collectionYearOf,
  isValidCode,
  labelOf,
  RNE_REQUIRING_REASON_PLACE_CHANGE,
  supportedCollectionYears,
  TEMPORARY_PLACEMENT_TYPES,
  UnsupportedCollectionYearError,
} from './code-lists.ts';

const codes = (year: string, list: CodeListName) => codeList(year, list).map((e) => e.code);

describe('collection years', () => {
  it.each([
    ['2026-11-22', '2026-27'],
    ['2027-03-31', '2026-27'],
    ['2027-04-01', '2027-28'],
    ['2026-04-01', '2026-27'],
    ['2026-03-31', '2025-26'],
    ['2024-02-29', '2023-24'],
    ['1999-12-31', '1999-00'],
    ['2000-01-01', '1999-00'],
  ])('%s falls in %s', (date, year) => {
    expect(collectionYearOf(date)).toBe(year);
  });

  it('rejects a malformed date', () => {
    expect(() => collectionYearOf('2027-02-29')).toThrow(ReferenceDataError);
    expect(() => collectionYearOf('31/03/2027')).toThrow(expect.objectContaining({ code: 'INVALID_DATE' }));
  });

  it('bounds a year from 1 April to 31 March', () => {
    expect(collectionYearBounds('2026-27')).toEqual({ start: '2026-04-01', end: '2027-03-31' });
    expect(collectionYearBounds('2023-24')).toEqual({ start: '2023-04-01', end: '2024-03-31' });
    expect(collectionYearBounds('2030-31')).toEqual({ start: '2030-04-01', end: '2031-03-31' });
    expect(collectionYearBounds('1999-00')).toEqual({ start: '1999-04-01', end: '2000-03-31' });
  });

  it('agrees with collectionYearOf at both ends of every supported year', () => {
    for (const year of supportedCollectionYears) {
      const { start, end } = collectionYearBounds(year);
      expect(collectionYearOf(start)).toBe(year);
      expect(collectionYearOf(end)).toBe(year);
    }
  });

  it('rejects malformed years with a typed error', () => {
    for (const bad of ['2026-28', '26-27', '2026/27', '2026-2027', '']) {
      expect(() => collectionYearBounds(bad), bad).toThrow(CollectionYearError);
      expect(() => collectionYearBounds(bad), bad).toThrow(
        expect.objectContaining({ code: 'INVALID_COLLECTION_YEAR', year: bad }),
      );
    }
  });
});

describe('code lists by year', () => {
  it('supports 2023-24 to 2026-27', () => {
    expect(supportedCollectionYears).toEqual(['2023-24', '2024-25', '2025-26', '2026-27']);
    expect(codeListsSource.source).toMatch(/SSDA903/);
  });

  it('throws a typed error for a year it has no lists for', () => {
    const attempt = () => codeList('2022-23', 'placementType');
    expect(attempt).toThrow(UnsupportedCollectionYearError);
    expect(attempt).toThrow(CollectionYearError);
    expect(attempt).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_COLLECTION_YEAR', year: '2022-23' }),
    );
    expect(attempt).toThrow(/2023-24, 2024-25, 2025-26, 2026-27/);
    expect(() => isValidCode('2027-28', 'sex', 'M')).toThrow(UnsupportedCollectionYearError);
    expect(() => codeList('2026/27', 'sex')).toThrow(
      expect.objectContaining({ code: 'INVALID_COLLECTION_YEAR' }),
    );
  });

  it.each(supportedCollectionYears)('%s has the stable lists', (year) => {
    expect(codes(year, 'legalStatus')).toEqual([
      'C1',
      'C2',
      'D1',
      'E1',
      'V2',
      'V3',
      'V4',
      'J1',
      'J2',
      'J3',
      'L1',
      'L2',
      'L3',
    ]);
    expect(codes(year, 'categoryOfNeed')).toEqual(['N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7', 'N8']);
    expect(codes(year, 'placementProvider')).toEqual(['PR0', 'PR1', 'PR2', 'PR3', 'PR4', 'PR5']);
    expect(codes(year, 'reasonNewEpisode')).toEqual(['S', 'L', 'P', 'T', 'U', 'B']);
    expect(codes(year, 'reasonEpisodeCeased')).toEqual([
      'X1',
      'E11',
      'E12',
      'E13',
      'E14',
      'E15',
      'E16',
      'E17',
      'E2',
      'E3',
      'E41',
      'E45',
      'E46',
      'E47',
      'E48',
      'E4A',
      'E4B',
      'E5',
      'E6',
      'E7',
      'E8',
      'E9',
    ]);
    expect(codes(year, 'reasonPlaceChange')).toEqual([
      'CARPL',
      'CLOSE',
      'ALLEG',
      'STAND',
      'APPRR',
      'CREQB',
      'CREQO',
      'CHILD',
      'LAREQ',
      'PLACE',
      'CUSTOD',
      'OTHER',
    ]);
    expect(codes(year, 'ethnicity')).toHaveLength(20);
    expect(codes(year, 'ethnicity')).toEqual(
      expect.arrayContaining(['WBRI', 'WROM', 'MWBC', 'REFU', 'NOBT']),
    );
  });

  it.each(supportedCollectionYears)('%s carries both file layouts', (year) => {
    const lists = collectionYearCodeLists(year);
    expect(lists.year).toBe(year);
    expect(lists.episodeColumns).toEqual([
      'CHILD',
      'DECOM',
      'RNE',
      'LS',
      'CIN',
      'PLACE',
      'PLACE_PROVIDER',
      'DEC',
      'REC',
      'REASON_PLACE_CHANGE',
      'HOME_POST',
      'PL_POST',
      'URN',
    ]);
    expect(lists.headerColumns).toEqual(['CHILD', 'SEX', 'DOB', 'ETHNIC', 'UPN', 'MOTHER', 'MC_DOB']);
  });

  it('changes the placement types between years', () => {
    for (const year of supportedCollectionYears) {
      for (const code of ['K1', 'K2', 'K3', 'P1', 'R5', 'S1', 'T0', 'T4', 'U1', 'U6', 'A3', 'A6']) {
        expect(isValidCode(year, 'placementType', code), `${year} ${code}`).toBe(true);
      }
    }
    expect(isValidCode('2024-25', 'placementType', 'Z1')).toBe(true);
    expect(isValidCode('2025-26', 'placementType', 'Z1')).toBe(false);
    for (const code of ['Z11', 'Z12', 'Z13', 'Z14']) {
      expect(isValidCode('2024-25', 'placementType', code), code).toBe(false);
      expect(isValidCode('2025-26', 'placementType', code), code).toBe(true);
      expect(isValidCode('2026-27', 'placementType', code), code).toBe(true);
    }
    expect(isValidCode('2023-24', 'placementType', 'H5')).toBe(true);
    expect(isValidCode('2026-27', 'placementType', 'H5')).toBe(false);
    expect(isValidCode('2026-27', 'placementType', 'K4')).toBe(false);
  });

  it('codes SEX as 1/2 before 2024-25 and M/F/U from then', () => {
    expect(codes('2023-24', 'sex')).toEqual(['1', '2']);
    for (const year of ['2024-25', '2025-26', '2026-27']) expect(codes(year, 'sex')).toEqual(['M', 'F', 'U']);
    expect(isValidCode('2023-24', 'sex', 'M')).toBe(false);
    expect(isValidCode('2026-27', 'sex', '1')).toBe(false);
  });

  it('labels every code and marks the unconfirmed ones', () => {
    for (const year of supportedCollectionYears) {
      for (const name of codeListNames) {
        for (const entry of codeList(year, name))
          expect(entry.label.length, `${year} ${name} ${entry.code}`).toBeGreaterThan(3);
      }
    }
    expect(labelOf('2026-27', 'placementType', 'K2')).toBe(
      "Children's home subject to Children's Homes Regulations",
    );
    expect(labelOf('2026-27', 'reasonNewEpisode', 'S')).toBe('Started to be looked after');
    expect(labelOf('2026-27', 'placementType', 'XX')).toBeUndefined();
    expect(codeList('2026-27', 'placementType').find((e) => e.code === 'Z11')?.provisional).toBe(true);
    expect(codeList('2026-27', 'placementType').find((e) => e.code === 'K2')?.provisional).toBeUndefined();
  });

  it('is case-sensitive, as the return is', () => {
    expect(isValidCode('2026-27', 'placementType', 'k2')).toBe(false);
    expect(isValidCode('2026-27', 'reasonPlaceChange', 'CARPL')).toBe(true);
  });

  it('hands out lists that cannot be changed', () => {
    const list = codeList('2026-27', 'legalStatus');
    expect(Object.isFrozen(list)).toBe(true);
    expect(Object.isFrozen(list[0])).toBe(true);
  });
});

describe('episode rule sets', () => {
  it('names the temporary placements', () => {
    expect([...TEMPORARY_PLACEMENT_TYPES].sort()).toEqual(['T0', 'T1', 'T2', 'T3', 'T4']);
    for (const year of supportedCollectionYears) {
      for (const code of TEMPORARY_PLACEMENT_TYPES)
        expect(isValidCode(year, 'placementType', code)).toBe(true);
    }
  });

  it('names the RNE values that need a reason for the placement change', () => {
    expect([...RNE_REQUIRING_REASON_PLACE_CHANGE].sort()).toEqual(['B', 'P', 'T', 'U']);
    expect(RNE_REQUIRING_REASON_PLACE_CHANGE.has('L')).toBe(false);
    expect(RNE_REQUIRING_REASON_PLACE_CHANGE.has('S')).toBe(false);
    for (const year of supportedCollectionYears) {
      for (const code of RNE_REQUIRING_REASON_PLACE_CHANGE)
        expect(isValidCode(year, 'reasonNewEpisode', code)).toBe(true);
    }
  });
});
