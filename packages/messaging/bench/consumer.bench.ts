// Idempotent consumer draining a backlog: how fast a read model catches up after a pause (a deploy,
// a restart, a burst), with waiting messages applied in runs that share a transaction and with a
// transaction for each message, alternately on the same topic, in the same run.
//   node packages/messaging/bench/consumer.bench.ts [messages] [rounds]
import { randomUUID } from 'node:crypto';
import { testKafka, uniqueTopic } from '@placements/testing';
import { pino } from 'pino';
import { benchDatabase, kafkaBrokers, report, round } from '../../../bench/lib.ts';
import { IdempotentConsumer } from '../src/consumer.ts';
import { messagingMigrations } from '../src/index.ts';
import { createKafka } from '../src/kafka.ts';
import { ensureTopics } from '../src/topics.ts';

const MESSAGES = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 2);
const PARTITIONS = 6;

const brokers = kafkaBrokers();
const db = await benchDatabase('consumer', [messagingMigrations], 8);
// A read model's typical work for one event: its row upserted and a history line appended.
await db.adminPool.query(`
  CREATE TABLE bench_latest (entity_id text PRIMARY KEY, n integer NOT NULL, updated_at timestamptz NOT NULL);
  CREATE TABLE bench_history (entity_id text NOT NULL, n integer NOT NULL, at timestamptz NOT NULL);
  GRANT ALL ON bench_latest, bench_history TO placements_test_svc`);

const topic = uniqueTopic('consumer-backlog');
await ensureTopics(testKafka(brokers), [{ topic, partitions: PARTITIONS }], { deadLetters: false });
const producer = testKafka(brokers).producer();
await producer.connect();
const entities = Array.from({ length: 500 }, () => randomUUID());
for (let i = 0; i < MESSAGES; i += 500) {
  await producer.send({
    topic,
    messages: Array.from({ length: Math.min(500, MESSAGES - i) }, (_, j) => {
      const entity = entities[(i + j) % entities.length]!;
      return {
        key: entity,
        value: JSON.stringify({ entityId: entity, n: i + j, note: 'x'.repeat(200) }),
        headers: {
          ce_specversion: '1.0',
          ce_id: randomUUID(),
          ce_source: '/bench',
          ce_type: 'uk.placements.bench.Changed.v1',
          ce_time: new Date().toISOString(),
        },
      };
    }),
  });
}
await producer.disconnect();

/** Seconds for a new consumer group to apply the whole backlog. */
async function drain(runBudgetMs: number): Promise<number> {
  const groupId = `bench-${randomUUID()}`;
  const consumer = new IdempotentConsumer({
    kafka: createKafka({ brokers, clientId: 'consumer-bench' }),
    groupId,
    topics: [topic],
    pool: db.pool,
    logger: pino({ level: 'warn' }),
    runBudgetMs,
    handle: async (event, client) => {
      const { entityId, n } = event.data as { entityId: string; n: number };
      await client.query(
        `INSERT INTO bench_latest (entity_id, n, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (entity_id) DO UPDATE SET n = excluded.n, updated_at = excluded.updated_at`,
        [entityId, n],
      );
      await client.query('INSERT INTO bench_history (entity_id, n, at) VALUES ($1, $2, now())', [
        entityId,
        n,
      ]);
    },
  });
  const started = performance.now();
  await consumer.start();
  for (;;) {
    const { rows } = await db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM inbox WHERE consumer_group = $1',
      [groupId],
    );
    if (rows[0]!.n >= MESSAGES) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  await consumer.stop();
  return seconds;
}

const single: number[] = [];
const runs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  single.push(await drain(0));
  runs.push(await drain(20));
}
const best = (seconds: number[]) => MESSAGES / Math.min(...seconds);
report({
  scenario: 'Idempotent consumer draining a backlog, waiting messages in runs',
  figure: round(best(runs), 0),
  unit: 'events/s',
  details: {
    oneTransactionEachPerSecond: round(best(single), 0),
    speedup: round(best(runs) / best(single), 2),
    messages: MESSAGES,
    runsSeconds: runs.map((s) => round(s, 2)).join(' / '),
    oneTransactionEachSeconds: single.map((s) => round(s, 2)).join(' / '),
  },
  conditions: `${MESSAGES} messages (~300 B) waiting on ${PARTITIONS} partitions, a new consumer group for each drain (3 partitions at once, pool 8), timed from its start to its last inbox row; handler: an upsert and an insert; runs of up to 20 ms, and a transaction for each message, alternately, best of ${ROUNDS}`,
});
await db.drop();
process.exit(0);
