import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { eventStoreMigrations, PostgresEventStore, type RecordedEvent } from '@placements/event-store';
import {
  createTestDatabase,
  PrivateBroker,
  readMessages,
  type TestDatabase,
  testKafka,
  uniqueTopic,
} from '@placements/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fromKafkaHeaders } from './cloud-events.ts';
import { IdempotentConsumer, type IncomingEvent } from './consumer.ts';
import { listDeadLetters, replayDeadLetters } from './dead-letters.ts';
import { messagingMigrations } from './index.ts';
import { createKafka } from './kafka.ts';
import { OutboxRelay } from './relay.ts';
import { deadLetterTopicOf, ensureTopics } from './topics.ts';

const logger = pino({ level: 'silent' });
let db: TestDatabase;
let store: PostgresEventStore;
let brokers: string[];

beforeAll(async () => {
  brokers = inject('infra').kafkaBrokers;
  db = await createTestDatabase({
    adminUrl: inject('infra').postgresAdminUrl,
    migrations: [eventStoreMigrations, messagingMigrations],
    prefix: 'messaging',
  });
  await db.adminPool.query('CREATE TABLE applied (message_id text, n integer, xid bigint)');
  await db.adminPool.query(`GRANT ALL ON applied TO placements_test_svc`);
  store = new PostgresEventStore({ pool: db.pool });
});

afterAll(async () => {
  await db?.drop();
});

