// Global ordered read below the xid8 horizon: throughput of reading 1,000,000 events in
// (transaction_id, global_position) order in pages, as a projection or the relay does.
//   node packages/event-store/bench/read.bench.ts [events] [page]
import { benchDatabase, report, round } from '../../../bench/lib.ts';
import { eventStoreMigrations, type LogPosition, PostgresEventStore, START_OF_LOG } from '../src/index.ts';

const EVENTS = Number(process.argv[2] ?? 1_000_000);
const PAGE = Number(process.argv[3] ?? 5_000);

const db = await benchDatabase('read', [eventStoreMigrations], 4);
// Bulk-load in transactions of 50,000 so that positions spread over many transaction ids.
const chunk = 50_000;
for (let start = 0; start < EVENTS; start += chunk) {
  await db.adminPool.query(
    `INSERT INTO events (stream_id, stream_type, stream_version, event_id, event_type, data, metadata, recorded_at, prev_hash, hash)
     SELECT 'load-' || (g / 10), 'load', (g % 10) + 1, gen_random_uuid(), 'PlacementStarted',
            jsonb_build_object('placementId', gen_random_uuid(), 'placingLa', 'E09000014', 'childRef', 'C' || g,
                               'homeUrn', 'SC123456', 'startDate', '2026-11-22', 'outOfArea', true),
            '{"actor":{"sub":"bench","org":"ops"}}', now(), repeat('0', 64), repeat('f', 64)
       FROM generate_series($1::bigint, $2::bigint) AS g`,
    [start, Math.min(start + chunk, EVENTS) - 1],
  );
}
await db.adminPool.query('VACUUM ANALYZE events');
const store = new PostgresEventStore({ pool: db.pool });

let position: LogPosition = START_OF_LOG;
let read = 0;
const started = performance.now();
for (;;) {
  const page = await store.readAll({ after: position, limit: PAGE });
  if (page.length === 0) break;
  read += page.length;
  const last = page[page.length - 1]!;
  position = { transactionId: last.transactionId, globalPosition: last.globalPosition };
}
const seconds = (performance.now() - started) / 1000;
if (read !== EVENTS) throw new Error(`read ${read} of ${EVENTS} events`);
const rate = read / seconds;
report({
  scenario: 'Global ordered read (xid8 horizon) of 1M events',
  figure: round(rate, 0),
  unit: 'events/s',
  target: '>= 50000 events/s',
  met: rate >= 50_000,
  details: { seconds: round(seconds, 1), events: read },
  conditions: `${read} events, pages of ${PAGE}, jsonb data parsed into objects`,
});
await db.drop();
