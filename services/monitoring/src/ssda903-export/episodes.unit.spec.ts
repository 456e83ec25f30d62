// Given a child's history, when it is projected to SSDA903, then these episodes (and these rule
// violations). Dates are chosen around the 2026-27 collection year (1 April 2026 – 31 March 2027).
import { collectionYearBounds, collectionYearCodeLists, ERASED } from '@placements/contracts';
import { describe, expect, it } from 'vitest';
import {
  type PlacementFacts,
  placementEnded,
  placementProposed,
  placementStarted,
  referralSubmitted,
} from '../testing/integration-events.ts';
import { checkEpisodes } from './episode-rules.ts';
import { deriveEpisodes, type Episode, episodesInYear, type HistoryFact } from './episodes.ts';

const LA = 'E09000014';
const CHILD = 'C1';
const year = collectionYearCodeLists('2026-27');
const bounds = collectionYearBounds('2026-27');

const homes = {
  oak: { urn: 'SC100001', postcode: 'N15 1AA', providerId: 'P1', la: LA },
  elm: { urn: 'SC100002', postcode: 'EN1 2BB', providerId: 'P1', la: 'E09000010' },
  ash: { urn: '1000003', postcode: 'SK1 3XE', providerId: 'P2', la: 'E08000007' },
};

class History {
  readonly facts: HistoryFact[] = [];
  #n = 0;

  #add(type: string, data: unknown): this {
    this.facts.push({ seq: ++this.#n, type, data });
    return this;
  }

  referral(on: string, child: Partial<Parameters<typeof referralSubmitted>[0]['child']> = {}): this {
    return this.#add(
      'ReferralSubmitted',
      referralSubmitted({
        referralId: `00000000-0000-4000-8000-${String(this.#n).padStart(12, '0')}`,
        placingLa: LA,
        childRef: CHILD,
        submittedAt: `${on}T10:00:00Z`,
        child,
      }),
    );
  }

  erasedReferral(on: string): this {
    const data = referralSubmitted({
      referralId: '00000000-0000-4000-8000-00000000000e',
      placingLa: LA,
      childRef: CHILD,
      submittedAt: `${on}T10:00:00Z`,
    });
    return this.#add('ReferralSubmitted', { ...data, child: ERASED });
  }

  placement(id: string, home: keyof typeof homes, placementType = 'K2'): PlacementFacts & { type: string } {
    const h = homes[home];
    return {
      placementId: `00000000-0000-4000-9000-${id.padStart(12, '0')}`,
      referralId: '00000000-0000-4000-8000-000000000001',
      placingLa: LA,
      childRef: CHILD,
      homeUrn: h.urn,
      providerId: h.providerId,
      hostLa: h.la,
      outOfArea: h.la !== LA,
      atDistance: h.la === 'E08000007',
      type: placementType,
    };
  }

  start(
    p: PlacementFacts & { type: string },
    on: string,
    move?: { from: PlacementFacts; reason: string | null },
  ) {
    const h = Object.values(homes).find((home) => home.urn === p.homeUrn)!;
    this.#add(
      'PlacementProposed',
      placementProposed(p, {
        offerId: '00000000-0000-4000-a000-000000000001',
        plannedStart: on,
        proposedAt: `${on}T08:00:00Z`,
        homePostcode: h.postcode,
        placementType: p.type,
        previousPlacementId: move?.from.placementId ?? null,
        placeChangeReason: move?.reason ?? null,
      }),
    );
    if (move) {
      this.#add(
        'PlacementEnded',
        placementEnded(move.from, {
          endDate: on,
          reasonEnded: 'X1',
          endedAt: `${on}T09:00:00Z`,
          nextPlacementId: p.placementId,
        }),
      );
    }
    return this.#add(
      'PlacementStarted',
      placementStarted(p, {
        startDate: on,
        startedAt: `${on}T09:00:00Z`,
        previousPlacementId: move?.from.placementId ?? null,
        placeChangeReason: move?.reason ?? null,
      }),
    );
  }

  end(p: PlacementFacts, on: string, reason: string): this {
    return this.#add(
      'PlacementEnded',
      placementEnded(p, { endDate: on, reasonEnded: reason, endedAt: `${on}T17:00:00Z` }),
    );
  }
}

function rows(episodes: readonly Episode[]) {
  return episodes.map((e) =>
    [e.decom, e.rne, e.ls, e.place, e.dec, e.rec, e.reasonPlaceChange, e.urn].join(' '),
  );
}

function derive(history: History) {
  const derived = deriveEpisodes(CHILD, history.facts);
  const inYear = episodesInYear(derived.episodes, bounds);
  const violations = checkEpisodes(derived, inYear, year, new Map());
  return { derived, inYear, violations };
}

