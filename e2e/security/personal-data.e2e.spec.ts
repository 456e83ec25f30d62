// A child's personal data stays where it belongs. With the four services logging at debug level, a
// full lifecycle (referral, shortlist, offer, acceptance, out-of-area placement with approval,
// notices delivered by signed webhook and acknowledged, Reg 44 visit, Reg 45 review, serious event,
// history, SSDA903 export, end of placement) must leave the child's date of birth, postcode,
// ethnicity, views and the free text written about the child out of every log line, every Kafka
// header on every topic, every URL requested and every webhook. Then the erasure command shreds
// the child's key: every service's API, every raw Kafka message and the export can no longer give
// the personal fields back, while every hash chain in every service still verifies.
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isErased, subjectIdFor } from '@placements/contracts';
import {
  isSealedField,
  PersonalDataCipher,
  PostgresEventStore,
  PostgresKeyStore,
} from '@placements/event-store';
import { DEV_DATA_KEY_ENCRYPTION_KEY } from '@placements/service-kit';
import { databaseUrl, TEST_SERVICE_ROLE, testKafka } from '@placements/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RunningSystem, SERVICE_NAMES, token } from '../harness.ts';
import {
  buildWorld,
  CHILD,
  CHILD_VIEWS,
  ENFIELD,
  HARINGEY,
  HOME_A,
  PROVIDER_A,
  today,
  type World,
} from './world.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const [dobYear, dobMonth, dobDay] = CHILD.dateOfBirth.split('-');
const [outward, inward] = CHILD.homePostcode.split(' ');

/** Every way the child's personal data could be spelled in a side channel. */
const PERSONAL: { what: string; pattern: RegExp }[] = [
  {
    what: 'date of birth',
    pattern: new RegExp(
      `${CHILD.dateOfBirth}|${dobDay}/${dobMonth}/${dobYear}|${dobYear}${dobMonth}${dobDay}`,
    ),
  },
  { what: 'postcode', pattern: new RegExp(`${outward}(\\s|\\+|%20)?${inward}`, 'i') },
  // As a code on its own, not as four letters inside base64 or a longer word.
  { what: 'ethnicity', pattern: new RegExp(`(^|[^A-Za-z0-9+/])${CHILD.ethnicity}([^A-Za-z0-9+/=]|$)`) },
  {
    what: 'views',
    pattern: new RegExp(`${literal(CHILD_VIEWS.slice(0, 30))}|${literal(CHILD_VIEWS.slice(-30))}`),
  },
  { what: 'offer note', pattern: /Education support on site/ },
  { what: 'justification', pattern: /close to her brother/ },
  { what: 'serious event summary', pattern: /Police called after an incident/ },
  { what: 'end note', pattern: /Returned home to her mother/ },
];

function leaks(text: string): string[] {
  return PERSONAL.filter(({ pattern }) => pattern.test(text)).map(({ what }) => what);
}

const requestedUrls: string[] = [];
const realFetch = globalThis.fetch;
let system: RunningSystem;
let world: World;
let receiver: Server;
const webhooks: { url: string; headers: Record<string, unknown>; body: string }[] = [];
const infra = () => inject('infra');

interface RawMessage {
  topic: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** Every message on every topic of the system's namespace, read raw from the beginning. */
async function readNamespace(idleMs = 4_000): Promise<RawMessage[]> {
  const kafka = testKafka(infra().kafkaBrokers, `security-reader-${randomInt(1e9)}`);
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(`${system.namespace}.`));
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `security-reader-${randomInt(1e9)}` });
  const messages: RawMessage[] = [];
  let last = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        last = Date.now();
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {}))
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value.toString();
        messages.push({
          topic,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers,
        });
      },
    });
    const started = Date.now();
    while (Date.now() - last < idleMs || Date.now() - started < idleMs * 2) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await consumer.disconnect();
  }
  expect(new Set(messages.map((message) => message.topic)).size).toBeGreaterThanOrEqual(4);
  return messages;
}

