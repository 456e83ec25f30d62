// The areas an analysis is broken down by: England, its regions, its upper-tier LAs, or a
// consortium's members together. Which levels a viewer may ask for follows from what it may see.
import { localAuthorities, localAuthorityRecord, regions } from '@placements/contracts';
import { problems } from '@placements/service-kit';
import { z } from 'zod';
import type { ConsortiumDirectory } from '../reference/consortia.ts';
import type { Viewer } from './viewer.ts';

export const areaLevels = ['england', 'region', 'la', 'consortium'] as const;
export const areaLevel = z.enum(areaLevels);
export type AreaLevel = (typeof areaLevels)[number];

export interface Area {
  level: AreaLevel;
  code: string;
  name: string;
  /** Upper-tier LAs the area is made of: demand is their referrals, supply the homes in them. */
  las: readonly string[];
}

export const areaSchema = z
  .strictObject({ level: areaLevel, code: z.string(), name: z.string() })
  .meta({ id: 'CommissioningArea' });

export function allowedLevels(viewer: Viewer): readonly AreaLevel[] {
  switch (viewer.kind) {
    case 'national':
      return ['region', 'england', 'la', 'consortium'];
    case 'consortium':
      return ['consortium', 'la'];
    case 'la':
      return ['la'];
  }
}

function laArea(code: string): Area {
  return { level: 'la', code, name: localAuthorityRecord(code)?.name ?? code, las: [code] };
}

/** Every area of `level` the viewer may see, optionally only the one coded `only`. */
export function areasFor(
  viewer: Viewer,
  level: AreaLevel | undefined,
  consortia: ConsortiumDirectory,
  asOf: string,
  only?: string,
): { level: AreaLevel; areas: Area[] } {
  const allowed = allowedLevels(viewer);
  const chosen = level ?? allowed[0]!;
  if (!allowed.includes(chosen)) {
    throw problems.forbidden(`you may break analyses down by ${allowed.join(', ')}, not ${chosen}`);
  }
  const current = localAuthorities(asOf);
  let areas: Area[];
  switch (chosen) {
    case 'england':
      areas = [{ level: 'england', code: 'E92000001', name: 'England', las: current.map((la) => la.code) }];
      break;
    case 'region':
      areas = regions.map((region) => ({
        level: 'region' as const,
        code: region.code,
        name: region.name,
        las: current.filter((la) => la.regionCode === region.code).map((la) => la.code),
      }));
      break;
    case 'consortium': {
      const visible = viewer.kind === 'consortium' ? [viewer.consortium] : consortia.consortia;
      areas = visible.map((c) => ({
        level: 'consortium' as const,
        code: c.id,
        name: c.name,
        las: c.members,
      }));
      break;
    }
    case 'la': {
      const codes =
        viewer.kind === 'la'
          ? [viewer.la]
          : viewer.kind === 'consortium'
            ? viewer.consortium.members
            : current.map((la) => la.code);
      areas = codes.map(laArea);
      break;
    }
  }
  if (only !== undefined) {
    areas = areas.filter((area) => area.code === only);
    if (areas.length === 0) {
      if (viewer.kind === 'national')
        throw problems.validation([{ path: 'query.area', message: `is not a ${chosen} code` }]);
      throw problems.forbidden(`${only} is not a ${chosen} you may see`);
    }
  }
  return { level: chosen, areas };
}
