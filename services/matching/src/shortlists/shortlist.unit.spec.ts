// The stored API view is written piece by piece; it must be exactly the JSON of the view object.
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { matchingHome, matchingReferral, TODAY } from '../test-support/fixtures.ts';
import { nationalHomes, nationalReferrals } from '../test-support/national-homes.ts';
import { defaultMatchingPolicy } from './policy.ts';
import { type HomeForMatching, MatchingRegistry, type ReferralForMatching, rankHomes } from './ranking.ts';
import { gzippedShortlistView, JsonWriter, shortlistProduced, shortlistView } from './shortlist.ts';

const GENERATED_AT = '2026-05-11T09:00:00.000Z';

function written(referral: ReferralForMatching, homes: readonly HomeForMatching[]): string {
  const ranking = rankHomes(referral, new MatchingRegistry(homes), defaultMatchingPolicy, TODAY);
  return gunzipSync(gzippedShortlistView(referral, ranking, GENERATED_AT)).toString('utf8');
}

function expected(referral: ReferralForMatching, homes: readonly HomeForMatching[]): string {
  const ranking = rankHomes(referral, new MatchingRegistry(homes), defaultMatchingPolicy, TODAY);
  return JSON.stringify(shortlistView(referral, ranking, GENERATED_AT));
}

describe('the stored shortlist view', () => {
  const homes = nationalHomes(600, 'shortlist-view');

  it('is byte for byte the JSON of the view, for every generated referral', () => {
    const referrals = nationalReferrals(40, 'shortlist-view');
    let excluded = 0;
    let nonAscii = 0;
    let wholeMiles = 0;
    for (const referral of referrals) {
      const json = written(referral, homes);
      expect(json).toBe(expected(referral, homes));
      const view = JSON.parse(json) as { excluded: { distanceMiles: number }[] };
      excluded += view.excluded.length;
      wholeMiles += view.excluded.filter((e) => Number.isInteger(e.distanceMiles)).length;
      if (Buffer.byteLength(json) !== json.length) nonAscii++;
    }
    // The cases the writer handles itself were all exercised.
    expect(excluded).toBeGreaterThan(1000);
    expect(wholeMiles).toBeGreaterThan(0);
    expect(nonAscii).toBeGreaterThan(0);
  });

  it('is the same with no candidates, and with no exclusions', () => {
    const referral = matchingReferral();
    const closed = matchingHome('SC000001', {
      profile: { ...matchingHome('SC000001').profile, admissionsOpen: false },
    });
    expect(written(referral, [closed])).toBe(expected(referral, [closed]));
    expect(written(referral, [matchingHome('SC000002')])).toBe(
      expected(referral, [matchingHome('SC000002')]),
    );
    expect(JSON.parse(written(referral, [matchingHome('SC000002')])).excluded).toEqual([]);
  });

  it('escapes what JSON escapes, in strings it copies itself', () => {
    const referral = matchingReferral();
    const odd = [matchingHome('SC"1\\\n\u2028\ud800'), matchingHome('SC€2')];
    expect(written(referral, odd)).toBe(expected(referral, odd));
    expect(
      JSON.parse(written(referral, odd))
        .candidates.map((c: { urn: string }) => c.urn)
        .sort(),
    ).toEqual(odd.map((home) => home.urn).sort());
  });

  it('grows its buffer for a registry larger than any seen before', () => {
    const large = nationalHomes(6000, 'shortlist-view-large');
    const [referral] = nationalReferrals(1, 'shortlist-view-large');
    const json = written(referral!, large);
    expect(json.length).toBeGreaterThan(1024 * 1024);
    expect(json).toBe(expected(referral!, large));
  });
});

describe('ShortlistProduced', () => {
  it('carries the nearest excluded homes, as the full list has them', () => {
    const homes = nationalHomes(300, 'shortlist-event');
    const [referral] = nationalReferrals(1, 'shortlist-event');
    const ranking = rankHomes(referral!, homes, defaultMatchingPolicy, TODAY);
    const event = shortlistProduced(referral!, ranking, defaultMatchingPolicy, GENERATED_AT);
    expect(event.nearestExcluded).toHaveLength(defaultMatchingPolicy.eventNearestExcludedLimit);
    expect(event.nearestExcluded).toEqual(
      ranking.excluded.slice(0, defaultMatchingPolicy.eventNearestExcludedLimit),
    );
  });
});

describe('JsonWriter', () => {
  it.each([
    ['plain data', { a: 1, b: 'two', c: [true, false, null], d: { e: -0, f: 1.5e-7, g: 1e21 } }],
    [
      'left out as JSON.stringify leaves them',
      { a: undefined, b: () => 1, c: [undefined, Symbol('s')], d: 1 },
    ],
    ['not finite', [Number.NaN, Number.POSITIVE_INFINITY, -Number.MAX_VALUE]],
    ['escaped', { 'k"\\': 'a"b\\c\u0001\u001f\u2028\ud83d\ude00\udc00', long: 'é'.repeat(100) }],
    ['empty', [{}, [], '']],
  ])('writes %s byte for byte as JSON.stringify does', (_, value) => {
    const writer = new JsonWriter();
    writer.json(value);
    expect(writer.bytes().toString('utf8')).toBe(JSON.stringify(value));
  });

  it('refuses what has no JSON form, rather than writing something else', () => {
    expect(() => new JsonWriter().json(1n)).toThrow(TypeError);
  });
});
