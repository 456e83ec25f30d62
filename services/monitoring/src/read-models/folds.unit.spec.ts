// Given a read-model row and an event, when the event is folded in, then the row as the queries need
// it: placements (who lived where, when), notices (first delivery counts) and homes (registration).
import { describe, expect, it } from 'vitest';
import { evolveNoticeRow } from '../analytics/notice-row.ts';
import { evolveHomeRow } from '../homes/home-row.ts';
import { evolvePlacementRow } from '../placements/placement-row.ts';
import {
  homeRegistered,
  homeRegistrationChanged,
  notificationAcknowledged,
  notificationDelivered,
  notificationRaised,
  type PlacementFacts,
  placementApprovalRecorded,
  placementEnded,
  placementProposed,
  placementStarted,
} from '../testing/integration-events.ts';

const p: PlacementFacts = {
  placementId: '00000000-0000-4000-9000-000000000001',
  referralId: '00000000-0000-4000-8000-000000000001',
  placingLa: 'E09000014',
  childRef: 'C1',
  homeUrn: 'SC000001',
  providerId: 'P1',
  hostLa: 'E08000007',
  outOfArea: true,
  atDistance: true,
};

describe('placement rows', () => {
  it('follow a placement from proposal to end', () => {
    let row = evolvePlacementRow(
      undefined,
      'PlacementProposed',
      placementProposed(p, {
        offerId: 'o',
        plannedStart: '2026-05-01',
        proposedAt: '2026-04-20T10:00:00Z',
        homePostcode: 'SK1 3XE',
        distanceMiles: 160,
      }),
    );
    expect(row).toMatchObject({
      status: 'awaiting-approval',
      required_approval: 'dcs',
      over_20_miles: true,
      home_postcode: 'SK1 3XE',
    });
    row = evolvePlacementRow(
      row,
      'PlacementApprovalRecorded',
      placementApprovalRecorded(p, '2026-04-21T10:00:00Z'),
    );
    expect(row.status).toBe('approved');
    row = evolvePlacementRow(
      row,
      'PlacementStarted',
      placementStarted(p, { startDate: '2026-05-01', startedAt: '2026-05-01T09:00:00Z' }),
    );
    expect(row).toMatchObject({ status: 'active', start_date: '2026-05-01', end_date: null });
    row = evolvePlacementRow(
      row,
      'PlacementEnded',
      placementEnded(p, { endDate: '2026-09-01', reasonEnded: 'E13', endedAt: '2026-09-01T12:00:00Z' }),
    );
    expect(row).toMatchObject({
      status: 'ended',
      end_date: '2026-09-01',
      reason_ended: 'E13',
      distance_miles: 160,
    });
  });

  it('know a placement from its start alone (an emergency start recorded before anything else)', () => {
    const row = evolvePlacementRow(
      undefined,
      'PlacementStarted',
      placementStarted(p, { startDate: '2026-05-01', startedAt: '2026-05-01T09:00:00Z', emergency: true }),
    );
    expect(row).toMatchObject({
      status: 'active',
      home_urn: 'SC000001',
      placing_la: 'E09000014',
      emergency: true,
    });
  });
});

describe('notice rows', () => {
  const n = {
    notificationId: '00000000-0000-4000-a000-000000000001',
    placementId: p.placementId,
    placingLa: 'E09000014',
    childRef: 'C1',
    homeUrn: 'SC000001',
    recipientOrg: 'E08000007',
  };
  it('keep the first delivery and the acknowledgement', () => {
    let row = evolveNoticeRow(
      undefined,
      'NotificationRaised',
      notificationRaised(n, {
        hostLa: 'E08000007',
        dueBy: '2026-05-01',
        placementStart: '2026-05-01',
        raisedAt: '2026-04-20T10:00:00Z',
      }),
    );
    row = evolveNoticeRow(
      row,
      'NotificationDelivered',
      notificationDelivered(n, { deliveredAt: '2026-04-21T10:00:00Z', sentBeforeStart: true }),
    );
    row = evolveNoticeRow(
      row,
      'NotificationDelivered',
      notificationDelivered(n, { deliveredAt: '2026-04-22T10:00:00Z', sentBeforeStart: true }),
    );
    row = evolveNoticeRow(
      row,
      'NotificationAcknowledged',
      notificationAcknowledged(n, '2026-04-23T10:00:00Z'),
    );
    expect(row).toMatchObject({
      due_by: '2026-05-01',
      delivered_at: '2026-04-21T10:00:00Z',
      sent_before_start: true,
      acknowledged_at: '2026-04-23T10:00:00Z',
    });
  });
});

describe('home rows', () => {
  it('keep the registration history in order', () => {
    const home = { urn: 'SC000001', providerId: 'P1', la: 'E09000014', postcode: 'N1 1AA' };
    let row = evolveHomeRow(undefined, 'HomeRegistered', homeRegistered(home, '2025-01-01T09:00:00Z'));
    row = evolveHomeRow(
      row,
      'HomeRegistrationChanged',
      homeRegistrationChanged('SC000001', 'suspended', '2026-02-01T09:00:00Z'),
    );
    expect(row).toMatchObject({
      provider_id: 'P1',
      registration_status: 'suspended',
      admissions_restricted: true,
      registration_history: [
        { at: '2025-01-01T09:00:00Z', status: 'registered' },
        { at: '2026-02-01T09:00:00Z', status: 'suspended' },
      ],
    });
  });
});
