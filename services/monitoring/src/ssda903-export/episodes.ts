// SSDA903 episodes derived from one child's placement history (DOMAIN.md §3). A new episode starts
// whenever the legal status, the placement or the carer changes; the previous one then ends the same
// day with REC X1. What the events allow:
//   - a period of care starts with the first PlacementStarted (RNE S) and ends with a PlacementEnded
//     whose reason is not X1 (REC = that reason); a later start opens a new period (S again);
//   - a placement change is a PlacementStarted naming the previous placement (matching ends the
//     previous one the same day with X1); the carer is the home (URN): a new home is a new carer
//     (P, or B with a legal status change), the same home a placement change with the same carer
//     (T, or U with a legal status change);
//   - the legal status and category of need come from the child's latest referral. ReferralNeedsUpdated
//     does not carry them, so a legal status change is a later ReferralSubmitted for the child with a
//     different legal status, effective on the date it was submitted (in England); on its own it is
//     an L episode, on the day of a placement change it makes that episode U or B;
//   - several changes on one day make one new episode: it describes the child's situation at the end
//     of the day, the RNE compares it with the episode that ended, and the episode that ended gives
//     the REASON_PLACE_CHANGE of the first move of the day (only the last placement of a day counts);
//   - REASON_PLACE_CHANGE is only filled where the DfE requires it: the episode ends X1, the next
//     starts P, B, T or U, and the placement that ended was not temporary (T0–T4);
//   - PLACE, PLACE_PROVIDER, PL_POST come from the placement (PlacementProposed, from the home), URN
//     is the home; HOME_POST, LS and CIN from the referral's child (blank once the child's data is
//     erased). Anything the events contradict (an end before its start, a second placement starting
//     while one is open without a move) is kept as it is so validation can name it.
import {
  isErased,
  RNE_REQUIRING_REASON_PLACE_CHANGE,
  TEMPORARY_PLACEMENT_TYPES,
  todayInEngland,
} from '@placements/contracts';

export type ReasonNewEpisode = 'S' | 'L' | 'P' | 'T' | 'U' | 'B';

/** One entry of the child's history as the export reads it (personal fields opened). */
export interface HistoryFact {
  seq: number;
  type: string;
  data: unknown;
}

export interface Episode {
  child: string;
  /** DECOM: ISO date the episode commenced. */
  decom: string;
  rne: ReasonNewEpisode;
  ls: string | null;
  cin: string | null;
  place: string | null;
  placeProvider: string | null;
  /** DEC: ISO date the episode ceased; null while open. */
  dec: string | null;
  rec: string | null;
  reasonPlaceChange: string | null;
  homePost: string | null;
  plPost: string | null;
  urn: string | null;
  /** The placement this episode is in (not exported). */
  placementId: string;
}

export interface ChildDetails {
  child: string;
  sex: string | null;
  dateOfBirth: string | null;
  ethnicity: string | null;
  /** The child's personal data has been erased (crypto-shredded). */
  erased: boolean;
}

export interface ChildEpisodes {
  details: ChildDetails;
  episodes: Episode[];
}

interface Profile {
  ls: string | null;
  cin: string | null;
  homePost: string | null;
  sex: string | null;
  dateOfBirth: string | null;
  ethnicity: string | null;
  erased: boolean;
}

interface Placement {
  placementId: string;
  urn: string | null;
  place: string | null;
  placeProvider: string | null;
  plPost: string | null;
}

type Change =
  | { kind: 'end'; on: string; seq: number; placementId: string; rec: string }
  | { kind: 'profile'; on: string; seq: number; profile: Profile }
  | {
      kind: 'start';
      on: string;
      seq: number;
      placementId: string;
      previousPlacementId: string | null;
      placeChangeReason: string | null;
    };

const ORDER_IN_DAY: Record<Change['kind'], number> = { end: 0, profile: 1, start: 2 };

interface ReferralChild {
  dateOfBirth: string;
  sex: string;
  ethnicity: string;
  legalStatus: string;
  categoryOfNeed: string;
  homePostcode: string;
}

