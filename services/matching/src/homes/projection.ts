// Read model of homes with their occupancy (table `homes`), replayable from the home streams. It
// folds each home's events with the aggregate's own evolve, so the list, the free-place filter and
// the shortlist's view of a home can never disagree with the command side's rules.
import type { RecordedEvent } from '@placements/event-store';
import type pg from 'pg';
import type { MatchingHost } from '../config.ts';
import {
  currentJudgement,
  evolve,
  type HomeState,
  initialHomeState,
  placesOf,
  previousJudgement,
} from './home.ts';

export function registerHomesProjection(host: MatchingHost): void {
  host.projection({
    name: 'homes',
    streamTypes: ['home'],
    handle: applyHomeEvents,
    reset: async (client) => {
      await client.query('DELETE FROM homes');
    },
  });
}

export async function applyHomeEvents(events: RecordedEvent[], client: pg.PoolClient): Promise<void> {
  const byStream = new Map<string, RecordedEvent[]>();
  for (const event of events) byStream.set(event.streamId, [...(byStream.get(event.streamId) ?? []), event]);
  const urns = [...byStream.keys()].map((streamId) => streamId.slice('home-'.length));
  const { rows } = await client.query<{ urn: string; state: HomeState; version: number }>(
    'SELECT urn, state, version FROM homes WHERE urn = ANY($1::text[])',
    [urns],
  );
  const current = new Map(rows.map((row) => [row.urn, row]));
  for (const [streamId, streamEvents] of byStream) {
    const urn = streamId.slice('home-'.length);
    const row = current.get(urn);
    let state = row?.state ?? initialHomeState;
    let version = row?.version ?? 0;
    for (const event of streamEvents) {
      // A replayed batch never applies an event twice.
      if (event.streamVersion <= version) continue;
      state = evolve(state, event);
      version = event.streamVersion;
    }
    if (!state.profile || version === (row?.version ?? 0)) continue;
    const places = placesOf(state);
    const judgement = currentJudgement(state);
    await client.query(
      `INSERT INTO homes (urn, provider_id, la, name, registration_status, admissions_restricted, admissions_open,
                          registered_places, reserved_places, occupied_places, ofsted_judgement, ofsted_date,
                          previous_judgement, profile, state, version, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       ON CONFLICT (urn) DO UPDATE SET
         provider_id = excluded.provider_id, la = excluded.la, name = excluded.name,
         registration_status = excluded.registration_status, admissions_restricted = excluded.admissions_restricted,
         admissions_open = excluded.admissions_open, registered_places = excluded.registered_places,
         reserved_places = excluded.reserved_places, occupied_places = excluded.occupied_places,
         ofsted_judgement = excluded.ofsted_judgement, ofsted_date = excluded.ofsted_date,
         previous_judgement = excluded.previous_judgement, profile = excluded.profile, state = excluded.state,
         version = excluded.version, updated_at = excluded.updated_at`,
      [
        urn,
        state.profile.providerId,
        state.profile.la,
        state.profile.name,
        state.registration.status,
        state.registration.admissionsRestricted,
        state.profile.admissionsOpen,
        state.profile.registeredPlaces,
        places.reserved,
        places.occupied,
        judgement?.judgement ?? null,
        judgement?.date ?? null,
        previousJudgement(state),
        state.profile,
        state,
        version,
        streamEvents.at(-1)!.recordedAt,
      ],
    );
  }
}