function relayFor(
  name: string,
  topic: string,
  kafkaBrokers: string[],
  options: { chunkSize?: number; lingerMs?: number; pollIntervalMs?: number } = {},
) {
  return new OutboxRelay({
    name,
    store,
    lockConnectionString: db.url,
    kafka: createKafka({ brokers: kafkaBrokers, clientId: name, connectionTimeoutMs: 1_000 }),
    logger,
    pollIntervalMs: options.pollIntervalMs ?? 50,
    ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
    ...(options.lingerMs ? { lingerMs: options.lingerMs } : {}),
    route: (event: RecordedEvent) =>
      event.streamType === name.replace('relay:', '')
        ? [
            {
              topic,
              key: event.streamId,
              attributes: {
                id: event.eventId,
                source: '/test',
                type: `uk.placements.test.${event.type}.v1`,
                time: event.recordedAt.toISOString(),
                subject: event.streamId,
              },
            },
          ]
        : [],
  });
}

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('outbox relay', () => {
  it('publishes CloudEvents in binary mode keyed by aggregate id', async () => {
    const topic = uniqueTopic('relay');
    await ensureTopics(testKafka(brokers), [{ topic, partitions: 3 }]);
    const streamId = `envelope-${randomUUID()}`;
    await store.append(streamId, [
      {
        type: 'Opened',
        data: { hello: 'world' },
        metadata: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      },
    ]);
    const relay = relayFor('relay:envelope', topic, brokers);
    relay.start();
    const [message] = await readMessages(brokers, topic, { count: 1 });
    await relay.stop();
    expect(message?.key).toBe(streamId);
    expect(JSON.parse(message!.value!)).toEqual({ hello: 'world' });
    expect(message?.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_source: '/test',
      ce_type: 'uk.placements.test.Opened.v1',
      ce_subject: streamId,
      'content-type': 'application/json',
    });
  });

  it('publishes a lone append at once, and gathers appends that follow a batch for its linger', async () => {
    const topic = uniqueTopic('linger');
    await ensureTopics(testKafka(brokers), [{ topic, partitions: 3 }], { deadLetters: false });
    // Only appends wake it: the poll interval is longer than the test.
    const relay = relayFor('relay:linger', topic, brokers, { lingerMs: 1_500, pollIntervalMs: 60_000 });
    relay.start();
    await waitFor(() => relay.status.active);
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    const positions = new Set<number>();
    const publishedPast = async (position: number) => {
      for (;;) {
        const at = relay.status.position?.globalPosition ?? 0;
        positions.add(at);
        if (at >= position) return performance.now();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const appendOne = async () =>
      (await store.append(`linger-${randomUUID()}`, [{ type: 'Opened', data: {} }])).lastPosition
        .globalPosition;

    const lone = await appendOne();
    const loneAppendedAt = performance.now();
    const lonePublishedAt = await publishedPast(lone);
    const following = [await appendOne(), await appendOne(), await appendOne()];
    const followingPublishedAt = await publishedPast(following[2]!);
    await relay.stop();

    expect(lonePublishedAt - loneAppendedAt).toBeLessThan(1_000);
    // The three went out together, once the linger since the lone append's batch had passed.
    expect(followingPublishedAt - loneAppendedAt).toBeGreaterThanOrEqual(1_400);
    expect(positions.has(following[0]!)).toBe(false);
    expect(positions.has(following[1]!)).toBe(false);
    const messages = await readMessages(brokers, topic, { count: 4, timeoutMs: 20_000 });
    expect(messages).toHaveLength(4);
  });

  it('follows its checkpoint when an operator moves it back while it runs', async () => {
    const topic = uniqueTopic('rewind');
    await ensureTopics(testKafka(brokers), [{ topic, partitions: 3 }], { deadLetters: false });
    const relay = relayFor('relay:rewind', topic, brokers);
    relay.start();
    const appended = await store.append(`rewind-${randomUUID()}`, [{ type: 'Opened', data: {} }]);
    await waitFor(() => relay.status.lastPublishedAt !== undefined);
    // Polls between appends trust the position the relay wrote; a rewind is still found.
    await db.pool.query('DELETE FROM subscription_checkpoints WHERE subscription_name = $1', [
      'relay:rewind',
    ]);
    const messages = await readMessages(brokers, topic, { count: 2, timeoutMs: 20_000 });
    await relay.stop();
    expect(messages.map((message) => message.headers.ce_id)).toEqual([
      appended.events[0]!.eventId,
      appended.events[0]!.eventId,
    ]);
  });

  it('publishes everything appended while the broker was down once it is back', async () => {
    const broker = new PrivateBroker('relay-outage', 19_392);
    await broker.start();
    try {
      const topic = uniqueTopic('outage');
      await ensureTopics(testKafka(broker.brokers), [{ topic, partitions: 3 }], { deadLetters: false });
      const relay = relayFor('relay:outage', topic, broker.brokers);
      relay.start();
      await store.append(`outage-${randomUUID()}`, [{ type: 'BeforeOutage', data: {} }]);
      await waitFor(() => relay.status.lastPublishedAt !== undefined);

      await broker.stop();
      const ids: string[] = [];
      for (let i = 0; i < 50; i++) {
        const result = await store.append(`outage-${randomUUID()}`, [{ type: 'DuringOutage', data: { i } }]);
        ids.push(result.events[0]!.eventId);
      }
      await waitFor(() => relay.status.lastError !== undefined, 60_000);
      expect(relay.status.running).toBe(true);

      await broker.start();
      const messages = await readMessages(broker.brokers, topic, { count: 51, timeoutMs: 90_000 });
      await relay.stop();
      const published = new Set(messages.map((message) => message.headers.ce_id));
      for (const id of ids) expect(published.has(id), `event ${id} published`).toBe(true);
    } finally {
      await broker.destroy();
    }
  });

  it('republishes at most the unacknowledged chunk after being killed mid-batch', async () => {
    const topic = uniqueTopic('killed');
    await ensureTopics(testKafka(brokers), [{ topic, partitions: 3 }], { deadLetters: false });
    const chunkSize = 25;
    const total = 2_000;
    const ids = new Set<string>();
    for (let i = 0; i < total; i += 100) {
      const result = await store.append(
        `test-${randomUUID()}`,
        Array.from({ length: 100 }, (_, n) => ({ type: 'Bulk', data: { n: i + n, pad: 'x'.repeat(200) } })),
      );
      for (const event of result.events) ids.add(event.eventId);
    }

    const script = fileURLToPath(new URL('./test-support/relay-process.ts', import.meta.url));
    const child: ChildProcess = spawn(
      process.execPath,
      [script, db.url, brokers.join(','), topic, String(chunkSize)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    // Kill as soon as some, but not all, of the events are on the topic.
    const kafka = testKafka(brokers);
    const admin = kafka.admin();
    await admin.connect();
    await waitFor(async () => {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, partition) => sum + Number(partition.high), 0) >= chunkSize * 3;
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const offsets = await admin.fetchTopicOffsets(topic);
    const beforeRestart = offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
    await admin.disconnect();
    expect(beforeRestart).toBeLessThan(total);

    const relay = new OutboxRelay({
      name: 'relay:test',
      store,
      lockConnectionString: db.url,
      kafka: createKafka({ brokers, clientId: 'relay-restarted' }),
      chunkSize,
      logger,
      route: (event) =>
        event.streamType === 'test'
          ? [
              {
                topic,
                key: event.streamId,
                attributes: {
                  id: event.eventId,
                  source: '/test',
                  type: 'uk.placements.test.Bulk.v1',
                  time: event.recordedAt.toISOString(),
                },
              },
            ]
          : [],
    });
    relay.start();
    await waitFor(async () => {
      const admin2 = kafka.admin();
      await admin2.connect();
      const ends = await admin2.fetchTopicOffsets(topic);
      await admin2.disconnect();
      return ends.reduce((sum, partition) => sum + Number(partition.high), 0) >= total;
    }, 60_000);
    await relay.stop();
    const messages = await readMessages(brokers, topic, {
      count: total + chunkSize,
      timeoutMs: 15_000,
      idleMs: 1_000,
    });
    const seen = messages.map((message) => message.headers.ce_id!);
    const unique = new Set(seen);
    expect([...ids].every((id) => unique.has(id))).toBe(true);
    const duplicates = seen.length - unique.size;
    expect(duplicates).toBeLessThanOrEqual(chunkSize);
  });
});

describe('idempotent consumer', () => {
  async function publish(
    topic: string,
    messages: { id: string; n: number; poison?: boolean; type?: string; value?: string }[],
  ) {
    const producer = testKafka(brokers).producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: messages.map((message) => ({
        key: 'k',
        value: message.value ?? JSON.stringify({ n: message.n, poison: message.poison ?? false }),
        headers: {
          ce_specversion: '1.0',
          ce_id: message.id,
          ce_source: '/test',
          ce_type: message.type ?? 'uk.placements.test.Counted.v1',
          ce_time: new Date().toISOString(),
        },
      })),
    });
    await producer.disconnect();
  }

  it('passes over the types it does not read without a transaction, and wakes readers after a commit', async () => {
    const topic = uniqueTopic('types');
    await ensureTopics(testKafka(brokers), [{ topic, partitions: 1 }]);
    const read = [randomUUID(), randomUUID()];
    const passed = [randomUUID(), randomUUID()];
    await publish(topic, [
      { id: read[0]!, n: 1 },
      // Not JSON: had it been decoded it would have been dead-lettered.
      { id: passed[0]!, n: 2, type: 'uk.placements.test.Other.v1', value: 'not json' },
      { id: passed[1]!, n: 3, type: 'uk.placements.test.Other.v1' },
      { id: read[1]!, n: 4 },
    ]);
    const committedOn: unknown[] = [];
    const consumer = new IdempotentConsumer({
      kafka: createKafka({ brokers, clientId: 'types-test' }),
      groupId: `types-${randomUUID()}`,
      topics: [topic],
      pool: db.pool,
      logger,
      accepts: (type) => type === 'uk.placements.test.Counted.v1',
      handle: async (event: IncomingEvent, client) => {
        await client.query('INSERT INTO applied (message_id, n) VALUES ($1, $2)', [
          event.id,
          (event.data as { n: number }).n,
        ]);
      },
      afterCommit: (event, client) => committedOn.push([event.id, typeof client.query]),
    });
    await consumer.start();
    await waitFor(async () => {
      const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM inbox WHERE topic = $1', [topic]);
      return rows[0].n === 2;
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await consumer.stop();
    const inbox = await db.pool.query<{ message_id: string }>(
      'SELECT message_id FROM inbox WHERE topic = $1 ORDER BY kafka_offset',
      [topic],
    );
    expect(inbox.rows.map((row) => row.message_id)).toEqual(read);
    const applied = await db.pool.query('SELECT n FROM applied WHERE message_id = ANY($1) ORDER BY n', [
      [...read, ...passed],
    ]);
    expect(applied.rows.map((row) => row.n)).toEqual([1, 4]);
    expect(committedOn).toEqual(read.map((id) => [id, 'function']));
    expect(await listDeadLetters(testKafka(brokers), deadLetterTopicOf(topic), { timeoutMs: 3_000 })).toEqual(
      [],
    );
  });

  it('applies a redelivered message once', async () => {
    const topic = uniqueTopic('inbox');
    await ensureTopics(testKafka(brokers), [{ topic, partitions: 1 }]);
    const ids = Array.from({ length: 10 }, () => randomUUID());
    await publish(
      topic,
      ids.map((id, n) => ({ id, n })),
    );
    await publish(
      topic,
      ids.slice(0, 5).map((id, n) => ({ id, n })),
    ); // redelivery
    const consumer = new IdempotentConsumer({
      kafka: createKafka({ brokers, clientId: 'inbox-test' }),
      groupId: `inbox-${randomUUID()}`,
      topics: [topic],
      pool: db.pool,
      logger,
      handle: async (event: IncomingEvent, client) => {
        await client.query('INSERT INTO applied (message_id, n) VALUES ($1, $2)', [
          event.id,
          (event.data as { n: number }).n,
        ]);
      },
    });
    await consumer.start();
    await waitFor(async () => {
      const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM inbox WHERE topic = $1', [topic]);
      return rows[0].n === 10;
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await consumer.stop();
    const { rows } = await db.pool.query<{ message_id: string; copies: number }>(
      'SELECT message_id, count(*)::int AS copies FROM applied WHERE message_id = ANY($1) GROUP BY message_id',
      [ids],
    );
    expect(rows).toHaveLength(10);
    expect(rows.every((row) => row.copies === 1)).toBe(true);
  });

  it('applies waiting messages in runs, a transaction each, and a failure takes only its own message out', async () => {
    const topic = uniqueTopic('runs');
    const kafka = createKafka({ brokers, clientId: 'runs-test' });
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const ids = Array.from({ length: 40 }, () => randomUUID());
    const poison = 17;
    await publish(
      topic,
      ids.map((id, n) => ({
        id,
        n,
        poison: n === poison,
        type: n % 10 === 5 ? 'uk.placements.test.Other.v1' : undefined,
      })),
    );
    let poisonAttempts = 0;
    const committed: string[] = [];
    const consumer = new IdempotentConsumer({
      kafka,
      groupId: `runs-${randomUUID()}`,
      topics: [topic],
      pool: db.pool,
      logger,
      maxAttempts: 3,
      initialBackoffMs: 20,
      accepts: (type) => type === 'uk.placements.test.Counted.v1',
      handle: async (event: IncomingEvent, client) => {
        const { n, poison: bad } = event.data as { n: number; poison: boolean };
        await client.query('INSERT INTO applied (message_id, n, xid) VALUES ($1, $2, txid_current())', [
          event.id,
          n,
        ]);
        if (bad) {
          poisonAttempts += 1;
          throw new Error('cannot handle this event');
        }
      },
      afterCommit: (event) => committed.push(event.id),
    });
    await consumer.start();
    const read = ids.filter((_, n) => n % 10 !== 5 && n !== poison);
    await waitFor(async () => {
      const { rows } = await db.pool.query(
        'SELECT count(*)::int AS n FROM applied WHERE message_id = ANY($1)',
        [ids],
      );
      return rows[0].n === read.length;
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await consumer.stop();
    const { rows } = await db.pool.query<{ n: number; xid: string }>(
      'SELECT n, xid::text AS xid FROM applied WHERE message_id = ANY($1) ORDER BY n',
      [ids],
    );
    // Each read message once, none of the poisoned one's rolled-back rows, in order.
    expect(rows.map((row) => row.n)).toEqual(
      ids.map((_, n) => n).filter((n) => n % 10 !== 5 && n !== poison),
    );
    // Fewer transactions than messages: they went in runs, each run's messages in a row.
    const transactions = [...new Set(rows.map((row) => row.xid))];
    expect(transactions.length).toBeLessThan(read.length / 2);
    for (const xid of transactions) {
      const ns = rows.filter((row) => row.xid === xid).map((row) => row.n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
    // The run's failure was the poisoned message's first attempt of three.
    expect(poisonAttempts).toBe(3);
    const letters = await listDeadLetters(kafka, deadLetterTopicOf(topic));
    expect(
      letters.map((letter) => fromKafkaHeaders(Object.fromEntries(Object.entries(letter.headers))).id),
    ).toEqual([ids[poison]]);
    // Readers are woken once per applied message, after its run committed.
    expect(committed).toEqual(read);
  });

  it('dead-letters a message whose handler keeps failing, carries on, and replays it after a fix', async () => {
    const topic = uniqueTopic('poison');
    const kafka = createKafka({ brokers, clientId: 'dlq-test' });
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const poisonId = randomUUID();
    const afterId = randomUUID();
    await publish(topic, [
      { id: poisonId, n: 1, poison: true },
      { id: afterId, n: 2 },
    ]);
    let fixed = false;
    let attempts = 0;
    const handle = async (event: IncomingEvent, client: import('pg').PoolClient) => {
      if ((event.data as { poison: boolean }).poison && !fixed) {
        attempts += 1;
        throw new Error('cannot handle this event');
      }
      await client.query('INSERT INTO applied (message_id, n) VALUES ($1, $2)', [
        event.id,
        (event.data as { n: number }).n,
      ]);
    };
    const consumer = new IdempotentConsumer({
      kafka,
      groupId: `poison-${randomUUID()}`,
      topics: [topic],
      pool: db.pool,
      logger,
      maxAttempts: 3,
      initialBackoffMs: 20,
      handle,
    });
    await consumer.start();
    await waitFor(async () => {
      const { rows } = await db.pool.query('SELECT 1 FROM applied WHERE message_id = $1', [afterId]);
      return rows.length === 1;
    });
    expect(attempts).toBe(3);

    const letters = await listDeadLetters(kafka, deadLetterTopicOf(topic));
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      originalTopic: topic,
      error: 'cannot handle this event',
      attempts: 3,
    });
    expect(fromKafkaHeaders(Object.fromEntries(Object.entries(letters[0]!.headers))).id).toBe(poisonId);

    fixed = true;
    expect(await replayDeadLetters(kafka, deadLetterTopicOf(topic))).toBe(1);
    await waitFor(async () => {
      const { rows } = await db.pool.query('SELECT 1 FROM applied WHERE message_id = $1', [poisonId]);
      return rows.length === 1;
    });
    // A second replay finds nothing new.
    expect(await replayDeadLetters(kafka, deadLetterTopicOf(topic))).toBe(0);
    await consumer.stop();
  });

  it('lets a message wait while its database cannot be reached instead of dead-lettering it', async () => {
    const topic = uniqueTopic('db-down');
    const kafka = createKafka({ brokers, clientId: 'db-down-test' });
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const id = randomUUID();
    await publish(topic, [{ id, n: 7 }]);
    // Twice as many failures as the message's attempts: a restarting server answers 57P03, then
    // the connection is refused, until it is back.
    const outage = ['57P03', 'ECONNREFUSED', '57P01', 'ECONNREFUSED', '57P03', 'ECONNREFUSED'];
    let calls = 0;
    const consumer = new IdempotentConsumer({
      kafka,
      groupId: `db-down-${randomUUID()}`,
      topics: [topic],
      pool: db.pool,
      logger,
      maxAttempts: 3,
      initialBackoffMs: 20,
      maxBackoffMs: 100,
      handle: async (event, client) => {
        const code = outage[calls++];
        if (code) throw Object.assign(new Error('the database system is starting up'), { code });
        await client.query('INSERT INTO applied (message_id, n) VALUES ($1, $2)', [event.id, 7]);
      },
    });
    await consumer.start();
    await waitFor(async () => {
      const { rows } = await db.pool.query('SELECT 1 FROM applied WHERE message_id = $1', [id]);
      return rows.length === 1;
    });
    expect(calls).toBe(outage.length + 1);
    expect(consumer.lastContactAt?.getTime()).toBeGreaterThan(Date.now() - 15_000);
    await consumer.stop();
    expect(await listDeadLetters(kafka, deadLetterTopicOf(topic), { timeoutMs: 3_000 })).toEqual([]);
  });
});
