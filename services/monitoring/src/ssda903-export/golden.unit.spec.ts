// The 2026-27 return of twelve hand-checked children, derived from their events and compared byte for
// byte with the golden files (moves, an out-of-area placement at a distance, a legal status change, a
// same-day double move, episodes straddling both ends of the year, an erased child).
import { readFileSync } from 'node:fs';
import { collectionYearCodeLists, ERASED } from '@placements/contracts';
import { describe, expect, it } from 'vitest';
import { type KnownHome, sexCodeFor } from './episode-rules.ts';
import { ERASED_CHILDREN, GOLDEN_YEAR, goldenChildren, goldenHomes } from './fixtures/golden-children.ts';
import { buildReturn, type ChildHistory, renderEpisodes, renderHeader } from './ssda903-return.ts';

const golden = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function histories(): ChildHistory[] {
  return goldenChildren().map((story) => ({
    childRef: story.childRef,
    facts: story.events.map((event, index) => ({
      seq: index + 1,
      type: event.name,
      data:
        event.name === 'ReferralSubmitted' && ERASED_CHILDREN.has(story.childRef)
          ? { ...(event.data as object), child: ERASED }
          : event.data,
    })),
  }));
}

const homes = new Map<string, KnownHome>(
  Object.values(goldenHomes).map((home) => [
    home.urn,
    { postcode: home.postcode, registration: [{ on: '2020-01-06', status: 'registered' }] },
  ]),
);

describe('SSDA903 golden files', () => {
  const year = collectionYearCodeLists(GOLDEN_YEAR);
  const result = buildReturn(histories(), year, homes);

  it('derives valid episodes for the twelve children in the year', () => {
    expect(result.violations).toEqual([]);
    expect(result.children.map((child) => child.child)).toHaveLength(12);
  });

  it('renders the episodes file byte for byte', () => {
    expect(renderEpisodes(result, year)).toBe(golden('episodes-2026-27.csv'));
  });

  it('renders the header file byte for byte', () => {
    expect(renderHeader(result, year)).toBe(golden('header-2026-27.csv'));
  });

  it('codes SEX as the year requires: M/F/U from 2024-25, 1/2 before (U has no code then)', () => {
    const older = collectionYearCodeLists('2023-24');
    expect([sexCodeFor('M', older), sexCodeFor('F', older), sexCodeFor('U', older)]).toEqual([
      '1',
      '2',
      undefined,
    ]);
    expect(sexCodeFor('U', year)).toBe('U');
  });
});