function serviceDatabase(name: string, admin = false): string {
  const database = `${system.namespace}_${name}`;
  return admin
    ? databaseUrl(infra().postgresAdminUrl, database)
    : databaseUrl(infra().postgresAdminUrl, database, {
        user: TEST_SERVICE_ROLE,
        password: 'placements-test',
      });
}

beforeAll(async () => {
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    requestedUrls.push(input instanceof Request ? input.url : String(input));
    return realFetch(input, init);
  }) as typeof fetch;
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      webhooks.push({ url: request.url ?? '', headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  system = await RunningSystem.start({
    postgresAdminUrl: infra().postgresAdminUrl,
    kafkaBrokers: infra().kafkaBrokers,
    env: { '*': { LOG_LEVEL: 'debug' } },
  });
  const host = await token(ENFIELD, 'host-authority');
  const subscribed = await system.call('notification', 'POST', '/v1/subscriptions', {
    token: host,
    body: {
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notices`,
      eventTypes: ['out-of-area.placement-notice', 'out-of-area.departure-notice'],
    },
  });
  expect(subscribed.status, subscribed.text).toBe(201);
  world = await buildWorld(system, `PD${randomInt(100_000, 999_999)}`);
});

afterAll(async () => {
  globalThis.fetch = realFetch;
  receiver?.close();
  await system?.stop();
});

describe('personal data out of side channels', () => {
  it('a full lifecycle at debug level leaves no personal data in logs, Kafka headers, URLs or webhooks', async () => {
    const la = await token(HARINGEY, 'placing-authority');
    const host = await token(ENFIELD, 'host-authority');
    await system.eventually('notification', `/v1/notifications/${world.notificationId}`, host, (r) => {
      return r.status === 200 && (r.body as { deliveredAt: string | null }).deliveredAt !== null;
    });
    const acknowledged = await system.call(
      'notification',
      'POST',
      `/v1/notifications/${world.notificationId}/acknowledge`,
      {
        token: host,
      },
    );
    expect(acknowledged.status, acknowledged.text).toBe(200);
    for (const path of [`/v1/referrals/${world.referralId}`, `/v1/referrals?childRef=${world.childRef}`]) {
      expect((await system.call('referral', 'GET', path, { token: la })).status).toBe(200);
    }
    const ended = await system.call('matching', 'POST', `/v1/placements/${world.placementId}/end`, {
      token: la,
      body: { endDate: today(), reasonEnded: 'E13', note: 'Returned home to her mother and brother.' },
    });
    expect(ended.status, ended.text).toBe(200);
    await system.eventually(
      'monitoring',
      `/v1/children/${HARINGEY}/${world.childRef}/history`,
      la,
      (r) =>
        r.status === 200 && r.text.includes('PlacementEnded') && r.text.includes('NotificationAcknowledged'),
      60_000,
    );
    const history = await system.call(
      'monitoring',
      'GET',
      `/v1/children/${HARINGEY}/${world.childRef}/history`,
      {
        token: la,
      },
    );
    // The owning LA does read the child's details: the test data is where it should be.
    expect(leaks(history.text)).toEqual(
      expect.arrayContaining(['date of birth', 'postcode', 'ethnicity', 'views']),
    );
    await system.eventually(
      'notification',
      '/v1/notifications?kind=out-of-area.departure-notice',
      host,
      (r) => r.text.includes(world.placementId),
    );
    await expect.poll(() => webhooks.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);

    const messages = await readNamespace();
    const headerLeaks = messages.flatMap((message) =>
      leaks(JSON.stringify({ key: message.key, headers: message.headers })).map(
        (what) => `${message.topic}: ${what}`,
      ),
    );
    const valueLeaks = messages.flatMap((message) =>
      leaks(message.value ?? '').map((what) => `${message.topic} value: ${what}`),
    );
    const logLines = SERVICE_NAMES.flatMap((service) =>
      system.logs.get(service)!.map((line) => `${service}: ${line}`),
    );
    const logLeaks = logLines.filter((line) => leaks(line).length > 0);
    const urlLeaks = requestedUrls.filter(
      (url) => leaks(decodeURIComponent(url)).length > 0 || leaks(url).length > 0,
    );
    const webhookLeaks = webhooks.filter((webhook) => leaks(JSON.stringify(webhook)).length > 0);

    process.stdout.write(
      `SECURITY side channels: ${logLines.length} log lines, ${messages.length} Kafka messages on ${new Set(messages.map((m) => m.topic)).size} topics, ${requestedUrls.length} URLs, ${webhooks.length} webhooks checked\n`,
    );
    expect(logLines.length).toBeGreaterThan(100);
    expect(logLines.some((line) => line.includes('"level":"debug"'))).toBe(true);
    expect(logLeaks).toEqual([]);
    expect(headerLeaks).toEqual([]);
    // Values carry personal fields sealed, never in the clear.
    expect(valueLeaks).toEqual([]);
    expect(urlLeaks).toEqual([]);
    expect(webhookLeaks).toEqual([]);
  });
});

describe('erasure', () => {
  it('after the erasure command the child’s personal fields are unreadable in every API, topic and export, and every chain verifies', async () => {
    const la = await token(HARINGEY, 'placing-authority');
    const subject = subjectIdFor(HARINGEY, world.childRef);
    const erase = await run(
      process.execPath,
      [
        'scripts/erase-child.ts',
        '--la',
        HARINGEY,
        '--child',
        world.childRef,
        '--reason',
        'UK GDPR art. 17 request, ticket SEC-42',
        '--operator',
        'ops.erasure@placements',
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: serviceDatabase('referral'),
          KEYSTORE_DATABASE_URL: serviceDatabase('keys'),
        },
      },
    );
    expect(erase.stdout).toContain('shredded');
    expect(erase.stdout).toContain('recorded');

    // Every service purges on SubjectErased; the read models and caches follow within seconds.
    const provider = await token(PROVIDER_A, 'provider');
    const ops = await token('ops', 'ops');
    await system.eventually(
      'matching',
      `/v1/referrals/${world.referralId}/shortlist`,
      la,
      (r) => r.status === 404,
      60_000,
    );
    const referral = await system.eventually<{ child: unknown; childViews: unknown }>(
      'referral',
      `/v1/referrals/${world.referralId}`,
      la,
      (r) => isErased(r.body.child),
      60_000,
    );
    expect(referral.body.childViews).toEqual({ $erased: true });
    const history = await system.call<{ entries: { type: string; data: Record<string, unknown> }[] }>(
      'monitoring',
      'GET',
      `/v1/children/${HARINGEY}/${world.childRef}/history`,
      { token: la },
    );
    const submitted = history.body.entries.find((entry) => entry.type === 'ReferralSubmitted')!;
    expect(submitted.data.child).toEqual({ $erased: true });
    expect(submitted.data.childViews).toEqual({ $erased: true });
    const events = await system.eventually<{ items: { summary: unknown }[] }>(
      'monitoring',
      `/v1/homes/${HOME_A.urn}/serious-events`,
      provider,
      (r) =>
        r.status === 200 &&
        r.body.items.every((item) => !isErased(item.summary) === false || typeof item.summary !== 'string'),
    );
    expect(events.body.items.some((item) => isErased(item.summary))).toBe(true);

    const year = (() => {
      const [y, m] = today().split('-').map(Number) as [number, number];
      const start = m >= 4 ? y : y - 1;
      return `${start}-${String((start + 1) % 100).padStart(2, '0')}`;
    })();
    const reads = [
      await system.call('referral', 'GET', `/v1/referrals/${world.referralId}`, { token: la }),
      await system.call('referral', 'GET', `/v1/referrals?childRef=${world.childRef}`, { token: la }),
      await system.call('referral', 'GET', `/v1/referrals/${world.referralId}`, { token: ops }),
      await system.call('matching', 'GET', `/v1/offers/${world.offerId}`, { token: la }),
      await system.call('matching', 'GET', `/v1/placements/${world.placementId}`, { token: la }),
      await system.call('matching', 'GET', `/v1/placements?childRef=${world.childRef}`, { token: la }),
      await system.call('notification', 'GET', `/v1/notifications/${world.notificationId}`, { token: la }),
      await system.call('notification', 'GET', '/v1/notifications', { token: la }),
      history,
      await system.call('monitoring', 'GET', `/v1/homes/${HOME_A.urn}/serious-events`, { token: la }),
      await system.call('monitoring', 'GET', `/v1/exports/ssda903/header?year=${year}`, { token: la }),
      await system.call('monitoring', 'GET', `/v1/exports/ssda903/episodes?year=${year}`, { token: la }),
    ];
    for (const read of reads) expect(read.status, read.text.slice(0, 300)).toBeLessThan(500);
    const apiLeaks = reads.flatMap((read) => leaks(read.text));
    expect(apiLeaks).toEqual([]);
    const header = reads[10]!.text.split(/\r?\n/).find((line) => line.startsWith(`${world.childRef},`));
    expect(header, 'the child is still in the header file, without personal fields').toBeDefined();

    // Raw Kafka: sealed fields of the child stay sealed and can no longer be opened; the erasure
    // itself was published; nothing personal is in any value in the clear.
    const keys = new pg.Pool({ connectionString: serviceDatabase('keys'), max: 1 });
    const cipher = new PersonalDataCipher(
      new PostgresKeyStore(keys, { keyEncryptionKey: Buffer.from(DEV_DATA_KEY_ENCRYPTION_KEY, 'base64') }),
    );
    try {
      const messages = await readNamespace();
      const erasures = messages.filter(
        (message) => message.headers.ce_type === 'uk.placements.referral.SubjectErased.v1',
      );
      expect(erasures).toHaveLength(1);
      expect(erasures[0]!.topic).toBe(`${system.namespace}.placements.subject.v1`);
      let sealed = 0;
      for (const message of messages) {
        expect(leaks(message.value ?? ''), message.topic).toEqual([]);
        if (!message.value?.includes(subject)) continue;
        const data = JSON.parse(message.value) as Record<string, unknown>;
        const fields = Object.entries(data).filter(
          ([, value]) => isSealedField(value) && value.sub === subject,
        );
        sealed += fields.length;
        const opened = (await cipher.open(Object.fromEntries(fields))) as Record<string, unknown>;
        for (const [field] of fields)
          expect(opened[field], `${message.topic} ${field}`).toEqual({ $erased: true });
      }
      expect(sealed).toBeGreaterThanOrEqual(5);
      process.stdout.write(
        `SECURITY erasure: ${messages.length} Kafka messages read, ${sealed} sealed fields of the child can no longer be opened\n`,
      );
    } finally {
      await keys.end();
    }

    // Every stream of every service still verifies: the chains cover ciphertext, not keys.
    let streams = 0;
    for (const service of SERVICE_NAMES) {
      const pool = new pg.Pool({ connectionString: serviceDatabase(service, true), max: 2 });
      try {
        const store = new PostgresEventStore({ pool });
        const { rows } = await pool.query<{ stream_id: string }>('SELECT DISTINCT stream_id FROM events');
        for (const row of rows) {
          const verification = await store.verifyStream(row.stream_id);
          expect(verification.valid, `${service} ${row.stream_id}`).toBe(true);
          streams += 1;
        }
      } finally {
        await pool.end();
      }
    }
    expect(streams).toBeGreaterThan(10);
    const verify = await system.call<{ valid: boolean }>(
      'monitoring',
      'GET',
      `/v1/children/${HARINGEY}/${world.childRef}/history/verify`,
      { token: la },
    );
    expect(verify.body.valid).toBe(true);

    // The erasure is on record, for ops and the owning LA.
    const audit = await system.call<{ items: { action: string; sub: string }[] }>(
      'referral',
      'GET',
      `/v1/audit?childRef=${world.childRef}`,
      { token: la },
    );
    expect(audit.body.items.filter((item) => item.action === 'subject.erase')).toEqual([
      expect.objectContaining({ sub: 'ops.erasure@placements' }),
    ]);
  });
});
