import { randomBytes, randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@placements/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ERASED,
  EventSubscription,
  eventStoreMigrations,
  keyStoreMigrations,
  PersonalDataCipher,
  PostgresEventStore,
  PostgresKeyStore,
  type RecordedEvent,
  StreamVersionConflictError,
  withTransaction,
} from './index.ts';
import { readStreamsSql } from './stream-reads.ts';

let db: TestDatabase;
let store: PostgresEventStore;
let keys: PostgresKeyStore;

beforeAll(async () => {
  db = await createTestDatabase({
    adminUrl: inject('infra').postgresAdminUrl,
    migrations: [eventStoreMigrations, keyStoreMigrations],
    prefix: 'event_store',
    poolSize: 20,
  });
  keys = new PostgresKeyStore(db.pool, { keyEncryptionKey: randomBytes(32), cacheTtlMs: 0 });
  store = new PostgresEventStore({ pool: db.pool, cipher: new PersonalDataCipher(keys) });
});

afterAll(async () => {
  await db?.drop();
});

/** What `work` returns, and the text of every statement it sent through the pool meanwhile. */
async function statementsDuring<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const query = db.pool.query.bind(db.pool);
  db.pool.query = ((config: unknown, ...rest: unknown[]) => {
    statements.push(typeof config === 'string' ? config : (config as { text: string }).text);
    return (query as (...args: unknown[]) => unknown)(config, ...rest);
  }) as typeof db.pool.query;
  try {
    return { result: await work(), statements };
  } finally {
    db.pool.query = query;
  }
}

describe('append with an expected version', () => {
  it('lets exactly one of many concurrent writers at the same version win', async () => {
    const streamId = `case-${randomUUID()}`;
    await store.append(streamId, [{ type: 'Opened', data: { n: 0 } }], { expectedVersion: 'no-stream' });

    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, n) =>
        store.append(streamId, [{ type: 'Changed', data: { n } }], { expectedVersion: 1 }),
      ),
    );

    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(11);
    for (const outcome of lost) expect(outcome.reason).toBeInstanceOf(StreamVersionConflictError);
    const events = await store.readStream(streamId);
    expect(events.map((event) => event.streamVersion)).toEqual([1, 2]);
    expect((await store.verifyStream(streamId)).valid).toBe(true);
  });

  it('honours no-stream, stream-exists and exact versions', async () => {
    const streamId = `case-${randomUUID()}`;
    await expect(
      store.append(streamId, [{ type: 'X', data: {} }], { expectedVersion: 'stream-exists' }),
    ).rejects.toThrow(StreamVersionConflictError);
    const first = await store.append(
      streamId,
      [
        { type: 'X', data: {} },
        { type: 'Y', data: {} },
      ],
      {
        expectedVersion: 'no-stream',
      },
    );
    expect(first.nextExpectedVersion).toBe(2);
    await expect(
      store.append(streamId, [{ type: 'X', data: {} }], { expectedVersion: 'no-stream' }),
    ).rejects.toMatchObject({
      code: 'STREAM_VERSION_CONFLICT',
      actual: 2,
    });
    await expect(store.append(streamId, [{ type: 'X', data: {} }], { expectedVersion: 1 })).rejects.toThrow(
      StreamVersionConflictError,
    );
    const next = await store.append(streamId, [{ type: 'Z', data: {} }], { expectedVersion: 2 });
    expect(next.nextExpectedVersion).toBe(3);
  });
});

