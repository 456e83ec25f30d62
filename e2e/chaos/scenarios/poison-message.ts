// Scenario 5, poison message: a referral's needs update reaches matching before the referral it
// updates (as when the submission was lost upstream and is sent again later). Matching cannot apply
// it: the message is retried, then parked on the dead-letter topic with its error, and the
// partition keeps flowing (referrals behind it on the same partition are shortlisted). Replayed
// before the fix it fails again and returns to the dead-letter topic, nothing lost; once the
// submission has arrived (the fix), `node scripts/ops.ts dlq replay` redelivers it and it applies:
// the shortlist moves to the new version, and no other consumer of the topic records it twice.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { topics } from '@placements/contracts';
import { PersonalDataCipher, PostgresKeyStore } from '@placements/event-store';
import { DEV_DATA_KEY_ENCRYPTION_KEY } from '@placements/service-kit';
import { publishIntegrationEvent } from '@placements/service-kit/testing';
import { toReferralSubmitted } from '@placements/synthetic-data';
import { readMessages } from '@placements/testing';
import pg from 'pg';
import { sleep } from '../client.ts';
import { kafkaOf } from '../consumer-groups.ts';
import { needsUpdateBody, referralBody } from '../load.ts';
import { historyKey, reconcile } from '../reconcile.ts';
import { type Scenario, ScenarioReport } from '../scenario.ts';
import { ChaosWorld } from '../world.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Letter {
  partition: number;
  offset: string;
  error: string;
  attempts: number;
  headers: Record<string, string>;
}

