// Commissioning intelligence at national scale: the synthetic national dataset (2,500 homes, 3,000
// referrals a year with their shortlists, offers, placements, notices and Reg 44 visits) recorded
// through the intake consumer's handler and projected, then the heaviest read endpoints under
// load with autocannon. The service runs in its own process (forked from this script), listening
// on loopback, with commissioning registered as the monitoring service will have it.
//   node packages/commissioning/bench/commissioning.bench.ts [seconds-per-endpoint]
import { fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ServiceHost, serviceMigrationDirs } from '@placements/service-kit';
import { devToken, testEnv, testNamespace } from '@placements/service-kit/testing';
import autocannon from 'autocannon';
import { benchDatabase, kafkaBrokers, report } from '../../../bench/lib.ts';
import { commissioningMigrations, registerCommissioning } from '../src/register.ts';
import { feed } from '../src/test-support/feed.ts';
import { buildWorld } from '../src/test-support/world.ts';

const SERVE = process.argv[2] === '--serve';
const NOW = new Date('2026-06-15T11:00:00Z');
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

if (SERVE) {
  const host = await ServiceHost.create({
    name: 'monitoring',
    title: 'Commissioning bench host',
    description: 'A host with commissioning registered.',
    env: process.env,
    migrations: [commissioningMigrations],
    clock: () => NOW,
  });
  registerCommissioning(host, { console: false });
  await host.start({ messaging: false });
  const address = await host.listen();
  process.send?.({ address });
  process.on('message', async (message) => {
    if (message === 'feed') {
      const started = performance.now();
      const world = buildWorld({
        seed: 'bench',
        homes: 2500,
        referrals: 3000,
        asOf: '2026-06-14',
        months: 12,
      });
      const built = performance.now();
      await feed(host, world.events, { project: false });
      const fed = performance.now();
      await host.catchUpProjections();
      const projected = performance.now();
      process.send?.({
        events: world.events.length,
        buildMs: built - started,
        intakeMs: fed - built,
        projectionMs: projected - fed,
      });
    }
    if (message === 'stop') {
      await host.stop();
      process.exit(0);
    }
  });
} else {
  await main();
}

function machine(): string {
  return `${availableParallelism()} cores, load ${round(loadavg()[0]!, 2)}`;
}

async function main(): Promise<void> {
  const SECONDS = Number(process.argv[2] ?? 10);
  const CONNECTIONS = 4;
  const db = await benchDatabase(
    'commissioning',
    serviceMigrationDirs([commissioningMigrations], { keyStore: true }),
    2,
  );
  const env = testEnv({
    databaseUrl: db.url,
    kafkaBrokers: kafkaBrokers(),
    namespace: testNamespace(),
    overrides: { LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '8', NODE_ENV: 'development' },
  });
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { env: { ...process.env, ...env } });
  const ask = <T>(message: string) =>
    new Promise<T>((resolve, reject) => {
      child.once('message', (reply) => resolve(reply as T));
      child.once('exit', (code) => reject(new Error(`the service exited with ${code}`)));
      if (message) child.send(message);
    });
  try {
    const { address } = await ask<{ address: string }>('');
    const loaded = await ask<{ events: number; buildMs: number; intakeMs: number; projectionMs: number }>(
      'feed',
    );
    const intakeRate = loaded.events / (loaded.intakeMs / 1000);
    report({
      scenario: 'Commissioning intake (consumer handler: fact append + inbox-free batch)',
      figure: Math.round(intakeRate),
      unit: 'events/s',
      target: '>= 200 events/s (the whole platform publishes far fewer at national volume)',
      met: intakeRate >= 200,
      details: {
        events: loaded.events,
        intake_s: round(loaded.intakeMs / 1000),
        projection_s: round(loaded.projectionMs / 1000),
        projection_events_per_s: Math.round(loaded.events / (loaded.projectionMs / 1000)),
        world_build_s: round(loaded.buildMs / 1000),
      },
      conditions: `national synthetic dataset (2,500 homes, 3,000 referrals in a year, with shortlists, offers, placements, notices, visits), batches of 400 per transaction, one process; ${machine()}`,
    });

    const endpoints: {
      name: string;
      path: string;
      org: string;
      role: 'ops' | 'commissioner' | 'placing-authority';
      targetMs: number;
    }[] = [
      {
        name: 'GET /v1/commissioning/gaps (9 regions × 45 need cells, ops)',
        path: '/v1/commissioning/gaps?level=region',
        org: 'ops',
        role: 'ops',
        targetMs: 2000,
      },
      {
        name: 'GET /v1/commissioning/gaps (consortium, protected)',
        path: '/v1/commissioning/gaps?level=la',
        org: 'consortium:greater-manchester',
        role: 'commissioner',
        targetMs: 1000,
      },
      {
        name: 'GET /v1/commissioning/forecast (England, MSTL + backtest)',
        path: '/v1/commissioning/forecast',
        org: 'ops',
        role: 'ops',
        targetMs: 500,
      },
      {
        name: 'GET /v1/commissioning/market/providers (regions)',
        path: '/v1/commissioning/market/providers',
        org: 'ops',
        role: 'ops',
        targetMs: 1000,
      },
      {
        name: 'GET /v1/commissioning/placements (one LA)',
        path: '/v1/commissioning/placements',
        org: 'E08000003',
        role: 'placing-authority',
        targetMs: 250,
      },
    ];
    for (const endpoint of endpoints) {
      const authorization = `Bearer ${await devToken(endpoint.org, endpoint.role, { ttlSeconds: 3600 })}`;
      // The first request computes; the rest are answered from the result cache until a new fact lands.
      const coldStart = performance.now();
      const cold = await fetch(`${address}${endpoint.path}`, { headers: { authorization } });
      await cold.arrayBuffer();
      const coldMs = Math.round(performance.now() - coldStart);
      const run = (duration: number) =>
        autocannon({
          url: `${address}${endpoint.path}`,
          connections: CONNECTIONS,
          duration,
          headers: { authorization },
        });
      await run(2);
      const result = await run(SECONDS);
      report({
        scenario: `Commissioning ${endpoint.name}`,
        figure: result.latency.p50,
        unit: 'ms p50',
        target: `first request and p99 < ${endpoint.targetMs} ms`,
        met:
          result.latency.p99 < endpoint.targetMs &&
          coldMs < endpoint.targetMs &&
          result.non2xx === 0 &&
          result.errors === 0,
        details: {
          first_request_ms: coldMs,
          p99_ms: result.latency.p99,
          max_ms: result.latency.max,
          requests_per_s: round(result.requests.average),
          requests: result.requests.total,
          non2xx: result.non2xx,
          errors: result.errors,
        },
        conditions: `${CONNECTIONS} connections, ${SECONDS} s after a 2 s warm-up, loopback, service in its own process; ${machine()}`,
      });
    }
  } finally {
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
    await db.drop();
  }
}
