// Test and benchmark data: integration events of the other services, shaped exactly as their
// catalogue schemas require, built from a few facts about a child, a home and a placement.
import type { IntegrationEventData } from '@placements/contracts';

export interface ChildFacts {
  dateOfBirth: string;
  sex: 'M' | 'F' | 'U';
  ethnicity: string;
  legalStatus: string;
  categoryOfNeed: string;
  homePostcode: string;
}

export const defaultChild: ChildFacts = {
  dateOfBirth: '2011-05-14',
  sex: 'F',
  ethnicity: 'WBRI',
  legalStatus: 'C2',
  categoryOfNeed: 'N1',
  homePostcode: 'N17 6QA',
};

export interface HomeFacts {
  urn: string;
  providerId: string;
  la: string;
  postcode: string;
  sector?: 'PR0' | 'PR1' | 'PR2' | 'PR3' | 'PR4' | 'PR5';
  name?: string;
}

export function homeRegistered(
  home: HomeFacts,
  registeredAt: string,
): IntegrationEventData<'HomeRegistered'> {
  return {
    urn: home.urn,
    profile: {
      name: home.name ?? `Home ${home.urn}`,
      providerId: home.providerId,
      providerName: `Provider ${home.providerId}`,
      sector: home.sector ?? 'PR4',
      la: home.la,
      postcode: home.postcode,
      location: { lat: 51.5, lon: -0.1 },
      registeredPlaces: 4,
      ageRange: { min: 11, max: 17 },
      sexes: ['M', 'F'],
      needsMet: [{ domain: 'self-harm', maxIntensity: 'high' }],
      weeklyFee: 5200,
      contractRoute: 'spot',
      admissionsOpen: true,
    },
    registeredAt,
  };
}

export function homeRegistrationChanged(
  urn: string,
  status: 'registered' | 'suspended' | 'cancelled',
  changedAt: string,
): IntegrationEventData<'HomeRegistrationChanged'> {
  return { urn, status, admissionsRestricted: status !== 'registered', changedAt };
}

export function referralSubmitted(input: {
  referralId: string;
  placingLa: string;
  childRef: string;
  submittedAt: string;
  child?: Partial<ChildFacts>;
}): IntegrationEventData<'ReferralSubmitted'> {
  return {
    referralId: input.referralId,
    placingLa: input.placingLa,
    childRef: input.childRef,
    child: { ...defaultChild, homeLocation: { lat: 51.597, lon: -0.072 }, ...input.child },
    needs: [{ domain: 'self-harm', intensity: 'high', frequency: 'frequent' }],
    risks: { sexualExploitation: 'risk-present' },
    requirements: { placementType: 'K2', urgency: 'planned', livingArrangement: 'no-preference' },
    locations: { avoidAreas: [], familyAnchors: [{ lat: 51.5, lon: -0.1, label: 'grandmother' }] },
    childViews: 'Wants to stay near her sister and keep going to her school.',
    attestation: { fullDisclosure: true, referrerName: 'A. Social Worker' },
    submittedAt: input.submittedAt,
  };
}

export function referralPlaced(input: {
  referralId: string;
  placingLa: string;
  childRef: string;
  placementId: string;
  homeUrn: string;
  startDate: string;
  placedAt: string;
}): IntegrationEventData<'ReferralPlaced'> {
  return { ...input };
}

/** A placement: what every placement event repeats. */
export interface PlacementFacts {
  placementId: string;
  referralId: string;
  placingLa: string;
  childRef: string;
  homeUrn: string;
  providerId: string;
  hostLa: string;
  outOfArea: boolean;
  atDistance: boolean;
}

function ref(p: PlacementFacts) {
  return {
    placementId: p.placementId,
    referralId: p.referralId,
    placingLa: p.placingLa,
    childRef: p.childRef,
    homeUrn: p.homeUrn,
    providerId: p.providerId,
    hostLa: p.hostLa,
    outOfArea: p.outOfArea,
    atDistance: p.atDistance,
  };
}

