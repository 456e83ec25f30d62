// One projection over this service's whole log feeds every read model. A single subscription keeps
// its checkpoint moving with every event; a projection filtered to a rare stream type would re-scan
// the (large) histories behind its checkpoint on every poll. Each slice folds its own events.
import type { RecordedEvent } from '@placements/event-store';
import type pg from 'pg';
import type { Service } from '../app.ts';
import { applyHomeEvents, resetHomes } from '../homes/projection.ts';
import { applyHistoryEvents, resetHistoryReadModels } from '../placement-history/projection.ts';
import { applyReg44Events, resetReg44 } from '../reg44-visits/projection.ts';
import { applyReg45Events, resetReg45 } from '../reg45-reviews/projection.ts';
import { applySeriousEvents, resetSeriousEvents } from '../serious-events/projection.ts';

/** Events per batch: large enough that a rebuild from zero is dominated by reading, not round trips. */
const BATCH_SIZE = 2_000;

/** Every read-model table, for rebuild checks (the audit table is not one: it is a primary record). */
export const READ_MODEL_TABLES = [
  'monitoring_homes',
  'monitoring_children',
  'monitoring_placements',
  'monitoring_notices',
  'reg44_visits',
  'reg44_overdue',
  'reg45_reviews',
  'serious_events',
] as const;

export async function applyEvents(events: RecordedEvent[], client: pg.PoolClient): Promise<void> {
  await applyHomeEvents(events, client);
  await applyHistoryEvents(events, client);
  await applyReg44Events(events, client);
  await applyReg45Events(events, client);
  await applySeriousEvents(events, client);
}

export function registerReadModels(host: Service): void {
  host.projection({
    name: 'read-models',
    batchSize: BATCH_SIZE,
    handle: applyEvents,
    reset: async (client) => {
      await resetHomes(client);
      await resetHistoryReadModels(client);
      await resetReg44(client);
      await resetReg45(client);
      await resetSeriousEvents(client);
    },
  });
}
