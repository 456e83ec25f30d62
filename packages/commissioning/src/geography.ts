// Straight-line distances and the reference geography commissioning uses: LA centres (approximate,
// from @placements/contracts) and regions. Distances in the gap analysis are measured from the
// placing LA's centre, because a referral keeps no location of the child.
import { localAuthorityRecord, regionOf } from '@placements/contracts';

const EARTH_RADIUS_MILES = 3958.8;

export function milesBetween(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_MILES * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function centreOf(la: string): { lat: number; lon: number } | undefined {
  return localAuthorityRecord(la)?.centroid;
}

export function laName(la: string): string {
  return localAuthorityRecord(la)?.name ?? la;
}

export function regionCodeOf(la: string): string | null {
  return regionOf(la)?.code ?? null;
}
