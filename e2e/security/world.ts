// A small real world for the security tests, built through the public API only: two homes of two
// providers, a child referred by Haringey, a shortlist, an accepted offer, an out-of-area
// placement approved and started, the placement notice to the host authority (Enfield), its
// webhook subscriptions, a Reg 44 visit, a Reg 45 review and a serious event. Organisation "A" owns
// all of it; every role also has an "other" organisation of the same kind that owns none of it.
import type { Role } from '@placements/contracts';
import { type RunningSystem, token } from '../harness.ts';

export const HARINGEY = 'E09000014';
export const ENFIELD = 'E09000010';
export const STOCKPORT = 'E08000007';
export const PROVIDER_A = 'P1001';
export const PROVIDER_B = 'P2002';

/** The organisation that owns the world's resources for each role, and another one that does not. */
export const ORGS: Record<Role, { own: string; other: string }> = {
  'placing-authority': { own: HARINGEY, other: STOCKPORT },
  'host-authority': { own: ENFIELD, other: STOCKPORT },
  provider: { own: PROVIDER_A, other: PROVIDER_B },
  'independent-visitor': { own: PROVIDER_A, other: PROVIDER_B },
  // A single regulator and a single operator: there is no other organisation of their kind.
  regulator: { own: 'ofsted', other: 'ofsted' },
  ops: { own: 'ops', other: 'ops' },
  // Consortia from the commissioning reference data: the first has Stockport as a member.
  commissioner: { own: 'consortium:greater-manchester', other: 'consortium:tees-valley' },
};

export const today = () => new Date().toISOString().slice(0, 10);

export function homeProfile(providerId: string, la: string, postcode: string, lat: number, lon: number) {
  return {
    name: `Home of ${providerId}`,
    providerId,
    providerName: `${providerId} Care Ltd`,
    sector: 'PR4',
    la,
    postcode,
    location: { lat, lon },
    registeredPlaces: 4,
    ageRange: { min: 8, max: 17 },
    sexes: ['M', 'F'],
    needsMet: [
      { domain: 'education', maxIntensity: 'high' },
      { domain: 'emotional-behavioural', maxIntensity: 'high' },
    ],
    weeklyFee: 4200,
    contractRoute: 'spot',
    admissionsOpen: true,
  };
}

export const HOME_A = {
  urn: 'SC900001',
  profile: homeProfile(PROVIDER_A, ENFIELD, 'EN1 3XY', 51.652, -0.081),
};
export const HOME_B = {
  urn: 'SC900002',
  profile: homeProfile(PROVIDER_B, STOCKPORT, 'SK1 3XE', 53.409, -2.149),
};

/** The child's personal data: what must never leak. */
export const CHILD = {
  dateOfBirth: '2012-03-01',
  sex: 'F',
  ethnicity: 'MWBA',
  legalStatus: 'C2',
  categoryOfNeed: 'N1',
  homePostcode: 'N15 5AA',
  homeLocation: { lat: 51.58, lon: -0.08 },
};
export const CHILD_VIEWS = 'Wants to keep seeing her brother on Saturdays and to stay at her school.';

export function referralBody(childRef: string) {
  return {
    childRef,
    child: CHILD,
    needs: [{ domain: 'education', intensity: 'low', frequency: 'occasional' }],
    risks: {},
    requirements: {
      placementType: 'K2',
      urgency: 'planned',
      requiredBy: today(),
      livingArrangement: 'no-preference',
      avoidAreas: [{ lat: 51.61, lon: -0.12, radiusMiles: 2 }],
      familyAnchors: [{ lat: 51.59, lon: -0.07, label: 'brother' }],
    },
    childViews: CHILD_VIEWS,
    attestation: { fullDisclosure: true, referrerName: 'A. Social Worker' },
  };
}

export interface World {
  childRef: string;
  referralId: string;
  offerId: string;
  placementId: string;
  notificationId: string;
  subscriptionId: string;
  /** A subscription of its own for the DELETE route, so deleting it leaves the others in place. */
  deletableSubscriptionId: string;
  visitId: string;
  /** Identifiers of A's resources that another organisation must never see in a list. */
  secrets: string[];
}

