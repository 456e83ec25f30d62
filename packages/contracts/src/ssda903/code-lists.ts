// SSDA903 (children looked after return) code lists and file layouts, by DfE collection year. The lists
// change from year to year, and an episode is validated against the year it falls in, so every lookup names
// the year. Collection years run 1 April to 31 March and are written like "2026-27".

import { addDays, assertIsoDate } from '../reference/iso-date.ts';
import data from './code-lists.json' with { type: 'json' };

export type CodeListName =
  | 'legalStatus'
  | 'categoryOfNeed'
  | 'placementType'
  | 'placementProvider'
  | 'reasonNewEpisode'
  | 'reasonEpisodeCeased'
  | 'reasonPlaceChange'
  | 'sex'
  | 'ethnicity';

export const codeListNames: readonly CodeListName[] = Object.freeze([
  'legalStatus',
  'categoryOfNeed',
  'placementType',
  'placementProvider',
  'reasonNewEpisode',
  'reasonEpisodeCeased',
  'reasonPlaceChange',
  'sex',
  'ethnicity',
]);

export interface CodeEntry {
  readonly code: string;
  readonly label: string;
  /** Not yet confirmed against the DfE guide for the year; check before submitting a return. */
  readonly provisional?: boolean;
}

export interface CollectionYearCodeLists {
  readonly year: string;
  readonly lists: Readonly<Record<CodeListName, readonly CodeEntry[]>>;
  /** Column order of the episodes file. */
  readonly episodeColumns: readonly string[];
  /** Column order of the header file. */
  readonly headerColumns: readonly string[];
}

export type CollectionYearErrorCode = 'INVALID_COLLECTION_YEAR' | 'UNSUPPORTED_COLLECTION_YEAR';

export class CollectionYearError extends Error {
  override readonly name: string = 'CollectionYearError';
  readonly code: CollectionYearErrorCode;
  readonly year: string;

  constructor(code: CollectionYearErrorCode, year: string, message: string) {
    super(message);
    this.code = code;
    this.year = year;
  }
}

/** A well-formed collection year for which this package has no code lists. */
export class UnsupportedCollectionYearError extends CollectionYearError {
  override readonly name: string = 'UnsupportedCollectionYearError';

  constructor(year: string) {
    super(
      'UNSUPPORTED_COLLECTION_YEAR',
      year,
      `no SSDA903 code lists for collection year ${year}; supported: ${Object.keys(data.years).join(', ')}`,
    );
  }
}

const YEAR = /^(\d{4})-(\d{2})$/;

function startYearOf(year: string): number {
  const match = YEAR.exec(year);
  const start = match ? Number(match[1]) : Number.NaN;
  if (!match || Number(match[2]) !== (start + 1) % 100) {
    throw new CollectionYearError(
      'INVALID_COLLECTION_YEAR',
      year,
      `"${year}" is not a collection year; expected the form 2026-27`,
    );
  }
  return start;
}

function formatYear(start: number): string {
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`;
}

/** The collection year a date falls in: '2026-11-22' and '2027-03-31' are in '2026-27'. */
export function collectionYearOf(date: string): string {
  assertIsoDate(date);
  const year = Number(date.slice(0, 4));
  return formatYear(date.slice(5) >= '04-01' ? year : year - 1);
}

/** First and last day (inclusive) of a collection year. */
export function collectionYearBounds(year: string): { readonly start: string; readonly end: string } {
  const start = startYearOf(year);
  const first = `${start}-04-01`;
  return { start: first, end: addDays(`${start + 1}-04-01`, -1) };
}

function freezeYear(
  year: string,
  raw: (typeof data.years)[keyof typeof data.years],
): CollectionYearCodeLists {
  const lists = {} as Record<CodeListName, readonly CodeEntry[]>;
  for (const name of codeListNames) {
    const entries = raw.lists[name];
    if (!entries) throw new Error(`code-lists.json ${year}: missing list ${name}`);
    const codes = new Set(entries.map((e) => e.code));
    if (codes.size !== entries.length) throw new Error(`code-lists.json ${year}: duplicate code in ${name}`);
    lists[name] = Object.freeze(entries.map((e) => Object.freeze({ ...e })));
  }
  return Object.freeze({
    year,
    lists: Object.freeze(lists),
    episodeColumns: Object.freeze([...raw.episodeColumns]),
    headerColumns: Object.freeze([...raw.headerColumns]),
  });
}

const byYear: ReadonlyMap<string, CollectionYearCodeLists> = new Map(
  Object.entries(data.years).map(([year, raw]) => {
    startYearOf(year);
    return [year, freezeYear(year, raw)];
  }),
);

const codeSets: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  [...byYear.values()].flatMap((y) =>
    codeListNames.map((name) => [`${y.year}/${name}`, new Set(y.lists[name].map((e) => e.code))] as const),
  ),
);

export const supportedCollectionYears: readonly string[] = Object.freeze([...byYear.keys()].sort());

export const codeListsSource = Object.freeze({ source: data.source, notes: Object.freeze([...data.notes]) });

/** Everything for one year: the lists and both file layouts. Throws for an unsupported year. */
export function collectionYearCodeLists(year: string): CollectionYearCodeLists {
  startYearOf(year);
  const lists = byYear.get(year);
  if (!lists) throw new UnsupportedCollectionYearError(year);
  return lists;
}

export function codeList(year: string, list: CodeListName): readonly CodeEntry[] {
  return collectionYearCodeLists(year).lists[list];
}

export function isValidCode(year: string, list: CodeListName, code: string): boolean {
  collectionYearCodeLists(year);
  return codeSets.get(`${year}/${list}`)?.has(code) ?? false;
}

export function labelOf(year: string, list: CodeListName, code: string): string | undefined {
  return codeList(year, list).find((e) => e.code === code)?.label;
}

/** Temporary placements (T0-T4): ending one never needs REASON_PLACE_CHANGE. */
export const TEMPORARY_PLACEMENT_TYPES: ReadonlySet<string> = new Set(['T0', 'T1', 'T2', 'T3', 'T4']);

/**
 * RNE values that change the placement. When an episode ends X1 and the next starts with one of these,
 * the ended episode needs REASON_PLACE_CHANGE unless its placement was temporary.
 */
export const RNE_REQUIRING_REASON_PLACE_CHANGE: ReadonlySet<string> = new Set(['P', 'B', 'T', 'U']);
