// Scenario 1, service crash: during a mixed load, each service in turn is killed with SIGKILL (no
// chance to finish anything) and started again. Clients retry with their Idempotency-Key as a
// real case system would. Afterwards every accepted effect exists exactly once, one host notice
// per out-of-area obligation, every history verifies, counts reconcile with the ledger.
import { SERVICE_NAMES } from '../../harness.ts';
import { sleep } from '../client.ts';
import { LoadGenerator } from '../load.ts';
import { reconcile } from '../reconcile.ts';
import { type Scenario, ScenarioReport } from '../scenario.ts';
import { ChaosWorld } from '../world.ts';

export const serviceCrash: Scenario = {
  name: 'service-crash',
  title: 'kill -9 each service in turn during mixed load, restart',
  async run({ infra, quick, log }) {
    const report = new ScenarioReport(this);
    const durationMs = quick ? 40_000 : 120_000;
    const world = await ChaosWorld.start({ ...infra, client: { perSecond: quick ? 10 : 8 } });
    try {
      const load = new LoadGenerator(world, { durationMs, maxJourneys: quick ? 60 : 240, concurrency: 4 });
      const started = Date.now();
      const running = load.run();
      const downtimes: string[] = [];
      for (const [index, service] of SERVICE_NAMES.entries()) {
        const at = started + ((index + 1) * durationMs) / (SERVICE_NAMES.length + 1);
        await sleep(Math.max(0, at - Date.now()));
        const killed = Date.now();
        log(`kill -9 ${service} at ${Math.round((killed - started) / 1000)} s`);
        await world.system.restart(service, 'SIGKILL');
        downtimes.push(`${service} ${((Date.now() - killed) / 1000).toFixed(1)} s`);
      }
      report.check('each service killed and back ready', true, downtimes.join(', '));
      const summary = await running;
      log(`load: ${summary.journeys} journeys in ${Math.round(summary.durationMs / 1000)} s; reconciling`);
      const reconciliation = await reconcile(world, { timeoutMs: quick ? 120_000 : 240_000 });
      report.reconciled(reconciliation, world.ledger.serverErrors());
      report.noDeadLetters(world);
      report.clientView(world.ledger);
      report.note(`journeys: ${summary.journeys} started, ${summary.completed} completed`);
      report.note(`webhook redeliveries with the same webhook-id: ${reconciliation.webhookRedeliveries}`);
      return report.result(reconciliation, reconciliation);
    } finally {
      await world.stop();
    }
  },
};
