// PlacementProposed on Kafka → signed webhook at a local receiver. Measures, at the receiver,
// the time from publishing each event to its webhook arriving (p50/p99 at a steady 50 notices/s;
// target p99 < 500 ms), then the sustained deliveries/s to a fast receiver from a burst. Every
// request is verified with svix; a bad signature is counted and reported.
//   node services/notification/bench/webhooks.bench.ts [seconds-at-50/s] [burst]
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cloudEventSource, cloudEventType, topics } from '@placements/contracts';
import { toKafkaHeaders } from '@placements/messaging';
import { serviceMigrationDirs } from '@placements/service-kit';
import { bearer, testEnv, testNamespace } from '@placements/service-kit/testing';
import { Webhook } from 'svix';
import { benchDatabase, kafkaBrokers, percentiles, report, round } from '../../../bench/lib.ts';
import { build, migrations } from '../src/app.ts';
import { placementProposed, STOCKPORT } from '../src/test-fixtures.ts';

const STEADY_SECONDS = Number(process.argv[2] ?? 20);
const RATE = 50;
const BURST = Number(process.argv[3] ?? 2_000);

const brokers = kafkaBrokers();
const db = await benchDatabase('notification', serviceMigrationDirs(migrations, { keyStore: true }), 4);
const namespace = testNamespace();
const service = await build({
  env: testEnv({
    databaseUrl: db.url,
    kafkaBrokers: brokers,
    namespace,
    overrides: {
      DATABASE_POOL_SIZE: '10',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_CONCURRENCY: '32',
      WEBHOOK_BATCH_SIZE: '100',
      OVERDUE_CHECK_INTERVAL_MS: '3600000',
    },
  }),
});

// The receiver: records arrival time per placement, verifies every signature.
const published = new Map<string, number>();
const latencies: number[] = [];
let arrivals: number[] = [];
let badSignatures = 0;
let verifier: Webhook | undefined;
const receiver = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const at = performance.now();
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      verifier!.verify(body, {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      });
    } catch {
      badSignatures += 1;
    }
    const placementId = (JSON.parse(body) as { data: { placementId: string } }).data.placementId;
    const sentAt = published.get(placementId);
    if (sentAt !== undefined) latencies.push(at - sentAt);
    arrivals.push(at);
    response.writeHead(204).end();
  });
});
receiver.listen(0, '127.0.0.1');
await once(receiver, 'listening');

await service.start();
await service.messagingReady;
const subscription = await service.app.inject({
  method: 'POST',
  url: '/v1/subscriptions',
  headers: await bearer(STOCKPORT, 'host-authority'),
  payload: {
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notices`,
    eventTypes: ['out-of-area.placement-notice'],
  },
});
verifier = new Webhook(subscription.json().secret);

const producer = service.kafka.producer();
await producer.connect();
const topic = `${namespace}.${topics.matching}`;
function message() {
  const data = placementProposed({ plannedStart: '2030-06-14' });
  return {
    placementId: data.placementId,
    message: {
      key: data.placementId,
      value: JSON.stringify(data),
      headers: toKafkaHeaders({
        id: randomUUID(),
        source: cloudEventSource('matching'),
        type: cloudEventType('PlacementProposed'),
        time: new Date().toISOString(),
        subject: data.placementId,
      }),
    },
  };
}

async function waitForArrivals(count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (arrivals.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

// Warm-up: connections, consumer group, JIT.
for (let i = 0; i < 20; i++) {
  const { message: m } = message();
  await producer.send({ topic, acks: -1, messages: [m] });
}
await waitForArrivals(20, 60_000);
latencies.length = 0;
arrivals = [];

// Steady: 50 events/s, one at a time, latency from the publish call to the webhook's arrival.
const total = STEADY_SECONDS * RATE;
const start = performance.now();
for (let i = 0; i < total; i++) {
  const due = start + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const { placementId, message: m } = message();
  published.set(placementId, performance.now());
  void producer.send({ topic, acks: -1, messages: [m] });
}
await waitForArrivals(total, 30_000);
const steady = percentiles(latencies);
report({
  scenario: 'notification: PlacementProposed → signed webhook at receiver (50/s)',
  figure: round(steady.p99),
  unit: 'ms p99',
  target: 'p99 < 500 ms',
  met: steady.p99 < 500 && latencies.length === total,
  details: {
    p50: round(steady.p50),
    p90: round(steady.p90),
    p99: round(steady.p99),
    max: round(steady.max),
    delivered: latencies.length,
    sent: total,
    badSignatures,
  },
  conditions: `${RATE} events/s for ${STEADY_SECONDS} s onto the namespaced matching topic (6 partitions); one subscription; receiver verifies every signature with svix; measured from the publish call; real PostgreSQL and Kafka on this machine`,
});

// Burst: BURST events at once; deliveries/s from first to last arrival.
latencies.length = 0;
arrivals = [];
const burstStart = performance.now();
for (let i = 0; i < BURST; i += 100) {
  const batch = Array.from({ length: Math.min(100, BURST - i) }, () => message().message);
  await producer.send({ topic, acks: -1, messages: batch });
}
await waitForArrivals(BURST, 100_000);
const elapsed = ((arrivals.at(-1) ?? burstStart) - burstStart) / 1000;
report({
  scenario: 'notification: sustained webhook deliveries to a fast receiver',
  figure: round(arrivals.length / elapsed),
  unit: 'deliveries/s',
  details: { delivered: arrivals.length, sent: BURST, seconds: round(elapsed, 2), badSignatures },
  conditions: `${BURST} PlacementProposed published at once; each is consumed (inbox), raised (event + obligation + queue in one transaction), signed, POSTed, and recorded (attempt + NotificationDelivered); WEBHOOK_CONCURRENCY 32; 2 shared cores`,
});

await producer.disconnect();
await service.stop();
receiver.close();
await db.drop();
process.exit(0);
