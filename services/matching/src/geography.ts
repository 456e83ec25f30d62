// Geography of a placement: straight-line distance, the DfE 20-mile statistic, and the CPPCR reg 11
// locality tests (out of area, at a distance) with the approval level each one requires. Adjacency
// comes from the versioned reference data in @placements/contracts, never from code.
import {
  type GeoPoint,
  type LocalAuthority,
  localAuthorityRecord,
  neighboursOf,
  type OfstedJudgement,
  type RequiredApproval,
} from '@placements/contracts';

/** Mean Earth radius in statute miles (IUGG mean radius 6,371.0088 km). */
export const EARTH_RADIUS_MILES = 3958.7613;

/**
 * DfE children-looked-after statistics count placements more than 20 miles (straight line) from the
 * child's home postcode (DOMAIN.md §2). Shown alongside, never confused with, "at a distance".
 */
export const DISTANCE_STATISTIC_MILES = 20;

/**
 * Approval an Inadequate home needs. Statute gates only locality (CPPCR reg 11); placing a child in a
 * home Ofsted judged Inadequate is treated by this platform as needing the DCS personally, the
 * highest level reg 11 knows, so the decision is taken and recorded at the top.
 */
export const INADEQUATE_HOME_APPROVAL = 'dcs' as const;

const RAD = Math.PI / 180;

/** Haversine distance in miles, unrounded. */
export function milesBetween(a: GeoPoint, b: GeoPoint): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_MILES * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A point with its trigonometry done once, for computing many distances from it. */
export interface Position {
  latRad: number;
  lonRad: number;
  cosLat: number;
}

export function positionOf(point: GeoPoint): Position {
  const latRad = point.lat * RAD;
  return { latRad, lonRad: point.lon * RAD, cosLat: Math.cos(latRad) };
}

/** Haversine distance in miles between precomputed positions (same result as milesBetween). */
export function milesBetweenPositions(a: Position, b: Position): number {
  return milesFromPosition(a, b.latRad, b.lonRad, b.cosLat);
}

/** The same, with the second position given by its parts (as a registry holds them). */
export function milesFromPosition(a: Position, latRad: number, lonRad: number, cosLat: number): number {
  const sinLat = Math.sin((latRad - a.latRad) / 2);
  const sinLon = Math.sin((lonRad - a.lonRad) / 2);
  const h = sinLat * sinLat + a.cosLat * cosLat * sinLon * sinLon;
  return 2 * EARTH_RADIUS_MILES * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Distances are reported in miles to one decimal, as DfE derives them from HOME_POST to PL_POST. */
export function toTenths(miles: number): number {
  return Math.round(miles * 10) / 10;
}

export function isOver20Miles(distanceMiles: number): boolean {
  return distanceMiles > DISTANCE_STATISTIC_MILES;
}

export interface Locality {
  /** The home's LA is not the placing LA (CPPCR reg 11). */
  outOfArea: boolean;
  /** Out of area and the home's LA does not adjoin the placing LA (CPPCR reg 11). */
  atDistance: boolean;
}

/**
 * The authorities adjoining the placing LA on `asOf`. An authority not in force on that date (a stale
 * code) has no known neighbours: every other authority then counts as at a distance, the cautious
 * reading, because it asks for the higher approval.
 */
export function neighbourhoodOf(placingLa: string, asOf: string): ReadonlySet<string> {
  try {
    return new Set(neighboursOf(placingLa, asOf));
  } catch {
    return new Set();
  }
}

export function localityOf(placingLa: string, hostLa: string, neighbours: ReadonlySet<string>): Locality {
  const outOfArea = hostLa !== placingLa;
  return { outOfArea, atDistance: outOfArea && !neighbours.has(hostLa) };
}

/** CPPCR reg 11: nominated officer out of area, DCS at a distance; Inadequate homes need the DCS too. */
export function requiredApprovalFor(locality: Locality, judgement: OfstedJudgement | null): RequiredApproval {
  if (locality.atDistance || judgement === 'inadequate') return 'dcs';
  if (locality.outOfArea) return 'nominated-officer';
  return null;
}

/** A DCS approval satisfies either level; a nominated officer's only their own. */
export function approvalSatisfies(level: 'nominated-officer' | 'dcs', required: RequiredApproval): boolean {
  if (required === null) return true;
  return level === 'dcs' || required === 'nominated-officer';
}

export function authorityName(code: string): string {
  const la: LocalAuthority | undefined = localAuthorityRecord(code);
  return la?.name ?? code;
}