export function placementProposed(
  p: PlacementFacts,
  input: {
    offerId: string;
    plannedStart: string;
    proposedAt: string;
    homePostcode: string;
    distanceMiles?: number;
    placementType?: string;
    placementProvider?: string;
    previousPlacementId?: string | null;
    placeChangeReason?: string | null;
    emergency?: boolean;
  },
): IntegrationEventData<'PlacementProposed'> {
  const distanceMiles = input.distanceMiles ?? (p.outOfArea ? 35 : 4);
  return {
    ...ref(p),
    offerId: input.offerId,
    distanceMiles,
    over20Miles: distanceMiles > 20,
    requiredApproval: p.atDistance ? 'dcs' : p.outOfArea ? 'nominated-officer' : null,
    plannedStart: input.plannedStart,
    emergency: input.emergency ?? false,
    ...(p.outOfArea ? { justification: 'Specialist provision is not available nearer home.' } : {}),
    previousPlacementId: input.previousPlacementId ?? null,
    placeChangeReason: input.placeChangeReason ?? null,
    placementType: input.placementType ?? 'K2',
    placementProvider: input.placementProvider ?? 'PR4',
    homePostcode: input.homePostcode,
    weeklyFee: 5200,
    proposedAt: input.proposedAt,
  };
}

export function placementApprovalRecorded(
  p: PlacementFacts,
  recordedAt: string,
): IntegrationEventData<'PlacementApprovalRecorded'> {
  return {
    ...ref(p),
    level: p.atDistance ? 'dcs' : 'nominated-officer',
    approverName: 'N. Officer',
    decision: 'approved',
    recordedAfterStart: false,
    recordedAt,
  };
}

export function placementStarted(
  p: PlacementFacts,
  input: {
    startDate: string;
    startedAt: string;
    previousPlacementId?: string | null;
    placeChangeReason?: string | null;
    emergency?: boolean;
  },
): IntegrationEventData<'PlacementStarted'> {
  return {
    ...ref(p),
    startDate: input.startDate,
    emergency: input.emergency ?? false,
    requiredApproval: p.atDistance ? 'dcs' : p.outOfArea ? 'nominated-officer' : null,
    approvalMissing: false,
    previousPlacementId: input.previousPlacementId ?? null,
    placeChangeReason: input.placeChangeReason ?? null,
    startedAt: input.startedAt,
  };
}

export function placementEnded(
  p: PlacementFacts,
  input: { endDate: string; reasonEnded: string; endedAt: string; nextPlacementId?: string | null },
): IntegrationEventData<'PlacementEnded'> {
  return {
    ...ref(p),
    endDate: input.endDate,
    reasonEnded: input.reasonEnded,
    nextPlacementId: input.nextPlacementId ?? null,
    endedAt: input.endedAt,
  };
}

export interface NoticeFacts {
  notificationId: string;
  placementId: string | null;
  placingLa: string | null;
  childRef: string | null;
  homeUrn: string | null;
  recipientOrg: string;
  kind?: IntegrationEventData<'NotificationRaised'>['kind'];
}

function noticeRef(n: NoticeFacts) {
  return {
    notificationId: n.notificationId,
    kind: n.kind ?? 'out-of-area.placement-notice',
    recipientOrg: n.recipientOrg,
    placementId: n.placementId,
    placingLa: n.placingLa,
    childRef: n.childRef,
    homeUrn: n.homeUrn,
  };
}

export function notificationRaised(
  n: NoticeFacts,
  input: { hostLa: string | null; dueBy: string; placementStart: string | null; raisedAt: string },
): IntegrationEventData<'NotificationRaised'> {
  return {
    ...noticeRef(n),
    hostLa: input.hostLa,
    dueBy: input.dueBy,
    placementStart: input.placementStart,
    obligation: `placement-notice:${n.placementId}`,
    causationEventId: 'cause',
    raisedAt: input.raisedAt,
  };
}

export function notificationDelivered(
  n: NoticeFacts,
  input: { deliveredAt: string; sentBeforeStart: boolean | null },
): IntegrationEventData<'NotificationDelivered'> {
  return {
    ...noticeRef(n),
    channel: 'kafka',
    subscriptionId: null,
    attempt: 1,
    deliveredAt: input.deliveredAt,
    sentBeforeStart: input.sentBeforeStart,
  };
}

export function notificationAcknowledged(
  n: NoticeFacts,
  acknowledgedAt: string,
): IntegrationEventData<'NotificationAcknowledged'> {
  return { ...noticeRef(n), acknowledgedBy: `officer@${n.recipientOrg}`, acknowledgedAt };
}

export function notificationOverdue(
  n: NoticeFacts,
  input: { dueBy: string; detectedAt: string },
): IntegrationEventData<'NotificationOverdue'> {
  return { ...noticeRef(n), dueBy: input.dueBy, detectedAt: input.detectedAt };
}
