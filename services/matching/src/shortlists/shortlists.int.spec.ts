// The Kafka path end to end: a ReferralSubmitted on the real broker produces a shortlist readable
// over HTTP; a ReferralNeedsUpdated produces a new one for the new version; ShortlistProduced goes
// out on the matching topic.
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { cloudEventType, ERASED, integrationEvents, topics } from '@placements/contracts';
import { isSealedField } from '@placements/event-store';
import { deadLetterTopicOf, listDeadLetters, replayDeadLetters } from '@placements/messaging';
import { publishIntegrationEvent } from '@placements/service-kit/testing';
import { readMessages, testKafka } from '@placements/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ENFIELD,
  HARINGEY,
  haringeyProfile,
  homeProfile,
  NOW,
  referralSubmitted,
} from '../test-support/fixtures.ts';
import { call, eventually, type RunningMatching, startMatching } from '../test-support/service.ts';

let running: RunningMatching;
const la = { org: HARINGEY, role: 'placing-authority' as const };
const provider = { org: 'P1001', role: 'provider' as const };
const referralId = randomUUID();

async function publish<N extends 'ReferralSubmitted' | 'ReferralNeedsUpdated'>(name: N, data: object) {
  await publishIntegrationEvent({
    kafka: testKafka(inject('infra').kafkaBrokers),
    namespace: running.namespace,
    name,
    data: data as never,
    cipher: running.host.cipher,
  });
}

async function shortlist(id: string, version: number) {
  return eventually(async () => {
    const response = await call(running.host, 'GET', `/v1/referrals/${id}/shortlist`, la);
    expect(response.statusCode).toBe(200);
    expect(response.json().referralVersion).toBe(version);
    return response;
  }, 60_000);
}

beforeAll(async () => {
  running = await startMatching({ messaging: true, clock: () => NOW });
  const { host } = running;
  const homes = [
    ['SC400001', haringeyProfile()],
    ['SC400002', homeProfile()],
    ['SC400003', haringeyProfile({ sexes: ['M'] })],
    [
      'SC400004',
      haringeyProfile({
        la: ENFIELD,
        location: { lat: 51.65, lon: -0.08 },
        needsMet: [
          { domain: 'autism', maxIntensity: 'high' },
          { domain: 'self-harm', maxIntensity: 'high' },
        ],
      }),
    ],
  ] as const;
  for (const [urn, profile] of homes) {
    expect((await call(host, 'PUT', `/v1/homes/${urn}`, provider, profile)).statusCode).toBe(201);
  }
  await eventually(async () => {
    const { rows } = await host.pool.query('SELECT count(*)::int AS n FROM homes');
    expect(rows[0].n).toBe(homes.length);
  });
  await host.messagingReady;
}, 120_000);

afterAll(async () => {
  await running?.stop();
});

