// Scenario 2, broker outage: the system runs on a broker of its own, which is stopped for 60 s
// (the quick variant: 25 s) in the middle of a mixed load. The write APIs keep accepting (the
// event store is the outbox), every service's readiness reports Kafka as the degraded dependency
// (status `degraded`, not unavailable), and once the broker is back everything written meanwhile
// is published and consumed: nothing lost, nothing twice.
import { SERVICE_NAMES, type ServiceName } from '../../harness.ts';
import { sleep } from '../client.ts';
import { privateBroker } from '../infrastructure.ts';
import { LoadGenerator } from '../load.ts';
import { reconcile } from '../reconcile.ts';
import { type Scenario, ScenarioReport } from '../scenario.ts';
import { ChaosWorld } from '../world.ts';

const BROKER_PORT = 19_592;

interface Readiness {
  status: string;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

async function readiness(
  world: ChaosWorld,
  service: ServiceName,
): Promise<{ http: number; body?: Readiness }> {
  try {
    const response = await fetch(world.system.url(service, '/health/ready'), {
      signal: AbortSignal.timeout(5_000),
    });
    return { http: response.status, body: (await response.json()) as Readiness };
  } catch {
    return { http: 0 };
  }
}

export const brokerOutage: Scenario = {
  name: 'broker-outage',
  title: 'Kafka stopped for 60 s mid-load',
  async run({ infra, quick, log }) {
    const report = new ScenarioReport(this);
    const outageMs = quick ? 25_000 : 60_000;
    const broker = privateBroker('chaos-outage', BROKER_PORT);
    await broker.destroy();
    await broker.start();
    let world: ChaosWorld | undefined;
    try {
      world = await ChaosWorld.start({
        postgresAdminUrl: infra.postgresAdminUrl,
        kafkaBrokers: broker.brokers,
        homeCount: 200,
        client: { perSecond: 8, retryBudgetMs: 120_000 },
      });
      const w = world;
      const load = new LoadGenerator(w, {
        durationMs: outageMs + 40_000,
        maxJourneys: quick ? 50 : 150,
        concurrency: 4,
        // Shortlists need Kafka: journeys give up waiting quickly, so referrals keep coming in.
        shortlistTimeoutMs: 10_000,
      });
      const started = Date.now();
      const running = load.run();
      await sleep(12_000);
      log(`stopping the broker for ${outageMs / 1000} s`);
      await broker.stop();
      const down = Date.now();
      const degraded = new Map<ServiceName, string>();
      const refused = new Map<ServiceName, number>();
      while (Date.now() - down < outageMs) {
        for (const service of SERVICE_NAMES) {
          const ready = await readiness(w, service);
          if (
            ready.http === 200 &&
            ready.body?.status === 'degraded' &&
            ready.body.checks.kafka?.ok === false
          )
            degraded.set(service, ready.body.checks.kafka.detail ?? '');
          if (ready.http !== 200) refused.set(service, ready.http);
        }
        await sleep(2_000);
      }
      const downFor = Date.now() - down;
      await broker.start();
      const up = Date.now();
      log(`broker back after ${Math.round(downFor / 1000)} s`);
      report.check(
        'readiness reports Kafka degraded on every service',
        degraded.size === SERVICE_NAMES.length && refused.size === 0,
        `${[...degraded.keys()].join(', ') || 'none'} degraded${refused.size > 0 ? `; not ready (HTTP): ${[...refused].map(([s, h]) => `${s} ${h}`).join(', ')}` : ''}` +
          (degraded.size > 0 ? ` (${[...degraded.values()][0]!.slice(0, 80)})` : ''),
      );
      const during = w.ledger.entries.filter((entry) => entry.startedAt >= down && entry.startedAt < up);
      report.check(
        'writes accepted while the broker was down',
        during.length > 0 && during.every((entry) => entry.outcome === 'accepted'),
        `${during.filter((e) => e.outcome === 'accepted').length} of ${during.length} writes sent during the outage accepted`,
      );

      const summary = await running;
      log(
        `load: ${summary.journeys} journeys in ${Math.round((Date.now() - started) / 1000)} s; reconciling`,
      );
      const reconciliation = await reconcile(w, { timeoutMs: quick ? 180_000 : 300_000 });
      report.reconciled(reconciliation, w.ledger.serverErrors());
      report.noDeadLetters(w);
      let back = await Promise.all(SERVICE_NAMES.map((service) => readiness(w, service)));
      for (let i = 0; i < 30 && !back.every((ready) => ready.body?.status === 'ready'); i++) {
        await sleep(2_000);
        back = await Promise.all(SERVICE_NAMES.map((service) => readiness(w, service)));
      }
      report.check(
        'readiness back to ready',
        back.every((ready) => ready.body?.status === 'ready'),
        `${Math.round((Date.now() - up) / 1000)} s after the broker returned: ` +
          back
            .map(
              (ready, i) =>
                `${SERVICE_NAMES[i]} ${ready.body?.status ?? ready.http}${
                  ready.body?.status === 'ready'
                    ? ''
                    : ` (${Object.entries(ready.body?.checks ?? {})
                        .filter(([, check]) => !check.ok)
                        .map(([name, check]) => `${name}: ${check.detail ?? 'failing'}`)
                        .join('; ')})`
                }`,
            )
            .join(', '),
      );
      report.clientView(w.ledger);
      return report.result(reconciliation, reconciliation);
    } finally {
      await world?.stop();
      await broker.destroy();
    }
  },
};
