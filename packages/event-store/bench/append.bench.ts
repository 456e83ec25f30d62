// Event-store append throughput with the hash chain on, against the ceiling of a plain INSERT of
// rows of the same size at the same concurrency, measured in the same run.
//   node packages/event-store/bench/append.bench.ts [events-per-scenario]
import { randomUUID } from 'node:crypto';
import { benchDatabase, percentiles, report, round } from '../../../bench/lib.ts';
import { eventStoreMigrations, PostgresEventStore } from '../src/index.ts';

const EVENTS = Number(process.argv[2] ?? 20_000);
const WRITERS = 16;
const BATCH = 100;
const payload = {
  referralId: randomUUID(),
  placingLa: 'E09000014',
  childRef: 'HAR0001234',
  needs: [
    { domain: 'self-harm', intensity: 'high', frequency: 'frequent' },
    { domain: 'missing', intensity: 'medium', frequency: 'occasional' },
  ],
  requirements: { placementType: 'K2', urgency: 'planned', livingArrangement: 'no-preference' },
  note: 'x'.repeat(200),
};
const metadata = { correlationId: randomUUID(), actor: { sub: 'bench', org: 'E09000014' } };

const db = await benchDatabase('append', [eventStoreMigrations], WRITERS + 2);
// Same columns, defaults, identity, constraints and indexes as the event log; no triggers, no function.
await db.adminPool.query(`CREATE TABLE plain_events (LIKE events INCLUDING ALL)`);
await db.adminPool.query(`GRANT ALL ON plain_events TO placements_test_svc`);
// One transaction per event, as the scenario is defined: the store's coalescing of the appends made
// in one turn of the event loop (which a service answering many requests at once relies on) is off.
const store = new PostgresEventStore({ pool: db.pool, coalesceAppends: false });

async function concurrently(total: number, writers: number, work: (n: number) => Promise<void>) {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let n = next++; n < total; n = next++) {
        const t = performance.now();
        await work(n);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies };
}

// Warm up connections and plans.
await concurrently(500, WRITERS, (n) =>
  store.append(`warm-${n}`, [{ type: 'Warm', data: payload, metadata }]).then(() => undefined),
);

const data = JSON.stringify(payload);
const meta = JSON.stringify(metadata);
const plain = await concurrently(EVENTS, WRITERS, async (n) => {
  await db.pool.query(
    `INSERT INTO plain_events (stream_id, stream_type, stream_version, event_id, event_type, data, metadata, recorded_at, prev_hash, hash)
     VALUES ($1, 'plain', 1, $2, 'ReferralSubmitted', $3, $4, now(), $5, $6)`,
    [`plain-${n}`, randomUUID(), data, meta, '0'.repeat(64), 'f'.repeat(64)],
  );
});
const chained = await concurrently(EVENTS, WRITERS, async (n) => {
  await store.append(`referral-${n}`, [{ type: 'ReferralSubmitted', data: payload, metadata }], {
    expectedVersion: 'no-stream',
  });
});

const ceiling = EVENTS / plain.seconds;
const figure = EVENTS / chained.seconds;
const ratio = figure / ceiling;
const latency = percentiles(chained.latencies);
report({
  scenario: 'Event-store append, single events, 16 writers, hash chain on',
  figure: round(figure, 0),
  unit: 'events/s',
  ceiling: round(ceiling, 0),
  ratio: round(ratio, 2),
  target: '>= 60% of plain INSERT',
  met: ratio >= 0.6,
  details: {
    p50Ms: round(latency.p50, 2),
    p99Ms: round(latency.p99, 2),
    plainP99Ms: round(percentiles(plain.latencies).p99, 2),
  },
  conditions: `${EVENTS} events to distinct streams, ${WRITERS} concurrent writers, one transaction per event, ~${data.length} B payload`,
});

const streamId = `batch-${randomUUID()}`;
const batches = Math.max(1, Math.floor(EVENTS / BATCH));
let version = 0;
const batchStarted = performance.now();
const batchLatencies: number[] = [];
for (let b = 0; b < batches; b++) {
  const t = performance.now();
  const result = await store.append(
    streamId,
    Array.from({ length: BATCH }, () => ({ type: 'ReferralNeedsUpdated', data: payload, metadata })),
    { expectedVersion: version },
  );
  version = result.nextExpectedVersion;
  batchLatencies.push(performance.now() - t);
}
const batchSeconds = (performance.now() - batchStarted) / 1000;
const batchRate = (batches * BATCH) / batchSeconds;
report({
  scenario: 'Event-store append, batches of 100 to one stream',
  figure: round(batchRate, 0),
  unit: 'events/s',
  target: '>= 20000 events/s',
  met: batchRate >= 20_000,
  details: {
    batchP50Ms: round(percentiles(batchLatencies).p50, 2),
    batchP99Ms: round(percentiles(batchLatencies).p99, 2),
  },
  conditions: `${batches} sequential appends of ${BATCH} events with expected versions, hash chain on`,
});
const verification = await store.verifyStream(streamId);
if (!verification.valid || verification.entries !== batches * BATCH)
  throw new Error('chain did not verify after the benchmark');

await db.drop();
