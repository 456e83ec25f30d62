// The upper-tier local authorities in England that have children's services, by effective date.
// Out-of-area, host-authority notification and the LA dimension of every statistic are judged between these
// authorities, so the table is versioned: codes change when ONS reissues them or councils are reorganised.

import { ReferenceDataError, toDayNumber, todayInEngland } from './iso-date.ts';
import data from './local-authorities.json' with { type: 'json' };

export type LocalAuthorityKind = 'unitary' | 'metropolitan-district' | 'london-borough' | 'county';

export interface Region {
  readonly code: string;
  readonly name: string;
}

export interface LocalAuthority {
  /** ONS (GSS) code: E06 unitary, E08 metropolitan district, E09 London borough, E10 county. */
  readonly code: string;
  readonly name: string;
  readonly kind: LocalAuthorityKind;
  readonly region: string;
  readonly regionCode: string;
  /** Approximate geographic centre, for display and rough distances only. */
  readonly centroid: { readonly lat: number; readonly lon: number };
  /** First day the code is in force (inclusive). */
  readonly validFrom: string;
  /** Last day the code is in force (inclusive); null while current. */
  readonly validTo: string | null;
  /** Codes that took over when this one ended; empty while current. */
  readonly successors: readonly string[];
}

export interface LocalAuthorityDataset {
  readonly source: string;
  readonly version: string;
  /** Earliest date for which the table lists every authority in force. */
  readonly completeFrom: string;
  readonly notes: readonly string[];
}

const KINDS: ReadonlySet<string> = new Set(['unitary', 'metropolitan-district', 'london-borough', 'county']);

function load(): readonly LocalAuthority[] {
  return data.localAuthorities.map((raw) => {
    if (!KINDS.has(raw.kind)) {
      throw new Error(`local-authorities.json: ${raw.code} has unknown kind "${raw.kind}"`);
    }
    return Object.freeze({
      ...raw,
      kind: raw.kind as LocalAuthorityKind,
      centroid: Object.freeze({ ...raw.centroid }),
      successors: Object.freeze([...raw.successors]),
    });
  });
}

const records: readonly LocalAuthority[] = Object.freeze(load());
const byCode: ReadonlyMap<string, LocalAuthority> = new Map(records.map((la) => [la.code, la]));

export const localAuthorityDataset: LocalAuthorityDataset = Object.freeze({
  source: data.source,
  version: data.version,
  completeFrom: data.completeFrom,
  notes: Object.freeze([...data.notes]),
});

export const regions: readonly Region[] = Object.freeze(data.regions.map((r) => Object.freeze({ ...r })));
const regionByCode: ReadonlyMap<string, Region> = new Map(regions.map((r) => [r.code, r]));

const UPPER_TIER_CODE = /^E(06|08|09|10)\d{6}$/;

/** Format check only: a well-formed code need not name a real authority (see findLocalAuthority). */
export function isUpperTierLaCode(code: string): boolean {
  return UPPER_TIER_CODE.test(code);
}

function resolveAsOf(asOf: string | undefined): string {
  const date = asOf ?? todayInEngland();
  if (toDayNumber(date) < toDayNumber(data.completeFrom)) {
    throw new ReferenceDataError(
      'OUTSIDE_COVERAGE',
      `local authority table is complete only from ${data.completeFrom}; asked about ${date}`,
    );
  }
  return date;
}

function validOn(la: LocalAuthority, date: string): boolean {
  // ISO dates compare correctly as strings once validated.
  return la.validFrom <= date && (la.validTo === null || date <= la.validTo);
}

/** Authorities in force on asOf (default: today in England), ordered by code. */
export function localAuthorities(asOf?: string): readonly LocalAuthority[] {
  const date = resolveAsOf(asOf);
  return records.filter((la) => validOn(la, date));
}

/** The authority with this code if it is in force on asOf (default: today in England). */
export function findLocalAuthority(code: string, asOf?: string): LocalAuthority | undefined {
  const date = resolveAsOf(asOf);
  const la = byCode.get(code);
  return la && validOn(la, date) ? la : undefined;
}

/** Every record, current and historical, whatever its dates: for labelling old data. */
export function allLocalAuthorityRecords(): readonly LocalAuthority[] {
  return records;
}

/** The record for a code whatever its dates, e.g. to name an abolished authority in historical data. */
export function localAuthorityRecord(code: string): LocalAuthority | undefined {
  return byCode.get(code);
}

/**
 * The authorities in force on asOf that cover the area of `code`: the authority itself while it is current,
 * otherwise its successors, followed through later changes (Dorset County Council in 2026 resolves to
 * Bournemouth, Christchurch and Poole and to Dorset). Empty for an unknown code.
 */
export function successorsOn(code: string, asOf?: string): readonly LocalAuthority[] {
  const date = resolveAsOf(asOf);
  const found = new Map<string, LocalAuthority>();
  const visit = (c: string): void => {
    const la = byCode.get(c);
    if (!la || la.validFrom > date) return;
    if (validOn(la, date)) found.set(la.code, la);
    else la.successors.forEach(visit);
  };
  visit(code);
  return [...found.values()];
}

/** Region of an authority, current or historical (codes are never reused). */
export function regionOf(code: string): Region | undefined {
  const la = byCode.get(code);
  return la ? regionByCode.get(la.regionCode) : undefined;
}
