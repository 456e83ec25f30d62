// Referral API under load on loopback: POST /v1/referrals (every request a distinct child, so each
// is a real submission: validation, a new data key, sealing, the open-referral claim and the
// append in one transaction) and GET /v1/referrals/{id} (read from the stream, opened, shown),
// 32 connections each, with autocannon. The service runs as deployed: its own process (forked
// from this script), projections and the outbox relay to Kafka running, listening on a port.
//   node services/referral/bench/referrals.bench.ts [seconds-per-phase] [pool-size]
import { fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { serviceMigrationDirs } from '@placements/service-kit';
import { devToken, testEnv, testNamespace } from '@placements/service-kit/testing';
import autocannon from 'autocannon';
import { benchDatabase, deployedAs, kafkaBrokers, report, round } from '../../../bench/lib.ts';
import { build, migrations } from '../src/app.ts';
import { referralBody } from '../src/test-support/referral-body.ts';

const SERVE = process.argv[2] === '--serve';

if (SERVE) {
  // Child: the service itself, configured by the parent through the environment.
  const host = await build({ env: process.env });
  // REFERRAL_BENCH_MESSAGING=off runs without the Kafka relay: a diagnostic of its share only.
  const messaging = process.env.REFERRAL_BENCH_MESSAGING !== 'off';
  await host.start({ messaging });
  if (messaging) await host.messagingReady;
  const address = await host.listen();
  process.send?.({ address });
  process.on('message', async (message) => {
    if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
    if (message === 'stop') {
      await host.stop();
      process.exit(0);
    }
  });
} else {
  await main();
}

async function main(): Promise<void> {
  const SECONDS = Number(process.argv[2] ?? 15);
  const POOL = Number(process.argv[3] ?? 10);
  const CONNECTIONS = 32;
  const brokers = kafkaBrokers();
  const db = await benchDatabase('referral', serviceMigrationDirs(migrations, { keyStore: true }), 2);
  const namespace = testNamespace();
  const env = testEnv({
    databaseUrl: db.url,
    kafkaBrokers: brokers,
    namespace,
    overrides: { LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: String(POOL), NODE_ENV: 'development' },
  });
  // Started as the referral service is deployed: its heap settings and malloc environment.
  const deployed = deployedAs('referral');
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
    env: { ...deployed.env, ...env },
    execArgv: [
      ...deployed.execArgv,
      ...(process.env.REFERRAL_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/referral-prof'] : []),
    ],
  });
  const { address } = await new Promise<{ address: string }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { address: string }));
    child.once('exit', (code) => reject(new Error(`the service exited with ${code}`)));
  });
  const authorization = `Bearer ${await devToken('E09000014', 'placing-authority', { ttlSeconds: 3600 })}`;
  const template = referralBody();
  let next = 0;
  const childRef = () => `B${(next++).toString(36).padStart(8, '0')}`;

  const submissions = (duration: number) =>
    autocannon({
      url: address,
      connections: CONNECTIONS,
      duration,
      requests: [
        {
          method: 'POST',
          path: '/v1/referrals',
          headers: { authorization, 'content-type': 'application/json' },
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ ...template, childRef: childRef() }),
          }),
        },
      ],
    });

  /** CPU the service process spent (µs), to tell its own cost from the machine's contention. */
  const serviceCpu = () =>
    new Promise<number>((resolve) => {
      child.once('message', (message) => {
        const { cpu } = message as { cpu: NodeJS.CpuUsage };
        resolve(cpu.user + cpu.system);
      });
      child.send('cpu');
    });

  // Warm-up: connections, plans, JIT; not reported.
  await submissions(3);
  const loadAtStart = loadavg()[0]!;
  let cpuBefore = await serviceCpu();
  const writes = await submissions(SECONDS);
  const writeCpu = (await serviceCpu()) - cpuBefore;

  const { rows } = await db.pool.query<{ stream_id: string }>(
    "SELECT stream_id FROM events WHERE event_type = 'ReferralSubmitted' ORDER BY global_position DESC LIMIT 5000",
  );
  const paths = rows.map((row) => `/v1/referrals/${row.stream_id.slice('referral-'.length)}`);
  let read = 0;
  const reads = (duration: number) =>
    autocannon({
      url: address,
      connections: CONNECTIONS,
      duration,
      requests: [
        {
          method: 'GET',
          headers: { authorization },
          setupRequest: (request) => ({ ...request, path: paths[read++ % paths.length]! }),
        },
      ],
    });
  await reads(3);
  cpuBefore = await serviceCpu();
  const gets = await reads(SECONDS);
  const readCpu = (await serviceCpu()) - cpuBefore;

  const writeRate = writes.requests.average;
  const writesMet =
    writeRate >= 1_000 && writes.latency.p99 < 50 && writes.non2xx === 0 && writes.errors === 0;
  const conditions = `${CONNECTIONS} connections, ${SECONDS} s after a 3 s warm-up, loopback; service in its own process with DATABASE_POOL_SIZE=${POOL}, projections and the Kafka relay running; ${machine()}`;
  report({
    scenario: 'Referral POST /v1/referrals',
    figure: round(writeRate, 0),
    unit: 'req/s',
    target: '>= 1000 req/s with p99 < 50 ms',
    met: writesMet,
    details: {
      p50_ms: writes.latency.p50,
      p99_ms: writes.latency.p99,
      max_ms: writes.latency.max,
      requests: writes.requests.total,
      non2xx: writes.non2xx,
      errors: writes.errors,
      service_cpu_us_per_request: Math.round(writeCpu / Math.max(1, writes.requests.total)),
      load_average_at_start: round(loadAtStart, 2),
    },
    conditions: `${conditions}; each request a distinct valid referral (new child: new data key, sealing, claim + append in one transaction)`,
  });
  const readRate = gets.requests.average;
  report({
    scenario: 'Referral GET /v1/referrals/{id}',
    figure: round(readRate, 0),
    unit: 'req/s',
    target: '>= 5000 req/s',
    met: readRate >= 5_000 && gets.non2xx === 0 && gets.errors === 0,
    details: {
      p50_ms: gets.latency.p50,
      p99_ms: gets.latency.p99,
      max_ms: gets.latency.max,
      requests: gets.requests.total,
      non2xx: gets.non2xx,
      errors: gets.errors,
      distinct_referrals: paths.length,
      service_cpu_us_per_request: Math.round(readCpu / Math.max(1, gets.requests.total)),
    },
    conditions: `${conditions}; read from the event stream with personal fields decrypted, as the placing LA`,
  });

  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  await db.drop();
}

function machine(): string {
  return `${availableParallelism()} CPU cores shared by the service, PostgreSQL, Kafka and the load generator`;
}
