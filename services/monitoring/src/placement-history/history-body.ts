// The body of GET history, built from the log rows as PostgreSQL renders them. Entries are stored
// exactly as they must be shown except for sealed personal fields, so only the entries holding one
// are parsed (and opened or withheld); every other entry's data is passed through as the JSON text
// the database produced. This keeps a read of a long history cheap: no parse-and-reserialise of
// hundreds of entries per request.
import type { PersonalDataCipher, Queryable } from '@placements/event-store';
import { openFor } from './personal-opening.ts';

interface EntryRow {
  seq: number;
  recorded_at: string;
  occurred_at: string | null;
  type: string;
  source: string | null;
  source_event_id: string | null;
  entry_id: string;
  data: string;
  sealed: boolean;
  prev_hash: string;
  hash: string;
}

export interface HistoryBody {
  /** The JSON document, ready to send. */
  json: string;
  entries: number;
  version: number;
}

export async function historyBody(
  client: Queryable,
  cipher: PersonalDataCipher,
  child: { placingLa: string; childRef: string; streamId: string },
  subject: string | null,
): Promise<HistoryBody | undefined> {
  const { rows } = await client.query<EntryRow>(
    `SELECT stream_version AS seq,
            to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at,
            metadata->>'occurredAt' AS occurred_at, event_type AS type, metadata->>'source' AS source,
            metadata->>'sourceEventId' AS source_event_id, event_id::text AS entry_id, data::text AS data,
            position('"$personal"' IN data::text) > 0 AS sealed, prev_hash, hash
       FROM events WHERE stream_id = $1 ORDER BY stream_version`,
    [child.streamId],
  );
  if (rows.length === 0) return undefined;
  const parts: string[] = [];
  for (const row of rows) {
    const data = row.sealed ? JSON.stringify(await openFor(cipher, JSON.parse(row.data), subject)) : row.data;
    parts.push(
      `{"seq":${row.seq},"recordedAt":"${row.recorded_at}","occurredAt":${JSON.stringify(row.occurred_at ?? row.recorded_at)},` +
        `"type":${JSON.stringify(row.type)},"source":${JSON.stringify(row.source ?? '/monitoring')},` +
        `"eventId":${JSON.stringify(row.source_event_id ?? row.entry_id)},"entryId":"${row.entry_id}",` +
        `"data":${data},"prevHash":"${row.prev_hash}","hash":"${row.hash}"}`,
    );
  }
  const last = rows[rows.length - 1]!;
  return {
    json: `{"placingLa":${JSON.stringify(child.placingLa)},"childRef":${JSON.stringify(child.childRef)},"entries":[${parts.join(',')}],"head":"${last.hash}"}`,
    entries: rows.length,
    version: last.seq,
  };
}
