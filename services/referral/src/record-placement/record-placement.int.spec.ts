// Against the real Kafka broker: the relay publishes referral events as CloudEvents, and matching's
// PlacementStarted (published the way matching's relay would) marks the referral placed.
import { randomUUID } from 'node:crypto';
import { type IntegrationEventData, topics } from '@placements/contracts';
import { publishIntegrationEvent } from '@placements/service-kit/testing';
import { readMessages, testKafka } from '@placements/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  asLa,
  eventually,
  HARINGEY,
  referralBody,
  startTestService,
  submitReferral,
  type TestService,
} from '../test-support/referral-fixtures.ts';

let service: TestService;
const brokers = inject('infra').kafkaBrokers;
const kafka = testKafka(brokers);

beforeAll(async () => {
  service = await startTestService({ prefix: 'referral_kafka', messaging: true });
});
afterAll(async () => {
  await service?.stop();
});

function placementStarted(
  referralId: string,
  childRef: string,
  overrides: Partial<IntegrationEventData<'PlacementStarted'>> = {},
): IntegrationEventData<'PlacementStarted'> {
  return {
    placementId: randomUUID(),
    referralId,
    placingLa: HARINGEY,
    childRef,
    homeUrn: 'SC123456',
    providerId: 'P1001',
    hostLa: 'E08000007',
    outOfArea: true,
    atDistance: true,
    startDate: '2026-11-30',
    emergency: false,
    requiredApproval: 'dcs',
    approvalMissing: false,
    previousPlacementId: null,
    placeChangeReason: null,
    startedAt: '2026-11-30T09:15:00.000Z',
    ...overrides,
  };
}

async function publishPlacement(data: IntegrationEventData<'PlacementStarted'>, eventId?: string) {
  return publishIntegrationEvent({
    kafka,
    namespace: service.namespace,
    name: 'PlacementStarted',
    data,
    ...(eventId ? { eventId } : {}),
  });
}

async function readReferral(id: string) {
  const response = await service.host.app.inject({
    method: 'GET',
    url: `/v1/referrals/${id}`,
    headers: await asLa(),
  });
  return response.json();
}

async function inboxHas(messageId: string): Promise<true | undefined> {
  const { rows } = await service.db.pool.query('SELECT 1 FROM inbox WHERE message_id = $1', [messageId]);
  return rows.length > 0 ? true : undefined;
}

async function streamLength(id: string): Promise<number> {
  const { rows } = await service.db.pool.query('SELECT 1 FROM events WHERE stream_id = $1', [
    `referral-${id}`,
  ]);
  return rows.length;
}

const referralTopic = () => `${service.namespace}.${topics.referral}`;

describe('placements.referral.v1', () => {
  it('carries ReferralSubmitted as a CloudEvent keyed by referral id, personal data sealed and never in headers', async () => {
    const body = referralBody('KAF001');
    body.child.dateOfBirth = '2012-08-17';
    body.child.homePostcode = 'M14 5RG';
    body.child.ethnicity = 'BCRB';
    body.childViews = 'Wants her own room and to keep seeing Grandad Joe';
    const { id } = await submitReferral(service.host, body);
    const messages = await readMessages(brokers, referralTopic(), { count: 1, timeoutMs: 30_000 });
    const message = messages.find((candidate) => candidate.key === id);
    expect(message).toBeDefined();
    const { rows } = await service.db.pool.query<{ event_id: string }>(
      'SELECT event_id FROM events WHERE stream_id = $1',
      [`referral-${id}`],
    );
    expect(message!.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: 'uk.placements.referral.ReferralSubmitted.v1',
      ce_source: '/referral',
      ce_id: rows[0]!.event_id,
      ce_subject: id,
      'content-type': 'application/json',
    });
    const secrets = [
      '2012-08-17',
      'M14 5RG',
      'M145RG',
      'BCRB',
      'Grandad Joe',
      'own room',
      '51.6',
      'grandmother',
    ];
    for (const value of Object.values(message!.headers)) {
      for (const secret of secrets) expect(value).not.toContain(secret);
    }
    const raw = message!.value!;
    for (const secret of secrets) expect(raw).not.toContain(secret);
    const value = JSON.parse(raw);
    for (const field of ['child', 'childViews', 'locations']) {
      expect(value[field]).toMatchObject({
        $personal: 'v1',
        sub: `child:${HARINGEY}:KAF001`,
        ct: expect.any(String),
      });
    }
    expect(value).toMatchObject({
      referralId: id,
      placingLa: HARINGEY,
      childRef: 'KAF001',
      needs: body.needs,
    });
  });
});

describe('PlacementStarted from placements.matching.v1', () => {
  it('marks the referral placed once, releases the child, and publishes ReferralPlaced', async () => {
    const { id } = await submitReferral(service.host, referralBody('KAF002'));
    const placement = placementStarted(id, 'KAF002');
    const messageId = await publishPlacement(placement);
    const placed = await eventually(
      async () => {
        const referral = await readReferral(id);
        return referral.status === 'placed' ? referral : undefined;
      },
      { what: 'the referral to be placed' },
    );
    expect(placed).toMatchObject({
      version: 2,
      placement: {
        placementId: placement.placementId,
        homeUrn: 'SC123456',
        startDate: '2026-11-30',
        placedAt: '2026-11-30T09:15:00.000Z',
      },
    });

    // The same message again (same ce_id) and a second placement for the same referral: neither adds an event.
    await publishPlacement(placement, messageId);
    const secondId = await publishPlacement(placementStarted(id, 'KAF002'));
    await eventually(() => inboxHas(secondId), { what: 'the second placement to be consumed' });
    expect(await streamLength(id)).toBe(2);

    // The child is free for a new referral.
    const again = await submitReferral(service.host, referralBody('KAF002'));
    expect(again.id).not.toBe(id);

    const published = await eventually(
      async () => {
        const messages = await readMessages(brokers, referralTopic(), { count: 4, timeoutMs: 5_000 });
        const forReferral = messages.filter((message) => message.key === id);
        return forReferral.length >= 2 ? forReferral : undefined;
      },
      { what: 'ReferralPlaced on the referral topic', timeoutMs: 60_000 },
    );
    expect(published.map((message) => message.headers.ce_type)).toEqual([
      'uk.placements.referral.ReferralSubmitted.v1',
      'uk.placements.referral.ReferralPlaced.v1',
    ]);
    expect(JSON.parse(published[1]!.value!)).toMatchObject({
      referralId: id,
      placementId: placement.placementId,
    });
  });

  it('ignores a placement for a referral this service does not hold', async () => {
    const unknown = randomUUID();
    const messageId = await publishPlacement(placementStarted(unknown, 'KAF003'));
    await eventually(() => inboxHas(messageId), { what: 'the placement to be consumed' });
    expect(await streamLength(unknown)).toBe(0);
  });

  it('dead-letters a placement that names the referral for another child, leaving the referral open', async () => {
    const { id } = await submitReferral(service.host, referralBody('KAF004'));
    const messageId = await publishPlacement(placementStarted(id, 'SOMEONE1'));
    const deadLetters = await eventually(
      async () => {
        const messages = await readMessages(brokers, `${service.namespace}.${topics.matching}.dlq`, {
          count: 1,
          timeoutMs: 5_000,
        });
        const ours = messages.filter((message) => message.headers.ce_id === messageId);
        return ours.length > 0 ? ours : undefined;
      },
      { what: 'the dead letter', timeoutMs: 60_000 },
    );
    expect(deadLetters[0]!.headers.dlq_error).toMatch(/placing LA or child reference/);
    expect((await readReferral(id)).status).toBe('submitted');
  });
});
