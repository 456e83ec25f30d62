// Benchmark: the monitoring read models (children, placements, notices, homes, Reg 44/45, serious
// events — everything the analytics read) rebuilt from zero over 1,000,000 events, and GET history
// latency for a child with 200 entries.
//   node services/monitoring/bench/rebuild.bench.ts            (from the repository root)
// The events are written straight into the event store in batches (hash chain computed exactly as
// es_append would), not through Kafka: the scenario measures the replay, not the intake.
import { randomUUID } from 'node:crypto';
import { integrationEvents, subjectIdFor } from '@placements/contracts';
import { canonicalEvent, chainHash, GENESIS_HASH, withTransaction } from '@placements/event-store';
import { serviceMigrationDirs } from '@placements/service-kit';
import { devToken } from '@placements/service-kit/testing';
import autocannon from 'autocannon';
import type pg from 'pg';
import { benchDatabase, percentiles, report, round } from '../../../bench/lib.ts';
import { build, migrations, type Service } from '../src/app.ts';
import { historyStreamId, homeStreamId } from '../src/placement-history/history-entry.ts';
import {
  homeRegistered,
  type NoticeFacts,
  notificationAcknowledged,
  notificationDelivered,
  notificationRaised,
  type PlacementFacts,
  placementApprovalRecorded,
  placementEnded,
  placementProposed,
  placementStarted,
  referralPlaced,
  referralSubmitted,
} from '../src/testing/integration-events.ts';

const TOTAL_EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const ENTRIES_PER_CHILD = 200;
const HOMES = 500;
const CHILDREN = Math.max(1, Math.floor((TOTAL_EVENTS - HOMES) / ENTRIES_PER_CHILD));
const CHILDREN_PER_BATCH = 25;
const LAS = ['E09000014', 'E09000010', 'E08000007', 'E06000001', 'E10000002', 'E08000003'];
const REBUILD_TARGET_S = 120;
const HISTORY_P99_TARGET_MS = 30;

const log = (message: string) => process.stderr.write(`[rebuild.bench] ${message}\n`);

interface Row {
  streamId: string;
  streamType: string;
  version: number;
  eventId: string;
  type: string;
  data: unknown;
  metadata: object;
  recordedAt: string;
  prevHash: string;
  hash: string;
}

let clock = Date.parse('2020-01-01T00:00:00Z');
function nextInstant(): string {
  clock += 1_000;
  return new Date(clock).toISOString();
}

/** Appends a stream's events with the chain es_append would compute. */
function chain(
  streamId: string,
  streamType: string,
  events: { type: string; data: unknown; source: string }[],
): Row[] {
  let prev = GENESIS_HASH;
  return events.map((event, index) => {
    const eventId = randomUUID();
    const recordedAt = nextInstant();
    const metadata = {
      source: event.source,
      sourceEventId: randomUUID(),
      sourceType: `uk.placements.${event.source.slice(1)}.${event.type}.v1`,
      occurredAt: recordedAt,
    };
    const canonical = canonicalEvent({
      eventId,
      streamId,
      type: event.type,
      schemaVersion: 1,
      data: event.data,
      metadata,
      recordedAt,
    });
    const hash = chainHash(prev, canonical);
    const row: Row = {
      streamId,
      streamType,
      version: index + 1,
      eventId,
      type: event.type,
      data: event.data,
      metadata,
      recordedAt,
      prevHash: prev,
      hash,
    };
    prev = hash;
    return row;
  });
}

const homes = Array.from({ length: HOMES }, (_, i) => ({
  urn: `SC${String(100_000 + i).padStart(6, '0')}`,
  providerId: `P${1000 + (i % 120)}`,
  la: LAS[i % LAS.length]!,
  postcode: `N${(i % 20) + 1} ${i % 9}AB`,
}));

function isoDay(start: number, days: number): string {
  return new Date(start + days * 86_400_000).toISOString().slice(0, 10);
}

