// The `referral-list` projection: folds referral events into referral_list, one row per referral,
// for GET /v1/referrals. Events arrive as stored (personal fields sealed) and the row keeps them
// sealed, so they are opened only when the placing LA reads them and erasure reaches the list.
// Every column comes from the events, so a rebuild from zero reproduces the table.
import type { RecordedEvent } from '@placements/event-store';
import type { ServiceHost } from '@placements/service-kit';
import type pg from 'pg';
import { evolve, initialReferralState, isReferral, type ReferralState } from '../referral/referral.ts';
import { REFERRAL_STREAM_TYPE } from '../referral/referral-stream.ts';

export const REFERRAL_LIST_PROJECTION = 'referral-list';

interface ListEntry {
  state: ReferralState;
  listPosition: number | undefined;
  updatedAt: string | undefined;
}

export function registerReferralListProjection(host: ServiceHost): void {
  host.projection({
    name: REFERRAL_LIST_PROJECTION,
    streamTypes: [REFERRAL_STREAM_TYPE],
    handle: applyToReferralList,
    reset: async (client) => {
      await client.query('DELETE FROM referral_list');
    },
  });
}

function referralIdOf(event: RecordedEvent): string {
  return event.streamId.slice(REFERRAL_STREAM_TYPE.length + 1);
}

export async function applyToReferralList(events: RecordedEvent[], client: pg.PoolClient): Promise<void> {
  const ids = [...new Set(events.map(referralIdOf))];
  const { rows } = await client.query<{
    referral_id: string;
    list_position: string;
    document: ReferralState;
  }>('SELECT referral_id, list_position, document FROM referral_list WHERE referral_id = ANY($1::uuid[])', [
    ids,
  ]);
  const entries = new Map<string, ListEntry>(
    rows.map((row) => [
      row.referral_id,
      { state: row.document, listPosition: Number(row.list_position), updatedAt: undefined },
    ]),
  );
  for (const event of events) {
    const id = referralIdOf(event);
    const entry = entries.get(id) ?? {
      state: initialReferralState,
      listPosition: undefined,
      updatedAt: undefined,
    };
    entries.set(id, {
      state: evolve(entry.state, event),
      listPosition: event.type === 'ReferralSubmitted' ? event.globalPosition : entry.listPosition,
      updatedAt: event.recordedAt.toISOString(),
    });
  }
  const changed = [];
  for (const [id, entry] of entries) {
    const { state, listPosition, updatedAt } = entry;
    if (!updatedAt || listPosition === undefined || !isReferral(state)) continue;
    changed.push({
      referral_id: id,
      placing_la: state.placingLa,
      child_ref: state.childRef,
      status: state.status,
      version: state.version,
      list_position: listPosition,
      submitted_at: state.submittedAt,
      updated_at: updatedAt,
      document: state,
    });
  }
  if (changed.length === 0) return;
  await client.query(
    `INSERT INTO referral_list (referral_id, placing_la, child_ref, status, version, list_position, submitted_at, updated_at, document)
     SELECT r.referral_id, r.placing_la, r.child_ref, r.status, r.version, r.list_position, r.submitted_at, r.updated_at, r.document
       FROM jsonb_to_recordset($1::jsonb) AS r(referral_id uuid, placing_la text, child_ref text, status text, version integer,
            list_position bigint, submitted_at timestamptz, updated_at timestamptz, document jsonb)
     ON CONFLICT (referral_id) DO UPDATE
       SET status = excluded.status, version = excluded.version, updated_at = excluded.updated_at, document = excluded.document`,
    [JSON.stringify(changed)],
  );
}
