// The demo: one child's placement lifecycle played against the running system exactly as the real
// clients would (LA case system, provider, host authority, independent visitor), over HTTP, and
// narrated. Run `bin/up` first, then `pnpm demo` (or `node scripts/demo.ts`).
//
// Service addresses default to bin/up's ports; REFERRAL_URL, MATCHING_URL, NOTIFICATION_URL and
// MONITORING_URL override them (the end-to-end tests point the demo at their own processes).
import { randomInt } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEV_AUDIENCE, DEV_ISSUER, DEV_JWT_SECRET, issueDevToken } from '@placements/service-kit';
import { Webhook } from 'standardwebhooks';

type Role = Parameters<typeof issueDevToken>[0]['roles'][number];
interface Response<T> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface ServiceUrls {
  referral: string;
  matching: string;
  notification: string;
  monitoring: string;
}

let urls: ServiceUrls = {
  referral: process.env.REFERRAL_URL ?? 'http://127.0.0.1:3001',
  matching: process.env.MATCHING_URL ?? 'http://127.0.0.1:3002',
  notification: process.env.NOTIFICATION_URL ?? 'http://127.0.0.1:3003',
  monitoring: process.env.MONITORING_URL ?? 'http://127.0.0.1:3004',
};
let PLACING_LA = process.env.DEMO_PLACING_LA ?? 'E09000014'; // Haringey
let quiet = process.env.DEMO_QUIET === 'true';

function say(text: string): void {
  if (!quiet) console.log(text);
}
function step(title: string): void {
  say(`\n━━ ${title}`);
}
function detail(text: string): void {
  say(`   ${text}`);
}

export class DemoFailure extends Error {}

async function token(org: string, role: Role): Promise<string> {
  return issueDevToken({
    org,
    roles: [role],
    secret: process.env.AUTH_JWT_SECRET ?? DEV_JWT_SECRET,
    issuer: process.env.AUTH_ISSUER ?? DEV_ISSUER,
    audience: process.env.AUTH_AUDIENCE ?? DEV_AUDIENCE,
    sub: `demo-${role}@${org}`,
  });
}