describe('SSDA903 episodes from a placement history', () => {
  it('given a first placement, then one open episode that started care (S)', () => {
    const history = new History().referral('2026-04-20', { legalStatus: 'C1' });
    const oak = history.placement('1', 'oak');
    history.start(oak, '2026-05-01');

    const { inYear, violations, derived } = derive(history);

    expect(rows(inYear)).toEqual(['2026-05-01 S C1 K2    SC100001']);
    expect(inYear[0]).toMatchObject({
      cin: 'N1',
      homePost: 'N17 6QA',
      plPost: 'N15 1AA',
      placeProvider: 'PR4',
    });
    expect(derived.details).toMatchObject({
      sex: 'F',
      dateOfBirth: '2011-05-14',
      ethnicity: 'WBRI',
      erased: false,
    });
    expect(violations).toEqual([]);
  });

  it('given a move to another home, then X1 with the reason and a new episode P the same day', () => {
    const history = new History().referral('2026-04-20');
    const oak = history.placement('1', 'oak');
    const elm = history.placement('2', 'elm');
    history.start(oak, '2026-05-01').start(elm, '2026-09-15', { from: oak, reason: 'CARPL' });

    const { inYear, violations } = derive(history);

    expect(rows(inYear)).toEqual([
      '2026-05-01 S C2 K2 2026-09-15 X1 CARPL SC100001',
      '2026-09-15 P C2 K2    SC100002',
    ]);
    expect(violations).toEqual([]);
  });

  it('given a new placement in the same home, then the new episode is T (same carer) with a reason', () => {
    const history = new History().referral('2026-04-20');
    const first = history.placement('1', 'oak');
    const second = history.placement('2', 'oak');
    history.start(first, '2026-05-01').start(second, '2026-06-01', { from: first, reason: 'PLACE' });

    expect(rows(derive(history).inYear)).toEqual([
      '2026-05-01 S C2 K2 2026-06-01 X1 PLACE SC100001',
      '2026-06-01 T C2 K2    SC100001',
    ]);
  });

  it('given a legal status change only, then an L episode in the same placement, no reason needed', () => {
    const history = new History().referral('2026-04-20', { legalStatus: 'C1' });
    const oak = history.placement('1', 'oak');
    history.start(oak, '2026-05-01').referral('2026-07-10', { legalStatus: 'C2' });

    const { inYear, violations } = derive(history);

    expect(rows(inYear)).toEqual([
      '2026-05-01 S C1 K2 2026-07-10 X1  SC100001',
      '2026-07-10 L C2 K2    SC100001',
    ]);
    expect(violations).toEqual([]);
  });

  it('given a referral repeating the same legal status, then no new episode', () => {
    const history = new History().referral('2026-04-20', { legalStatus: 'C2' });
    history.start(history.placement('1', 'oak'), '2026-05-01').referral('2026-07-10', { legalStatus: 'C2' });

    expect(rows(derive(history).inYear)).toEqual(['2026-05-01 S C2 K2    SC100001']);
  });

  it('given the end of care, then the episode ceases with the reason ended and a later start is S again', () => {
    const history = new History().referral('2026-04-20');
    const oak = history.placement('1', 'oak');
    const elm = history.placement('2', 'elm');
    history.start(oak, '2026-05-01').end(oak, '2026-08-31', 'E13').referral('2026-11-20');
    history.start(elm, '2026-12-01');

    const { inYear, violations } = derive(history);

    expect(rows(inYear)).toEqual([
      '2026-05-01 S C2 K2 2026-08-31 E13  SC100001',
      '2026-12-01 S C2 K2    SC100002',
    ]);
    expect(violations).toEqual([]);
  });

  it('given a move and a legal status change the same day, then one new episode B (new carer)', () => {
    const history = new History().referral('2026-04-20', { legalStatus: 'C1' });
    const oak = history.placement('1', 'oak');
    const elm = history.placement('2', 'elm');
    history.start(oak, '2026-05-01').referral('2026-08-01', { legalStatus: 'C2' });
    history.start(elm, '2026-08-01', { from: oak, reason: 'CHILD' });

    expect(rows(derive(history).inYear)).toEqual([
      '2026-05-01 S C1 K2 2026-08-01 X1 CHILD SC100001',
      '2026-08-01 B C2 K2    SC100002',
    ]);
  });

  it('given two moves on the same day, then only the last placement of the day is an episode', () => {
    const history = new History().referral('2026-04-20');
    const oak = history.placement('1', 'oak');
    const elm = history.placement('2', 'elm');
    const ash = history.placement('3', 'ash');
    history
      .start(oak, '2026-05-01')
      .start(elm, '2026-08-08', { from: oak, reason: 'ALLEG' })
      .start(ash, '2026-08-08', { from: elm, reason: 'STAND' });

    const { inYear, violations } = derive(history);

    expect(rows(inYear)).toEqual([
      '2026-05-01 S C2 K2 2026-08-08 X1 ALLEG SC100001',
      '2026-08-08 P C2 K2    1000003',
    ]);
    expect(violations).toEqual([]);
  });

  it('given episodes straddling the collection year, then those overlapping it are kept and one open at 31 March is shown open', () => {
    const history = new History().referral('2025-01-10');
    const oak = history.placement('1', 'oak');
    const elm = history.placement('2', 'elm');
    const ash = history.placement('3', 'ash');
    history
      .start(oak, '2025-02-01')
      .start(elm, '2026-03-31', { from: oak, reason: 'CARPL' })
      .start(ash, '2027-04-10', { from: elm, reason: 'CHILD' });

    const { derived, inYear, violations } = derive(history);

    expect(derived.episodes).toHaveLength(3);
    expect(rows(inYear)).toEqual(['2026-03-31 P C2 K2    SC100002']);
    expect(violations).toEqual([]);
  });

  it('given a move out of a temporary placement, then no reason for the change is recorded', () => {
    const history = new History().referral('2026-04-20');
    const temporary = history.placement('1', 'oak', 'T1');
    const elm = history.placement('2', 'elm');
    history.start(temporary, '2026-05-01').start(elm, '2026-05-20', { from: temporary, reason: 'CARPL' });

    const { inYear, violations } = derive(history);

    expect(inYear[0]).toMatchObject({ rec: 'X1', reasonPlaceChange: null });
    expect(violations.map((v) => v.rule)).not.toContain('reason-place-change-required');
  });

  it('given a move recorded without a reason, then validation names rule 225 for that child and episode', () => {
    const history = new History().referral('2026-04-20');
    const oak = history.placement('1', 'oak');
    const elm = history.placement('2', 'elm');
    history.start(oak, '2026-05-01').start(elm, '2026-06-01', { from: oak, reason: null });

    expect(derive(history).violations).toEqual([
      expect.objectContaining({ rule: 'reason-place-change-required', child: CHILD, episode: 1 }),
    ]);
  });

  it('given a placement ended X1 but the next starting days later, then the chain is broken', () => {
    const history = new History().referral('2026-04-20');
    const oak = history.placement('1', 'oak');
    history.start(oak, '2026-05-01').end(oak, '2026-06-01', 'X1');
    history.start(history.placement('2', 'elm'), '2026-06-03');

    expect(derive(history).violations).toEqual([
      expect.objectContaining({ rule: 'x1-chaining', child: CHILD, episode: 1, field: 'REC' }),
    ]);
  });

  it('given a second placement starting while the first is open and not ended, then they overlap', () => {
    const history = new History().referral('2026-04-20');
    const oak = history.placement('1', 'oak');
    history.start(oak, '2026-05-01');
    history.start(history.placement('2', 'elm'), '2026-06-01');
    history.end(oak, '2026-06-10', 'X1');

    expect(derive(history).violations.map((v) => v.rule)).toContain('no-overlap');
  });

  it('given an end dated before its start, then rule 356', () => {
    const history = new History().referral('2026-04-20');
    const oak = history.placement('1', 'oak');
    history.start(oak, '2026-05-01').end(oak, '2026-04-25', 'E13');

    expect(derive(history).violations.map((v) => v.rule)).toContain('episode-dates');
  });

  it("given the child's data erased, then HOME_POST, LS and CIN are blank and still valid", () => {
    const history = new History().erasedReferral('2026-04-20');
    history.start(history.placement('1', 'oak'), '2026-05-01');

    const { inYear, violations, derived } = derive(history);

    expect(inYear[0]).toMatchObject({ homePost: null, ls: null, cin: null, plPost: 'N15 1AA' });
    expect(derived.details.erased).toBe(true);
    expect(violations).toEqual([]);
  });

  it('given a placement in a children’s home without a URN or postcode, then URN and postcode rules fail', () => {
    const history = new History().referral('2026-04-20');
    const oak = history.placement('1', 'oak');
    history.facts.push({
      seq: 99,
      type: 'PlacementStarted',
      data: placementStarted(
        { ...oak, placementId: '00000000-0000-4000-9000-000000000077' },
        {
          startDate: '2026-05-01',
          startedAt: '2026-05-01T09:00:00Z',
        },
      ),
    });
    const derived = deriveEpisodes(CHILD, history.facts);
    const episode = { ...derived.episodes[0]!, place: 'K2', placeProvider: 'PR4', urn: 'X', plPost: null };
    const rules = checkEpisodes({ ...derived, episodes: [episode] }, [episode], year, new Map()).map(
      (v) => v.rule,
    );

    expect(rules).toEqual(expect.arrayContaining(['urn-required', 'postcode-present']));
  });
});
