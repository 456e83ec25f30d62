// The intake through the real broker: other services' events (the referral's personal fields
// sealed, as they travel) are consumed, recorded as facts and projected; nothing personal is kept
// at rest; a redelivered message records nothing twice; the read models rebuild from the log; an
// erased child leaves the read models.
import { randomUUID } from 'node:crypto';
import {
  type IntegrationEventData,
  type IntegrationEventName,
  integrationEvents,
  subjectIdFor,
} from '@placements/contracts';
import { withTransaction } from '@placements/event-store';
import { publishIntegrationEvent } from '@placements/service-kit/testing';
import { generateHomes, generateReferrals, toReferralSubmitted } from '@placements/synthetic-data';
import { type TestDatabase, testKafka } from '@placements/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { commissioningDatabase, commissioningHost, getJson, type TestHost } from '../test-support/harness.ts';
import { recordErasure } from './intake.ts';
import { READ_MODEL_TABLES } from './projection.ts';

const LA = 'E09000014';
let db: TestDatabase;
let t: TestHost;
let kafka: ReturnType<typeof testKafka>;

const home = generateHomes({ count: 1, seed: 'intake-home', asOf: '2026-04-01' })[0]!;
home.profile.la = 'E08000003';
const referral = generateReferrals({
  count: 1,
  seed: 'intake-referral',
  asOf: '2026-04-01',
  placingLa: LA,
})[0]!;
referral.body.childViews = 'Wants to keep seeing her little brother every Saturday.';
const referralId = randomUUID();
const placementId = randomUUID();
const offerId = randomUUID();
const notificationId = randomUUID();
const submitted = toReferralSubmitted(referral, { referralId, submittedAt: '2026-05-04T09:00:00Z' });
const placementRef = {
  placementId,
  referralId,
  placingLa: LA,
  childRef: referral.body.childRef,
  homeUrn: home.urn,
  providerId: home.profile.providerId,
  hostLa: 'E08000003',
  outOfArea: true,
  atDistance: true,
};
const noticeRef = {
  notificationId,
  kind: 'out-of-area.placement-notice' as const,
  recipientOrg: 'E08000003',
  placementId,
  placingLa: LA,
  childRef: referral.body.childRef,
  homeUrn: home.urn,
};

async function publish<N extends IntegrationEventName>(
  name: N,
  data: IntegrationEventData<N>,
  eventId?: string,
): Promise<string> {
  return publishIntegrationEvent({
    kafka,
    namespace: t.namespace,
    name,
    data: integrationEvents[name].schema.parse(data) as IntegrationEventData<N>,
    cipher: t.host.cipher,
    ...(eventId ? { eventId } : {}),
  });
}

async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await t.host.catchUpProjections();
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function snapshot(): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const table of READ_MODEL_TABLES) {
    const { rows } = await db.pool.query(`SELECT row_to_json(t)::text AS row FROM ${table} t ORDER BY 1`);
    tables[table] = rows.map((row) => row.row);
  }
  return tables;
}

beforeAll(async () => {
  db = await commissioningDatabase('cm_intake');
  t = await commissioningHost(db);
  kafka = testKafka(inject('infra').kafkaBrokers);
  await t.host.start();
  await t.host.messagingReady;

  await publish('HomeRegistered', {
    urn: home.urn,
    profile: home.profile,
    registeredAt: '2026-01-01T09:00:00Z',
  });
  const first = await publish('ReferralSubmitted', submitted);
  // The same message again, as a redelivery: the inbox (and the fact's id) keep it once.
  await publish('ReferralSubmitted', submitted, first);
  await publish('ShortlistProduced', {
    referralId,
    referralVersion: 1,
    placingLa: LA,
    childRef: referral.body.childRef,
    generatedAt: '2026-05-04T09:01:00Z',
    homesConsidered: 1,
    candidates: [],
    exclusionCounts: { 'no-free-place': 1 },
    nearestExcluded: [{ urn: home.urn, rules: ['no-free-place'], distanceMiles: 3.2 }],
  });
  const offer = {
    offerId,
    referralId,
    placingLa: LA,
    childRef: referral.body.childRef,
    homeUrn: home.urn,
    providerId: home.profile.providerId,
  };
  await publish('OfferSent', { ...offer, sentAt: '2026-05-04T10:00:00Z' });
  await publish('OfferAccepted', {
    ...offer,
    weeklyFee: 5150,
    earliestStart: '2026-05-08',
    reservationExpiresAt: '2026-05-11T10:00:00Z',
    acceptedAt: '2026-05-05T10:00:00Z',
  });
  await publish('PlacementProposed', {
    ...placementRef,
    offerId,
    distanceMiles: 160.4,
    over20Miles: true,
    requiredApproval: 'dcs',
    plannedStart: '2026-05-08',
    emergency: false,
    justification: 'Away from the people exploiting her near her home.',
    previousPlacementId: null,
    placeChangeReason: null,
    placementType: 'K2',
    placementProvider: 'PR4',
    homePostcode: home.profile.postcode,
    weeklyFee: home.profile.weeklyFee,
    proposedAt: '2026-05-05T11:00:00Z',
  });
  await publish('NotificationRaised', {
    ...noticeRef,
    hostLa: 'E08000003',
    dueBy: '2026-05-08',
    placementStart: '2026-05-08',
    obligation: `placement-notice:${placementId}:E08000003`,
    causationEventId: randomUUID(),
    raisedAt: '2026-05-05T11:00:01Z',
  });
  await publish('NotificationDelivered', {
    ...noticeRef,
    channel: 'webhook',
    subscriptionId: null,
    attempt: 1,
    deliveredAt: '2026-05-06T08:00:00Z',
    sentBeforeStart: true,
  });
  await publish('PlacementStarted', {
    ...placementRef,
    startDate: '2026-05-08',
    emergency: false,
    requiredApproval: 'dcs',
    approvalMissing: false,
    previousPlacementId: null,
    placeChangeReason: null,
    startedAt: '2026-05-08T10:00:00Z',
  });
}, 180_000);

