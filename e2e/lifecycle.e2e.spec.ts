// Cross-service behaviour through the documented API only, with the four services running as
// processes over the real broker: the demo's lifecycle, an emergency out-of-area start approved
// late, a withdrawn referral that sets nothing in motion, an ended placement's departure notice,
// and a Reg 44 visit missed in a month that has closed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runDemo } from '../scripts/demo.ts';
import { seedReferenceData } from '../scripts/seed.ts';
import { RunningSystem, token } from './harness.ts';

const HARINGEY = 'E09000014';
const today = () => new Date().toISOString().slice(0, 10);
const thisMonth = () => today().slice(0, 7);

/** Monitoring runs a clock set just after this calendar month closes, so the month can be judged. */
function offsetToNextMonth(): number {
  const now = new Date();
  const firstOfNext = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1, 1, 0, 0);
  return firstOfNext - now.getTime();
}

let system: RunningSystem;
let receiver: Server;
let receiverUrl: string;
const webhooks: { type: string; data: Record<string, string> }[] = [];

beforeAll(async () => {
  const infra = inject('infra');
  system = await RunningSystem.start({
    postgresAdminUrl: infra.postgresAdminUrl,
    kafkaBrokers: infra.kafkaBrokers,
    env: {
      monitoring: { CLOCK_OFFSET_MS: String(offsetToNextMonth()), REG44_OVERDUE_CHECK_EVERY_MS: '2000' },
    },
  });
  await seedReferenceData({
    matchingUrl: system.url('matching'),
    opsToken: await token('ops', 'ops'),
    regulatorToken: await token('ofsted', 'regulator'),
  });
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      webhooks.push(JSON.parse(body));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});

afterAll(async () => {
  receiver?.close();
  await system?.stop();
});

interface Candidate {
  urn: string;
  requiredApproval: string | null;
  freePlaces: number;
  weeklyFee: number;
}

async function referral(childRef: string, urgency: 'planned' | 'emergency' = 'planned') {
  const la = await token(HARINGEY, 'placing-authority');
  const submitted = await system.call<{ id: string }>('referral', 'POST', '/v1/referrals', {
    token: la,
    body: {
      childRef,
      child: {
        dateOfBirth: '2012-03-01',
        sex: 'M',
        ethnicity: 'BCRB',
        legalStatus: 'C1',
        categoryOfNeed: 'N4',
        homePostcode: 'N15 5AA',
        homeLocation: { lat: 51.58, lon: -0.08 },
      },
      needs: [
        { domain: 'self-harm', intensity: 'high', frequency: 'frequent' },
        { domain: 'emotional-behavioural', intensity: 'medium', frequency: 'frequent' },
      ],
      risks: { selfHarm: 'risk-present' },
      requirements: {
        placementType: 'K2',
        urgency,
        requiredBy: today(),
        livingArrangement: 'no-preference',
        maxDistanceMiles: 60,
        avoidAreas: [],
        familyAnchors: [],
      },
      childViews: 'Wants somewhere calm where he can keep playing football.',
      attestation: { fullDisclosure: true, referrerName: 'E2E Social Worker' },
    },
  });
  expect(submitted.status, submitted.text).toBe(201);
  const shortlist = await system.eventually<{ candidates: Candidate[] }>(
    'matching',
    `/v1/referrals/${submitted.body.id}/shortlist`,
    la,
    (response) => response.status === 200,
  );
  return { la, referralId: submitted.body.id, candidates: shortlist.body.candidates };
}

async function acceptedOffer(la: string, referralId: string, candidate: Candidate) {
  const home = await system.call<{ providerId: string; la: string }>(
    'matching',
    'GET',
    `/v1/homes/${candidate.urn}`,
    { token: la },
  );
  const offer = await system.call<{ id: string }>('matching', 'POST', `/v1/referrals/${referralId}/offers`, {
    token: la,
    body: { homeUrn: candidate.urn, note: 'e2e' },
  });
  expect(offer.status, offer.text).toBe(201);
  const accepted = await system.call('matching', 'POST', `/v1/offers/${offer.body.id}/accept`, {
    token: await token(home.body.providerId, 'provider'),
    body: { weeklyFee: candidate.weeklyFee, earliestStart: today() },
  });
  expect(accepted.status, accepted.text).toBe(200);
  return { offerId: offer.body.id, hostLa: home.body.la, providerId: home.body.providerId };
}

async function subscribe(hostLa: string) {
  const response = await system.call('notification', 'POST', '/v1/subscriptions', {
    token: await token(hostLa, 'host-authority'),
    body: { url: receiverUrl, eventTypes: ['out-of-area.placement-notice', 'out-of-area.departure-notice'] },
  });
  expect([201, 200]).toContain(response.status);
}

