// Which upper-tier local authorities adjoin, by effective date. CPPCR reg 11 turns on it: an out-of-area
// placement in an authority that does not adjoin the placing authority is "at a distance" and needs the
// DCS's own approval. It is reference data so that a wrong border is corrected in the JSON, not in code.

import { assertIsoDate, ReferenceDataError, todayInEngland } from './iso-date.ts';
import data from './la-adjacency.json' with { type: 'json' };
import { localAuthorities, localAuthorityDataset } from './local-authorities.ts';

export interface AdjacencyVersion {
  /** First day this version applies; it applies until the next version's validFrom. */
  readonly validFrom: string;
  readonly source: string;
  readonly pairCount: number;
}

interface LoadedVersion extends AdjacencyVersion {
  /** Authorities in force while this version applies, adjoining or not. */
  readonly members: ReadonlySet<string>;
  readonly neighbours: ReadonlyMap<string, ReadonlySet<string>>;
}

function loadVersion(raw: (typeof data.versions)[number]): LoadedVersion {
  const members = new Set(localAuthorities(raw.validFrom).map((la) => la.code));
  const neighbours = new Map<string, Set<string>>();
  const link = (a: string, b: string): void => {
    let set = neighbours.get(a);
    if (!set) {
      set = new Set();
      neighbours.set(a, set);
    }
    set.add(b);
  };
  for (const pair of raw.pairs) {
    const [a, b] = pair;
    if (pair.length !== 2 || a === undefined || b === undefined || a === b) {
      throw new Error(`la-adjacency.json ${raw.validFrom}: malformed pair ${JSON.stringify(pair)}`);
    }
    if (!members.has(a) || !members.has(b)) {
      throw new Error(`la-adjacency.json ${raw.validFrom}: ${a}-${b} names an authority not in force`);
    }
    link(a, b);
    link(b, a);
  }
  return { validFrom: raw.validFrom, source: raw.source, pairCount: raw.pairs.length, members, neighbours };
}

const loaded: readonly LoadedVersion[] = data.versions
  .map(loadVersion)
  .sort((x, y) => x.validFrom.localeCompare(y.validFrom));

export const adjacencyVersions: readonly AdjacencyVersion[] = Object.freeze(
  loaded.map(({ validFrom, source, pairCount }) => Object.freeze({ validFrom, source, pairCount })),
);

export const adjacencyDataset = Object.freeze({
  source: data.source,
  rules: Object.freeze([...data.rules]),
});

function versionFor(asOf: string | undefined): LoadedVersion {
  const date = assertIsoDate(asOf ?? todayInEngland());
  let found: LoadedVersion | undefined;
  for (const v of loaded) if (v.validFrom <= date) found = v;
  if (!found) {
    throw new ReferenceDataError(
      'OUTSIDE_COVERAGE',
      `LA adjacency starts on ${loaded[0]?.validFrom ?? localAuthorityDataset.completeFrom}; asked about ${date}`,
    );
  }
  return found;
}

function requireMember(version: LoadedVersion, code: string, asOf: string | undefined): void {
  if (!version.members.has(code)) {
    throw new ReferenceDataError(
      'UNKNOWN_LOCAL_AUTHORITY',
      `${code} is not an upper-tier local authority in force on ${asOf ?? 'today'}`,
    );
  }
}

/**
 * Whether two authorities share a boundary on asOf (default: today in England). An authority does not adjoin
 * itself: the same authority is "in area", a different question. Throws for a code not in force on that date,
 * because silently answering "no" would make a stale code look like a placement at a distance.
 */
export function areAdjacent(a: string, b: string, asOf?: string): boolean {
  const version = versionFor(asOf);
  requireMember(version, a, asOf);
  requireMember(version, b, asOf);
  return version.neighbours.get(a)?.has(b) ?? false;
}

/** Codes of the authorities adjoining `code` on asOf (default: today in England), sorted. */
export function neighboursOf(code: string, asOf?: string): readonly string[] {
  const version = versionFor(asOf);
  requireMember(version, code, asOf);
  return [...(version.neighbours.get(code) ?? [])].sort();
}

/** The adjacency version that applies on asOf (default: today in England). */
export function adjacencyVersionOn(asOf?: string): AdjacencyVersion {
  const { validFrom, source, pairCount } = versionFor(asOf);
  return { validFrom, source, pairCount };
}