/** One child's 200-entry history: a referral, twelve placements with their notices, monthly Reg 44 visits. */
async function childHistory(
  host: Service,
  index: number,
): Promise<{ type: string; data: unknown; source: string }[]> {
  const placingLa = LAS[index % LAS.length]!;
  const childRef = `B${String(index).padStart(7, '0')}`;
  const referralId = randomUUID();
  const events: { type: string; data: unknown; source: string }[] = [];
  const referral = referralSubmitted({
    referralId,
    placingLa,
    childRef,
    submittedAt: '2021-01-05T10:00:00Z',
  });
  events.push({
    type: 'ReferralSubmitted',
    source: '/referral',
    data: await host.cipher.seal(referral, {
      subjectId: subjectIdFor(placingLa, childRef),
      fields: integrationEvents.ReferralSubmitted.personal,
    }),
  });
  const base = Date.parse('2021-02-01T00:00:00Z');
  let previous: PlacementFacts | undefined;
  for (let n = 0; n < 12; n++) {
    const home = homes[(index * 7 + n * 13) % homes.length]!;
    const start = isoDay(base, n * 120);
    const p: PlacementFacts = {
      placementId: randomUUID(),
      referralId,
      placingLa,
      childRef,
      homeUrn: home.urn,
      providerId: home.providerId,
      hostLa: home.la,
      outOfArea: home.la !== placingLa,
      atDistance: home.la !== placingLa && n % 2 === 0,
    };
    events.push({
      type: 'PlacementProposed',
      source: '/matching',
      data: placementProposed(p, {
        offerId: randomUUID(),
        plannedStart: start,
        proposedAt: `${start}T08:00:00Z`,
        homePostcode: home.postcode,
        distanceMiles: 5 + ((index + n) % 60),
        previousPlacementId: previous?.placementId ?? null,
        placeChangeReason: previous ? 'CARPL' : null,
      }),
    });
    events.push({
      type: 'PlacementApprovalRecorded',
      source: '/matching',
      data: placementApprovalRecorded(p, `${start}T08:30:00Z`),
    });
    const notice: NoticeFacts = {
      notificationId: randomUUID(),
      placementId: p.placementId,
      placingLa,
      childRef,
      homeUrn: home.urn,
      recipientOrg: home.la,
    };
    events.push({
      type: 'NotificationRaised',
      source: '/notification',
      data: notificationRaised(notice, {
        hostLa: home.la,
        dueBy: start,
        placementStart: start,
        raisedAt: `${start}T08:31:00Z`,
      }),
    });
    if (previous) {
      events.push({
        type: 'PlacementEnded',
        source: '/matching',
        data: placementEnded(previous, {
          endDate: start,
          reasonEnded: 'X1',
          endedAt: `${start}T09:00:00Z`,
          nextPlacementId: p.placementId,
        }),
      });
    }
    events.push({
      type: 'PlacementStarted',
      source: '/matching',
      data: placementStarted(p, {
        startDate: start,
        startedAt: `${start}T09:00:01Z`,
        previousPlacementId: previous?.placementId ?? null,
        placeChangeReason: previous ? 'CARPL' : null,
      }),
    });
    events.push({
      type: 'ReferralPlaced',
      source: '/referral',
      data: referralPlaced({
        referralId,
        placingLa,
        childRef,
        placementId: p.placementId,
        homeUrn: home.urn,
        startDate: start,
        placedAt: `${start}T09:00:02Z`,
      }),
    });
    events.push({
      type: 'NotificationDelivered',
      source: '/notification',
      data: notificationDelivered(notice, {
        deliveredAt: `${start}T08:40:00Z`,
        sentBeforeStart: n % 3 !== 0,
      }),
    });
    events.push({
      type: 'NotificationAcknowledged',
      source: '/notification',
      data: notificationAcknowledged(notice, `${start}T12:00:00Z`),
    });
    previous = p;
  }
  // Monthly Reg 44 visits at the child's homes fill the rest of the 200 entries.
  for (let n = 0; events.length < ENTRIES_PER_CHILD; n++) {
    const visitDate = isoDay(base, 15 + n * 14);
    const home = homes[(index * 7 + Math.min(11, Math.floor((n * 14) / 120)) * 13) % homes.length]!;
    events.push({
      type: 'Reg44VisitRecorded',
      source: '/monitoring',
      data: {
        visitId: randomUUID(),
        urn: home.urn,
        providerId: home.providerId,
        visitDate,
        visitorName: 'I. Person',
        announced: n % 2 === 0,
        childrenSafeguarded: 'yes',
        wellbeingPromoted: 'partly',
        summary: 'Monthly visit: staffing stable, records up to date.',
        recommendations: [],
        conflictOfInterest: 'none',
        reportDate: visitDate,
        placements: [{ placementId: previous!.placementId, placingLa, childRef }],
        recordedAt: `${visitDate}T15:00:00Z`,
      },
    });
  }
  return events;
}