function profileOf(child: unknown): Profile {
  if (isErased(child) || typeof child !== 'object' || child === null) {
    return {
      ls: null,
      cin: null,
      homePost: null,
      sex: null,
      dateOfBirth: null,
      ethnicity: null,
      erased: true,
    };
  }
  const c = child as ReferralChild;
  return {
    ls: c.legalStatus,
    cin: c.categoryOfNeed,
    homePost: c.homePostcode,
    sex: c.sex,
    dateOfBirth: c.dateOfBirth,
    ethnicity: c.ethnicity,
    erased: false,
  };
}

/** Reads the facts SSDA903 needs out of the history, in history order. */
function collect(facts: readonly HistoryFact[]): { placements: Map<string, Placement>; changes: Change[] } {
  const placements = new Map<string, Placement>();
  const changes: Change[] = [];
  const placementOf = (id: string): Placement => {
    let placement = placements.get(id);
    if (!placement) {
      placement = { placementId: id, urn: null, place: null, placeProvider: null, plPost: null };
      placements.set(id, placement);
    }
    return placement;
  };
  for (const fact of [...facts].sort((a, b) => a.seq - b.seq)) {
    const data = fact.data as Record<string, unknown>;
    switch (fact.type) {
      case 'ReferralSubmitted':
        changes.push({
          kind: 'profile',
          on: todayInEngland(new Date(String(data.submittedAt))),
          seq: fact.seq,
          profile: profileOf(data.child),
        });
        break;
      case 'PlacementProposed': {
        const placement = placementOf(String(data.placementId));
        placement.urn = String(data.homeUrn);
        placement.place = String(data.placementType);
        placement.placeProvider = String(data.placementProvider);
        placement.plPost = String(data.homePostcode);
        break;
      }
      case 'PlacementStarted': {
        const placement = placementOf(String(data.placementId));
        placement.urn ??= String(data.homeUrn);
        changes.push({
          kind: 'start',
          on: String(data.startDate),
          seq: fact.seq,
          placementId: placement.placementId,
          previousPlacementId: (data.previousPlacementId as string | null) ?? null,
          placeChangeReason: (data.placeChangeReason as string | null) ?? null,
        });
        break;
      }
      case 'PlacementEnded':
        changes.push({
          kind: 'end',
          on: String(data.endDate),
          seq: fact.seq,
          placementId: String(data.placementId),
          rec: String(data.reasonEnded),
        });
        break;
      default:
        break;
    }
  }
  changes.sort(
    (a, b) => a.on.localeCompare(b.on) || ORDER_IN_DAY[a.kind] - ORDER_IN_DAY[b.kind] || a.seq - b.seq,
  );
  return { placements, changes };
}

function rneFor(carerChanged: boolean, legalStatusChanged: boolean): ReasonNewEpisode {
  if (legalStatusChanged) return carerChanged ? 'B' : 'U';
  return carerChanged ? 'P' : 'T';
}