async function expectStatus<T>(
  response: Promise<{ status: number; text: string; body: T }>,
  status: number,
  what: string,
): Promise<T> {
  const answer = await response;
  if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${answer.text.slice(0, 600)}`);
  return answer.body;
}

export async function buildWorld(system: RunningSystem, childRef: string): Promise<World> {
  const ops = await token('ops', 'ops');
  const la = await token(HARINGEY, 'placing-authority');
  const host = await token(ENFIELD, 'host-authority');
  const provider = await token(PROVIDER_A, 'provider');
  for (const home of [HOME_A, HOME_B]) {
    await expectStatus(
      system.call('matching', 'PUT', `/v1/homes/${home.urn}`, { token: ops, body: home.profile }),
      201,
      `PUT home ${home.urn}`,
    );
  }
  const referral = await expectStatus(
    system.call<{ id: string }>('referral', 'POST', '/v1/referrals', {
      token: la,
      body: referralBody(childRef),
    }),
    201,
    'POST referral',
  );
  await system.eventually('matching', `/v1/referrals/${referral.id}/shortlist`, la, (r) => r.status === 200);
  const offer = await expectStatus(
    system.call<{ id: string }>('matching', 'POST', `/v1/referrals/${referral.id}/offers`, {
      token: la,
      body: { homeUrn: HOME_A.urn, note: 'Education support on site.' },
    }),
    201,
    'POST offer',
  );
  await expectStatus(
    system.call('matching', 'POST', `/v1/offers/${offer.id}/accept`, {
      token: provider,
      body: { weeklyFee: 4200, earliestStart: today() },
    }),
    200,
    'accept offer',
  );
  const subscription = async () =>
    expectStatus(
      system.call<{ id: string }>('notification', 'POST', '/v1/subscriptions', {
        token: host,
        body: { url: 'http://127.0.0.1:9/hooks', eventTypes: ['out-of-area.placement-notice'] },
      }),
      201,
      'POST subscription',
    );
  const kept = await subscription();
  const deletable = await subscription();
  const placement = await expectStatus(
    system.call<{ id: string }>('matching', 'POST', '/v1/placements', {
      token: la,
      body: {
        offerId: offer.id,
        plannedStart: today(),
        emergency: false,
        justification: 'Nearest home able to meet her education needs, close to her brother.',
        previousPlacementId: null,
        placeChangeReason: null,
      },
    }),
    201,
    'POST placement',
  );
  await expectStatus(
    system.call('matching', 'POST', `/v1/placements/${placement.id}/approvals`, {
      token: la,
      body: { level: 'nominated-officer', approverName: 'N. Officer', decision: 'approved' },
    }),
    201,
    'approve placement',
  );
  await expectStatus(
    system.call('matching', 'POST', `/v1/placements/${placement.id}/start`, {
      token: la,
      body: { startDate: today() },
    }),
    200,
    'start placement',
  );
  const notices = await system.eventually<{ items: { id: string; placementId: string }[] }>(
    'notification',
    '/v1/notifications?kind=out-of-area.placement-notice',
    host,
    (r) => r.status === 200 && r.body.items.some((item) => item.placementId === placement.id),
  );
  const notice = notices.body.items.find((item) => item.placementId === placement.id)!;
  await system.eventually<{ entries?: { type: string }[] }>(
    'monitoring',
    `/v1/children/${HARINGEY}/${childRef}/history`,
    la,
    (r) => r.status === 200 && (r.body.entries ?? []).some((entry) => entry.type === 'PlacementStarted'),
    60_000,
  );
  const visit = await expectStatus(
    system.call<{ id: string }>('monitoring', 'POST', `/v1/homes/${HOME_A.urn}/reg44-visits`, {
      token: await token(PROVIDER_A, 'independent-visitor'),
      body: reg44Visit(),
    }),
    201,
    'POST reg44 visit',
  );
  await expectStatus(
    system.call('monitoring', 'POST', `/v1/homes/${HOME_A.urn}/reg45-reviews`, {
      token: provider,
      body: { completedOn: today(), reportSentOn: today(), summary: 'Quality of care reviewed.' },
    }),
    201,
    'POST reg45 review',
  );
  await expectStatus(
    system.call('monitoring', 'POST', `/v1/homes/${HOME_A.urn}/serious-events`, {
      token: provider,
      body: seriousEvent(placement.id),
    }),
    201,
    'POST serious event',
  );
  return {
    childRef,
    referralId: referral.id,
    offerId: offer.id,
    placementId: placement.id,
    notificationId: notice.id,
    subscriptionId: kept.id,
    deletableSubscriptionId: deletable.id,
    visitId: visit.id,
    secrets: [childRef, referral.id, offer.id, placement.id, notice.id, kept.id, deletable.id, visit.id],
  };
}

export function reg44Visit() {
  return {
    visitDate: today(),
    visitorName: 'I. Person',
    announced: false,
    childrenSafeguarded: 'yes',
    wellbeingPromoted: 'yes',
    summary: 'Children spoke well of staff.',
    recommendations: [],
    conflictOfInterest: 'none',
    reportDate: today(),
  };
}

export function seriousEvent(placementId: string) {
  return {
    category: 'police-involvement',
    occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    placementId,
    summary: 'Police called after an incident; the child was unharmed.',
  };
}
