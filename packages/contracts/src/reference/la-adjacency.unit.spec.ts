import { describe, expect, it } from 'vitest';
import { addDays, ReferenceDataError } from './iso-date.ts';
import data from './la-adjacency.json' with { type: 'json' };
import {
  adjacencyDataset,
  adjacencyVersionOn,
  adjacencyVersions,
  areAdjacent,
  neighboursOf,
} from './la-adjacency.ts';
import { allLocalAuthorityRecords, localAuthorities } from './local-authorities.ts';

const ON = '2026-04-01';
const ISLANDS = ['E06000046', 'E06000053']; // Isle of Wight, Isles of Scilly

const LA = {
  haringey: 'E09000014',
  enfield: 'E09000010',
  barnet: 'E09000003',
  croydon: 'E09000008',
  hillingdon: 'E09000017',
  stockport: 'E08000007',
  manchester: 'E08000003',
  cheshireEast: 'E06000049',
  derbyshire: 'E10000007',
  kent: 'E10000016',
  medway: 'E06000035',
  eastSussex: 'E10000011',
  surrey: 'E10000030',
  bromley: 'E09000006',
  cornwall: 'E06000052',
  devon: 'E10000008',
  plymouth: 'E06000026',
  leeds: 'E08000035',
  bradford: 'E08000032',
  newcastle: 'E08000021',
  northTyneside: 'E08000022',
  birmingham: 'E08000025',
  solihull: 'E08000029',
  coventry: 'E08000026',
  stoke: 'E06000021',
  staffordshire: 'E10000028',
  hull: 'E06000010',
  eastRiding: 'E06000011',
  northLincs: 'E06000013',
  northEastLincs: 'E06000012',
  slough: 'E06000039',
  buckinghamshire: 'E06000060',
  hertfordshire: 'E10000015',
  isleOfWight: 'E06000046',
  hampshire: 'E10000014',
  barnsleyNow: 'E08000038',
  sheffieldNow: 'E08000039',
  barnsleyBefore: 'E08000016',
  sheffieldBefore: 'E08000019',
  cumbria: 'E10000006',
  northumberland: 'E06000057',
  bournemouth: 'E06000028',
  poole: 'E06000029',
  dorsetCounty: 'E10000009',
  bcp: 'E06000058',
} as const;

describe('LA adjacency data', () => {
  it('holds each unordered pair once, never an authority with itself, in every version', () => {
    for (const version of data.versions) {
      const seen = new Set<string>();
      for (const [a, b] of version.pairs) {
        expect(a, version.validFrom).not.toBe(b);
        const key = [a, b].sort().join('|');
        expect(seen.has(key), `${version.validFrom} ${key}`).toBe(false);
        seen.add(key);
      }
    }
  });

  it('names only authorities in force at each version date, and gives all but the islands a neighbour', () => {
    for (const version of data.versions) {
      const inForce = new Set(localAuthorities(version.validFrom).map((la) => la.code));
      const named = new Set(version.pairs.flat());
      for (const code of named) expect(inForce.has(code), `${version.validFrom} ${code}`).toBe(true);
      const isolated = [...inForce].filter((code) => !named.has(code)).sort();
      expect(isolated, version.validFrom).toEqual(ISLANDS);
    }
  });

  it('starts a new version at every change to the authorities, so no version outlives its members', () => {
    const versionDates = new Set(data.versions.map((v) => v.validFrom));
    const first = data.versions[0]?.validFrom ?? '';
    for (const la of allLocalAuthorityRecords()) {
      if (la.validFrom > first) expect(versionDates.has(la.validFrom), la.code).toBe(true);
      if (la.validTo !== null) expect(versionDates.has(addDays(la.validTo, 1)), la.code).toBe(true);
    }
  });

  it('describes its source and rules', () => {
    expect(adjacencyDataset.source).toMatch(/ONS/);
    expect(adjacencyDataset.rules.join(' ')).toMatch(/Isle of Wight/);
    expect(adjacencyVersions.map((v) => v.validFrom)).toEqual([
      '2009-04-01',
      '2013-04-01',
      '2019-04-01',
      '2020-04-01',
      '2021-04-01',
      '2023-04-01',
      '2025-04-01',
    ]);
    expect(adjacencyVersionOn(ON).validFrom).toBe('2025-04-01');
    expect(adjacencyVersionOn('2024-01-01').validFrom).toBe('2023-04-01');
  });
});

