// Scenario 8, slow transaction: while the referral service takes referrals, another writer on its
// database appends an event and holds its transaction open for 30 s (the quick variant: 12 s).
// Readers (the outbox relay, the referral list projection, and through Kafka every other service)
// must wait behind it rather than skip what committed meanwhile: afterwards every accepted effect
// exists, the relay has passed every event including the slow writer's, and the stall showed in
// the service's metrics (events behind the read horizon, age of the oldest open transaction).
import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@placements/event-store';
import pg from 'pg';
import { relayPositionOf } from '../../../packages/messaging/src/index.ts';
import { sleep } from '../client.ts';
import { LoadGenerator } from '../load.ts';
import { reconcile } from '../reconcile.ts';
import { type Scenario, ScenarioReport } from '../scenario.ts';
import { ChaosWorld } from '../world.ts';

export const slowTransaction: Scenario = {
  name: 'slow-transaction',
  title: 'a writer holds a transaction open for 30 s: no reader skips an event',
  async run({ infra, quick, log }) {
    const report = new ScenarioReport(this);
    const holdMs = quick ? 12_000 : 30_000;
    const world = await ChaosWorld.start({ ...infra, homeCount: 120, client: { perSecond: 8 } });
    const database = world.system.database('referral');
    const writer = new pg.Client({ connectionString: database.app });
    try {
      const load = new LoadGenerator(world, {
        durationMs: holdMs + 15_000,
        maxJourneys: quick ? 30 : 80,
        concurrency: 4,
      });
      const running = load.run();
      await sleep(4_000);

      await writer.connect();
      const store = new PostgresEventStore({ pool: new pg.Pool({ connectionString: database.app, max: 1 }) });
      await writer.query('BEGIN');
      const probe = await store.append(
        `chaosprobe-${randomUUID()}`,
        [{ type: 'SlowWriterProbe', data: { holdMs } }],
        { client: writer },
      );
      log(`slow writer holds transaction ${probe.lastPosition.transactionId} open for ${holdMs / 1000} s`);
      const held = Date.now();
      let behind = 0;
      let oldest = 0;
      while (Date.now() - held < holdMs) {
        await sleep(2_000);
        for (const sample of await world.metric('referral', 'event_store_events_behind_horizon'))
          behind = Math.max(behind, sample.value);
        for (const sample of await world.metric('referral', 'event_store_oldest_open_transaction_seconds'))
          oldest = Math.max(oldest, sample.value);
      }
      await writer.query('COMMIT');
      await store.pool.end();
      log(`committed; up to ${behind} events waited behind it`);
      report.check(
        'the stall is visible in the metrics',
        behind > 0 && oldest >= (holdMs / 1000) * 0.6,
        `event_store_events_behind_horizon up to ${behind}, event_store_oldest_open_transaction_seconds up to ${oldest.toFixed(1)}`,
      );

      const summary = await running;
      const reconciliation = await reconcile(world, { timeoutMs: 120_000 });
      report.reconciled(reconciliation, world.ledger.serverErrors());
      report.noDeadLetters(world);
      const relay = await relayPositionOf(database.app, 'relay:referral');
      report.check(
        'the relay passed every event, the slow writer’s included',
        relay.unpublished === 0 && relay.checkpoint.globalPosition >= probe.lastPosition.globalPosition,
        `checkpoint ${relay.checkpoint.globalPosition}, head ${relay.head.globalPosition}, slow writer's event at ${probe.lastPosition.globalPosition}`,
      );
      report.note(`load: ${summary.journeys} journeys, some submitted while the transaction was open`);
      report.clientView(world.ledger);
      return report.result(reconciliation, reconciliation);
    } finally {
      await writer.end().catch(() => undefined);
      await world.stop();
    }
  },
};
