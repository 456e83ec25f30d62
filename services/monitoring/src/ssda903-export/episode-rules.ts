// The DfE episode validation rules the export enforces before it hands over a file (DOMAIN.md §3).
// Where the DfE's own rule number is known it is given; the others are the DfE's stated requirements
// under this service's names. Messages name the child (its SSDA903 CHILD id), the episode and the
// field, never a value that is personal (postcodes, dates of birth).
import {
  type CollectionYearCodeLists,
  RNE_REQUIRING_REASON_PLACE_CHANGE,
  TEMPORARY_PLACEMENT_TYPES,
  urn as urnSchema,
} from '@placements/contracts';
import type { ChildEpisodes, Episode } from './episodes.ts';

export const episodeRules = {
  'episode-dates': 'DfE 356: the date the episode ceased must not be before the date it started',
  'x1-chaining': 'an episode ceasing X1 must be followed by an episode starting the same day',
  'rne-chaining':
    'an episode that is not a start of care (RNE other than S) must follow an episode that ceased X1 the same day, and one that is (RNE S) must not',
  'reason-place-change-required':
    'DfE 225: REASON_PLACE_CHANGE must be recorded when the episode ceased X1, the next starts P, B, T or U and the placement was not temporary (T0–T4)',
  'reason-place-change-not-required': 'DfE 226: REASON_PLACE_CHANGE must be blank when it is not required',
  'urn-required':
    'URN must be a valid Ofsted URN of a home registered at the episode dates for K1, K2 and K3',
  'postcode-present':
    'PL_POST must be given for a placement in a registered setting, and HOME_POST for every child',
  'postcode-match': 'PL_POST must match the postcode of the home the URN names',
  'no-overlap': 'episodes of one child must not overlap',
  'valid-codes': 'codes must be in the DfE code lists for the collection year',
} as const;

export type EpisodeRule = keyof typeof episodeRules;

export interface RuleViolation {
  rule: EpisodeRule;
  child: string;
  /** 1-based position of the episode among the child's episodes in the file (by DECOM). */
  episode: number | null;
  field: string | null;
  message: string;
}

/** What the service knows of a home, to check URN and PL_POST against. */
export interface KnownHome {
  postcode: string | null;
  /** Registration status changes with the date each took effect. */
  registration: readonly { on: string; status: 'registered' | 'suspended' | 'cancelled' }[];
}

const REGISTERED_SETTINGS: ReadonlySet<string> = new Set(['K1', 'K2', 'K3']);

function normalisePostcode(postcode: string): string {
  return postcode.replace(/\s+/g, '').toUpperCase();
}

/** Whether the home was registered for the whole of [from, to] (to null = still open). */
function registeredThroughout(home: KnownHome, from: string, to: string | null): boolean {
  const changes = [...home.registration].sort((a, b) => a.on.localeCompare(b.on));
  const before = changes.filter((change) => change.on <= from).at(-1);
  if (before && before.status !== 'registered') return false;
  return !changes.some(
    (change) => change.on > from && (to === null || change.on <= to) && change.status !== 'registered',
  );
}

/**
 * Checks one child's episodes. `all` is every episode derived for the child (so chaining can look at
 * the episode before the first one in the year); `inYear` the rows going into the file.
 */
