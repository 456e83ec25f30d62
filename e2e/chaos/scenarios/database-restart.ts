// Scenario 3, database restart: the system runs on a PostgreSQL cluster of its own, which is
// restarted in the middle of a mixed load: once in place (the full variant) and once stopped for a
// while before it starts again. While it is down, requests fail fast with 503 problem+json (no
// hangs), readiness reports the database unavailable (503), and no service exits; afterwards
// readiness recovers by itself and reconciliation finds no partial and no lost writes.
import { SERVICE_NAMES, type ServiceName } from '../../harness.ts';
import { sleep } from '../client.ts';
import { PrivateCluster } from '../infrastructure.ts';
import { LoadGenerator } from '../load.ts';
import { reconcile } from '../reconcile.ts';
import { type Scenario, ScenarioReport } from '../scenario.ts';
import { ChaosWorld } from '../world.ts';

const CLUSTER_PORT = 55_433;
/** A request the server answers while its database is down must be answered within this. */
const FAIL_FAST_MS = 5_000;

async function readiness(
  world: ChaosWorld,
  service: ServiceName,
): Promise<{ http: number; ms: number; status?: string }> {
  const started = Date.now();
  try {
    const response = await fetch(world.system.url(service, '/health/ready'), {
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { status: string };
    return { http: response.status, ms: Date.now() - started, status: body.status };
  } catch {
    return { http: 0, ms: Date.now() - started };
  }
}

export const databaseRestart: Scenario = {
  name: 'database-restart',
  title: 'PostgreSQL restarted mid-load',
  async run({ infra, quick, log }) {
    const report = new ScenarioReport(this);
    const downMs = quick ? 10_000 : 20_000;
    const cluster = new PrivateCluster('chaos', CLUSTER_PORT);
    const adminUrl = await cluster.start();
    let world: ChaosWorld | undefined;
    try {
      world = await ChaosWorld.start({
        postgresAdminUrl: adminUrl,
        kafkaBrokers: infra.kafkaBrokers,
        homeCount: 200,
        client: { perSecond: 8, retryBudgetMs: 120_000 },
      });
      const w = world;
      const pids = new Map(SERVICE_NAMES.map((service) => [service, w.system.process(service).pid]));
      const load = new LoadGenerator(w, {
        durationMs: quick ? 45_000 : 110_000,
        maxJourneys: quick ? 50 : 150,
        concurrency: 4,
      });
      const running = load.run();

      if (!quick) {
        await sleep(25_000);
        log('restarting PostgreSQL in place');
        await cluster.restart();
      }
      await sleep(quick ? 12_000 : 30_000);
      log(`stopping PostgreSQL for ${downMs / 1000} s`);
      await cluster.stop();
      const down = Date.now();
      const unavailable = new Set<ServiceName>();
      let slowest = 0;
      while (Date.now() - down < downMs) {
        for (const service of SERVICE_NAMES) {
          const ready = await readiness(w, service);
          slowest = Math.max(slowest, ready.ms);
          if (ready.http === 503 && ready.status === 'unavailable') unavailable.add(service);
        }
        await sleep(1_000);
      }
      await cluster.start();
      const up = Date.now();
      log('PostgreSQL back; waiting for readiness');
      const recovered = new Map<ServiceName, number>();
      while (recovered.size < SERVICE_NAMES.length && Date.now() - up < 90_000) {
        for (const service of SERVICE_NAMES) {
          if (recovered.has(service)) continue;
          if ((await readiness(w, service)).status === 'ready') recovered.set(service, Date.now() - up);
        }
        await sleep(500);
      }
      report.check(
        'readiness unavailable while the database is down, then ready again',
        unavailable.size === SERVICE_NAMES.length && recovered.size === SERVICE_NAMES.length,
        `unavailable: ${[...unavailable].join(', ') || 'none'}; ready again after ${[...recovered]
          .map(([service, ms]) => `${service} ${(ms / 1000).toFixed(1)} s`)
          .join(', ')}; slowest readiness answer ${slowest} ms`,
      );

      const window = w.ledger.attempts.filter((attempt) => attempt.at >= down && attempt.at < up);
      const answered = window.filter((attempt) => attempt.status !== 'network');
      const problems503 = window.filter((attempt) => attempt.status === 503 && attempt.problemJson);
      const slow = window.filter((attempt) => attempt.ms > FAIL_FAST_MS);
      report.check(
        'requests fail fast with 503 problem+json',
        window.length > 0 &&
          answered.length === window.length &&
          slow.length === 0 &&
          window.every((attempt) => (attempt.status === 503 ? attempt.problemJson : true)) &&
          problems503.length > 0,
        `${window.length} requests while down: ${problems503.length} × 503 problem+json, ` +
          `${window.length - answered.length} unanswered, ${slow.length} slower than ${FAIL_FAST_MS} ms ` +
          `(slowest ${Math.max(0, ...window.map((a) => a.ms))} ms); other statuses: ${
            [...new Set(window.filter((a) => a.status !== 503).map((a) => a.status))].join(', ') || 'none'
          }`,
      );
      const exited = SERVICE_NAMES.filter(
        (service) => !w.system.running(service) || w.system.process(service).pid !== pids.get(service),
      );
      report.check('no service exited or restarted', exited.length === 0, exited.join(', ') || 'all running');
      // Reconcile all the same: a service that died is started again, so what it lost shows.
      for (const service of exited) if (!w.system.running(service)) await w.system.restart(service);

      const summary = await running;
      log(`load: ${summary.journeys} journeys; reconciling`);
      const reconciliation = await reconcile(w, { timeoutMs: quick ? 150_000 : 240_000 });
      report.reconciled(reconciliation, w.ledger.serverErrors());
      report.noDeadLetters(w);
      report.clientView(w.ledger);
      return report.result(reconciliation, reconciliation);
    } finally {
      await world?.stop().catch(() => undefined);
      await cluster.stop().catch(() => undefined);
    }
  },
};
