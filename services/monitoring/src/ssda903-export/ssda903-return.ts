// One placing LA's SSDA903 return for a collection year, from its children's histories: derive every
// child's episodes, keep those overlapping the year, check them against the episode rules and, only
// when nothing is broken, render the two files. Pure: the route reads the histories and homes.
import { type CollectionYearCodeLists, collectionYearBounds } from '@placements/contracts';
import { checkEpisodes, checkHeader, type KnownHome, type RuleViolation } from './episode-rules.ts';
import {
  type ChildDetails,
  deriveEpisodes,
  type Episode,
  episodesInYear,
  type HistoryFact,
} from './episodes.ts';
import { episodesFile, headerFile } from './ssda903-file.ts';

export interface ChildHistory {
  childRef: string;
  facts: readonly HistoryFact[];
}

export interface Ssda903Return {
  year: string;
  episodes: Episode[];
  children: ChildDetails[];
  violations: RuleViolation[];
}

export function buildReturn(
  histories: readonly ChildHistory[],
  year: CollectionYearCodeLists,
  homes: ReadonlyMap<string, KnownHome>,
): Ssda903Return {
  const bounds = collectionYearBounds(year.year);
  const episodes: Episode[] = [];
  const children: ChildDetails[] = [];
  const violations: RuleViolation[] = [];
  for (const history of histories) {
    const derived = deriveEpisodes(history.childRef, history.facts);
    const inYear = episodesInYear(derived.episodes, bounds);
    if (inYear.length === 0) continue;
    episodes.push(...inYear);
    children.push(derived.details);
    violations.push(...checkEpisodes(derived, inYear, year, homes), ...checkHeader(derived, year));
  }
  return { year: year.year, episodes, children, violations };
}

export function renderEpisodes(result: Ssda903Return, year: CollectionYearCodeLists): string {
  return episodesFile(result.episodes, year);
}

export function renderHeader(result: Ssda903Return, year: CollectionYearCodeLists): string {
  return headerFile(result.children, year);
}