export function checkEpisodes(
  child: ChildEpisodes,
  inYear: readonly Episode[],
  year: CollectionYearCodeLists,
  homes: ReadonlyMap<string, KnownHome>,
): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const childId = child.details.child;
  const erased = child.details.erased;
  const all = [...child.episodes].sort((a, b) => a.decom.localeCompare(b.decom));
  const position = (episode: Episode): number | null => {
    const index = inYear.findIndex((e) => e.decom === episode.decom && e.placementId === episode.placementId);
    return index >= 0 ? index + 1 : null;
  };
  const add = (rule: EpisodeRule, episode: Episode | null, field: string | null, message: string) => {
    const at = episode ? position(episode) : null;
    if (episode && at === null) return; // an episode outside the year: not in this file
    violations.push({ rule, child: childId, episode: at, field, message });
  };
  const codes = (list: keyof CollectionYearCodeLists['lists']) =>
    new Set(year.lists[list].map((e) => e.code));
  const valid = {
    rne: codes('reasonNewEpisode'),
    ls: codes('legalStatus'),
    cin: codes('categoryOfNeed'),
    place: codes('placementType'),
    provider: codes('placementProvider'),
    rec: codes('reasonEpisodeCeased'),
    reason: codes('reasonPlaceChange'),
  };

  all.forEach((episode, index) => {
    const previous = index > 0 ? all[index - 1] : undefined;
    const next = all[index + 1];
    const label = `episode starting ${episode.decom}`;
    if (episode.dec !== null && episode.dec < episode.decom)
      add('episode-dates', episode, 'DEC', `${label} ceased before it started`);

    if (episode.rec === 'X1' && (!next || next.decom !== episode.dec))
      add('x1-chaining', episode, 'REC', `${label} ceased X1 but no episode starts that day`);
    const afterX1 = previous?.rec === 'X1' && previous.dec === episode.decom;
    if (episode.rne !== 'S' && !afterX1)
      add(
        'rne-chaining',
        episode,
        'RNE',
        `${label} has RNE ${episode.rne} but does not follow an X1 episode`,
      );
    if (episode.rne === 'S' && afterX1)
      add('rne-chaining', episode, 'RNE', `${label} starts care (S) the day the previous episode ceased X1`);

    const required =
      episode.rec === 'X1' &&
      next !== undefined &&
      next.decom === episode.dec &&
      RNE_REQUIRING_REASON_PLACE_CHANGE.has(next.rne) &&
      !(episode.place !== null && TEMPORARY_PLACEMENT_TYPES.has(episode.place));
    if (required && !episode.reasonPlaceChange)
      add('reason-place-change-required', episode, 'REASON_PLACE_CHANGE', `${label} moved without a reason`);
    if (required && episode.reasonPlaceChange && !valid.reason.has(episode.reasonPlaceChange))
      add('valid-codes', episode, 'REASON_PLACE_CHANGE', `${label} has an unknown reason for the move`);
    if (!required && episode.reasonPlaceChange && episode.rec !== null)
      add(
        'reason-place-change-not-required',
        episode,
        'REASON_PLACE_CHANGE',
        `${label} gives a reason not required`,
      );

    if (previous && (previous.dec === null || previous.dec > episode.decom))
      add('no-overlap', episode, 'DECOM', `${label} starts before the previous episode ceased`);

    if (episode.place !== null && REGISTERED_SETTINGS.has(episode.place)) {
      const home = episode.urn ? homes.get(episode.urn) : undefined;
      if (!episode.urn || !urnSchema.safeParse(episode.urn).success)
        add(
          'urn-required',
          episode,
          'URN',
          `${label} is in a ${episode.place} placement without a valid URN`,
        );
      else if (home && !registeredThroughout(home, episode.decom, episode.dec))
        add('urn-required', episode, 'URN', `${label}: the home was not registered throughout the episode`);
      if (!episode.plPost) add('postcode-present', episode, 'PL_POST', `${label} has no placement postcode`);
      else if (home?.postcode && normalisePostcode(home.postcode) !== normalisePostcode(episode.plPost))
        add('postcode-match', episode, 'PL_POST', `${label}: PL_POST is not the home's postcode`);
    }
    if (!erased && !episode.homePost)
      add('postcode-present', episode, 'HOME_POST', `${label} has no home postcode`);

    if (!valid.rne.has(episode.rne)) add('valid-codes', episode, 'RNE', `${label} has an unknown RNE`);
    if (!erased && !(episode.ls && valid.ls.has(episode.ls)))
      add('valid-codes', episode, 'LS', `${label} has no legal status valid for ${year.year}`);
    if (!erased && !(episode.cin && valid.cin.has(episode.cin)))
      add('valid-codes', episode, 'CIN', `${label} has no category of need valid for ${year.year}`);
    if (!(episode.place && valid.place.has(episode.place)))
      add('valid-codes', episode, 'PLACE', `${label} has no placement type valid for ${year.year}`);
    if (!(episode.placeProvider && valid.provider.has(episode.placeProvider)))
      add(
        'valid-codes',
        episode,
        'PLACE_PROVIDER',
        `${label} has no placement provider valid for ${year.year}`,
      );
    if (episode.rec !== null && !valid.rec.has(episode.rec))
      add('valid-codes', episode, 'REC', `${label} has an unknown reason episode ceased`);
  });
  return violations;
}

/** Header checks: the child's sex and ethnicity must be codes of the year (unless erased). */
export function checkHeader(child: ChildEpisodes, year: CollectionYearCodeLists): RuleViolation[] {
  if (child.details.erased) return [];
  const violations: RuleViolation[] = [];
  const add = (field: string, message: string) =>
    violations.push({ rule: 'valid-codes', child: child.details.child, episode: null, field, message });
  if (!child.details.sex || !sexCodeFor(child.details.sex, year))
    add('SEX', `the child's sex has no code in ${year.year}`);
  if (!child.details.ethnicity || !year.lists.ethnicity.some((e) => e.code === child.details.ethnicity))
    add('ETHNIC', `the child's ethnicity has no code in ${year.year}`);
  if (!child.details.dateOfBirth) add('DOB', 'the date of birth is missing');
  return violations;
}

/** SEX as the year codes it: M/F/U from 2024-25, 1/2 before (U has no code then). */
export function sexCodeFor(sex: string, year: CollectionYearCodeLists): string | undefined {
  const codes = new Set(year.lists.sex.map((e) => e.code));
  if (codes.has(sex)) return sex;
  const numeric: Record<string, string> = { M: '1', F: '2' };
  const mapped = numeric[sex];
  return mapped && codes.has(mapped) ? mapped : undefined;
}