describe('shortlists from the referral topic', () => {
  it('answers 404 shortlist-not-ready before the referral has been matched', async () => {
    const response = await call(running.host, 'GET', `/v1/referrals/${referralId}/shortlist`, la);
    expect(response.statusCode).toBe(404);
    expect(response.json().type).toBe('/problems/shortlist-not-ready');
  });

  it('a ReferralSubmitted produces a shortlist with reasons and exclusions, readable by the placing LA only', async () => {
    await publish('ReferralSubmitted', referralSubmitted({ referralId }));
    const response = await shortlist(referralId, 1);
    expect(response.headers['content-type']).toContain('application/json');
    expect(response.headers.etag).toBe('"1"');
    const body = response.json();
    expect(body).toMatchObject({ referralId, referralVersion: 1, homesConsidered: 4 });
    expect(body.candidates.map((c: { urn: string }) => c.urn)).toEqual(['SC400001', 'SC400004', 'SC400002']);
    expect(body.candidates[0]).toMatchObject({
      rank: 1,
      outOfArea: false,
      atDistance: false,
      requiredApproval: null,
      freePlaces: 4,
      weeklyFee: 5200,
    });
    expect(body.candidates[1]).toMatchObject({
      outOfArea: true,
      atDistance: false,
      requiredApproval: 'nominated-officer',
    });
    expect(body.candidates[2]).toMatchObject({
      atDistance: true,
      requiredApproval: 'dcs',
      over20Miles: true,
    });
    expect(body.candidates[0].reasons.map((r: { factor: string }) => r.factor)).toContain('needs');
    expect(body.excluded).toEqual([
      { urn: 'SC400003', rules: ['sex-outside-registration'], distanceMiles: expect.any(Number) },
    ]);
    expect(body.exclusionCounts).toEqual({ 'sex-outside-registration': 1 });
    // The family anchor's label is personal data and never reaches the shortlist.
    expect(response.body).not.toContain('sister');

    // Clients that accept gzip get the stored bytes as they are; the content is the same.
    const compressed = await call(
      running.host,
      'GET',
      `/v1/referrals/${referralId}/shortlist`,
      la,
      undefined,
      {
        'accept-encoding': 'br, gzip;q=0.8',
      },
    );
    expect(compressed.headers['content-encoding']).toBe('gzip');
    expect(compressed.headers.vary).toContain('accept-encoding');
    expect(JSON.parse(gunzipSync(compressed.rawPayload).toString('utf8'))).toEqual(body);

    const otherLa = await call(running.host, 'GET', `/v1/referrals/${referralId}/shortlist`, {
      org: 'E09000019',
      role: 'placing-authority',
    });
    expect(otherLa.statusCode).toBe(404);
    expect(otherLa.json().type).toBe('/problems/not-found');
    expect(
      (await call(running.host, 'GET', `/v1/referrals/${referralId}/shortlist`, provider)).statusCode,
    ).toBe(403);
    expect(
      (await call(running.host, 'GET', `/v1/referrals/${referralId}/shortlist`, { org: 'ops', role: 'ops' }))
        .statusCode,
    ).toBe(200);
  });

  it('a ReferralNeedsUpdated produces a new shortlist for the new version', async () => {
    await publish('ReferralNeedsUpdated', {
      referralId,
      placingLa: HARINGEY,
      childRef: 'HAR0001234',
      referralVersion: 2,
      needs: [
        { domain: 'self-harm', intensity: 'high', frequency: 'frequent' },
        { domain: 'autism', intensity: 'high', frequency: 'constant' },
      ],
      risks: { selfHarm: 'risk-present' },
      requirements: { placementType: 'K2', urgency: 'planned', livingArrangement: 'no-preference' },
      locations: { avoidAreas: [], familyAnchors: [] },
      updatedAt: new Date().toISOString(),
    });
    const body = (await shortlist(referralId, 2)).json();
    expect(body.candidates.map((c: { urn: string }) => c.urn)).toEqual(['SC400004']);
    expect(body.excluded.find((e: { urn: string }) => e.urn === 'SC400001').rules).toEqual([
      'need-exceeds-statement-of-purpose',
    ]);
  });

  it('publishes ShortlistProduced on the matching topic, keyed by referral, its candidates sealed, valid against the catalogue', async () => {
    const messages = await readMessages(
      inject('infra').kafkaBrokers,
      `${running.namespace}.${topics.matching}`,
      {
        count: 2,
        timeoutMs: 30_000,
        idleMs: 500,
      },
    );
    const shortlists = messages.filter((m) => m.headers.ce_type === cloudEventType('ShortlistProduced'));
    expect(shortlists.map((m) => m.key)).toEqual([referralId, referralId]);
    for (const message of shortlists) {
      const published = JSON.parse(message.value!);
      // Distances to known homes would locate the child: on the topic they are ciphertext.
      expect(isSealedField(published.candidates)).toBe(true);
      expect(isSealedField(published.nearestExcluded)).toBe(true);
      expect(message.value).not.toContain('miles');
      const opened = await running.host.cipher.open(published);
      const parsed = integrationEvents.ShortlistProduced.schema.safeParse(opened);
      expect(parsed.success).toBe(true);
      expect(opened.candidates.length).toBeGreaterThan(0);
    }
    expect(shortlists.map((m) => JSON.parse(m.value!).referralVersion)).toEqual([1, 2]);
  });

  it('produces no shortlist for a referral whose child’s data arrives erased', async () => {
    const erasedId = randomUUID();
    await publish(
      'ReferralSubmitted',
      referralSubmitted({ referralId: erasedId, childRef: 'HARERASE1', child: ERASED }),
    );
    await eventually(async () => {
      const { rows } = await running.host.pool.query(
        'SELECT 1 FROM referral_snapshots WHERE referral_id = $1',
        [erasedId],
      );
      expect(rows).toHaveLength(1);
    }, 60_000);
    const response = await call(running.host, 'GET', `/v1/referrals/${erasedId}/shortlist`, la);
    expect(response.statusCode).toBe(404);
    expect(response.json().type).toBe('/problems/shortlist-not-ready');
  });

  it('parks a needs update for a referral not submitted here, and applies it when replayed after the submission', async () => {
    const laterId = randomUUID();
    const update = {
      referralId: laterId,
      placingLa: HARINGEY,
      childRef: 'HARLATE01',
      referralVersion: 2,
      needs: [{ domain: 'self-harm', intensity: 'low', frequency: 'occasional' }],
      risks: {},
      requirements: { placementType: 'K2', urgency: 'planned', livingArrangement: 'no-preference' },
      locations: { avoidAreas: [], familyAnchors: [] },
      updatedAt: new Date().toISOString(),
    };
    await publish('ReferralNeedsUpdated', update);
    const kafka = testKafka(inject('infra').kafkaBrokers);
    const deadLetters = deadLetterTopicOf(`${running.namespace}.${topics.referral}`);
    const letter = await eventually(async () => {
      const letters = await listDeadLetters(kafka, deadLetters, { timeoutMs: 5_000 });
      const found = letters.find((l) => l.key === laterId);
      expect(found).toBeDefined();
      return found!;
    }, 60_000);
    expect(letter.error).toContain('has not been applied here');
    expect(letter.attempts).toBeGreaterThan(1);

    await publish('ReferralSubmitted', referralSubmitted({ referralId: laterId, childRef: 'HARLATE01' }));
    await shortlist(laterId, 1);
    expect(await replayDeadLetters(kafka, deadLetters)).toBe(1);
    await shortlist(laterId, 2);
  });
});