describe('global reader', () => {
  it('sees every event exactly once, in (transaction_id, global_position) order, while a slow transaction holds its events back', async () => {
    const seen: RecordedEvent[] = [];
    const subscription = new EventSubscription({
      name: `reader-${randomUUID()}`,
      store,
      streamTypes: ['load'],
      pollIntervalMs: 20,
      batchSize: 50,
      logger: { error: (details, message) => console.error(message, details) },
      handle: async (events) => {
        seen.push(...events);
      },
    });
    subscription.start();

    const writers = 8;
    const perWriter = 40;
    // One writer appends inside a transaction it keeps open for three seconds: its events get
    // the lowest positions of the run but commit last.
    const slow = withTransaction(db.pool, async (client) => {
      for (let i = 0; i < 5; i++) {
        await store.append(`load-slow-${i}`, [{ type: 'Slow', data: { i } }], { client });
      }
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        for (let i = 0; i < perWriter; i++) {
          await store.append(`load-${writer}-${i % 4}`, [{ type: 'Fast', data: { writer, i } }]);
        }
      }),
    );
    await slow;
    store.notifyCommitted('load');

    const expected = writers * perWriter + 5;
    const deadline = Date.now() + 20_000;
    while (seen.length < expected && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    await subscription.stop();

    expect(seen).toHaveLength(expected);
    expect(new Set(seen.map((event) => event.eventId)).size).toBe(expected);
    expect(seen.filter((event) => event.type === 'Slow')).toHaveLength(5);
    for (let i = 1; i < seen.length; i++) {
      const previous = seen[i - 1]!;
      const current = seen[i]!;
      const ordered =
        BigInt(previous.transactionId) < BigInt(current.transactionId) ||
        (previous.transactionId === current.transactionId &&
          previous.globalPosition < current.globalPosition);
      expect(ordered, `event ${i} out of order`).toBe(true);
    }
    // The slow writer's events sort before many fast ones by position, yet were not skipped.
    const slowPositions = seen.filter((event) => event.type === 'Slow').map((event) => event.globalPosition);
    const fastAfterSlow = seen.filter(
      (event) => event.type === 'Fast' && event.globalPosition > Math.min(...slowPositions),
    );
    expect(fastAfterSlow.length).toBeGreaterThan(0);
  });

  it('does not return events of a transaction that is still open', async () => {
    const streamId = `hold-${randomUUID()}`;
    const head = (await store.horizon()).head;
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let appended!: () => void;
    const wasAppended = new Promise<void>((resolve) => {
      appended = resolve;
    });
    const holding = withTransaction(db.pool, async (client) => {
      await store.append(streamId, [{ type: 'Held', data: {} }], { client });
      appended();
      await released;
    });
    await wasAppended;
    await store.append(`hold-${randomUUID()}`, [{ type: 'Free', data: {} }]);
    const visible = await store.readAll({ after: head, streamTypes: ['hold'] });
    expect(visible.map((event) => event.type)).toEqual([]);
    const horizon = await store.horizon();
    expect(horizon.pendingBehindHorizon).toBeGreaterThanOrEqual(1);
    release();
    await holding;
    const after = await store.readAll({ after: head, streamTypes: ['hold'] });
    expect(after.map((event) => event.type)).toEqual(['Held', 'Free']);
  });
});