async function history(childRef: string, until: (types: string[]) => boolean) {
  const la = await token(HARINGEY, 'placing-authority');
  return system.eventually<{ entries: { type: string; data: Record<string, unknown> }[] }>(
    'monitoring',
    `/v1/children/${HARINGEY}/${childRef}/history`,
    la,
    (response) => response.status === 200 && until(response.body.entries.map((entry) => entry.type)),
    60_000,
  );
}

describe('end to end', () => {
  it('plays the demo lifecycle: refer, shortlist, offer, approve, notify, visit, move, verified history, SSDA903', async () => {
    const outcome = await runDemo({
      quiet: true,
      urls: {
        referral: system.url('referral'),
        matching: system.url('matching'),
        notification: system.url('notification'),
        monitoring: system.url('monitoring'),
      },
    });
    expect(outcome.historyValid).toBe(true);
    expect(outcome.webhooks.length).toBeGreaterThanOrEqual(2);
    expect(outcome.webhooks.every((webhook) => webhook.verified)).toBe(true);
    for (const type of [
      'ReferralSubmitted',
      'PlacementProposed',
      'NotificationRaised',
      'NotificationDelivered',
      'NotificationAcknowledged',
      'PlacementApprovalRecorded',
      'PlacementStarted',
      'Reg44VisitRecorded',
      'PlacementEnded',
    ]) {
      expect(outcome.historyTypes, type).toContain(type);
    }
    const header = outcome.episodesCsv.split(/\r?\n/)[0];
    expect(header).toBe(
      'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN',
    );
    expect(outcome.episodesCsv).toContain(`${outcome.childRef},`);
  });

  let emergency:
    | { childRef: string; placementId: string; hostLa: string; urn: string; providerId: string }
    | undefined;

  it('starts an emergency out-of-area placement before approval and records the late approval as a compliance fact', async () => {
    const childRef = `EM${Date.now() % 1_000_000}`;
    const { la, referralId, candidates } = await referral(childRef, 'emergency');
    const candidate = candidates.find((c) => c.requiredApproval === 'nominated-officer' && c.freePlaces > 0);
    expect(candidate, 'an out-of-area candidate in an adjoining LA').toBeDefined();
    const offer = await acceptedOffer(la, referralId, candidate!);
    await subscribe(offer.hostLa);
    const proposed = await system.call<{ id: string; status: string }>('matching', 'POST', '/v1/placements', {
      token: la,
      body: {
        offerId: offer.offerId,
        plannedStart: today(),
        emergency: true,
        justification: 'Emergency: no safe bed in borough tonight.',
        previousPlacementId: null,
        placeChangeReason: null,
      },
    });
    expect(proposed.status, proposed.text).toBe(201);
    const placementId = proposed.body.id;
    const started = await system.call('matching', 'POST', `/v1/placements/${placementId}/start`, {
      token: la,
      body: { startDate: today() },
    });
    expect(started.status, started.text).toBe(200);
    const approval = await system.call('matching', 'POST', `/v1/placements/${placementId}/approvals`, {
      token: la,
      body: {
        level: 'nominated-officer',
        approverName: 'N. Officer',
        decision: 'approved',
        note: 'Approved the morning after.',
      },
    });
    expect(approval.status, approval.text).toBe(201);

    const notice = await system.eventually<{ items: { placementId: string; dueBy: string; kind: string }[] }>(
      'notification',
      '/v1/notifications?kind=out-of-area.placement-notice',
      await token(offer.hostLa, 'host-authority'),
      (response) =>
        response.status === 200 && response.body.items.some((item) => item.placementId === placementId),
    );
    const raised = notice.body.items.find((item) => item.placementId === placementId)!;
    expect(raised.dueBy > today()).toBe(true); // start + 5 working days (CPPCR reg 13(4))

    const entries = await history(
      childRef,
      (types) => types.includes('PlacementApprovalRecorded') && types.includes('PlacementStarted'),
    );
    const start = entries.body.entries.find((entry) => entry.type === 'PlacementStarted')!;
    const late = entries.body.entries.find((entry) => entry.type === 'PlacementApprovalRecorded')!;
    expect(start.data.approvalMissing).toBe(true);
    expect(late.data.recordedAfterStart).toBe(true);
    emergency = {
      childRef,
      placementId,
      hostLa: offer.hostLa,
      urn: candidate!.urn,
      providerId: offer.providerId,
    };
  });

  it('ends a placement and sends the departure notice to the host authority', async () => {
    expect(emergency).toBeDefined();
    const la = await token(HARINGEY, 'placing-authority');
    const ended = await system.call('matching', 'POST', `/v1/placements/${emergency!.placementId}/end`, {
      token: la,
      body: { endDate: today(), reasonEnded: 'E13', note: 'Returned to live with his aunt.' },
    });
    expect(ended.status, ended.text).toBe(200);
    await expect
      .poll(
        () =>
          webhooks.find(
            (webhook) =>
              webhook.type === 'out-of-area.departure-notice' &&
              webhook.data.placementId === emergency!.placementId,
          ),
        {
          timeout: 30_000,
          interval: 250,
        },
      )
      .toBeDefined();
    const entries = await history(emergency!.childRef, (types) => types.includes('PlacementEnded'));
    expect(entries.body.entries.find((entry) => entry.type === 'PlacementEnded')?.data.reasonEnded).toBe(
      'E13',
    );
  });

  it('sets nothing in motion for a withdrawn referral', async () => {
    const childRef = `WD${Date.now() % 1_000_000}`;
    const { la, referralId, candidates } = await referral(childRef);
    const withdrawn = await system.call('referral', 'POST', `/v1/referrals/${referralId}/withdraw`, {
      token: la,
      body: { reason: 'The family arranged kinship care.' },
    });
    expect(withdrawn.status, withdrawn.text).toBe(200);
    const read = await system.call<{ status: string }>('referral', 'GET', `/v1/referrals/${referralId}`, {
      token: la,
    });
    expect(read.body.status).toBe('withdrawn');
    const entries = await history(childRef, (types) => types.includes('ReferralWithdrawn'));
    expect(entries.body.entries.map((entry) => entry.type)).toEqual([
      'ReferralSubmitted',
      'ReferralWithdrawn',
    ]);
    const offer = await system.eventually<{ status?: number }>(
      'matching',
      `/v1/referrals/${referralId}/shortlist`,
      la,
      () => true,
    );
    expect(offer.status).toBe(200);
    const refused = await system.call('matching', 'POST', `/v1/referrals/${referralId}/offers`, {
      token: la,
      body: { homeUrn: candidates[0]!.urn, note: 'too late' },
    });
    expect(refused.status).toBe(409);
    const notices = await system.call<{ items: { childRef?: string; placementId: string | null }[] }>(
      'notification',
      'GET',
      '/v1/notifications',
      { token: la },
    );
    expect(notices.body.items.filter((item) => item.childRef === childRef)).toEqual([]);
  });

  it('raises a Reg 44 visit overdue for a home that had a child placed in a month that closed without a visit', async () => {
    expect(emergency).toBeDefined();
    const ops = await token('ops', 'ops');
    const compliance = await system.eventually<{
      month: string;
      homes: { urn: string; visits: number; overdue: boolean }[];
    }>(
      'monitoring',
      `/v1/compliance/reg44?month=${thisMonth()}`,
      ops,
      (response) =>
        response.status === 200 &&
        response.body.homes.some((home) => home.urn === emergency!.urn && home.overdue),
      60_000,
    );
    expect(compliance.body.homes.find((home) => home.urn === emergency!.urn)?.visits).toBe(0);
    const provider = await token(emergency!.providerId, 'provider');
    const overdue = await system.eventually<{ items: { kind: string; homeUrn: string }[] }>(
      'notification',
      '/v1/notifications?kind=reg44.visit-overdue',
      provider,
      (response) =>
        response.status === 200 && response.body.items.some((item) => item.homeUrn === emergency!.urn),
      60_000,
    );
    expect(overdue.body.items.filter((item) => item.homeUrn === emergency!.urn)).toHaveLength(1);
  });
});

