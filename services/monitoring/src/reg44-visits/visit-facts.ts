// Reading the facts the Reg 44 rules work on from the read models: stays at homes over a period,
// what is known of the homes' registration, and visits counted by home and month.
import { todayInEngland } from '@placements/contracts';
import type { Queryable } from '@placements/event-store';
import type { RegistrationChange } from '../homes/home-row.ts';
import type { HomeRegistration, Stay } from './visit-requirement.ts';

/** Started placements that share at least one day with [from, to]. */
export async function loadStays(client: Queryable, from: string, to: string): Promise<Stay[]> {
  const { rows } = await client.query<{
    placement_id: string;
    placing_la: string;
    child_ref: string;
    home_urn: string;
    provider_id: string;
    start_date: string;
    end_date: string | null;
  }>(
    `SELECT placement_id::text AS placement_id, placing_la, child_ref, home_urn, provider_id,
            start_date::text AS start_date, end_date::text AS end_date
       FROM monitoring_placements
      WHERE start_date IS NOT NULL AND start_date <= $2::date AND (end_date IS NULL OR end_date >= $1::date)`,
    [from, to],
  );
  return rows.map((row) => ({
    placementId: row.placement_id,
    placingLa: row.placing_la,
    childRef: row.child_ref,
    urn: row.home_urn,
    providerId: row.provider_id,
    startDate: row.start_date,
    endDate: row.end_date,
  }));
}

export interface HomeSummary {
  urn: string;
  name: string | null;
  providerId: string | null;
}

export async function loadRegistrations(
  client: Queryable,
  urns: readonly string[],
): Promise<{ registrations: Map<string, HomeRegistration>; homes: Map<string, HomeSummary> }> {
  const { rows } = await client.query<{
    urn: string;
    name: string | null;
    provider_id: string | null;
    registration_history: RegistrationChange[];
  }>(
    'SELECT urn, name, provider_id, registration_history FROM monitoring_homes WHERE urn = ANY($1::text[])',
    [[...new Set(urns)]],
  );
  const registrations = new Map<string, HomeRegistration>();
  const homes = new Map<string, HomeSummary>();
  for (const row of rows) {
    registrations.set(row.urn, {
      urn: row.urn,
      providerId: row.provider_id,
      changes: row.registration_history.map((change) => ({
        on: todayInEngland(new Date(change.at)),
        status: change.status,
      })),
    });
    homes.set(row.urn, { urn: row.urn, name: row.name, providerId: row.provider_id });
  }
  return { registrations, homes };
}

/** Visits dated in [from, to], by home and month (`YYYY-MM`). */
export async function countVisits(
  client: Queryable,
  from: string,
  to: string,
): Promise<Map<string, Map<string, { visits: number; lastVisitDate: string }>>> {
  const { rows } = await client.query<{ urn: string; month: string; visits: number; last_visit: string }>(
    `SELECT urn, to_char(visit_date, 'YYYY-MM') AS month, count(*)::int AS visits,
            max(visit_date)::text AS last_visit
       FROM reg44_visits WHERE visit_date BETWEEN $1::date AND $2::date
      GROUP BY urn, to_char(visit_date, 'YYYY-MM')`,
    [from, to],
  );
  const byHome = new Map<string, Map<string, { visits: number; lastVisitDate: string }>>();
  for (const row of rows) {
    let months = byHome.get(row.urn);
    if (!months) {
      months = new Map();
      byHome.set(row.urn, months);
    }
    months.set(row.month, { visits: row.visits, lastVisitDate: row.last_visit });
  }
  return byHome;
}

/** Overdue facts already recorded, as `<urn>|<month>`. */
export async function raisedOverdue(client: Queryable, months: readonly string[]): Promise<Set<string>> {
  const { rows } = await client.query<{ urn: string; month: string }>(
    'SELECT urn, month FROM reg44_overdue WHERE month = ANY($1::text[])',
    [months],
  );
  return new Set(rows.map((row) => `${row.urn}|${row.month}`));
}
