// Queries over the homes read model: the registry list (by LA, by provider, with free places) and
// every home as the shortlist sees it.
import type { Queryable } from '@placements/event-store';
import type { HomeForMatching } from '../shortlists/ranking.ts';
import type { HomeState } from './home.ts';
import { type HomeView, homeViewOf } from './view.ts';

export interface HomeListFilter {
  la?: string | undefined;
  providerId?: string | undefined;
  hasFreePlaces?: boolean | undefined;
  limit: number;
  /** The last URN of the previous page. */
  after?: string | undefined;
}

export async function listHomes(
  db: Queryable,
  filter: HomeListFilter,
): Promise<{ items: HomeView[]; nextCursor: string | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    where.push(clause.replace('?', `$${params.length}`));
  };
  if (filter.la) add('la = ?', filter.la);
  if (filter.providerId) add('provider_id = ?', filter.providerId);
  if (filter.hasFreePlaces !== undefined)
    where.push(filter.hasFreePlaces ? 'free_places > 0' : 'free_places = 0');
  if (filter.after) add('urn > ?', filter.after);
  params.push(filter.limit + 1);
  const { rows } = await db.query<{ state: HomeState; version: number }>(
    `SELECT state, version FROM homes ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY urn LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, filter.limit);
  return {
    items: page.map((row) => homeViewOf(row.state, row.version)),
    nextCursor: rows.length > filter.limit ? (page.at(-1)?.state.urn ?? null) : null,
  };
}

/** Every home in the registry, as the ranking needs it. */
export async function homesForMatching(db: Queryable): Promise<HomeForMatching[]> {
  const { rows } = await db.query<{
    urn: string;
    profile: HomeForMatching['profile'];
    registration_status: HomeForMatching['registration']['status'];
    admissions_restricted: boolean;
    ofsted_judgement: NonNullable<HomeForMatching['ofsted']>['judgement'] | null;
    ofsted_date: string | null;
    previous_judgement: HomeForMatching['previousJudgement'];
    occupied_places: number;
    reserved_places: number;
  }>(
    `SELECT urn, profile, registration_status, admissions_restricted, ofsted_judgement, ofsted_date,
            previous_judgement, occupied_places, reserved_places
       FROM homes ORDER BY urn`,
  );
  return rows.map((row) => ({
    urn: row.urn,
    profile: row.profile,
    registration: { status: row.registration_status, admissionsRestricted: row.admissions_restricted },
    ofsted:
      row.ofsted_judgement && row.ofsted_date
        ? { judgement: row.ofsted_judgement, date: row.ofsted_date }
        : null,
    previousJudgement: row.previous_judgement,
    occupiedPlaces: row.occupied_places,
    reservedPlaces: row.reserved_places,
  }));
}
