// HTTP: the SSDA903 episodes and header files of a collection year for the calling placing LA's own
// children (API.md, Monitoring). The files are built from the children's histories, checked against
// the episode rules, and refused with a problem naming every broken rule and child when invalid.
// Each export is recorded with the children it included.
import {
  type CollectionYearCodeLists,
  CollectionYearError,
  collectionYearCodeLists,
  subjectIdFor,
  todayInEngland,
} from '@placements/contracts';
import type { Queryable } from '@placements/event-store';
import { type ProblemError, problems } from '@placements/service-kit';
import { z } from 'zod';
import type { Service } from '../app.ts';
import type { RegistrationChange } from '../homes/home-row.ts';
import { openFor } from '../placement-history/personal-opening.ts';
import { recordRead } from '../placement-history/read-audit.ts';
import type { KnownHome } from './episode-rules.ts';
import type { HistoryFact } from './episodes.ts';
import {
  buildReturn,
  type ChildHistory,
  renderEpisodes,
  renderHeader,
  type Ssda903Return,
} from './ssda903-return.ts';

/** The history entries SSDA903 is derived from. */
const EPISODE_SOURCES = ['ReferralSubmitted', 'PlacementProposed', 'PlacementStarted', 'PlacementEnded'];
const STREAMS_PER_QUERY = 500;

/** Reads the LA's children's histories (only the entries episodes need), personal fields opened. */
export async function readChildHistories(host: Service, placingLa: string): Promise<ChildHistory[]> {
  const { rows: children } = await host.pool.query<{ stream_id: string; child_ref: string }>(
    'SELECT stream_id, child_ref FROM monitoring_children WHERE placing_la = $1 ORDER BY child_ref',
    [placingLa],
  );
  const histories: ChildHistory[] = [];
  for (let i = 0; i < children.length; i += STREAMS_PER_QUERY) {
    const chunk = children.slice(i, i + STREAMS_PER_QUERY);
    const { rows } = await host.pool.query<{
      stream_id: string;
      stream_version: number;
      event_type: string;
      data: unknown;
    }>(
      `SELECT stream_id, stream_version, event_type, data FROM events
        WHERE stream_id = ANY($1::text[]) AND event_type = ANY($2::text[])
        ORDER BY stream_id, stream_version`,
      [chunk.map((child) => child.stream_id), EPISODE_SOURCES],
    );
    const facts = new Map<string, HistoryFact[]>();
    for (const row of rows) {
      let list = facts.get(row.stream_id);
      if (!list) {
        list = [];
        facts.set(row.stream_id, list);
      }
      list.push({ seq: row.stream_version, type: row.event_type, data: row.data });
    }
    for (const child of chunk) {
      const subject = subjectIdFor(placingLa, child.child_ref);
      const list = facts.get(child.stream_id) ?? [];
      for (const fact of list) {
        if (fact.type === 'ReferralSubmitted') fact.data = await openFor(host.cipher, fact.data, subject);
      }
      histories.push({ childRef: child.child_ref, facts: list });
    }
  }
  return histories;
}

export async function knownHomes(client: Queryable, urns: Iterable<string>): Promise<Map<string, KnownHome>> {
  const { rows } = await client.query<{
    urn: string;
    postcode: string | null;
    registration_history: RegistrationChange[];
  }>('SELECT urn, postcode, registration_history FROM monitoring_homes WHERE urn = ANY($1::text[])', [
    [...new Set(urns)],
  ]);
  return new Map(
    rows.map((row) => [
      row.urn,
      {
        postcode: row.postcode,
        registration: row.registration_history.map((change) => ({
          on: todayInEngland(new Date(change.at)),
          status: change.status,
        })),
      },
    ]),
  );
}

function refuse(result: Ssda903Return): ProblemError {
  return problems.unprocessable('ssda903-validation-failed', 'The SSDA903 return breaks DfE episode rules', {
    detail: `${result.violations.length} rule violation${result.violations.length === 1 ? '' : 's'} in the ${result.year} return; correct the placements and export again`,
    errors: result.violations.map((violation) => ({
      path: [violation.child, violation.episode ? `episode ${violation.episode}` : 'header', violation.field]
        .filter(Boolean)
        .join('/'),
      message: `${violation.rule}: ${violation.message}`,
    })),
    extensions: { violations: result.violations },
  });
}

const yearQuery = z.strictObject({
  year: z.string().regex(/^\d{4}-\d{2}$/, 'must be a collection year in the form 2026-27'),
});

function yearCodeLists(year: string): CollectionYearCodeLists {
  try {
    return collectionYearCodeLists(year);
  } catch (error) {
    if (error instanceof CollectionYearError)
      throw problems.validation([{ path: 'query.year', message: error.message }]);
    throw error;
  }
}

export function registerExportRoutes(host: Service): void {
  const exportFile = (kind: 'episodes' | 'header') =>
    host.app.get(
      `/v1/exports/ssda903/${kind}`,
      {
        config: { auth: { roles: ['placing-authority'] } },
        schema: {
          summary:
            kind === 'episodes'
              ? 'SSDA903 episodes file of a collection year for the LA’s own children (text/csv)'
              : 'SSDA903 header file of a collection year for the LA’s own children (text/csv)',
          description:
            'CSV in the DfE column order of the year, dates dd/mm/yyyy. Refused with 422 (ssda903-validation-failed) listing each broken rule, child and episode when the episodes break the DfE episode rules.',
          tags: ['SSDA903 export'],
          querystring: yearQuery,
          response: { 200: z.string().describe('text/csv') },
        },
      },
      async (request, reply) => {
        const principal = host.principal(request);
        const year = yearCodeLists(request.query.year);
        const placingLa = principal.org;
        const histories = await readChildHistories(host, placingLa);
        const urns = histories.flatMap((history) =>
          history.facts
            .filter((fact) => fact.type === 'PlacementProposed' || fact.type === 'PlacementStarted')
            .map((fact) => String((fact.data as { homeUrn: string }).homeUrn)),
        );
        const result = buildReturn(histories, year, await knownHomes(host.pool, urns));
        await recordRead(host.pool, {
          principal,
          action: kind === 'episodes' ? 'export.ssda903.episodes' : 'export.ssda903.header',
          placingLa,
          childRef: null,
          detail: {
            year: year.year,
            children: result.children.map((child) => child.child),
            refused: result.violations.length > 0,
          },
          at: host.clock(),
        });
        if (result.violations.length > 0) throw refuse(result);
        const body = kind === 'episodes' ? renderEpisodes(result, year) : renderHeader(result, year);
        return reply
          .type('text/csv; charset=utf-8')
          .header(
            'content-disposition',
            `attachment; filename="ssda903-${kind}-${year.year}-${placingLa}.csv"`,
          )
          .send(body);
      },
    );
  exportFile('episodes');
  exportFile('header');
}
