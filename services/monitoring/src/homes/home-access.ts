// Who may see a home's oversight records. Home profiles are public registry data, their Reg 44, 45
// and 40 records are not: the home's provider and the visitors it appointed, Ofsted and ops see them
// all; a placing LA sees them for homes where one of its children has been placed.
import type { Role } from '@placements/contracts';
import type { Queryable } from '@placements/event-store';
import { type Principal, problems } from '@placements/service-kit';
import type { HomeRow } from './home-row.ts';

export async function findHome(client: Queryable, urn: string): Promise<HomeRow | undefined> {
  const { rows } = await client.query<{ row: HomeRow }>(
    'SELECT to_jsonb(h) AS row FROM monitoring_homes h WHERE urn = $1',
    [urn],
  );
  return rows[0]?.row;
}

/** The home with the provider it belongs to; 404 when this service has not heard of it. */
export async function requireHome(
  client: Queryable,
  urn: string,
): Promise<HomeRow & { provider_id: string }> {
  const home = await findHome(client, urn);
  if (!home?.provider_id) throw problems.notFound(`home ${urn}`);
  return home as HomeRow & { provider_id: string };
}

export async function laHasChildAtHome(client: Queryable, placingLa: string, urn: string): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT 1 FROM monitoring_placements
      WHERE home_urn = $1 AND placing_la = $2 AND start_date IS NOT NULL LIMIT 1`,
    [urn, placingLa],
  );
  return rows.length > 0;
}

export type HomeView = 'all' | 'placing-la';

/** How much of a home's oversight records a principal sees, or a 403. */
export async function homeViewFor(client: Queryable, principal: Principal, home: HomeRow): Promise<HomeView> {
  const roles = principal.roles;
  if (roles.includes('ops') || roles.includes('regulator')) return 'all';
  if (
    (roles.includes('provider') || roles.includes('independent-visitor')) &&
    principal.org === home.provider_id
  )
    return 'all';
  if (roles.includes('placing-authority') && (await laHasChildAtHome(client, principal.org, home.urn)))
    return 'placing-la';
  throw problems.forbidden(`the records of home ${home.urn} are not visible to ${principal.org}`);
}

/** A home's own provider records its reviews and serious events; ops may record for any home. */
export function mayRecordForHome(
  principal: { org: string; roles: readonly Role[] },
  home: { providerId: string },
): boolean {
  if (principal.roles.includes('ops')) return true;
  return principal.roles.includes('provider') && principal.org === home.providerId;
}
