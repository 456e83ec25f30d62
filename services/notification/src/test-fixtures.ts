// Builders of other services' integration events for this service's tests: valid against the
// catalogue schemas, with overridable fields. Test code only.
import { randomUUID } from 'node:crypto';
import type { IntegrationEventData, ParsedIntegrationEvent } from '@placements/contracts';

/** Haringey places; Stockport (not adjoining) hosts; Enfield adjoins Haringey. */
export const HARINGEY = 'E09000014';
export const STOCKPORT = 'E08000007';
export const ENFIELD = 'E09000010';
export const CAMDEN = 'E09000007';

function placementRef(overrides: Partial<IntegrationEventData<'PlacementStarted'>> = {}) {
  return {
    placementId: overrides.placementId ?? randomUUID(),
    referralId: overrides.referralId ?? randomUUID(),
    placingLa: overrides.placingLa ?? HARINGEY,
    childRef: overrides.childRef ?? 'HAR0001234',
    homeUrn: overrides.homeUrn ?? 'SC123456',
    providerId: overrides.providerId ?? 'P1001',
    hostLa: overrides.hostLa ?? STOCKPORT,
    outOfArea: overrides.outOfArea ?? true,
    atDistance: overrides.atDistance ?? true,
  };
}

export function placementProposed(
  overrides: Partial<IntegrationEventData<'PlacementProposed'>> = {},
): IntegrationEventData<'PlacementProposed'> {
  return {
    ...placementRef(overrides),
    offerId: randomUUID(),
    distanceMiles: 160.2,
    over20Miles: true,
    requiredApproval: 'dcs',
    plannedStart: '2026-06-15',
    emergency: false,
    justification: 'Specialist therapeutic provision not available nearer.',
    previousPlacementId: null,
    placeChangeReason: null,
    placementType: 'K2',
    placementProvider: 'PR4',
    homePostcode: 'SK1 3XE',
    weeklyFee: 5200,
    proposedAt: '2026-06-01T09:00:00.000Z',
    ...overrides,
  };
}

export function placementStarted(
  overrides: Partial<IntegrationEventData<'PlacementStarted'>> = {},
): IntegrationEventData<'PlacementStarted'> {
  return {
    ...placementRef(overrides),
    startDate: '2026-06-15',
    emergency: false,
    requiredApproval: 'dcs',
    approvalMissing: false,
    previousPlacementId: null,
    placeChangeReason: null,
    startedAt: '2026-06-15T10:00:00.000Z',
    ...overrides,
  };
}

export function placementEnded(
  overrides: Partial<IntegrationEventData<'PlacementEnded'>> = {},
): IntegrationEventData<'PlacementEnded'> {
  return {
    ...placementRef(overrides),
    endDate: '2026-09-01',
    reasonEnded: 'E13',
    nextPlacementId: null,
    endedAt: '2026-09-01T15:00:00.000Z',
    ...overrides,
  };
}

export function reg44VisitRecorded(
  overrides: Partial<IntegrationEventData<'Reg44VisitRecorded'>> = {},
): IntegrationEventData<'Reg44VisitRecorded'> {
  return {
    visitId: randomUUID(),
    urn: 'SC123456',
    providerId: 'P1001',
    visitDate: '2026-06-10',
    visitorName: 'I. Person',
    announced: false,
    childrenSafeguarded: 'yes',
    wellbeingPromoted: 'partly',
    summary: 'Staffing stable; one recommendation.',
    recommendations: [{ action: 'Review night staffing', dueBy: '2026-07-10' }],
    conflictOfInterest: 'none',
    reportDate: '2026-06-12',
    placements: [
      { placementId: randomUUID(), placingLa: HARINGEY, childRef: 'HAR0001234' },
      { placementId: randomUUID(), placingLa: HARINGEY, childRef: 'HAR0009999' },
      { placementId: randomUUID(), placingLa: CAMDEN, childRef: 'CAM0000001' },
    ],
    recordedAt: '2026-06-12T16:00:00.000Z',
    ...overrides,
  };
}

export function reg44VisitOverdue(
  overrides: Partial<IntegrationEventData<'Reg44VisitOverdue'>> = {},
): IntegrationEventData<'Reg44VisitOverdue'> {
  return {
    urn: 'SC123456',
    providerId: 'P1001',
    month: '2026-05',
    placements: [
      { placementId: randomUUID(), placingLa: HARINGEY, childRef: 'HAR0001234' },
      { placementId: randomUUID(), placingLa: CAMDEN, childRef: 'CAM0000001' },
    ],
    detectedAt: '2026-06-01T06:00:00.000Z',
    ...overrides,
  };
}

export function seriousEventRecorded(
  overrides: Partial<IntegrationEventData<'SeriousEventRecorded'>> = {},
): IntegrationEventData<'SeriousEventRecorded'> {
  return {
    seriousEventId: randomUUID(),
    urn: 'SC123456',
    providerId: 'P1001',
    category: 'police-involvement',
    occurredAt: '2026-06-12T20:00:00.000Z',
    placementId: randomUUID(),
    placingLa: HARINGEY,
    childRef: 'HAR0001234',
    summary: 'Free text about the child that must never leave this event.',
    recordedAt: '2026-06-12T21:00:00.000Z',
    ...overrides,
  };
}

export function parsed<N extends ParsedIntegrationEvent['name']>(
  name: N,
  data: Extract<ParsedIntegrationEvent, { name: N }>['data'],
): ParsedIntegrationEvent {
  return { name, data } as ParsedIntegrationEvent;
}