export function deriveEpisodes(child: string, facts: readonly HistoryFact[]): ChildEpisodes {
  const { placements, changes } = collect(facts);
  const episodes: Episode[] = [];
  let profile: Profile = {
    ls: null,
    cin: null,
    homePost: null,
    sex: null,
    dateOfBirth: null,
    ethnicity: null,
    erased: false,
  };
  let current: Episode | undefined;
  // Episodes left open by a placement that started without ending the one before (an overlap).
  const stray = new Map<string, Episode>();
  // Ends dated before their placement started: applied when it starts, so validation sees them.
  const earlyEnds = new Map<string, { on: string; rec: string }>();
  const startsOn = (changes: readonly Change[], placementId: string) =>
    changes.some((change) => change.kind === 'start' && change.placementId === placementId);

  const open = (on: string, placement: Placement, rne: ReasonNewEpisode): Episode => {
    const episode: Episode = {
      child,
      decom: on,
      rne,
      ls: profile.ls,
      cin: profile.cin,
      place: placement.place,
      placeProvider: placement.placeProvider,
      dec: null,
      rec: null,
      reasonPlaceChange: null,
      homePost: profile.homePost,
      plPost: placement.plPost,
      urn: placement.urn,
      placementId: placement.placementId,
    };
    episodes.push(episode);
    const early = earlyEnds.get(placement.placementId);
    if (early) {
      episode.dec = early.on;
      episode.rec = early.rec;
      earlyEnds.delete(placement.placementId);
    }
    return episode;
  };

  let index = 0;
  while (index < changes.length) {
    if (current?.dec) current = undefined;
    const day = changes[index]!.on;
    const today: Change[] = [];
    while (index < changes.length && changes[index]!.on === day) today.push(changes[index++]!);

    const before = current;
    let endedRec: string | undefined;
    for (const change of today) {
      if (change.kind !== 'end') continue;
      if (before && change.placementId === before.placementId) endedRec = change.rec;
      const other = stray.get(change.placementId);
      if (other) {
        other.dec = day;
        other.rec = change.rec;
        stray.delete(change.placementId);
      } else if (change.placementId !== before?.placementId && !startsOn(today, change.placementId)) {
        earlyEnds.set(change.placementId, { on: day, rec: change.rec });
      }
    }
    const profileBefore = profile;
    for (const change of today) {
      if (change.kind === 'profile') profile = change.profile;
    }
    const starts = today.filter((change) => change.kind === 'start');
    // Placements started and ended within the day are passed through: only the day's last counts.
    const endedToday = new Set(today.filter((c) => c.kind === 'end').map((c) => c.placementId));
    const lasting = starts.filter((start) => !endedToday.has(start.placementId));
    const finalStart = lasting.at(-1) ?? (starts.length > 0 && !before ? starts.at(-1) : undefined);

    if (!before) {
      if (finalStart) current = open(day, placements.get(finalStart.placementId)!, 'S');
      if (current && starts.length > 0 && endedToday.has(current.placementId)) {
        const rec = today.filter((c) => c.kind === 'end' && c.placementId === current!.placementId).at(-1);
        current.dec = day;
        current.rec = rec && rec.kind === 'end' ? rec.rec : null;
        current = undefined;
      }
      continue;
    }

    if (!finalStart) {
      if (endedRec !== undefined) {
        // The period of care (or, with X1 and no next placement, a broken chain) ends today.
        before.dec = day;
        before.rec = endedRec;
        current = undefined;
      } else if (profile.ls !== before.ls && profile !== profileBefore) {
        if (before.ls === null) {
          // The legal status was unknown when the episode started: this fills it in, it is no change.
          Object.assign(before, { ls: profile.ls, cin: profile.cin, homePost: profile.homePost });
        } else {
          before.dec = day;
          before.rec = 'X1';
          current = open(day, placements.get(before.placementId)!, 'L');
        }
      }
      continue;
    }

    const next = placements.get(finalStart.placementId)!;
    const linked = starts.some((start) => start.previousPlacementId === before.placementId);
    if (endedRec !== undefined && endedRec !== 'X1' && !linked) {
      // Left care today and came back the same day: a new period of care.
      before.dec = day;
      before.rec = endedRec;
      current = open(day, next, 'S');
      continue;
    }
    if (!linked && endedRec === undefined) {
      // A placement started while this one is open, without ending it: both stay as recorded.
      stray.set(before.placementId, before);
    } else {
      before.dec = day;
      before.rec = 'X1';
      const firstMove =
        starts.find((start) => start.previousPlacementId === before.placementId) ?? finalStart;
      const rne = rneFor(next.urn !== before.urn, profile.ls !== before.ls);
      const temporary = before.place !== null && TEMPORARY_PLACEMENT_TYPES.has(before.place);
      before.reasonPlaceChange =
        RNE_REQUIRING_REASON_PLACE_CHANGE.has(rne) && !temporary ? firstMove.placeChangeReason : null;
    }
    current = open(day, next, rneFor(next.urn !== before.urn, profile.ls !== before.ls));
  }

  return {
    details: {
      child,
      sex: profile.sex,
      dateOfBirth: profile.dateOfBirth,
      ethnicity: profile.ethnicity,
      erased: profile.erased,
    },
    episodes,
  };
}

/** Episodes that overlap the collection year; one still open at the year's end is shown open. */
export function episodesInYear(
  episodes: readonly Episode[],
  bounds: { start: string; end: string },
): Episode[] {
  return episodes
    .filter((episode) => episode.decom <= bounds.end && (episode.dec === null || episode.dec >= bounds.start))
    .map((episode) =>
      episode.dec !== null && episode.dec > bounds.end
        ? { ...episode, dec: null, rec: null, reasonPlaceChange: null }
        : episode,
    );
}