async function insert(client: pg.PoolClient, rows: Row[]): Promise<void> {
  await client.query(
    `INSERT INTO events (stream_id, stream_type, stream_version, event_id, event_type, schema_version, data, metadata,
                         recorded_at, prev_hash, hash)
     SELECT s, t, v, e, ty, 1, d, m, r, p, h
       FROM unnest($1::text[], $2::text[], $3::int[], $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[],
                   $8::timestamptz[], $9::text[], $10::text[]) AS x(s, t, v, e, ty, d, m, r, p, h)`,
    [
      rows.map((row) => row.streamId),
      rows.map((row) => row.streamType),
      rows.map((row) => row.version),
      rows.map((row) => row.eventId),
      rows.map((row) => row.type),
      rows.map((row) => JSON.stringify(row.data)),
      rows.map((row) => JSON.stringify(row.metadata)),
      rows.map((row) => row.recordedAt),
      rows.map((row) => row.prevHash),
      rows.map((row) => row.hash),
    ],
  );
}

async function generate(host: Service, pool: pg.Pool): Promise<number> {
  let written = 0;
  const homeRows = homes.flatMap((home) =>
    chain(homeStreamId(home.urn), 'home', [
      { type: 'HomeRegistered', source: '/matching', data: homeRegistered(home, '2020-06-01T09:00:00Z') },
    ]),
  );
  await withTransaction(pool, (client) => insert(client, homeRows));
  written += homeRows.length;
  let pending: Promise<void> = Promise.resolve();
  const started = Date.now();
  for (let first = 0; first < CHILDREN; first += CHILDREN_PER_BATCH) {
    const rows: Row[] = [];
    for (let index = first; index < Math.min(CHILDREN, first + CHILDREN_PER_BATCH); index++) {
      const placingLa = LAS[index % LAS.length]!;
      const childRef = `B${String(index).padStart(7, '0')}`;
      rows.push(
        ...chain(historyStreamId({ placingLa, childRef }), 'history', await childHistory(host, index)),
      );
    }
    // Build the next batch while the database writes this one.
    await pending;
    pending = withTransaction(pool, (client) => insert(client, rows));
    written += rows.length;
    if ((first / CHILDREN_PER_BATCH) % 40 === 0)
      log(`generated ${written.toLocaleString()} events (${round((Date.now() - started) / 1000)} s)`);
  }
  await pending;
  return written;
}

async function historyLatency(address: string, connections: number, durationS: number) {
  const token = await devToken(LAS[0]!, 'placing-authority');
  const result = await autocannon({
    url: `${address}/v1/children/${LAS[0]}/B0000000/history`,
    connections,
    duration: durationS,
    headers: { authorization: `Bearer ${token}` },
  });
  return result;
}