afterAll(async () => {
  await t?.host.stop();
  await db?.drop();
});

describe('intake from Kafka', () => {
  it('projects the events into the LA’s view of its placements', async () => {
    const row = await eventually(async () => {
      const { body } = await getJson<{
        rows: { placementId: string; status: string; hostNotice: { status: string } }[];
      }>(t.host, '/v1/commissioning/placements', LA, 'placing-authority');
      const found = body.rows.find((r) => r.placementId === placementId);
      return found && found.status === 'active' && found.hostNotice.status === 'delivered'
        ? found
        : undefined;
    }, 'the placement');
    expect(row).toMatchObject({
      childRef: referral.body.childRef,
      hostLa: 'E08000003',
      atDistance: true,
      distanceMiles: 160.4,
      weeklyFee: 5150,
      hostNotice: { status: 'delivered', sentBeforeStart: true },
    });
    const referrals = await getJson<{
      rows: { referralId: string; candidates: number; bindingReason: string }[];
    }>(
      t.host,
      '/v1/commissioning/unmet-need/referrals?from=2026-05-01&to=2026-05-31',
      LA,
      'placing-authority',
    );
    expect(referrals.body.rows).toEqual([
      expect.objectContaining({ referralId, candidates: 0, bindingReason: 'capacity' }),
    ]);
  });

  it('records a redelivered message once', async () => {
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS facts FROM events WHERE stream_id = $1 AND event_type = 'commissioning.ReferralRecorded'`,
      [`commissioning-referral.${referralId}`],
    );
    expect(rows[0].facts).toBe(1);
  });

  it('keeps nothing personal about the child at rest', async () => {
    const child = referral.body.child;
    const personal = [
      child.dateOfBirth,
      child.homePostcode,
      String(child.homeLocation.lat),
      String(child.homeLocation.lon),
      referral.body.childViews,
      'exploiting',
      referral.body.attestation.referrerName,
      ...referral.body.requirements.familyAnchors.map((anchor) => String(anchor.lat)),
    ];
    const { rows: facts } = await db.pool.query(
      `SELECT data::text AS data FROM events WHERE stream_type = 'commissioning'`,
    );
    expect(facts.length).toBeGreaterThanOrEqual(9);
    const tables = Object.values(await snapshot())
      .flat()
      .map(String);
    for (const text of [...facts.map((row) => row.data as string), ...tables]) {
      for (const value of personal) expect(text).not.toContain(value);
    }
    // What is kept instead: an age band and the sex.
    const { rows } = await db.pool.query(
      'SELECT age_band, sex FROM commissioning_referrals WHERE referral_id = $1',
      [referralId],
    );
    expect(rows[0]).toEqual({
      age_band: expect.stringMatching(/^(under-10|10-12|13-15|16-plus)$/),
      sex: child.sex,
    });
  });

  it('rebuilds every read model from the log to the same contents', async () => {
    const before = await snapshot();
    expect(before.commissioning_placements).toHaveLength(1);
    await t.host.rebuildProjections();
    expect(await snapshot()).toEqual(before);
  });

  it('purges an erased child from the read models, keeps the counts, and stays purged through a rebuild', async () => {
    const childRef = referral.body.childRef;
    const mentions = async () => {
      let found = 0;
      for (const rows of Object.values(await snapshot()))
        found += rows.filter((row) => String(row).includes(childRef)).length;
      return found;
    };
    expect(await mentions()).toBeGreaterThan(0);
    const erasureId = randomUUID();
    await withTransaction(t.host.pool, (client) =>
      recordErasure(
        t.host.store,
        client,
        { erasureId, subjectId: subjectIdFor(LA, childRef), erasedAt: '2026-06-01T09:00:00Z' },
        t.host.clock(),
      ),
    );
    expect(await mentions()).toBe(0);
    const pseudonym = `erased-${erasureId.slice(0, 8)}`;
    const { body } = await getJson<{ rows: { placementId: string; childRef: string }[] }>(
      t.host,
      '/v1/commissioning/placements',
      LA,
      'placing-authority',
    );
    expect(body.rows.find((row) => row.placementId === placementId)?.childRef).toBe(pseudonym);
    // A later event about the child is projected under the pseudonym.
    await publish('PlacementEnded', {
      ...placementRef,
      endDate: '2026-06-10',
      reasonEnded: 'E13',
      nextPlacementId: null,
      endedAt: '2026-06-10T10:00:00Z',
    });
    await eventually(async () => {
      const { rows } = await db.pool.query(
        'SELECT status, child_ref FROM commissioning_placements WHERE placement_id = $1',
        [placementId],
      );
      return rows[0]?.status === 'ended' ? rows[0] : undefined;
    }, 'the placement to end');
    expect(await mentions()).toBe(0);
    await t.host.rebuildProjections();
    expect(await mentions()).toBe(0);
    const { rows } = await db.pool.query(
      'SELECT count(*)::int AS n FROM commissioning_referrals WHERE child_ref = $1',
      [pseudonym],
    );
    expect(rows[0].n).toBe(1);
  });
});