describe('areAdjacent', () => {
  it('is symmetric and irreflexive for every pair of current authorities', () => {
    const codes = localAuthorities(ON).map((la) => la.code);
    for (const a of codes) {
      expect(areAdjacent(a, a, ON), a).toBe(false);
      for (const b of neighboursOf(a, ON)) expect(areAdjacent(b, a, ON), `${b}-${a}`).toBe(true);
    }
  });

  it.each([
    ['Haringey', LA.haringey, 'Enfield', LA.enfield, true],
    ['Haringey', LA.haringey, 'Barnet', LA.barnet, true],
    ['Haringey', LA.haringey, 'Croydon', LA.croydon, false],
    ['Stockport', LA.stockport, 'Manchester', LA.manchester, true],
    ['Stockport', LA.stockport, 'Cheshire East', LA.cheshireEast, true],
    ['Stockport', LA.stockport, 'Derbyshire', LA.derbyshire, true],
    ['Kent', LA.kent, 'Medway', LA.medway, true],
    ['Kent', LA.kent, 'East Sussex', LA.eastSussex, true],
    ['Kent', LA.kent, 'Surrey', LA.surrey, true],
    ['Kent', LA.kent, 'Bromley', LA.bromley, true],
    ['Cornwall', LA.cornwall, 'Devon', LA.devon, true],
    ['Cornwall', LA.cornwall, 'Plymouth', LA.plymouth, true],
    ['Leeds', LA.leeds, 'Bradford', LA.bradford, true],
    ['Newcastle', LA.newcastle, 'North Tyneside', LA.northTyneside, true],
    ['Birmingham', LA.birmingham, 'Solihull', LA.solihull, true],
    ['Birmingham', LA.birmingham, 'Coventry', LA.coventry, false],
    ['Stoke-on-Trent', LA.stoke, 'Staffordshire', LA.staffordshire, true],
    ['Stoke-on-Trent', LA.stoke, 'Cheshire East', LA.cheshireEast, false],
    ['Hull', LA.hull, 'East Riding', LA.eastRiding, true],
    ['Hull', LA.hull, 'North Lincolnshire', LA.northLincs, false],
    ['North Lincolnshire', LA.northLincs, 'East Riding', LA.eastRiding, true],
    ['North East Lincolnshire', LA.northEastLincs, 'East Riding', LA.eastRiding, false],
    ['Hillingdon', LA.hillingdon, 'Slough', LA.slough, true],
    ['Hillingdon', LA.hillingdon, 'Buckinghamshire', LA.buckinghamshire, true],
    ['Hillingdon', LA.hillingdon, 'Hertfordshire', LA.hertfordshire, true],
    ['Hillingdon', LA.hillingdon, 'Surrey', LA.surrey, true],
    ['Isle of Wight', LA.isleOfWight, 'Hampshire', LA.hampshire, false],
    ['Barnsley', LA.barnsleyNow, 'Sheffield', LA.sheffieldNow, true],
  ])('%s / %s on 2026-04-01: %s', (_a, a, _b, b, expected) => {
    expect(areAdjacent(a, b, ON)).toBe(expected);
    expect(areAdjacent(b, a, ON)).toBe(expected);
  });

  it('lists the island authorities with no neighbours', () => {
    expect(neighboursOf(LA.isleOfWight, ON)).toEqual([]);
    expect(neighboursOf('E06000053', ON)).toEqual([]);
  });

  it('lists neighbours sorted', () => {
    expect(neighboursOf(LA.haringey, ON)).toEqual([
      'E09000003',
      'E09000007',
      'E09000010',
      'E09000012',
      'E09000019',
      'E09000031',
    ]);
  });

  it('answers with the authorities and boundaries in force on the date asked', () => {
    expect(areAdjacent(LA.cumbria, LA.northumberland, '2022-06-01')).toBe(true);
    expect(areAdjacent(LA.barnsleyBefore, LA.sheffieldBefore, '2024-06-01')).toBe(true);
    expect(areAdjacent(LA.bournemouth, LA.poole, '2018-06-01')).toBe(true);
    expect(areAdjacent(LA.poole, LA.hampshire, '2018-06-01')).toBe(false);
    expect(areAdjacent(LA.dorsetCounty, LA.hampshire, '2018-06-01')).toBe(true);
    expect(areAdjacent(LA.bcp, LA.hampshire, ON)).toBe(true);
    expect(areAdjacent('E10000021', 'E06000060', '2020-06-01')).toBe(true); // Northamptonshire-Buckinghamshire
    expect(areAdjacent('E10000021', 'E10000002', '2019-06-01')).toBe(true); // with Buckinghamshire County Council
  });

  it('refuses a code that is not in force on the date, rather than answering "not adjoining"', () => {
    const unknown = expect.objectContaining({ code: 'UNKNOWN_LOCAL_AUTHORITY' });
    expect(() => areAdjacent(LA.cumbria, LA.northumberland, ON)).toThrow(unknown);
    expect(() => areAdjacent(LA.barnsleyBefore, LA.sheffieldNow, ON)).toThrow(unknown);
    expect(() => neighboursOf('E07000223', ON)).toThrow(unknown);
    expect(() => areAdjacent(LA.bcp, LA.hampshire, '2018-06-01')).toThrow(ReferenceDataError);
  });

  it('refuses dates before the first version', () => {
    expect(() => areAdjacent(LA.kent, LA.medway, '2008-01-01')).toThrow(
      expect.objectContaining({ code: 'OUTSIDE_COVERAGE' }),
    );
  });

  it('refuses a malformed date', () => {
    expect(() => areAdjacent(LA.kent, LA.medway, '2026-02-30')).toThrow(
      expect.objectContaining({ code: 'INVALID_DATE' }),
    );
  });

  it('defaults to today', () => {
    expect(areAdjacent(LA.kent, LA.medway)).toBe(true);
  });
});