const db = await benchDatabase('monitoring', serviceMigrationDirs(migrations, { keyStore: true }), 4);
const host = await build({
  env: {
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '4',
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    RUN_BACKGROUND: 'false',
    // The load is one principal's: the per-principal limit would answer most of it with 429.
    RATE_LIMIT_PER_MINUTE: '0',
  },
});
try {
  const generationStarted = Date.now();
  const events = await generate(host, db.pool);
  const generationS = (Date.now() - generationStarted) / 1000;
  log(`${events.toLocaleString()} events in the store after ${round(generationS)} s; rebuilding`);
  // A log written over months has been vacuumed (hint bits set) long before a rebuild reads it; a
  // log bulk-loaded a second ago has not, and the first read would pay for rewriting every page.
  const vacuumStarted = Date.now();
  await db.adminPool.query('VACUUM (ANALYZE) events');
  log(`vacuumed in ${round((Date.now() - vacuumStarted) / 1000)} s`);
  const rebuildStarted = Date.now();
  const counts = await host.rebuildProjections();
  const rebuildS = (Date.now() - rebuildStarted) / 1000;
  const { rows: tables } = await host.pool.query<{
    children: number;
    placements: number;
    notices: number;
    homes: number;
  }>(
    `SELECT (SELECT count(*)::int FROM monitoring_children) AS children,
            (SELECT count(*)::int FROM monitoring_placements) AS placements,
            (SELECT count(*)::int FROM monitoring_notices) AS notices,
            (SELECT count(*)::int FROM monitoring_homes) AS homes`,
  );
  report({
    scenario: 'monitoring: read models rebuilt from zero',
    figure: round(rebuildS),
    unit: 's',
    target: `<= ${REBUILD_TARGET_S} s for 1,000,000 events`,
    met: rebuildS <= REBUILD_TARGET_S,
    details: {
      events: counts['projection:read-models'] ?? 0,
      eventsPerSecond: Math.round((counts['projection:read-models'] ?? 0) / rebuildS),
      ...tables[0],
      generationSeconds: round(generationS),
    },
    conditions: `${CHILDREN} children x ${ENTRIES_PER_CHILD} history entries + ${HOMES} homes, one projection, batches of 2000, pool 4, 2 shared cores`,
  });

  // Analytics over the rebuilt read models, ops-wide (the widest query).
  await host.app.ready();
  const opsToken = await devToken('ops', 'ops');
  for (const path of ['stability', 'out-of-area', 'notification-compliance', 'reg44-compliance']) {
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const response = await host.app.inject({
        method: 'GET',
        url: `/v1/analytics/${path}?asOf=2024-12-31`,
        headers: { authorization: `Bearer ${opsToken}` },
      });
      if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode} ${response.body}`);
      samples.push(performance.now() - t);
    }
    const p = percentiles(samples);
    report({
      scenario: `monitoring: GET /v1/analytics/${path} (ops, all LAs)`,
      figure: round(p.p50),
      unit: 'ms',
      details: { p50: round(p.p50), max: round(p.max), samples: samples.length },
      conditions: `after the rebuild, ${CHILDREN} children, 12-month window, sequential requests`,
    });
  }

  const address = await host.listen();
  for (const connections of [1, 4]) {
    const result = await historyLatency(address, connections, 10);
    const p99 = result.latency.p99;
    report({
      scenario: `monitoring: GET child history (200 entries), ${connections} connection${connections === 1 ? '' : 's'}`,
      figure: p99,
      unit: 'ms (p99)',
      target: `p99 < ${HISTORY_P99_TARGET_MS} ms`,
      met: p99 < HISTORY_P99_TARGET_MS && result.non2xx === 0,
      details: {
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99,
        max: result.latency.max,
        requestsPerSecond: result.requests.average,
        requests: result.requests.total,
        non2xx: result.non2xx,
      },
      conditions: `autocannon ${connections} connection(s) x 10 s over HTTP; each read opens the child's sealed fields and writes its audit row; ${events.toLocaleString()} events in the store`,
    });
  }
} finally {
  await host.stop();
  await db.drop();
}