describe('tracing', () => {
  it('carries one trace id from an HTTP request through Kafka into the consuming services’ logs', async () => {
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const la = await token(HARINGEY, 'placing-authority');
    const submitted = await system.call<{ id: string }>('referral', 'POST', '/v1/referrals', {
      token: la,
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: {
        childRef: `TR${Date.now() % 1_000_000}`,
        child: {
          dateOfBirth: '2011-07-01',
          sex: 'F',
          ethnicity: 'WBRI',
          legalStatus: 'C2',
          categoryOfNeed: 'N1',
          homePostcode: 'N17 6QA',
          homeLocation: { lat: 51.597, lon: -0.072 },
        },
        needs: [{ domain: 'education', intensity: 'low', frequency: 'occasional' }],
        risks: {},
        requirements: {
          placementType: 'K2',
          urgency: 'planned',
          requiredBy: today(),
          livingArrangement: 'no-preference',
          avoidAreas: [],
          familyAnchors: [],
        },
        childViews: 'Would like to be near the sea.',
        attestation: { fullDisclosure: true, referrerName: 'Tracer' },
      },
    });
    expect(submitted.status, submitted.text).toBe(201);
    for (const service of ['referral', 'matching', 'monitoring'] as const) {
      await expect
        .poll(() => system.logs.get(service)!.some((line) => line.includes(traceId)), {
          timeout: 30_000,
          interval: 250,
        })
        .toBe(true);
    }
  });
});
