import { describe, expect, it } from 'vitest';
import { NOW, scenario } from '../test-support/fixtures.ts';
import {
  decide,
  evolve,
  initialOfferState,
  type OfferCommand,
  type OfferEvent,
  type OfferState,
  reservationExpiry,
} from './offer.ts';

const given = scenario<OfferState, OfferCommand, OfferEvent>({ initial: initialOfferState, evolve, decide });
const at = NOW.toISOString();
const ref = {
  offerId: '11111111-1111-4111-8111-111111111111',
  referralId: '22222222-2222-4222-8222-222222222222',
  placingLa: 'E09000014',
  childRef: 'HAR1',
  homeUrn: 'SC123456',
  providerId: 'P1001',
};
const sent = { type: 'OfferSent', data: { ...ref, note: 'please consider', sentAt: at } };
const accepted = (expiresAt = '2026-05-18T09:00:00.000Z') => ({
  type: 'OfferAccepted',
  data: {
    ...ref,
    weeklyFee: 5200,
    earliestStart: '2026-05-20',
    reservationExpiresAt: expiresAt,
    acceptedAt: at,
  },
});
const takenUp = { type: 'OfferTakenUp', data: { offerId: ref.offerId, placementId: 'p1', takenUpAt: at } };
const accept: OfferCommand = {
  type: 'AcceptOffer',
  weeklyFee: 5200,
  earliestStart: '2026-05-20',
  reservationExpiresAt: '2026-05-18T09:00:00.000Z',
};

describe('Offer lifecycle', () => {
  it('When an offer is sent, Then OfferSent carries the referral, home and provider', () => {
    const { events } = given().when({ type: 'SendOffer', ref, note: 'please consider' });
    expect(events).toEqual([sent]);
  });

  it('Given a sent offer, When the provider accepts, Then OfferAccepted with the reservation expiry', () => {
    const { events } = given(sent).when(accept);
    expect(events).toEqual([accepted()]);
  });

  it('Given a sent offer, When the provider declines with a reason, Then OfferDeclined', () => {
    const { events } = given(sent).when({ type: 'DeclineOffer', reason: 'group-compatibility' });
    expect(events).toEqual([
      { type: 'OfferDeclined', data: { ...ref, reason: 'group-compatibility', declinedAt: at } },
    ]);
  });

  it.each([
    ['accepted', [sent, accepted()]],
    ['declined', [sent, { type: 'OfferDeclined', data: { ...ref, reason: 'staffing', declinedAt: at } }]],
    ['withdrawn', [sent, { type: 'OfferWithdrawn', data: { ...ref, withdrawnAt: at } }]],
  ])('Given an offer %s, When the provider answers again, Then 409 offer-not-open', (_status, history) => {
    expect(given(...history).when(accept).error?.slug).toBe('offer-not-open');
    expect(given(...history).when({ type: 'DeclineOffer', reason: 'other' }).error?.slug).toBe(
      'offer-not-open',
    );
  });

  it('Given a sent or accepted offer, When the LA withdraws, Then OfferWithdrawn', () => {
    expect(given(sent).when({ type: 'WithdrawOffer', placementStatus: null }).events[0]?.type).toBe(
      'OfferWithdrawn',
    );
    expect(
      given(sent, accepted()).when({ type: 'WithdrawOffer', placementStatus: null }).events[0]?.type,
    ).toBe('OfferWithdrawn');
  });

  it('Given a declined offer, When the LA withdraws, Then 409 offer-closed', () => {
    const declined = { type: 'OfferDeclined', data: { ...ref, reason: 'staffing', declinedAt: at } };
    expect(given(sent, declined).when({ type: 'WithdrawOffer', placementStatus: null }).error?.slug).toBe(
      'offer-closed',
    );
  });

  it('Given an offer taken up by a started placement, When the LA withdraws, Then 409 offer-taken-up', () => {
    const { error } = given(sent, accepted(), takenUp).when({
      type: 'WithdrawOffer',
      placementStatus: 'active',
    });
    expect(error?.slug).toBe('offer-taken-up');
  });

  it('Given an accepted offer past its reservation expiry, When the lapse runs, Then OfferExpired', () => {
    const { events } = given(sent, accepted('2026-05-11T08:00:00.000Z')).when({ type: 'ExpireOffer' });
    expect(events).toEqual([{ type: 'OfferExpired', data: { ...ref, expiredAt: at } }]);
  });

  it('Given an accepted offer not yet due, or one not accepted, When the lapse runs, Then nothing happens', () => {
    expect(given(sent, accepted('2026-05-18T09:00:00.000Z')).when({ type: 'ExpireOffer' }).events).toEqual(
      [],
    );
    expect(given(sent).when({ type: 'ExpireOffer' }).events).toEqual([]);
  });

  it('Given an accepted offer, When a placement is proposed from it, Then OfferTakenUp; a second live one is refused', () => {
    expect(
      given(sent, accepted()).when({ type: 'TakeUpOffer', placementId: 'p1', currentPlacementStatus: null })
        .events,
    ).toEqual([takenUp]);
    const again = given(sent, accepted(), takenUp).when({
      type: 'TakeUpOffer',
      placementId: 'p2',
      currentPlacementStatus: 'awaiting-approval',
    });
    expect(again.error?.slug).toBe('offer-taken-up');
    const afterRejection = given(sent, accepted(), takenUp).when({
      type: 'TakeUpOffer',
      placementId: 'p2',
      currentPlacementStatus: 'rejected',
    });
    expect(afterRejection.events[0]?.type).toBe('OfferTakenUp');
  });

  it('Given a sent offer, When a placement is proposed from it, Then 409 offer-not-accepted', () => {
    const { error } = given(sent).when({
      type: 'TakeUpOffer',
      placementId: 'p1',
      currentPlacementStatus: null,
    });
    expect(error?.slug).toBe('offer-not-accepted');
  });
});

describe('reservation expiry', () => {
  it('is the same time of day five working days later', () => {
    // Monday 11 May 2026 → Monday 18 May 2026.
    expect(reservationExpiry(new Date('2026-05-11T09:00:00.000Z'), 5)).toBe('2026-05-18T09:00:00.000Z');
  });

  it('skips bank holidays: accepted Thursday 21 May 2026, the 25th is the Spring bank holiday', () => {
    expect(reservationExpiry(new Date('2026-05-21T10:30:00.000Z'), 5)).toBe('2026-05-29T10:30:00.000Z');
  });

  it('is configurable', () => {
    expect(reservationExpiry(new Date('2026-05-11T09:00:00.000Z'), 1)).toBe('2026-05-12T09:00:00.000Z');
  });

  it('counts from the date in England, not UTC (an acceptance at 23:30 BST is the next day in UTC terms)', () => {
    // 23:30 on Friday 15 May in England is 22:30Z: counted from Friday, 5 working days is Friday 22 May.
    expect(reservationExpiry(new Date('2026-05-15T22:30:00.000Z'), 5)).toBe('2026-05-22T22:30:00.000Z');
  });
});
