// Scenario 4, redelivery: after a mixed load has been fully processed, the services are stopped,
// every consumer group is rewound to the start of its topics with the Kafka admin client, and the
// services start again and consume everything a second time. The inboxes (and the obligation and
// entry ids under them) must turn every message into a no-op: no notice raised or sent again, no
// history entry twice, no referral placed twice.
import { SERVICE_NAMES } from '../../harness.ts';
import { rewindSystemGroups, waitForGroupsCaughtUp } from '../consumer-groups.ts';
import { LoadGenerator } from '../load.ts';
import { reconcile } from '../reconcile.ts';
import { type Scenario, ScenarioReport } from '../scenario.ts';
import { ChaosWorld } from '../world.ts';

export const redelivery: Scenario = {
  name: 'redelivery',
  title: 'every consumer group rewound to the beginning and replayed',
  async run({ infra, quick, log }) {
    const report = new ScenarioReport(this);
    const world = await ChaosWorld.start({ ...infra, client: { perSecond: 10 } });
    const { system } = world;
    try {
      const load = new LoadGenerator(world, {
        durationMs: quick ? 25_000 : 60_000,
        maxJourneys: quick ? 30 : 120,
        concurrency: 4,
      });
      const summary = await load.run();
      log(`load: ${summary.journeys} journeys; reconciling before the replay`);
      const before = await reconcile(world, { timeoutMs: 120_000 });
      report.check(
        'consistent before the replay',
        before.lost === 0 && before.duplicated === 0,
        `lost ${before.lost}, duplicated ${before.duplicated}`,
      );
      await waitForGroupsCaughtUp(system, infra.kafkaBrokers, 60_000);
      const webhooksBefore = world.receiver.received.length;

      for (const service of SERVICE_NAMES) await system.kill(service, 'SIGTERM');
      const rewound = await rewindSystemGroups(system, infra.kafkaBrokers);
      const replayed = Object.values(rewound).reduce((sum, n) => sum + n, 0);
      log(`rewound ${Object.keys(rewound).length} groups: ${replayed} messages to consume again`);
      // Each group had consumed everything, so what it is handed again is all its topics hold.
      report.check(
        'every consumer group rewound to the start',
        Object.keys(rewound).length >= SERVICE_NAMES.length && replayed > 0,
        Object.entries(rewound)
          .map(([group, n]) => `${group.slice(system.consumerGroupPrefix.length)} ${n}`)
          .join(', '),
      );
      for (const service of SERVICE_NAMES) await system.restart(service);
      const groups = await waitForGroupsCaughtUp(system, infra.kafkaBrokers, quick ? 180_000 : 300_000);
      report.check(
        'every group consumed everything again',
        groups.every((group) => group.lag === 0),
        groups
          .map((group) => `${group.groupId.slice(system.consumerGroupPrefix.length)} lag ${group.lag}`)
          .join(', '),
      );

      // What the consumers did with the second delivery, from their own counters (reset by the restart).
      const seen: string[] = [];
      let short = 0;
      for (const service of SERVICE_NAMES) {
        const samples = await world.metric(service, 'consumer_messages_total');
        for (const [group, expected] of Object.entries(rewound)) {
          if (!group.startsWith(`${system.consumerGroupPrefix}${service}.`)) continue;
          const of = (outcome: string) =>
            samples
              .filter(
                (s) => s.labels.includes(`group="${group}"`) && s.labels.includes(`outcome="${outcome}"`),
              )
              .reduce((sum, s) => sum + s.value, 0);
          // A type the consumer does not read is passed over from its headers, as it was the first time.
          const duplicates = of('duplicate');
          const notRead = of('not-read');
          if (duplicates + notRead < expected) short += expected - duplicates - notRead;
          seen.push(
            `${service}: ${duplicates} recognised as already applied, ${notRead} not read, ${of('applied')} applied, ${of('dead-lettered')} dead-lettered`,
          );
        }
      }
      report.check(
        'every redelivered message recognised by the inbox (or passed over, not read)',
        short === 0,
        seen.join('; '),
      );
      const after = await reconcile(world, { timeoutMs: 60_000 });
      report.reconciled(after, world.ledger.serverErrors());
      report.noDeadLetters(world);
      const resent = world.receiver.received.length - webhooksBefore;
      report.check('no webhook sent again', resent === 0, `${resent} webhook attempts after the replay`);
      report.note(`${replayed} messages consumed a second time`);
      report.clientView(world.ledger);
      return report.result(after, after);
    } finally {
      await world.stop();
    }
  },
};
