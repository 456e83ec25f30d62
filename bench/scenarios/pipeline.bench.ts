// Whole-system scenarios: the four services as processes (the end-to-end harness) on the real
// database and broker, loaded from this separate process over loopback.
//   1. Referral submitted → shortlist readable through Kafka, at 20 referrals/s.
//   2. Out-of-area placement proposed → signed webhook received by the host authority, at 50/s.
//   3. Memory per service (RSS) under REST load, and its growth over a soak.
//   node bench/scenarios/pipeline.bench.ts [--soak-minutes 10] [--referrals 600] [--placements 1000]
//     [--only shortlist|webhook|memory ...] [--profile <dir>] [--node-options '<flags for the services>']   (--profile: CPU profiles of the four
//     services, written when they stop; summarise with bench/profile-summary.ts)
// Seeding, 600 referrals, setting up 1,000 placements and a 10-minute soak take some 20 minutes:
// bench-time-limit-seconds: 2400
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { generateReferrals } from '@placements/synthetic-data';
import { ensureTestRole } from '@placements/testing';
import autocannon from 'autocannon';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { RunningSystem, SERVICE_NAMES, token } from '../../e2e/harness.ts';
import { seedReferenceData } from '../../scripts/seed.ts';
import { cpuPerUnit, cpuTimes, kafkaBrokers, percentiles, postgresAdminUrl, report, round } from '../lib.ts';

const { values } = parseArgs({
  options: {
    'soak-minutes': { type: 'string', default: '10' },
    referrals: { type: 'string', default: '600' },
    placements: { type: 'string', default: '1000' },
    homes: { type: 'string', default: '3000' },
    only: { type: 'string', multiple: true },
    profile: { type: 'string' },
    'node-options': { type: 'string' },
  },
});
const run = (part: 'shortlist' | 'webhook' | 'memory') => !values.only || values.only.includes(part);
const SOAK_MINUTES = Number(values['soak-minutes']);
const REFERRALS = Number(values.referrals);
const PLACEMENTS = Number(values.placements);

const adminUrl = postgresAdminUrl();
await ensureTestRole(adminUrl);
const system = await RunningSystem.start({
  postgresAdminUrl: adminUrl,
  kafkaBrokers: kafkaBrokers(),
  env: {
    '*': {
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '0',
      DATABASE_POOL_SIZE: '10',
      NODE_OPTIONS: [
        values['node-options'] ?? '',
        values.profile ? `--cpu-prof --cpu-prof-dir=${values.profile}` : '',
      ]
        .join(' ')
        .trim(),
    },
  },
});