describe('appends outside a transaction', () => {
  it('go to the database in one statement and one transaction when asked for in one turn, each to its own stream and chain', async () => {
    const streams = Array.from({ length: 10 }, () => `case-${randomUUID()}`);
    // What separates events and streams on the way in, raw in the data: it must come back as sent.
    const text = 'a "quoted" \\ word\nnext line\u001erecord separator\u001e';
    const { result, statements } = await statementsDuring(() =>
      Promise.all(
        streams.map((streamId, index) =>
          store.append(
            streamId,
            Array.from({ length: (index % 3) + 1 }, (_, n) => ({
              type: 'Noted',
              data: { streamId, n, text },
            })),
            { expectedVersion: 'no-stream' },
          ),
        ),
      ),
    );
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain('es_append_batch');
    const transactions = new Set<string>();
    for (const [index, streamId] of streams.entries()) {
      const count = (index % 3) + 1;
      expect(result[index]!.nextExpectedVersion).toBe(count);
      const events = await store.readStream(streamId);
      expect(
        events.map((event) => [event.streamId, event.streamVersion, (event.data as { n: number }).n]),
      ).toEqual(Array.from({ length: count }, (_, n) => [streamId, n + 1, n]));
      expect(events.every((event) => (event.data as { text: string }).text === text)).toBe(true);
      expect(result[index]!.events.map((event) => event.globalPosition)).toEqual(
        events.map((event) => event.globalPosition),
      );
      expect(result[index]!.events.map((event) => event.hash)).toEqual(events.map((event) => event.hash));
      for (const event of events) transactions.add(event.transactionId);
      expect(await store.verifyStream(streamId)).toMatchObject({ valid: true, entries: count });
    }
    expect(transactions.size).toBe(1);
  });

  it('fail only the append whose expected version is stale: the others are written once each', async () => {
    const existing = `case-${randomUUID()}`;
    await store.append(existing, [{ type: 'Opened', data: {} }]);
    const fresh = Array.from({ length: 5 }, () => `case-${randomUUID()}`);
    const { result: outcomes, statements } = await statementsDuring(() =>
      Promise.allSettled([
        ...fresh.map((streamId) =>
          store.append(streamId, [{ type: 'Opened', data: {} }], { expectedVersion: 'no-stream' }),
        ),
        store.append(existing, [{ type: 'Opened', data: {} }], { expectedVersion: 'no-stream' }),
      ]),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual([...fresh.map(() => 'fulfilled'), 'rejected']);
    expect((outcomes[5] as PromiseRejectedResult).reason).toMatchObject({
      code: 'STREAM_VERSION_CONFLICT',
      actual: 1,
    });
    // The batch, then each append on its own.
    expect(statements).toHaveLength(1 + fresh.length + 1);
    for (const streamId of fresh) expect(await store.readStream(streamId)).toHaveLength(1);
    expect(await store.readStream(existing)).toHaveLength(1);
  });

  it('keep the order they were asked in for one stream, and lock streams in stream-id order', async () => {
    const streamId = `case-${randomUUID()}`;
    const others = [`case-z-${randomUUID()}`, `case-a-${randomUUID()}`];
    const sent: unknown[][] = [];
    const query = db.pool.query.bind(db.pool);
    db.pool.query = ((config: { values?: unknown[] }, ...rest: unknown[]) => {
      sent.push(config.values ?? []);
      return (query as (...args: unknown[]) => unknown)(config, ...rest);
    }) as unknown as typeof db.pool.query;
    try {
      await Promise.all([
        store.append(others[0]!, [{ type: 'Noted', data: {} }]),
        ...Array.from({ length: 5 }, (_, n) => store.append(streamId, [{ type: 'Noted', data: { n } }])),
        store.append(others[1]!, [{ type: 'Noted', data: {} }]),
      ]);
    } finally {
      db.pool.query = query;
    }
    expect(sent).toHaveLength(1);
    expect(sent[0]![0]).toEqual([others[1], ...Array.from({ length: 5 }, () => streamId), others[0]].sort());
    const events = await store.readStream(streamId);
    expect(events.map((event) => [event.streamVersion, (event.data as { n: number }).n])).toEqual(
      Array.from({ length: 5 }, (_, n) => [n + 1, n]),
    );
    expect((await store.verifyStream(streamId)).valid).toBe(true);
  });

  it('each go alone when the store is told not to coalesce them', async () => {
    const alone = new PostgresEventStore({ pool: db.pool, coalesceAppends: false });
    const { statements } = await statementsDuring(() =>
      Promise.all(
        Array.from({ length: 4 }, () => alone.append(`case-${randomUUID()}`, [{ type: 'Noted', data: {} }])),
      ),
    );
    expect(statements).toHaveLength(4);
    expect(statements.every((text) => !text.includes('es_append_batch'))).toBe(true);
  });
});

describe('stream reads outside a transaction', () => {
  it('answers reads asked for in one turn with one statement, each with its own stream and versions', async () => {
    const streams = Array.from({ length: 12 }, () => `case-${randomUUID()}`);
    for (const [index, streamId] of streams.entries()) {
      await store.append(
        streamId,
        Array.from({ length: (index % 3) + 1 }, (_, n) => ({ type: 'Noted', data: { streamId, n } })),
      );
    }
    const missing = `case-${randomUUID()}`;
    const {
      result: [all, again, fromSecond, none],
      statements,
    } = await statementsDuring(() =>
      Promise.all([
        Promise.all(streams.map((streamId) => store.readStream(streamId))),
        store.readStream(streams[2]!),
        store.readStream(streams[2]!, { fromVersion: 1 }),
        store.readStream(missing),
      ]),
    );
    expect(statements).toHaveLength(1);
    for (const [index, streamId] of streams.entries()) {
      const events = all[index]!;
      expect(events.map((event) => event.streamVersion)).toEqual(
        Array.from({ length: (index % 3) + 1 }, (_, n) => n + 1),
      );
      expect(events.every((event) => event.streamId === streamId)).toBe(true);
      expect(events.map((event) => (event.data as { n: number }).n)).toEqual(events.map((_, n) => n));
    }
    expect(again.map((event) => event.streamVersion)).toEqual([1, 2, 3]);
    expect(fromSecond.map((event) => event.streamVersion)).toEqual([2, 3]);
    expect(none).toEqual([]);
    // Each event keeps the columns of a single read: nothing of the batch leaks into it.
    expect(Object.keys(again[0]!).sort()).toEqual(Object.keys(fromSecond[0]!).sort());
  });

  it('reads what was committed before it was asked for, and opens personal fields', async () => {
    const streamId = `case-${randomUUID()}`;
    const subjectId = `subject-${randomUUID()}`;
    await store.append(streamId, [
      { type: 'Noted', data: { name: 'Ada', n: 1 }, personal: { subjectId, fields: ['name'] } },
    ]);
    const [first] = await Promise.all([store.readStream(streamId), store.readStream(`case-${randomUUID()}`)]);
    expect(first.map((event) => event.data)).toEqual([{ name: 'Ada', n: 1 }]);
    await store.append(streamId, [{ type: 'Noted', data: { n: 2 } }], { expectedVersion: 1 });
    const [second] = await Promise.all([
      store.readStream(streamId),
      store.readStream(`case-${randomUUID()}`),
    ]);
    expect(second.map((event) => event.streamVersion)).toEqual([1, 2]);
  });

  it('plans one index lookup per stream, never a join over the whole table', async () => {
    for (let n = 0; n < 300; n++)
      await store.append(`case-${randomUUID()}`, [{ type: 'Noted', data: { n } }]);
    await db.pool.query('ANALYZE events');
    const client = await db.pool.connect();
    try {
      // As a prepared statement runs once its plan is cached: generic, parameters unknown.
      await client.query('SET plan_cache_mode = force_generic_plan');
      await client.query(
        `PREPARE streams_read(text[], int[]) AS ${readStreamsSql('stream_id, stream_version, data')}`,
      );
      const ids = Array.from({ length: 10 }, () => `'case-${randomUUID()}'`).join(',');
      const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(
        `EXPLAIN (FORMAT JSON) EXECUTE streams_read(ARRAY[${ids}]::text[], array_fill(0, ARRAY[10]))`,
      );
      const nodeTypes: string[] = [];
      const walk = (node: { 'Node Type': string; Plans?: unknown[] }) => {
        nodeTypes.push(node['Node Type']);
        for (const child of node.Plans ?? []) walk(child as typeof node);
      };
      walk((rows[0]!['QUERY PLAN'] as [{ Plan: { 'Node Type': string } }])[0].Plan);
      expect(nodeTypes).toContain('Nested Loop');
      expect(nodeTypes).not.toContain('Hash Join');
      expect(nodeTypes).not.toContain('Merge Join');
    } finally {
      await client.query('DEALLOCATE streams_read').catch(() => undefined);
      await client.query('RESET plan_cache_mode');
      client.release();
    }
  });

  it('fails every read of a statement that fails, and the next turn reads again', async () => {
    const streamId = `case-${randomUUID()}`;
    await store.append(streamId, [{ type: 'Noted', data: {} }]);
    const query = db.pool.query.bind(db.pool);
    db.pool.query = (() => Promise.reject(new Error('connection lost'))) as typeof db.pool.query;
    const failed = await Promise.allSettled([store.readStream(streamId), store.readStream(streamId)]);
    db.pool.query = query;
    expect(failed.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(await store.readStream(streamId)).toHaveLength(1);
  });
});

describe('append-only log', () => {
  it('rejects UPDATE, DELETE and TRUNCATE from the service role, by privilege and by trigger', async () => {
    const streamId = `guard-${randomUUID()}`;
    await store.append(streamId, [{ type: 'Kept', data: { a: 1 } }]);
    await expect(
      db.pool.query(`UPDATE events SET data = '{}' WHERE stream_id = $1`, [streamId]),
    ).rejects.toMatchObject({
      code: '42501',
    });
    await expect(db.pool.query('DELETE FROM events WHERE stream_id = $1', [streamId])).rejects.toMatchObject({
      code: '42501',
    });
    await expect(db.pool.query('TRUNCATE events')).rejects.toMatchObject({ code: '42501' });
    // Even the owner, who holds every privilege, is stopped by the triggers.
    await expect(
      db.adminPool.query(`UPDATE events SET data = '{}' WHERE stream_id = $1`, [streamId]),
    ).rejects.toMatchObject({
      code: 'ES403',
    });
    await expect(
      db.adminPool.query('DELETE FROM events WHERE stream_id = $1', [streamId]),
    ).rejects.toMatchObject({
      code: 'ES403',
    });
    await expect(db.adminPool.query('TRUNCATE events')).rejects.toMatchObject({ code: 'ES403' });
    expect(await store.readStream(streamId)).toHaveLength(1);
  });

  it('detects a row altered with the triggers disabled', async () => {
    const streamId = `tamper-${randomUUID()}`;
    await store.append(streamId, [
      { type: 'A', data: { amount: 100 } },
      { type: 'B', data: { amount: 200 } },
      { type: 'C', data: { amount: 300 } },
    ]);
    expect(await store.verifyStream(streamId)).toMatchObject({ valid: true, entries: 3 });

    const client = await db.adminPool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SET LOCAL session_replication_role = 'replica'");
      await client.query(
        `UPDATE events SET data = '{"amount": 999}' WHERE stream_id = $1 AND stream_version = 2`,
        [streamId],
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }

    const verification = await store.verifyStream(streamId);
    expect(verification.valid).toBe(false);
    expect(verification.firstBroken).toEqual({ position: 2, reason: 'hash-mismatch' });
  });
});

describe('personal data', () => {
  it('seals personal fields at rest and shreds them with the subject key, leaving chains valid', async () => {
    const alice = `child:E09000014:A${randomBytes(3).toString('hex')}`;
    const bob = `child:E09000014:B${randomBytes(3).toString('hex')}`;
    const aliceStream = `referral-${randomUUID()}`;
    const bobStream = `referral-${randomUUID()}`;
    const child = { dateOfBirth: '2011-05-14', homePostcode: 'N17 6QA' };
    await store.append(aliceStream, [
      {
        type: 'ReferralSubmitted',
        data: { childRef: 'A1', child, childViews: 'Wants to stay near her sister' },
        personal: { subjectId: alice, fields: ['child', 'childViews'] },
      },
    ]);
    await store.append(bobStream, [
      {
        type: 'ReferralSubmitted',
        data: { childRef: 'B1', child },
        personal: { subjectId: bob, fields: ['child'] },
      },
    ]);

    const { rows } = await db.pool.query<{ data: string }>(
      'SELECT data::text AS data FROM events WHERE stream_id = $1',
      [aliceStream],
    );
    expect(rows[0]!.data).not.toContain('2011-05-14');
    expect(rows[0]!.data).not.toContain('N17');
    expect(rows[0]!.data).not.toContain('sister');
    expect((await store.readStream(aliceStream))[0]!.data).toEqual({
      childRef: 'A1',
      child,
      childViews: 'Wants to stay near her sister',
    });

    expect(await keys.erase(alice)).toBe(true);
    expect(await keys.erase(alice)).toBe(false);

    const erased = (await store.readStream(aliceStream))[0]!;
    expect(erased.data).toEqual({ childRef: 'A1', child: ERASED, childViews: ERASED });
    expect((await store.readStream(bobStream))[0]!.data).toEqual({ childRef: 'B1', child });
    expect((await store.verifyStream(aliceStream)).valid).toBe(true);
    expect((await store.verifyStream(bobStream)).valid).toBe(true);

    // Nothing personal is written for an erased child afterwards.
    await store.append(aliceStream, [
      { type: 'ReferralNeedsUpdated', data: { child }, personal: { subjectId: alice, fields: ['child'] } },
    ]);
    const { rows: later } = await db.pool.query<{ data: string }>(
      'SELECT data::text AS data FROM events WHERE stream_id = $1 AND stream_version = 2',
      [aliceStream],
    );
    expect(JSON.parse(later[0]!.data)).toEqual({ child: ERASED });
  });
});

/** A subscription of some stream types that records the ids of the events it applies. */
function recordingSubscription(
  name: string,
  streamTypes: string[],
  options: { pollIntervalMs?: number; lingerMs?: number } = {},
) {
  const applied: string[] = [];
  const batches: { eventIds: string[]; at: number }[] = [];
  const subscription = new EventSubscription({
    name,
    store,
    streamTypes,
    ...options,
    handle: async (events) => {
      applied.push(...events.map((event) => event.eventId));
      batches.push({ eventIds: events.map((event) => event.eventId), at: performance.now() });
    },
  });
  return { subscription, applied, batches };
}

describe('key store', () => {
  it('caches each key in a buffer of its own, not a slice of a shared pool slab', async () => {
    const cached = new PostgresKeyStore(db.pool, { keyEncryptionKey: randomBytes(32) });
    const subject = `child:E09000014:K${randomBytes(4).toString('hex')}`;
    const created = await cached.keyForEncryption(subject);
    cached.forget(subject);
    const loaded = await cached.keyForDecryption(subject);
    expect(loaded?.equals(created!)).toBe(true);
    expect(loaded!.buffer.byteLength).toBe(32);
  });

  it('creates the keys asked for in one turn with one statement, one key per subject however often asked', async () => {
    const kek = randomBytes(32);
    const creator = new PostgresKeyStore(db.pool, { keyEncryptionKey: kek });
    const subjects = Array.from({ length: 8 }, () => `child:E09000014:K${randomBytes(4).toString('hex')}`);
    const existing = subjects[0]!;
    const erased = subjects[1]!;
    const before = await new PostgresKeyStore(db.pool, { keyEncryptionKey: kek }).keyForEncryption(existing);
    await creator.erase(erased);
    creator.forget(existing);

    const { result: keys, statements } = await statementsDuring(() =>
      Promise.all([...subjects, ...subjects].map((subject) => creator.keyForEncryption(subject))),
    );
    // One INSERT for all of them; one read for the two whose rows existed.
    expect(statements.filter((text) => text.includes('INSERT INTO subject_keys'))).toHaveLength(1);
    expect(statements).toHaveLength(2);
    expect(keys[0]!.equals(before!)).toBe(true);
    expect(keys[1]).toBeUndefined();
    const reader = new PostgresKeyStore(db.pool, { keyEncryptionKey: kek });
    for (const [index, subject] of subjects.entries()) {
      expect(keys[index + subjects.length]).toBe(keys[index]);
      if (index > 1) expect((await reader.keyForDecryption(subject))!.equals(keys[index]!)).toBe(true);
    }
    expect(new Set(keys.slice(2, subjects.length).map((key) => key!.toString('hex'))).size).toBe(
      subjects.length - 2,
    );
  });

  it('reads the keys asked for in one turn with one statement', async () => {
    const kek = randomBytes(32);
    const creator = new PostgresKeyStore(db.pool, { keyEncryptionKey: kek });
    const subjects = Array.from({ length: 5 }, () => `child:E09000014:K${randomBytes(4).toString('hex')}`);
    const created = await Promise.all(subjects.map((subject) => creator.keyForEncryption(subject)));
    const unknown = `child:E09000014:K${randomBytes(4).toString('hex')}`;
    const reader = new PostgresKeyStore(db.pool, { keyEncryptionKey: kek });
    const { result: loaded, statements } = await statementsDuring(() =>
      Promise.all([...subjects, unknown].map((subject) => reader.keyForDecryption(subject))),
    );
    expect(statements).toHaveLength(1);
    for (const [index, key] of created.entries()) expect(loaded[index]!.equals(key!)).toBe(true);
    expect(loaded[subjects.length]).toBeUndefined();
  });
});

describe('subscription catch-up', () => {
  it('waits for a batch another holder is applying instead of returning before it', async () => {
    const name = `catch-up-${randomUUID()}`;
    const applied: string[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handle = async (events: RecordedEvent[]) => {
      if (applied.length === 0) await held;
      applied.push(...events.map((event) => event.eventId));
    };
    const streamType = `catchup${randomBytes(3).toString('hex')}`;
    const appended = await store.append(`${streamType}-1`, [{ type: 'Counted', data: {} }]);
    const background = new EventSubscription({ name, store, handle, streamTypes: [streamType] });
    const foreground = new EventSubscription({ name, store, handle, streamTypes: [streamType] });
    // The background holder takes the subscription's lock and stalls inside its batch.
    const slowBatch = background.processBatch();
    await new Promise((resolve) => setTimeout(resolve, 100));
    let caughtUp = false;
    const catchingUp = foreground.catchUp().then(() => {
      caughtUp = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(caughtUp).toBe(false);
    release();
    await slowBatch;
    await catchingUp;
    expect(applied).toEqual([appended.events[0]!.eventId]);
  });
});

describe('subscription of some stream types', () => {
  it('moves its checkpoint past the other types it looked at, never past a transaction still open', async () => {
    const name = `types-${randomUUID()}`;
    const mine = `mine${randomBytes(3).toString('hex')}`;
    const other = `other${randomBytes(3).toString('hex')}`;
    const { subscription, applied } = recordingSubscription(name, [mine]);
    const checkpoint = async () => {
      const { rows } = await db.pool.query<{ position: string }>(
        'SELECT global_position AS position FROM subscription_checkpoints WHERE subscription_name = $1',
        [name],
      );
      return Number(rows[0]?.position ?? 0);
    };
    // The read horizon may lag a commit (a transaction it cannot place in another database counts
    // as this one's: readers are delayed, never let past it), so readability is waited for.
    const catchUpUntil = async (done: () => Promise<boolean>) => {
      const deadline = Date.now() + 10_000;
      await subscription.catchUp();
      while (!(await done()) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        await subscription.catchUp();
      }
    };
    const first = await store.append(`${mine}-1`, [{ type: 'Counted', data: {} }]);
    let lastOther = 0;
    for (let i = 0; i < 5; i++) {
      const appended = await store.append(`${other}-${i}`, [{ type: 'Counted', data: {} }]);
      lastOther = appended.events[0]!.globalPosition;
    }
    await catchUpUntil(async () => (await checkpoint()) === lastOther);
    expect(applied).toEqual([first.events[0]!.eventId]);
    // Everything up to the other types' last event was examined: the next poll starts after it.
    expect(await checkpoint()).toBe(lastOther);

    // An event of its type in a transaction still open, then other types committed after it.
    const writer = await db.pool.connect();
    try {
      await writer.query('BEGIN');
      const pending = await store.append(`${mine}-2`, [{ type: 'Counted', data: {} }], { client: writer });
      await store.append(`${other}-late`, [{ type: 'Counted', data: {} }]);
      await subscription.catchUp();
      expect(applied).toHaveLength(1);
      expect(await checkpoint()).toBe(lastOther);
      await writer.query('COMMIT');
      store.notifyCommittedOn(writer);
      await catchUpUntil(async () => applied.length === 2);
      expect(applied).toEqual([first.events[0]!.eventId, pending.events[0]!.eventId]);
    } finally {
      writer.release();
    }
  });
});

describe('running subscription', () => {
  it('is woken only by appends it reads, and only once the transaction that made them commits', async () => {
    const mine = `woken${randomBytes(3).toString('hex')}`;
    const other = `other${randomBytes(3).toString('hex')}`;
    const woken: string[] = [];
    const unsubscribe = store.onAppended((type) => woken.push(type));
    await withTransaction(
      db.pool,
      async (client) => {
        await store.append(`${mine}-1`, [{ type: 'Counted', data: {} }], { client });
        await store.append(`${other}-1`, [{ type: 'Counted', data: {} }], { client });
        await store.append(`${mine}-2`, [{ type: 'Counted', data: {} }], { client });
        expect(woken).toEqual([]);
      },
      { afterCommit: (client) => store.notifyCommittedOn(client) },
    );
    unsubscribe();
    expect(woken.sort()).toEqual([mine, other].sort());
  });

  it('applies a lone append at once, and gathers appends that follow a batch for its linger', async () => {
    const streamType = `linger${randomBytes(3).toString('hex')}`;
    // Only appends wake it: the poll interval is longer than the test.
    const { subscription, batches } = recordingSubscription(`linger-${randomUUID()}`, [streamType], {
      pollIntervalMs: 60_000,
      lingerMs: 1_500,
    });
    subscription.start();
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    const appendOne = async () =>
      (await store.append(`${streamType}-${randomUUID()}`, [{ type: 'Counted', data: {} }])).events[0]!
        .eventId;
    const until = async (count: number) => {
      const deadline = Date.now() + 10_000;
      while (batches.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    };

    const lone = await appendOne();
    const loneAppendedAt = performance.now();
    await until(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const following = [await appendOne(), await appendOne(), await appendOne()];
    await until(2);
    await subscription.stop();

    expect(batches.map((batch) => batch.eventIds)).toEqual([[lone], following]);
    expect(batches[0]!.at - loneAppendedAt).toBeLessThan(1_000);
    expect(batches[1]!.at - loneAppendedAt).toBeGreaterThanOrEqual(1_400);
  });

  it('picks up events again after its checkpoint is reset elsewhere', async () => {
    const name = `reset-${randomUUID()}`;
    const streamType = `reset${randomBytes(3).toString('hex')}`;
    const { subscription, applied } = recordingSubscription(name, [streamType], { pollIntervalMs: 10 });
    const first = await store.append(`${streamType}-1`, [{ type: 'Counted', data: {} }]);
    subscription.start();
    const waitFor = async (count: number) => {
      const deadline = Date.now() + 10_000;
      while (applied.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    };
    await waitFor(1);
    // An operator (another process) rewinds it: quick checks against the position it reached
    // would find nothing new, so the periodic full check is what finds the rewind.
    await db.pool.query('DELETE FROM subscription_checkpoints WHERE subscription_name = $1', [name]);
    await waitFor(2);
    await subscription.stop();
    expect(applied).toEqual([first.events[0]!.eventId, first.events[0]!.eventId]);
  });
});

describe('LISTEN/NOTIFY wake-up', () => {
  it('wakes a reader in another process-like store when the writer notifies', async () => {
    const writer = new PostgresEventStore({ pool: db.pool, notifyChannel: 'placements_events' });
    const reader = new PostgresEventStore({ pool: db.pool, notifyChannel: 'placements_events' });
    const stop = await reader.listen(db.url);
    const woken = new Promise<string>((resolve) => reader.onAppended(resolve));
    await writer.append(`notify-${randomUUID()}`, [{ type: 'Ping', data: {} }]);
    await expect(woken).resolves.toBe('notify');
    await stop();
  });
});

describe('read horizon across databases', () => {
  it('is not held back by a transaction open in another database on the same server', async () => {
    const other = await createTestDatabase({
      adminUrl: inject('infra').postgresAdminUrl,
      migrations: [eventStoreMigrations],
      prefix: 'horizon_other',
      poolSize: 2,
    });
    try {
      const elsewhere = await other.pool.connect();
      await elsewhere.query('BEGIN');
      await elsewhere.query(`INSERT INTO subscription_checkpoints (subscription_name) VALUES ('holding')`);
      const head = (await store.horizon()).head;
      await store.append(`elsewhere-${randomUUID()}`, [{ type: 'Visible', data: {} }]);
      const visible = await store.readAll({ after: head, streamTypes: ['elsewhere'] });
      expect(visible.map((event) => event.type)).toEqual(['Visible']);
      await elsewhere.query('ROLLBACK');
      elsewhere.release();
    } finally {
      await other.drop();
    }
  });
});

describe('global order of transaction ids', () => {
  it('reads and reports the head in xid8 order, not as text (9 before 10)', async () => {
    // Rows carrying explicit, long-committed transaction ids whose text order is the reverse of theirs.
    for (const [xid, n] of [
      ['10', 2],
      ['9', 1],
    ] as const) {
      await db.adminPool.query(
        `INSERT INTO events (transaction_id, stream_id, stream_type, stream_version, event_id, event_type, data,
                             recorded_at, prev_hash, hash)
         VALUES ($1::xid8, $2, 'digits', 1, $3, 'Digit', $4, now(), $5, $5)`,
        [xid, `digits-${n}`, randomUUID(), JSON.stringify({ n }), '0'.repeat(64)],
      );
    }
    const read = await store.readAll({ streamTypes: ['digits'] });
    expect(read.map((event) => [event.transactionId, event.data])).toEqual([
      ['9', { n: 1 }],
      ['10', { n: 2 }],
    ]);
    const { rows } = await db.pool.query<{ t: string }>(
      'SELECT max(transaction_id)::text AS t FROM events WHERE transaction_id < es_read_horizon()',
    );
    expect((await store.horizon()).head.transactionId).toBe(rows[0]!.t);
  });
});
