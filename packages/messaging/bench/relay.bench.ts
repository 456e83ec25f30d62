// Outbox relay to Kafka: sustained publish rate from a backlog, and append → received latency at a
// steady 500 events/s, measured at a consumer from the event's recorded time.
//   node packages/messaging/bench/relay.bench.ts [backlog] [seconds-at-500/s]
import { randomUUID } from 'node:crypto';
import { eventStoreMigrations, PostgresEventStore } from '@placements/event-store';
import { testKafka, uniqueTopic } from '@placements/testing';
import { pino } from 'pino';
import { benchDatabase, kafkaBrokers, percentiles, report, round } from '../../../bench/lib.ts';
import { createKafka } from '../src/kafka.ts';
import { OutboxRelay } from '../src/relay.ts';
import { ensureTopics } from '../src/topics.ts';

const BACKLOG = Number(process.argv[2] ?? 50_000);
const STEADY_SECONDS = Number(process.argv[3] ?? 20);
const RATE = 500;

const brokers = kafkaBrokers();
const db = await benchDatabase('relay', [eventStoreMigrations], 8);
const store = new PostgresEventStore({ pool: db.pool });
const kafka = createKafka({ brokers, clientId: 'relay-bench' });
const payload = {
  placementId: randomUUID(),
  placingLa: 'E09000014',
  childRef: 'C1',
  homeUrn: 'SC123456',
  note: 'x'.repeat(200),
};

async function relayRun(topic: string, name: string) {
  const relay = new OutboxRelay({
    name,
    store,
    lockConnectionString: db.url,
    kafka,
    logger: pino({ level: 'warn' }),
    batchSize: 2_000,
    chunkSize: 500,
    pollIntervalMs: 50,
    route: (event) =>
      event.streamType === name
        ? [
            {
              topic,
              key: event.streamId,
              attributes: {
                id: event.eventId,
                source: '/bench',
                type: 'uk.placements.bench.E.v1',
                time: event.recordedAt.toISOString(),
              },
            },
          ]
        : [],
  });
  return relay;
}

// Sustained: a backlog appended in batches, then drained by the relay.
const backlogTopic = uniqueTopic('relay-backlog');
await ensureTopics(testKafka(brokers), [{ topic: backlogTopic, partitions: 6 }], { deadLetters: false });
for (let i = 0; i < BACKLOG; i += 100) {
  await store.append(
    `backlog-${randomUUID()}`,
    Array.from({ length: 100 }, () => ({ type: 'Bench', data: payload })),
  );
}
const backlogRelay = await relayRun(backlogTopic, 'backlog');
const drained = performance.now();
backlogRelay.start();
const admin = kafka.admin();
await admin.connect();
for (;;) {
  const offsets = await admin.fetchTopicOffsets(backlogTopic);
  if (offsets.reduce((sum, partition) => sum + Number(partition.high), 0) >= BACKLOG) break;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
const drainSeconds = (performance.now() - drained) / 1000;
await backlogRelay.stop();
const sustained = BACKLOG / drainSeconds;
report({
  scenario: 'Outbox relay to Kafka, sustained',
  figure: round(sustained, 0),
  unit: 'events/s',
  target: '>= 5000 events/s',
  met: sustained >= 5_000,
  details: { events: BACKLOG, seconds: round(drainSeconds, 2) },
  conditions: `backlog of ${BACKLOG} events (~${JSON.stringify(payload).length} B), idempotent producer acks=all, 6 partitions, chunks of 500`,
});

// Steady rate: append at 500 events/s while the relay runs; a consumer timestamps arrivals.
const steadyTopic = uniqueTopic('relay-steady');
await ensureTopics(testKafka(brokers), [{ topic: steadyTopic, partitions: 6 }], { deadLetters: false });
const steadyRelay = await relayRun(steadyTopic, 'steady');
steadyRelay.start();
const latencies: number[] = [];
const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}`, maxWaitTimeInMs: 20 });
await consumer.connect();
await consumer.subscribe({ topic: steadyTopic, fromBeginning: true });
const total = RATE * STEADY_SECONDS;
const received = new Promise<void>((resolve) => {
  void consumer.run({
    eachMessage: async ({ message }) => {
      const time = message.headers?.ce_time?.toString();
      if (time) latencies.push(Date.now() - Date.parse(time));
      if (latencies.length >= total) resolve();
    },
  });
});
await new Promise((resolve) => setTimeout(resolve, 2_000));
const start = performance.now();
for (let i = 0; i < total; i++) {
  const due = start + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  void store.append(`steady-${randomUUID()}`, [{ type: 'Bench', data: payload }]);
}
await received;
await consumer.disconnect();
await steadyRelay.stop();
await admin.disconnect();
const stats = percentiles(latencies);
report({
  scenario: 'Outbox relay append→received latency at 500 events/s',
  figure: round(stats.p99, 1),
  unit: 'ms (p99)',
  target: 'p99 < 250 ms',
  met: stats.p99 < 250,
  details: {
    p50Ms: round(stats.p50, 1),
    p90Ms: round(stats.p90, 1),
    maxMs: round(stats.max, 1),
    events: latencies.length,
  },
  conditions: `${total} single-event appends at ${RATE}/s; latency = consumer receive time − recorded_at (includes consumer fetch)`,
});
await db.drop();
process.exit(0);