export const poisonMessage: Scenario = {
  name: 'poison-message',
  title: 'a message the consumer cannot apply: dead-lettered, partition flows, replayed after the fix',
  async run({ infra, log }) {
    const report = new ScenarioReport(this);
    const world = await ChaosWorld.start({ ...infra, homeCount: 40, client: { perSecond: 0 } });
    const { system } = world;
    const keys = new pg.Pool({ connectionString: system.database('keys').app, max: 2 });
    keys.on('error', () => undefined);
    try {
      const kafka = kafkaOf(infra.kafkaBrokers);
      const cipher = new PersonalDataCipher(
        new PostgresKeyStore(keys, { keyEncryptionKey: Buffer.from(DEV_DATA_KEY_ENCRYPTION_KEY, 'base64') }),
      );
      const ops = async (...args: string[]) => {
        const { stdout } = await run(
          process.execPath,
          [
            'scripts/ops.ts',
            ...args,
            '--namespace',
            system.namespace,
            '--brokers',
            infra.kafkaBrokers.join(','),
            '--json',
          ],
          { cwd: ROOT, timeout: 120_000 },
        );
        return JSON.parse(stdout) as { letters?: Letter[]; replayed?: number };
      };
      const lettersOf = async (id: string) =>
        ((await ops('dlq', 'list', topics.referral)).letters ?? []).filter(
          (letter) => letter.headers.ce_id === id,
        );

      const home = world.homes.find(
        (h) =>
          h.profile.admissionsOpen && h.profile.needsMet.some((n) => n.domain === 'emotional-behavioural'),
      )!;
      const la = { org: home.profile.la, role: 'placing-authority' as const };
      const referralId = randomUUID();
      const childRef = `${world.runTag}POISON`;
      const body = referralBody(childRef, home.profile, 'F');
      const { avoidAreas, familyAnchors, ...requirements } = needsUpdateBody().requirements;
      const poisonId = await publishIntegrationEvent({
        kafka,
        namespace: system.namespace,
        name: 'ReferralNeedsUpdated',
        cipher,
        data: {
          referralId,
          placingLa: la.org,
          childRef,
          referralVersion: 2,
          needs: needsUpdateBody().needs,
          risks: needsUpdateBody().risks,
          requirements,
          locations: { avoidAreas, familyAnchors },
          updatedAt: new Date().toISOString(),
        },
      });
      log(`published a needs update (${poisonId}) for referral ${referralId}, which matching has not seen`);

      // Referrals sent after it, until one is behind it on its partition, are shortlisted regardless.
      const letter = await waitFor(async () => (await lettersOf(poisonId))[0], 90_000);
      if (!letter) throw new Error('the needs update did not reach the dead-letter topic within 90 s');
      report.check(
        'dead-lettered with its error after its retries',
        letter.error.includes('has not been applied') && letter.attempts > 1,
        `partition ${letter.headers.dlq_partition}, offset ${letter.headers.dlq_offset}, group ${letter.headers.dlq_group}, ${letter.attempts} attempts: ${letter.error}`,
      );
      const poisonPartition = Number(letter.headers.dlq_partition);
      const poisonOffset = Number(letter.headers.dlq_offset);
      let behind = 0;
      let submitted = 0;
      for (let round = 0; round < 10 && behind === 0; round++) {
        const ids: string[] = [];
        for (let n = 0; n < 6; n++) {
          const ref = `${world.runTag}F${submitted++}`;
          const result = await world.client.write<{ id: string }>(
            'submit-referral',
            'referral',
            'POST',
            '/v1/referrals',
            la,
            {
              journey: submitted,
              ids: { childRef: ref, placingLa: la.org },
              body: referralBody(ref, home.profile, 'M'),
            },
          );
          if (result.outcome === 'accepted' && result.response) {
            result.entry.ids.referralId = result.response.body.id;
            ids.push(result.response.body.id);
          }
        }
        for (const id of ids) {
          const shortlisted = await world.client.poll(
            'matching',
            `/v1/referrals/${id}/shortlist`,
            la,
            (response) => (response.status === 200 ? true : undefined),
            60_000,
          );
          if (!shortlisted) report.check(`referral ${id} shortlisted`, false, 'no shortlist within 60 s');
        }
        const messages = await readMessages(infra.kafkaBrokers, `${system.namespace}.${topics.referral}`, {
          count: submitted + 1,
          timeoutMs: 20_000,
        });
        behind = messages.filter(
          (m) =>
            m.partition === poisonPartition && Number(m.offset) > poisonOffset && ids.includes(m.key ?? ''),
        ).length;
      }
      report.check(
        'the partition keeps flowing',
        behind > 0,
        `${behind} referral(s) behind the dead letter on partition ${poisonPartition} shortlisted (${submitted} sent)`,
      );

      log('replaying before the fix');
      const early = await ops('dlq', 'replay', topics.referral);
      const back = await waitFor(
        async () => ((await lettersOf(poisonId)).length >= 2 ? true : undefined),
        90_000,
      );
      report.check(
        'replayed before the fix, it fails again and is parked again',
        early.replayed === 1 && back === true,
        `${early.replayed} replayed; the dead-letter topic holds it ${back ? 'again' : 'not again'}`,
      );

      log('the fix: the referral it updates arrives');
      await publishIntegrationEvent({
        kafka,
        namespace: system.namespace,
        name: 'ReferralSubmitted',
        cipher,
        data: toReferralSubmitted(
          { placingLa: la.org, body },
          { referralId, submittedAt: new Date().toISOString() },
        ),
      });
      const first = await world.client.poll<{ referralVersion: number }, number>(
        'matching',
        `/v1/referrals/${referralId}/shortlist`,
        la,
        (response) => (response.status === 200 ? response.body.referralVersion : undefined),
        60_000,
      );
      const replay = await ops('dlq', 'replay', topics.referral);
      const updated = await world.client.poll<{ referralVersion: number }, number>(
        'matching',
        `/v1/referrals/${referralId}/shortlist`,
        la,
        (response) => (response.status === 200 && response.body.referralVersion === 2 ? 2 : undefined),
        60_000,
      );
      report.check(
        'after the fix the replay applies it',
        first === 1 && replay.replayed === 1 && updated === 2,
        `shortlist at version ${first} before the replay, ${updated ?? 'unchanged'} after; ${replay.replayed} replayed`,
      );
      await sleep(5_000);
      const parked = (await lettersOf(poisonId)).length;
      report.check(
        'not parked again',
        parked === 2,
        `${parked} dead letters with its id (the original and the early replay)`,
      );

      // Monitoring consumed the same message three times (original and two replays): once in the history.
      const history = await world.client.poll<
        { entries: { type: string; data: Record<string, unknown> }[] },
        string[]
      >(
        'monitoring',
        `/v1/children/${la.org}/${childRef}/history`,
        la,
        (response) => {
          const keys = response.status === 200 ? response.body.entries.map(historyKey) : [];
          return keys.includes(`ReferralSubmitted:${referralId}`) ? keys : undefined;
        },
        60_000,
      );
      const times = (key: string) => history?.filter((k) => k === key).length ?? 0;
      report.check(
        'the replays add nothing twice downstream',
        times(`ReferralSubmitted:${referralId}`) === 1 && times(`ReferralNeedsUpdated:${referralId}:2`) === 1,
        `history: ReferralSubmitted ×${times(`ReferralSubmitted:${referralId}`)}, ReferralNeedsUpdated v2 ×${times(`ReferralNeedsUpdated:${referralId}:2`)}`,
      );

      const reconciliation = await reconcile(world, { timeoutMs: 90_000 });
      report.reconciled(reconciliation, world.ledger.serverErrors());
      return report.result(
        {
          operations: reconciliation.operations + 2,
          lost: reconciliation.lost,
          duplicated: reconciliation.duplicated,
        },
        reconciliation,
      );
    } finally {
      await keys.end();
      await world.stop();
    }
  },
};

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) return undefined;
    await sleep(2_000);
  }
}
