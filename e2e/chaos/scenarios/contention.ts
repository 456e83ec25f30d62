// Scenario 7, contention: fifty providers' acceptances racing for the last place of a home with
// one registered place (exactly one wins, the rest are 409 no-free-place, the home is never
// overbooked), and fifty needs updates of one referral sent at once with the same If-Match
// (exactly one applies, the rest are 412, one new version and one new shortlist).
import { randomInt } from 'node:crypto';
import { todayInEngland } from '@placements/contracts';
import { needsUpdateBody, referralBody } from '../load.ts';
import { reconcile } from '../reconcile.ts';
import { type Scenario, ScenarioReport } from '../scenario.ts';
import { ChaosWorld } from '../world.ts';

const RACERS = 50;
const PLACING_LA = 'E09000014';

/** A one-place home in Haringey that every referred child fits. */
function onePlaceHome(providerId: string) {
  return {
    name: 'Contention House',
    providerId,
    providerName: 'Contention Care Ltd',
    sector: 'PR4',
    la: PLACING_LA,
    postcode: 'N17 6QA',
    location: { lat: 51.597, lon: -0.072 },
    registeredPlaces: 1,
    ageRange: { min: 8, max: 17 },
    sexes: ['M', 'F'],
    needsMet: [{ domain: 'emotional-behavioural', maxIntensity: 'high' }],
    weeklyFee: 4200,
    contractRoute: 'spot',
    admissionsOpen: true,
  };
}

export const contention: Scenario = {
  name: 'contention',
  title: '50 concurrent accepts on a one-place home; 50 needs updates with one If-Match',
  async run({ infra, log }) {
    const report = new ScenarioReport(this);
    const world = await ChaosWorld.start({ ...infra, homeCount: 20, client: { perSecond: 0 } });
    try {
      const { client } = world;
      const la = { org: PLACING_LA, role: 'placing-authority' as const };
      const urn = `SC${randomInt(900_000, 999_999)}`;
      const providerId = `P${randomInt(90_000, 99_999)}`;
      const home = onePlaceHome(providerId);
      const registered = await client.attempt('matching', 'PUT', `/v1/homes/${urn}`, world.ops(), {
        body: home,
      });
      if (registered?.status !== 201)
        throw new Error(`home not registered: ${registered?.status} ${registered?.text}`);

      log(`referring ${RACERS} children and sending each an offer of the one place at ${urn}`);
      const referralIds = await inBatches(RACERS, 8, async (n) => {
        const childRef = `${world.runTag}C${String(n).padStart(4, '0')}`;
        const result = await client.write<{ id: string }>(
          'submit-referral',
          'referral',
          'POST',
          '/v1/referrals',
          la,
          {
            journey: n,
            ids: { childRef, placingLa: PLACING_LA },
            body: referralBody(childRef, home, n % 2 === 0 ? 'F' : 'M'),
          },
        );
        if (result.outcome !== 'accepted' || !result.response)
          throw new Error(`referral ${n}: ${result.response?.status}`);
        result.entry.ids.referralId = result.response.body.id;
        return result.response.body.id;
      });
      // Matching learns of each referral over Kafka; an offer needs the referral it is for.
      await inBatches(RACERS, 8, async (n) => {
        const ready = await client.poll(
          'matching',
          `/v1/referrals/${referralIds[n]}/shortlist`,
          la,
          (response) => (response.status === 200 ? true : undefined),
          120_000,
        );
        if (!ready) throw new Error(`no shortlist for referral ${referralIds[n]}`);
      });
      const offerIds = await inBatches(RACERS, 8, async (n) => {
        const referralId = referralIds[n]!;
        const result = await client.write<{ id: string }>(
          'send-offer',
          'matching',
          'POST',
          `/v1/referrals/${referralId}/offers`,
          la,
          {
            journey: n,
            ids: { referralId, urn },
            body: { homeUrn: urn, note: 'One place left.' },
          },
        );
        if (result.outcome !== 'accepted' || !result.response)
          throw new Error(`offer ${n}: ${result.response?.status} ${result.response?.text}`);
        result.entry.ids.offerId = result.response.body.id;
        return result.response.body.id;
      });

      log(`${RACERS} acceptances at once`);
      const provider = { org: providerId, role: 'provider' as const };
      const accepts = await Promise.all(
        offerIds.map((offerId, n) =>
          client.write('accept-offer', 'matching', 'POST', `/v1/offers/${offerId}/accept`, provider, {
            journey: n,
            ids: { offerId, urn },
            body: { weeklyFee: 4200, earliestStart: todayInEngland() },
          }),
        ),
      );
      const won = accepts.filter((a) => a.response?.status === 200).length;
      const noPlace = accepts.filter(
        (a) =>
          a.response?.status === 409 &&
          String((a.response.body as { type?: string }).type).endsWith('no-free-place'),
      ).length;
      report.check(
        'exactly one acceptance wins the one place',
        won === 1 && noPlace === RACERS - 1,
        `${won} × 200, ${noPlace} × 409 no-free-place, other: ${
          accepts
            .filter((a) => a.response?.status !== 200 && a.response?.status !== 409)
            .map((a) => a.response?.status ?? 'none')
            .join(',') || 'none'
        }`,
      );
      const after = await client.read<{ freePlaces: number; reservedPlaces: number; occupiedPlaces: number }>(
        'matching',
        `/v1/homes/${urn}`,
        world.ops(),
      );
      report.check(
        'the home is not overbooked',
        after.body.reservedPlaces === 1 && after.body.freePlaces === 0,
        `reserved ${after.body.reservedPlaces}, occupied ${after.body.occupiedPlaces}, free ${after.body.freePlaces}`,
      );

      log(`${RACERS} needs updates with If-Match "1" at once`);
      const target = referralIds[0]!;
      const updates = await Promise.all(
        Array.from({ length: RACERS }, (_, n) =>
          client.write<{ version: number }>(
            'update-needs',
            'referral',
            'PUT',
            `/v1/referrals/${target}/needs`,
            la,
            {
              journey: n,
              ids: { referralId: target },
              headers: { 'if-match': '"1"' },
              body: needsUpdateBody(),
            },
          ),
        ),
      );
      const applied = updates.filter((u) => u.response?.status === 200).length;
      const stale = updates.filter((u) => u.response?.status === 412).length;
      report.check(
        'exactly one needs update applies',
        applied === 1 && stale === RACERS - 1,
        `${applied} × 200, ${stale} × 412, other: ${
          updates
            .filter((u) => u.response?.status !== 200 && u.response?.status !== 412)
            .map((u) => u.response?.status ?? 'none')
            .join(',') || 'none'
        }`,
      );
      const referral = await client.read<{ version: number }>('referral', `/v1/referrals/${target}`, la);
      report.check(
        'the referral moved on by one version',
        referral.body.version === 2,
        `version ${referral.body.version}`,
      );

      const reconciliation = await reconcile(world, { timeoutMs: 120_000 });
      report.reconciled(reconciliation, world.ledger.serverErrors());
      report.noDeadLetters(world);
      report.clientView(world.ledger);
      return report.result(reconciliation, reconciliation);
    } finally {
      await world.stop();
    }
  },
};

/** Runs `work(0..count-1)` with at most `width` at a time; results in order. */
async function inBatches<T>(count: number, width: number, work: (n: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let n = next++; n < count; n = next++) results[n] = await work(n);
    }),
  );
  return results;
}
