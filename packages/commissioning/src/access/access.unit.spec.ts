// Who sees what, and how shared counts are protected.
import type { Principal } from '@placements/service-kit';
import { describe, expect, it } from 'vitest';
import { consortiumDirectory, defaultConsortia } from '../reference/consortia.ts';
import { areasFor } from './areas.ts';
import { count, exposedSmallCounts, roundToBase, share, statistic } from './disclosure.ts';
import { disclosureFor, lasOf, viewerOf } from './viewer.ts';

const principal = (org: string, roles: Principal['roles']): Principal => ({ sub: 'someone', org, roles });

describe('viewers', () => {
  it('gives ops England, a placing LA its own LA, and a consortium its members', () => {
    expect(viewerOf(principal('ops', ['ops']), defaultConsortia)).toEqual({ kind: 'national' });
    expect(viewerOf(principal('E09000014', ['placing-authority']), defaultConsortia)).toEqual({
      kind: 'la',
      la: 'E09000014',
    });
    const consortium = viewerOf(principal('consortium:tees-valley', ['commissioner']), defaultConsortia);
    expect(consortium.kind).toBe('consortium');
    expect(lasOf(consortium)).toEqual(
      new Set(['E06000001', 'E06000002', 'E06000003', 'E06000004', 'E06000005']),
    );
  });

  it('refuses other roles, unknown consortia and a commissioner without a consortium', () => {
    for (const [org, roles] of [
      ['P1001', ['provider']],
      ['E09000014', ['host-authority']],
      ['consortium:nowhere', ['commissioner']],
      ['E09000014', ['commissioner']],
      ['ofsted', ['placing-authority']],
    ] as const) {
      expect(() => viewerOf(principal(org, [...roles]), defaultConsortia)).toThrow(
        expect.objectContaining({ status: 403 }),
      );
    }
  });

  it('shows counts exactly to ops and to an LA about its own children only', () => {
    expect(disclosureFor({ kind: 'national' }, false)).toBe('exact');
    expect(disclosureFor({ kind: 'la', la: 'E09000014' }, true)).toBe('exact');
    expect(disclosureFor({ kind: 'la', la: 'E09000014' }, false)).toBe('protected');
    expect(disclosureFor({ kind: 'consortium', consortium: defaultConsortia.consortia[0]! }, true)).toBe(
      'protected',
    );
  });

  it('lets each viewer break analyses down only by what it may see', () => {
    const la = { kind: 'la', la: 'E09000014' } as const;
    expect(areasFor(la, undefined, defaultConsortia, '2026-06-01').areas.map((a) => a.code)).toEqual([
      'E09000014',
    ]);
    expect(() => areasFor(la, 'region', defaultConsortia, '2026-06-01')).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(() => areasFor(la, 'la', defaultConsortia, '2026-06-01', 'E08000003')).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    const regions = areasFor({ kind: 'national' }, undefined, defaultConsortia, '2026-06-01');
    expect(regions.level).toBe('region');
    expect(regions.areas).toHaveLength(9);
    expect(regions.areas.flatMap((a) => a.las)).toHaveLength(
      new Set(regions.areas.flatMap((a) => a.las)).size,
    );
  });

  it('loads consortium membership as reference data and rejects a member that is not an LA', () => {
    expect(defaultConsortia.find('greater-manchester')?.members).toHaveLength(10);
    expect(() =>
      consortiumDirectory({
        source: 's',
        version: 'v',
        consortia: [{ id: 'xx', name: 'X', kind: 'regional-consortium', members: ['E06999999'] }],
      }),
    ).toThrow(/not a local authority/);
  });
});

describe('small-number suppression', () => {
  it('withholds counts below 5, zero included, and rounds the rest to the nearest 5', () => {
    expect([0, 1, 4].map((n) => count(n, 'protected'))).toEqual(
      new Array(3).fill({ value: null, suppressed: true }),
    );
    expect([5, 6, 7, 8, 12, 13, 102].map((n) => count(n, 'protected').value)).toEqual([
      5, 5, 5, 10, 10, 15, 100,
    ]);
    expect(count(3, 'exact')).toEqual({ value: 3, suppressed: false });
    expect(roundToBase(17.5)).toBe(20);
  });

  it('derives shares from published counts, never from withheld ones', () => {
    expect(share(count(7, 'protected'), count(21, 'protected'))).toBe(0.25);
    expect(share(count(3, 'protected'), count(21, 'protected'))).toBeNull();
    expect(statistic(4200, 4, 'protected')).toBeNull();
    expect(statistic(4200, 4, 'exact')).toBe(4200);
  });

  it('finds any count cell below the threshold in a response', () => {
    const response = {
      rows: [{ a: { value: 5, suppressed: false }, b: { value: 3, suppressed: false } }],
      c: { value: null, suppressed: true },
    };
    expect(exposedSmallCounts(response)).toEqual(['$.rows[0].b']);
  });
});