async function sleepUntil(due: number): Promise<void> {
  const wait = due - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** Sum of a gauge over every service's /metrics. */
async function metricSum(name: string): Promise<number> {
  let sum = 0;
  for (const service of SERVICE_NAMES) {
    const text = await (await fetch(system.url(service, '/metrics'))).text();
    for (const line of text.split('\n'))
      if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

/** A service's V8 heap and off-heap memory now, in MB, from its /metrics. */
async function heapOf(service: (typeof SERVICE_NAMES)[number]): Promise<Record<string, number>> {
  const text = await (await fetch(system.url(service, '/metrics'))).text();
  const value = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    return line ? round(Number(line.split(' ').at(-1)) / 2 ** 20, 0) : -1;
  };
  return {
    heapUsedMB: value('nodejs_heap_size_used_bytes'),
    heapTotalMB: value('nodejs_heap_size_total_bytes'),
    externalMB: value('nodejs_external_memory_bytes'),
  };
}

/** Waits until no relay has events to publish and no consumer lags, three checks in a row. */
async function settle(timeoutMs = 300_000): Promise<number> {
  const started = Date.now();
  let quiet = 0;
  while (quiet < 3) {
    if (Date.now() - started > timeoutMs) throw new Error('the platform did not settle after seeding');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const backlog = (await metricSum('outbox_relay_lag_events')) + (await metricSum('consumer_lag_messages'));
    quiet = backlog === 0 ? quiet + 1 : 0;
  }
  return Date.now() - started;
}

/**
 * Where a referral's time to shortlist goes, from the services' own records: appended in the
 * referral store → matching's consumer starts its transaction (relay, broker, and any wait behind
 * earlier messages) → the shortlist generated (the handler's work before it commits).
 */
async function shortlistStages(
  submittedAt: ReadonlyMap<string, number>,
): Promise<{ serverSide: number[]; stages: Record<string, number> }> {
  const referralIds = [...submittedAt.keys()];
  const referralDb = new pg.Client({ connectionString: system.database('referral').admin });
  const matchingDb = new pg.Client({ connectionString: system.database('matching').admin });
  await referralDb.connect();
  await matchingDb.connect();
  try {
    const appended = await referralDb.query<{ referral_id: string; event_id: string; recorded_at: Date }>(
      `SELECT substr(stream_id, 10) AS referral_id, event_id::text, recorded_at FROM events
        WHERE event_type = 'ReferralSubmitted' AND stream_id = ANY($1)`,
      [referralIds.map((id) => `referral-${id}`)],
    );
    const received = await matchingDb.query<{ message_id: string; received_at: Date }>(
      `SELECT message_id, received_at FROM inbox`,
    );
    const generated = await matchingDb.query<{ referral_id: string; generated_at: Date; stored_at: Date }>(
      'SELECT referral_id::text, generated_at, stored_at FROM shortlists WHERE referral_version = 1',
    );
    const publishedAt = await publishTimes(
      `${system.namespace}.placements.referral.v1`,
      appended.rows.length,
    );
    const receivedAt = new Map(received.rows.map((row) => [row.message_id, row.received_at.getTime()]));
    const generatedAt = new Map(generated.rows.map((row) => [row.referral_id, row.generated_at.getTime()]));
    const storedAt = new Map(generated.rows.map((row) => [row.referral_id, row.stored_at.getTime()]));
    const serverSide: number[] = [];
    for (const [id, submitted] of submittedAt) {
      const stored = storedAt.get(id);
      if (stored !== undefined) serverSide.push(stored - submitted);
    }
    const toBroker: number[] = [];
    const toConsumer: number[] = [];
    const inHandler: number[] = [];
    const ranking: number[] = [];
    for (const row of appended.rows) {
      const published = publishedAt.get(row.event_id);
      const start = receivedAt.get(row.event_id);
      const end = generatedAt.get(row.referral_id);
      if (published === undefined || start === undefined || end === undefined) continue;
      toBroker.push(published - row.recorded_at.getTime());
      toConsumer.push(start - published);
      inHandler.push(end - start);
      const stored = storedAt.get(row.referral_id);
      if (stored !== undefined) ranking.push(stored - end);
    }
    const stage = (name: string, samples: number[]) => {
      const { p50, p99 } = percentiles(samples);
      return { [`${name}P50Ms`]: round(p50, 1), [`${name}P99Ms`]: round(p99, 1) };
    };
    return {
      serverSide,
      stages: {
        ...stage('appendedToBroker', toBroker),
        ...stage('brokerToConsumer', toConsumer),
        ...stage('consumerToRanking', inHandler),
        ...stage('rankingToStored', ranking),
      },
    };
  } finally {
    await referralDb.end();
    await matchingDb.end();
  }
}

/** The broker's timestamp (the producer's create time) of each message on a topic, by CloudEvent id. */
async function publishTimes(topic: string, expected: number): Promise<Map<string, number>> {
  const kafka = new Kafka({ clientId: 'bench-stages', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${topic}.bench-stages` });
  const times = new Map<string, number>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const deadline = Date.now() + 30_000;
    await consumer.run({
      eachMessage: async ({ message }) => {
        const id = message.headers?.ce_id?.toString();
        if (id) times.set(id, Number(message.timestamp));
      },
    });
    while (times.size < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  } finally {
    await consumer.disconnect();
  }
  return times;
}

/** CPU used so far by each service, the load generator (this process), PostgreSQL and the broker. */
function processCpu(): Map<string, number> {
  const pids: Record<string, number> = { loadGenerator: process.pid };
  for (const service of SERVICE_NAMES) pids[service] = system.process(service).pid!;
  return cpuTimes({ pids, commands: ['postgres', 'java'] });
}

function rss(pid: number): number {
  return (
    Number(
      execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
        .toString()
        .trim(),
    ) / 1024
  );
}

/**
 * Where a process's resident memory is, in MB, from /proc/<pid>/smaps: node's own executable (its
 * code and data, mapped from the file), other files, malloc's main arena, anonymous mappings under
 * 1 MB in whole 256 kB pages (V8's heap pages, in use or pooled), other anonymous mappings under
 * 1 MB (mostly malloc's blocks above its 64 kB mmap threshold: Buffers, zlib) and larger ones
 * (malloc's second arena, the young generation, stacks).
 */
function rssComposition(pid: number): Record<string, number> {
  const parts = { node: 0, files: 0, mallocMain: 0, anonV8Pages: 0, anonSmall: 0, anonLarge: 0 };
  let part: keyof typeof parts = 'files';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      const size = Number.parseInt(mapping[2]!, 16) - Number.parseInt(mapping[1]!, 16);
      const name = mapping[3]!;
      if (name === process.execPath || name.endsWith('/bin/node')) part = 'node';
      else if (name === '[heap]') part = 'mallocMain';
      else if (name === '' || name.startsWith('[anon'))
        part = size >= 1 << 20 ? 'anonLarge' : size % (256 << 10) === 0 ? 'anonV8Pages' : 'anonSmall';
      else part = 'files';
      continue;
    }
    const rssKb = /^Rss:\s+(\d+) kB/.exec(line);
    if (rssKb) parts[part] += Number(rssKb[1]);
  }
  return Object.fromEntries(
    Object.entries(parts).map(([name, kb]) => [`rss_${name}MB`, round(kb / 1024, 0)]),
  );
}

try {
  const ops = await token('ops', 'ops');
  const regulator = await token('ofsted', 'regulator');
  await seedReferenceData({
    matchingUrl: system.url('matching'),
    opsToken: ops,
    regulatorToken: regulator,
    count: Number(values.homes),
  });

  // The seed's events (thousands of home registrations and inspections) are still being published
  // and consumed by every service: measure once the platform is quiet, not while it digests them.
  const settled = await settle();
  console.error(`settled after seeding in ${round(settled / 1000, 1)} s`);

  const generated = generateReferrals({
    count: REFERRALS + PLACEMENTS,
    seed: 77,
    asOf: new Date().toISOString().slice(0, 10),
  });
  const laTokens = new Map<string, string>();
  const laToken = async (la: string) => {
    if (!laTokens.has(la)) laTokens.set(la, await token(la, 'placing-authority'));
    return laTokens.get(la)!;
  };
  // 1. Referral → shortlist readable, at 20/s.
  if (run('shortlist')) {
    const readable: number[] = [];
    const referralIds: string[] = [];
    const submittedAt = new Map<string, number>();
    const cpuBefore = processCpu();
    const started = performance.now();
    await Promise.all(
      generated.slice(0, REFERRALS).map(async (referral, i) => {
        await sleepUntil(started + (i * 1000) / 20);
        const bearer = await laToken(referral.placingLa);
        const t0 = performance.now();
        const submitted = await system.call<{ id: string; submittedAt: string }>(
          'referral',
          'POST',
          '/v1/referrals',
          {
            token: bearer,
            body: { ...referral.body, childRef: `B${i}` },
          },
        );
        if (submitted.status !== 201) throw new Error(`referral ${i}: ${submitted.status} ${submitted.text}`);
        referralIds.push(submitted.body.id);
        submittedAt.set(submitted.body.id, Date.parse(submitted.body.submittedAt));
        const url = system.url('matching', `/v1/referrals/${submitted.body.id}/shortlist`);
        for (;;) {
          // Polling is the client's view only; the figure comes from the services' own timestamps, so
          // the poll stays gentle (once a second) and reads only the status (the body, some 50 kB
          // gzipped, is dropped unread): the load generator shares the two cores with what it measures.
          const response = await fetch(url, { headers: { authorization: `Bearer ${bearer}` } });
          await response.body?.cancel();
          if (response.status === 200) {
            readable.push(performance.now() - t0);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      }),
    );
    const cpu = cpuPerUnit(cpuBefore, processCpu(), REFERRALS);
    const readableStats = percentiles(readable);
    const { serverSide, stages } = await shortlistStages(submittedAt);
    const serverStats = percentiles(serverSide);
    report({
      scenario: 'Referral submitted → shortlist readable (through Kafka)',
      figure: round(serverStats.p99, 1),
      unit: 'ms (p99)',
      target: 'p50 < 150 ms, p99 < 500 ms at 20 referrals/s',
      met: serverStats.p50 < 150 && serverStats.p99 < 500,
      details: {
        p50Ms: round(serverStats.p50, 1),
        p90Ms: round(serverStats.p90, 1),
        clientObservedP50Ms: round(readableStats.p50, 1),
        clientObservedP99Ms: round(readableStats.p99, 1),
        referrals: readable.length,
        ...stages,
        ...Object.fromEntries(Object.entries(cpu).map(([group, ms]) => [`cpuMsPerReferral_${group}`, ms])),
      },
      conditions: `${REFERRALS} referrals at 20/s against ${values.homes} homes; latency from the services' own timestamps: the shortlist's stored_at (the clock as the view is written, in the transaction that makes it readable) − the referral's submittedAt; client observed = POST to the first 200 on GET shortlist, polled once a second; stages: appended in the referral store → on the broker (message timestamp) → matching's consumer transaction starts → ranking starts (generatedAt) → view stored`,
    });
  }

  // 2. Out-of-area placement proposed → signed webhook received, at 50/s.
  if (run('webhook')) {
    const arrivals = new Map<string, number>();
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        const event = JSON.parse(body) as { type: string; data: { placementId: string } };
        if (event.type === 'out-of-area.placement-notice' && !arrivals.has(event.data.placementId)) {
          arrivals.set(event.data.placementId, performance.now());
        }
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notices`;
    // One subscription per host authority, however many setup workers reach it at once.
    const subscribed = new Map<string, Promise<unknown>>();
    const ready: { la: string; offerId: string }[] = [];
    const candidates = generated.slice(REFERRALS).entries();
    // Setting up (referral, shortlist, offer, acceptance) is not measured: eight at a time.
    const prepare = async (i: number, referral: (typeof generated)[number]): Promise<void> => {
      const bearer = await laToken(referral.placingLa);
      const submitted = await system.call<{ id: string }>('referral', 'POST', '/v1/referrals', {
        token: bearer,
        body: { ...referral.body, childRef: `P${i}` },
      });
      if (submitted.status !== 201) return;
      const shortlist = await system.eventually<{
        candidates: { urn: string; outOfArea: boolean; freePlaces: number; weeklyFee: number }[];
      }>(
        'matching',
        `/v1/referrals/${submitted.body.id}/shortlist`,
        bearer,
        (response) => response.status === 200,
      );
      const candidate = shortlist.body.candidates.find((c) => c.outOfArea && c.freePlaces > 0);
      if (!candidate) return;
      const home = await system.call<{ providerId: string; la: string }>(
        'matching',
        'GET',
        `/v1/homes/${candidate.urn}`,
        { token: bearer },
      );
      if (!subscribed.has(home.body.la)) {
        subscribed.set(
          home.body.la,
          token(home.body.la, 'host-authority').then((host) =>
            system.call('notification', 'POST', '/v1/subscriptions', {
              token: host,
              body: { url: receiverUrl, eventTypes: ['out-of-area.placement-notice'] },
            }),
          ),
        );
      }
      await subscribed.get(home.body.la);
      const offer = await system.call<{ id: string }>(
        'matching',
        'POST',
        `/v1/referrals/${submitted.body.id}/offers`,
        { token: bearer, body: { homeUrn: candidate.urn, note: 'bench' } },
      );
      if (offer.status !== 201) return;
      const provider = await token(home.body.providerId, 'provider');
      const accepted = await system.call('matching', 'POST', `/v1/offers/${offer.body.id}/accept`, {
        token: provider,
        body: { weeklyFee: candidate.weeklyFee, earliestStart: new Date().toISOString().slice(0, 10) },
      });
      if (accepted.status === 200 && ready.length < PLACEMENTS)
        ready.push({ la: referral.placingLa, offerId: offer.body.id });
    };
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (const [i, referral] of candidates) {
          if (ready.length >= PLACEMENTS) return;
          await prepare(i, referral);
        }
      }),
    );
    const proposedAt = new Map<string, number>();
    const cpuBefore = processCpu();
    const proposeStart = performance.now();
    await Promise.all(
      ready.map(async (item, i) => {
        await sleepUntil(proposeStart + (i * 1000) / 50);
        const t0 = performance.now();
        const placement = await system.call<{ id: string }>('matching', 'POST', '/v1/placements', {
          token: await laToken(item.la),
          body: {
            offerId: item.offerId,
            plannedStart: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10),
            emergency: false,
            justification: 'bench: nothing nearer meets the need',
            previousPlacementId: null,
            placeChangeReason: null,
          },
        });
        if (placement.status === 201) proposedAt.set(placement.body.id, t0);
      }),
    );
    const deadline = Date.now() + 60_000;
    while (arrivals.size < proposedAt.size && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));
    receiver.close();
    const cpu = cpuPerUnit(cpuBefore, processCpu(), Math.max(1, proposedAt.size));
    const webhookLatency = [...proposedAt]
      .filter(([id]) => arrivals.has(id))
      .map(([id, t0]) => arrivals.get(id)! - t0);
    const webhookStats = percentiles(webhookLatency);
    report({
      scenario: 'Out-of-area placement proposed → signed webhook received',
      figure: round(webhookStats.p99, 1),
      unit: 'ms (p99)',
      target: 'p99 < 1 s at 50/s',
      met: webhookStats.p99 < 1000 && webhookLatency.length === proposedAt.size,
      details: {
        p50Ms: round(webhookStats.p50, 1),
        p90Ms: round(webhookStats.p90, 1),
        proposed: proposedAt.size,
        received: webhookLatency.length,
        ...Object.fromEntries(Object.entries(cpu).map(([group, ms]) => [`cpuMsPerPlacement_${group}`, ms])),
      },
      conditions: `${proposedAt.size} out-of-area proposals at 50/s; from POST /v1/placements to the webhook arriving at a local receiver`,
    });
  }

  // 3. Memory under REST load over a soak.
  if (run('memory')) {
    const bearer = await laToken(generated[0]!.placingLa);
    const anyReferral = await system.call<{ items: { id: string }[] }>(
      'referral',
      'GET',
      '/v1/referrals?limit=1',
      { token: bearer },
    );
    const referralId = anyReferral.body.items[0]?.id;
    const pids = new Map(SERVICE_NAMES.map((service) => [service, system.process(service).pid!]));
    const baseline = new Map([...pids].map(([service, pid]) => [service, rss(pid)]));
    const peak = new Map(baseline);
    const samples = new Map<string, number[]>(SERVICE_NAMES.map((service) => [service, []]));
    const soakEnd = Date.now() + SOAK_MINUTES * 60_000;
    let minute = 0;
    while (Date.now() < soakEnd) {
      await Promise.all([
        autocannon({
          url: system.url('referral', `/v1/referrals/${referralId}`),
          connections: 16,
          duration: 20,
          headers: { authorization: `Bearer ${bearer}` },
        }),
        autocannon({
          url: system.url('matching', `/v1/referrals/${referralId}/shortlist`),
          connections: 8,
          duration: 20,
          headers: { authorization: `Bearer ${bearer}` },
        }),
        autocannon({
          url: system.url('notification', '/v1/notifications?limit=20'),
          connections: 4,
          duration: 20,
          headers: { authorization: `Bearer ${ops}` },
        }),
        autocannon({
          url: system.url('monitoring', '/v1/compliance/reg44'),
          connections: 4,
          duration: 20,
          headers: { authorization: `Bearer ${ops}` },
        }),
      ]);
      for (const [service, pid] of pids) {
        const value = rss(pid);
        samples.get(service)!.push(value);
        peak.set(service, Math.max(peak.get(service)!, value));
      }
      minute += 1 / 3;
    }
    for (const service of SERVICE_NAMES) {
      const series = samples.get(service)!;
      const firstMinute = series.slice(0, 3);
      const lastMinute = series.slice(-3);
      const early = firstMinute.reduce((a, b) => a + b, 0) / Math.max(1, firstMinute.length);
      const late = lastMinute.reduce((a, b) => a + b, 0) / Math.max(1, lastMinute.length);
      const growth = early > 0 ? (late - early) / early : 0;
      report({
        scenario: `Memory under REST load: ${service}`,
        figure: round(peak.get(service)!, 0),
        unit: 'MB RSS (peak)',
        target: 'RSS <= 200 MB; <= 10% growth over the soak',
        met: peak.get(service)! <= 200 && growth <= 0.1,
        details: {
          baselineMB: round(baseline.get(service)!, 0),
          firstMinuteMB: round(early, 0),
          lastMinuteMB: round(late, 0),
          growthPercent: round(growth * 100, 1),
          ...(await heapOf(service)),
          ...rssComposition(pids.get(service)!),
        },
        conditions: `${round(minute, 1)} min soak of GET load on all four services (autocannon, 32 connections in total), RSS sampled every 20 s`,
      });
    }
  }
} finally {
  // A CPU profile is written as a service exits, which takes a while for a busy one.
  await system.stop({ graceMs: values.profile ? 120_000 : 20_000 });
}
process.exit(0);
