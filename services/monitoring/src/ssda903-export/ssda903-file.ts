// The SSDA903 files themselves: the episodes file and the header file of a collection year, as CSV in
// the DfE column order for that year, dates dd/mm/yyyy, one row per episode (or child) ordered by
// CHILD then DECOM, records separated by CRLF (RFC 4180).
import type { CollectionYearCodeLists } from '@placements/contracts';
import { stringify } from 'csv-stringify/sync';
import { sexCodeFor } from './episode-rules.ts';
import type { ChildDetails, Episode } from './episodes.ts';

export function dfeDate(iso: string | null): string {
  if (!iso) return '';
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

function byChild(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function csv(columns: readonly string[], rows: Record<string, string>[]): string {
  return stringify(rows, { header: true, columns: [...columns], record_delimiter: 'windows' });
}

export function episodesFile(episodes: readonly Episode[], year: CollectionYearCodeLists): string {
  const sorted = [...episodes].sort((a, b) => byChild(a.child, b.child) || a.decom.localeCompare(b.decom));
  const rows = sorted.map((episode) => {
    const values: Record<string, string> = {
      CHILD: episode.child,
      DECOM: dfeDate(episode.decom),
      RNE: episode.rne,
      LS: episode.ls ?? '',
      CIN: episode.cin ?? '',
      PLACE: episode.place ?? '',
      PLACE_PROVIDER: episode.placeProvider ?? '',
      DEC: dfeDate(episode.dec),
      REC: episode.rec ?? '',
      REASON_PLACE_CHANGE: episode.reasonPlaceChange ?? '',
      HOME_POST: episode.homePost ?? '',
      PL_POST: episode.plPost ?? '',
      URN: episode.urn ?? '',
    };
    return Object.fromEntries(year.episodeColumns.map((column) => [column, values[column] ?? '']));
  });
  return csv(year.episodeColumns, rows);
}

/** UPN, MOTHER and MC_DOB are not known to the platform: left blank for the LA's case system to complete. */
export function headerFile(children: readonly ChildDetails[], year: CollectionYearCodeLists): string {
  const sorted = [...children].sort((a, b) => byChild(a.child, b.child));
  const rows = sorted.map((child) => {
    const values: Record<string, string> = {
      CHILD: child.child,
      SEX: child.sex ? (sexCodeFor(child.sex, year) ?? '') : '',
      DOB: dfeDate(child.dateOfBirth),
      ETHNIC: child.ethnicity ?? '',
      UPN: '',
      MOTHER: '',
      MC_DOB: '',
    };
    return Object.fromEntries(year.headerColumns.map((column) => [column, values[column] ?? '']));
  });
  return csv(year.headerColumns, rows);
}