async function call<T>(
  service: keyof typeof urls,
  method: string,
  path: string,
  bearer: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response<T>> {
  const response = await fetch(`${urls[service]}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed =
    (response.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
  return { status: response.status, body: parsed as T, headers: response.headers, text };
}

async function expectStatus<T>(
  promise: Promise<Response<T>>,
  status: number,
  what: string,
): Promise<Response<T>> {
  const response = await promise;
  if (response.status !== status) {
    throw new DemoFailure(
      `${what}: expected ${status}, got ${response.status}: ${response.text.slice(0, 800)}`,
    );
  }
  return response;
}

async function eventually<T>(
  what: string,
  poll: () => Promise<T | undefined>,
  // Each step crosses Kafka and up to three services; on a loaded two-core machine (the test
  // suite running beside it) that has taken over 30 s.
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await poll();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new DemoFailure(`${what}: not reached within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function isoDate(offsetDays = 0): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

interface Candidate {
  urn: string;
  rank: number;
  score: number;
  distanceMiles: number;
  outOfArea: boolean;
  atDistance: boolean;
  requiredApproval: 'nominated-officer' | 'dcs' | null;
  freePlaces: number;
  weeklyFee: number;
  ofstedJudgement: string | null;
  reasons: { factor: string; detail: string }[];
}
interface Shortlist {
  referralId: string;
  referralVersion: number;
  candidates: Candidate[];
  excluded: { urn: string; rules: string[] }[];
}
interface Home {
  urn: string;
  name: string;
  providerId: string;
  la: string;
  postcode: string;
}

/** A local receiver playing the host authority's system: verifies every signature it receives. */
async function startHostReceiver() {
  const received: { id: string; type: string; data: Record<string, unknown>; verified: boolean }[] = [];
  let secret = '';
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const payload = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(request.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(request.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(request.headers['webhook-signature'] ?? ''),
      };
      try {
        const event = new Webhook(secret).verify(payload, headers) as {
          type: string;
          data: Record<string, unknown>;
        };
        received.push({ id: headers['webhook-id'], type: event.type, data: event.data, verified: true });
        response.writeHead(204).end();
      } catch {
        received.push({ id: headers['webhook-id'], type: 'unverified', data: {}, verified: false });
        response.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/placements/notices`,
    received,
    setSecret: (value: string) => {
      secret = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function referralBody(childRef: string, overrides: Record<string, unknown> = {}) {
  return {
    childRef,
    child: {
      dateOfBirth: isoDate(-14.5 * 365),
      sex: 'F',
      ethnicity: 'WBRI',
      legalStatus: 'C2',
      categoryOfNeed: 'N1',
      homePostcode: 'N17 6QA',
      homeLocation: { lat: 51.597, lon: -0.072 },
    },
    needs: [
      { domain: 'self-harm', intensity: 'high', frequency: 'frequent' },
      { domain: 'emotional-behavioural', intensity: 'medium', frequency: 'frequent' },
      { domain: 'education', intensity: 'low', frequency: 'occasional' },
    ],
    risks: { selfHarm: 'risk-present', sexualExploitation: 'risk-present', missing: 'risk-present' },
    requirements: {
      placementType: 'K2',
      urgency: 'planned',
      requiredBy: isoDate(14),
      livingArrangement: 'no-preference',
      maxDistanceMiles: 60,
      avoidAreas: [{ lat: 51.6, lon: -0.1, radiusMiles: 3 }],
      familyAnchors: [{ lat: 51.59, lon: -0.07, label: 'sister' }],
    },
    childViews: 'Wants to stay near her sister, keep going to her school and have her own room.',
    attestation: { fullDisclosure: true, referrerName: 'A. Social Worker' },
    ...overrides,
  };
}

/** Refers the child and waits for the shortlist; returns both. */
async function referAndShortlist(la: string, childRef: string, overrides: Record<string, unknown> = {}) {
  const submitted = await expectStatus(
    call<{ id: string; version: number; status: string }>(
      'referral',
      'POST',
      '/v1/referrals',
      la,
      referralBody(childRef, overrides),
      {
        'idempotency-key': `demo-${childRef}-${Date.now()}`,
      },
    ),
    201,
    'POST /v1/referrals',
  );
  const referralId = submitted.body.id;
  const shortlist = await eventually('the shortlist', async () => {
    const response = await call<Shortlist>('matching', 'GET', `/v1/referrals/${referralId}/shortlist`, la);
    return response.status === 200 ? response.body : undefined;
  });
  return { referralId, shortlist, location: submitted.headers.get('location') };
}

/** The best candidate needing the given approval (an out-of-area placement is the demo's point). */
function pick(
  shortlist: Shortlist,
  approval: Candidate['requiredApproval'],
  avoid: string[] = [],
): Candidate {
  const candidate =
    shortlist.candidates.find(
      (c) => c.requiredApproval === approval && !avoid.includes(c.urn) && c.freePlaces > 0,
    ) ?? shortlist.candidates.find((c) => c.outOfArea && !avoid.includes(c.urn) && c.freePlaces > 0);
  if (!candidate)
    throw new DemoFailure(
      `no shortlisted home needing ${approval ?? 'no'} approval: is the dataset loaded (bin/up seeds it)?`,
    );
  return candidate;
}

async function offerAndAccept(la: string, referralId: string, candidate: Candidate) {
  const home = (
    await expectStatus(call<Home>('matching', 'GET', `/v1/homes/${candidate.urn}`, la), 200, 'GET home')
  ).body;
  const offer = await expectStatus(
    call<{ id: string; status: string }>('matching', 'POST', `/v1/referrals/${referralId}/offers`, la, {
      homeUrn: candidate.urn,
      note: 'Needs a home experienced with self-harm and CSE risk.',
    }),
    201,
    'POST offer',
  );
  const provider = await token(home.providerId, 'provider');
  const accepted = await expectStatus(
    call<{ status: string }>('matching', 'POST', `/v1/offers/${offer.body.id}/accept`, provider, {
      weeklyFee: candidate.weeklyFee,
      earliestStart: isoDate(0),
    }),
    200,
    'POST accept',
  );
  return { home, offerId: offer.body.id, provider, acceptedStatus: accepted.body.status };
}

export interface DemoOptions {
  urls?: ServiceUrls;
  placingLa?: string;
  quiet?: boolean;
}

export interface DemoOutcome {
  childRef: string;
  historyValid: boolean;
  entries: number;
  historyTypes: string[];
  episodesCsv: string;
  webhooks: { type: string; verified: boolean }[];
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoOutcome> {
  if (options.urls) urls = options.urls;
  if (options.placingLa) PLACING_LA = options.placingLa;
  if (options.quiet !== undefined) quiet = options.quiet;
  const la = await token(PLACING_LA, 'placing-authority');
  const childRef = `DEMO${randomInt(100_000, 999_999)}`;
  const receiver = await startHostReceiver();
  try {
    step(
      `1. Haringey (${PLACING_LA}) refers child ${childRef}: high-intensity self-harm and sexual exploitation risk`,
    );
    const first = await referAndShortlist(la, childRef);
    detail(
      `referral ${first.referralId} submitted (${first.location}); personal fields sealed with the child's own key`,
    );

    step('2. The shortlist, with reasons a social worker can defend');
    const top = first.shortlist.candidates.slice(0, 3);
    for (const candidate of top) {
      detail(
        `#${candidate.rank} ${candidate.urn}  score ${candidate.score}  ${candidate.distanceMiles} mi  ${candidate.outOfArea ? 'out of area' : 'in area'}  approval: ${candidate.requiredApproval ?? 'none'}  £${candidate.weeklyFee}/wk  Ofsted: ${candidate.ofstedJudgement ?? 'not yet inspected'}`,
      );
      for (const reason of candidate.reasons.slice(0, 3)) detail(`     ${reason.factor}: ${reason.detail}`);
    }
    const ruleCounts = new Map<string, number>();
    for (const excluded of first.shortlist.excluded)
      for (const rule of excluded.rules) ruleCounts.set(rule, (ruleCounts.get(rule) ?? 0) + 1);
    detail(
      `excluded: ${[...ruleCounts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([rule, n]) => `${rule} ${n}`)
        .join(', ')}`,
    );

    const chosen = pick(first.shortlist, 'nominated-officer');
    step(`3. A targeted offer to ${chosen.urn} (out of area, adjoining LA: nominated-officer approval)`);
    const firstOffer = await offerAndAccept(la, first.referralId, chosen);
    detail(
      `offer ${firstOffer.offerId} → provider ${firstOffer.home.providerId} accepted: a place is reserved at ${firstOffer.home.name} (${firstOffer.home.la})`,
    );

    step(`4. The host authority (${firstOffer.home.la}) subscribes to notices with a webhook`);
    const host = await token(firstOffer.home.la, 'host-authority');
    const subscription = await expectStatus(
      call<{ id: string; secret: string }>('notification', 'POST', '/v1/subscriptions', host, {
        url: receiver.url,
        eventTypes: ['out-of-area.placement-notice', 'out-of-area.departure-notice'],
      }),
      201,
      'POST subscription',
    );
    receiver.setSecret(subscription.body.secret);
    detail(`subscription ${subscription.body.id}; the signing secret is shown once`);

    step('5. The placing LA proposes the out-of-area placement, with its justification');
    const placement = await expectStatus(
      call<{ id: string; status: string; requiredApproval: string; hostLa: string; outOfArea: boolean }>(
        'matching',
        'POST',
        '/v1/placements',
        la,
        {
          offerId: firstOffer.offerId,
          plannedStart: isoDate(0),
          emergency: false,
          justification:
            'The only home able to meet her high-intensity CSE and self-harm needs within reach of her sister.',
          previousPlacementId: null,
          placeChangeReason: null,
        },
      ),
      201,
      'POST placement',
    );
    detail(
      `placement ${placement.body.id}: ${placement.body.status}, needs ${placement.body.requiredApproval} approval`,
    );

    step(
      '6. The host authority receives the signed notice before the child arrives, verifies it and acknowledges',
    );
    const notice = await eventually('the placement notice webhook', async () =>
      receiver.received.find(
        (r) => r.type === 'out-of-area.placement-notice' && r.data.placementId === placement.body.id,
      ),
    );
    if (!notice.verified) throw new DemoFailure('the webhook signature did not verify');
    detail(
      `webhook ${notice.id} verified (Standard Webhooks, HMAC-SHA256); thin payload: ${Object.keys(notice.data).join(', ')}`,
    );
    await expectStatus(
      call('notification', 'POST', `/v1/notifications/${notice.data.notificationId}/acknowledge`, host),
      200,
      'acknowledge',
    );
    detail(`notice ${notice.data.notificationId} acknowledged by ${firstOffer.home.la}`);

    step('7. The nominated officer approves; the placement starts');
    await expectStatus(
      call('matching', 'POST', `/v1/placements/${placement.body.id}/approvals`, la, {
        level: 'nominated-officer',
        approverName: 'N. Officer',
        decision: 'approved',
        note: 'Justification accepted; host LA notified.',
      }),
      201,
      'POST approval',
    );
    await expectStatus(
      call('matching', 'POST', `/v1/placements/${placement.body.id}/start`, la, { startDate: isoDate(0) }),
      200,
      'start',
    );
    detail('approved by the nominated officer (CPPCR reg 11) and started');

    step('8. An independent visitor files the Reg 44 report; it reaches the placing LA');
    const visitor = await token(firstOffer.home.providerId, 'independent-visitor');
    // The visit report goes to the placing LAs of children living at the home on the visit date:
    // wait until the monitoring service has heard of the start from matching (over Kafka).
    await eventually('the monitoring service hearing of the start', async () => {
      const response = await call<{ entries?: { type: string }[] }>(
        'monitoring',
        'GET',
        `/v1/children/${PLACING_LA}/${childRef}/history`,
        la,
      );
      return response.body.entries?.some((entry) => entry.type === 'PlacementStarted') ? true : undefined;
    });
    const visit = await eventually('the visit to be recorded', async () => {
      const response = await call<{ id?: string; visitId?: string }>(
        'monitoring',
        'POST',
        `/v1/homes/${chosen.urn}/reg44-visits`,
        visitor,
        {
          visitDate: isoDate(0),
          visitorName: 'I. Person',
          announced: false,
          childrenSafeguarded: 'yes',
          wellbeingPromoted: 'partly',
          summary: 'Children spoke positively of staff; education support needs strengthening.',
          recommendations: [{ action: 'Agree a tutoring plan with the virtual school', dueBy: isoDate(28) }],
          conflictOfInterest: 'none',
          reportDate: isoDate(0),
        },
      );
      return response.status === 201 ? response.body : undefined;
    });
    const report = await eventually('the Reg 44 report notice to the placing LA', async () => {
      const response = await call<{
        items: { id: string; kind: string; recipientOrg: string; homeUrn: string }[];
      }>('notification', 'GET', '/v1/notifications?kind=reg44.report-available', la);
      return response.body.items?.find((n) => n.homeUrn === chosen.urn && n.recipientOrg === PLACING_LA);
    });
    detail(
      `visit ${visit.id ?? visit.visitId} recorded; notice ${report.id} (reg44.report-available) addressed to ${PLACING_LA}`,
    );

    step('9. The child moves (X1, reason CARPL): departure and arrival notices go out');
    const second = await referAndShortlist(la, childRef);
    const next = pick(second.shortlist, 'nominated-officer', [chosen.urn]);
    const secondOffer = await offerAndAccept(la, second.referralId, next);
    const move = await expectStatus(
      call<{ id: string }>('matching', 'POST', '/v1/placements', la, {
        offerId: secondOffer.offerId,
        plannedStart: isoDate(0),
        emergency: false,
        justification: 'Care plan: a home nearer her school with education support on site.',
        previousPlacementId: placement.body.id,
        placeChangeReason: 'CARPL',
      }),
      201,
      'POST move',
    );
    await expectStatus(
      call('matching', 'POST', `/v1/placements/${move.body.id}/approvals`, la, {
        level: 'nominated-officer',
        approverName: 'N. Officer',
        decision: 'approved',
        note: 'Move agreed at review.',
      }),
      201,
      'approve move',
    );
    await expectStatus(
      call('matching', 'POST', `/v1/placements/${move.body.id}/start`, la, { startDate: isoDate(0) }),
      200,
      'start move',
    );
    const departure = await eventually('the departure notice', async () =>
      receiver.received.find(
        (r) => r.type === 'out-of-area.departure-notice' && r.data.placementId === placement.body.id,
      ),
    );
    detail(
      `moved to ${next.urn} (${secondOffer.home.la}); the previous placement ended the same day with REC X1`,
    );
    detail(
      `departure notice ${departure.data.notificationId} delivered to ${firstOffer.home.la}; placement notice raised for ${secondOffer.home.la}`,
    );

    step("10. The child's history: every step, hash-chained, verified");
    const history = await eventually(
      'the history to include the move',
      async () => {
        const response = await call<{
          entries: { seq: number; type: string; occurredAt: string }[];
          head: string;
        }>('monitoring', 'GET', `/v1/children/${PLACING_LA}/${childRef}/history`, la);
        const types = response.body.entries?.map((entry) => entry.type) ?? [];
        return types.filter((type) => type === 'PlacementStarted').length >= 2 &&
          types.includes('PlacementEnded')
          ? response.body
          : undefined;
      },
      60_000,
    );
    for (const entry of history.entries) detail(`${String(entry.seq).padStart(3)}  ${entry.type}`);
    const verify = await expectStatus(
      call<{ valid: boolean; entries: number; head: string }>(
        'monitoring',
        'GET',
        `/v1/children/${PLACING_LA}/${childRef}/history/verify`,
        la,
      ),
      200,
      'verify history',
    );
    detail(
      `verify: ${verify.body.valid ? 'VALID' : 'BROKEN'} — ${verify.body.entries} entries, head ${verify.body.head.slice(0, 16)}…`,
    );

    step('11. The SSDA903 episodes for this collection year (CSV, DfE column order)');
    const year =
      isoDate(0) >= `${isoDate(0).slice(0, 4)}-04-01`
        ? `${isoDate(0).slice(0, 4)}-${String(Number(isoDate(0).slice(2, 4)) + 1).padStart(2, '0')}`
        : `${Number(isoDate(0).slice(0, 4)) - 1}-${isoDate(0).slice(2, 4)}`;
    const episodes = await expectStatus(
      call<string>('monitoring', 'GET', `/v1/exports/ssda903/episodes?year=${year}`, la),
      200,
      'episodes export',
    );
    const csv = episodes.text;
    const lines = csv.trim().split(/\r?\n/);
    say(`   ${lines[0]}`);
    for (const line of lines.slice(1).filter((l) => l.startsWith(`${childRef},`))) say(`   ${line}`);
    detail(
      'both placements began today: SSDA903 records where the child was at the end of each day, so the same-day move leaves one episode',
    );
    say(
      '\nDone: referral → shortlist → offer → approval → notices → Reg 44 → move → verified history → SSDA903.',
    );
    return {
      childRef,
      historyValid: verify.body.valid,
      entries: verify.body.entries,
      historyTypes: history.entries.map((entry) => entry.type),
      episodesCsv: csv,
      webhooks: receiver.received.map((webhook) => ({ type: webhook.type, verified: webhook.verified })),
    };
  } finally {
    await receiver.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await runDemo();
  } catch (error) {
    console.error(`\ndemo failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}
