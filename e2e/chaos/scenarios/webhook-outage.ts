// Scenario 6, webhook receiver down: the host authorities' endpoint is unreachable (connections
// reset, then 503s) for ten minutes (the quick variant: seconds, with a shortened retry schedule)
// while out-of-area placements raise notices. Retries back off; every notice is delivered once the
// receiver is back, with the same webhook-id on every attempt; every attempt is in the delivery
// log; nothing is delivered twice.

import { sleep } from '../client.ts';
import { LoadGenerator } from '../load.ts';
import { reconcile } from '../reconcile.ts';
import { type Scenario, ScenarioReport } from '../scenario.ts';
import { ChaosWorld } from '../world.ts';

interface DeliveryAttempt {
  webhookId: string;
  attempt: number;
  attemptedAt: string;
  outcome: string;
  statusCode: number | null;
}

export const webhookOutage: Scenario = {
  name: 'webhook-outage',
  title: 'webhook receiver down for 10 minutes, then back',
  async run({ infra, quick, log }) {
    const report = new ScenarioReport(this);
    const outageMs = quick ? 25_000 : 600_000;
    const world = await ChaosWorld.start({
      ...infra,
      homeCount: 120,
      client: { perSecond: 10 },
      // The quick variant compresses the schedule (30 s, 2 min, 10 min, …) to seconds.
      ...(quick ? { env: { notification: { WEBHOOK_RETRY_SCHEDULE_SECONDS: '2,4,8,16,32' } } } : {}),
    });
    try {
      const { receiver } = world;
      receiver.mode = 'reset';
      const outageStarted = Date.now();
      const load = new LoadGenerator(world, {
        durationMs: 60_000,
        maxJourneys: quick ? 3 : 6,
        concurrency: 3,
        visitShare: 0,
        withdrawShare: 0,
        outOfAreaShare: 1,
        endShare: 0.5,
        needsUpdateShare: 0,
      });
      await load.run();
      log(`notices raised while the receiver is down; waiting out the ${outageMs / 1000} s outage`);
      await sleep(Math.max(0, outageStarted + outageMs / 2 - Date.now()));
      receiver.mode = 'unavailable';
      await sleep(Math.max(0, outageStarted + outageMs - Date.now()));
      receiver.mode = 'up';
      const outageEnded = Date.now();
      log('receiver back');

      const reconciliation = await reconcile(world, { timeoutMs: quick ? 120_000 : 900_000 });
      report.reconciled(reconciliation, world.ledger.serverErrors());
      report.noDeadLetters(world);

      const noticeIds = new Set<string>();
      for (const entry of world.ledger.accepted('propose-placement')) {
        if (!entry.facts.outOfArea) continue;
        const notices = await world.client.read<{ items: { id: string; kind: string }[] }>(
          'notification',
          `/v1/notifications?placementId=${entry.ids.placementId}`,
          world.ops(),
        );
        for (const notice of notices.body.items) noticeIds.add(notice.id);
      }
      let sameId = true;
      let backedOff = true;
      let logged = true;
      let deliveredAfter = true;
      let once = true;
      const gaps: string[] = [];
      for (const id of noticeIds) {
        const notice = await world.client.read<{ deliveries?: DeliveryAttempt[] }>(
          'notification',
          `/v1/notifications/${id}`,
          world.ops(),
        );
        const attempts = [...(notice.body.deliveries ?? [])].sort((a, b) => a.attempt - b.attempt);
        const webhookIds = new Set(attempts.map((a) => a.webhookId));
        const received = receiver.received.filter((hook) => webhookIds.has(hook.webhookId));
        sameId &&= webhookIds.size === 1 && received.every((hook) => webhookIds.has(hook.webhookId));
        logged &&= attempts.length === received.length && attempts.length > 1;
        const successes = received.filter((hook) => hook.answered >= 200 && hook.answered < 300);
        once &&= successes.length === 1 && attempts.filter((a) => a.outcome === 'delivered').length === 1;
        deliveredAfter &&= successes.every((hook) => hook.at >= outageEnded);
        const times = attempts.map((a) => Date.parse(a.attemptedAt));
        const intervals = times.slice(1).map((t, i) => t - times[i]!);
        for (let i = 1; i < intervals.length; i++) backedOff &&= intervals[i]! > intervals[i - 1]!;
        gaps.push(intervals.map((ms) => `${(ms / 1000).toFixed(1)}`).join('→'));
      }
      report.check('notices raised during the outage', noticeIds.size > 0, `${noticeIds.size} notices`);
      report.check(
        'retries back off',
        backedOff,
        `seconds between attempts per notice: ${gaps.slice(0, 4).join('; ')}`,
      );
      report.check('delivered once the receiver is back', deliveredAfter && reconciliation.lost === 0);
      report.check('the same webhook-id on every attempt', sameId);
      report.check(
        'every attempt is in the delivery log',
        logged,
        `${receiver.received.length} attempts received`,
      );
      report.check('each notice delivered exactly once', once);
      report.clientView(world.ledger);
      return report.result(reconciliation, reconciliation);
    } finally {
      await world.stop();
    }
  },
};
