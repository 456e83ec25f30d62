// The Offer aggregate (stream `offer-<uuid>`): a placing LA sends a referral to one chosen home;
// the provider accepts (a place is reserved on the home's stream in the same transaction) or
// declines with a structured reason; the LA may withdraw; an accepted offer whose reservation is
// not turned into a started placement expires. OfferTakenUp (internal) records the placement
// proposed from it, so one accepted offer yields one live placement.
import {
  addWorkingDays,
  type IntegrationEventData,
  toDayNumber,
  todayInEngland,
} from '@placements/contracts';
import { matchingProblems } from '../problems.ts';

export type OfferStatus = 'sent' | 'accepted' | 'declined' | 'withdrawn' | 'expired';

export interface OfferRef {
  offerId: string;
  referralId: string;
  placingLa: string;
  childRef: string;
  homeUrn: string;
  providerId: string;
}

export interface OfferState {
  status: OfferStatus | null;
  ref: OfferRef | null;
  note: string | undefined;
  sentAt: string | null;
  acceptance: {
    weeklyFee: number;
    earliestStart: string;
    reservationExpiresAt: string;
    acceptedAt: string;
  } | null;
  decline: {
    reason: IntegrationEventData<'OfferDeclined'>['reason'];
    note: string | undefined;
    declinedAt: string;
  } | null;
  withdrawal: { note: string | undefined; withdrawnAt: string } | null;
  expiredAt: string | null;
  /** The placement proposed from this offer, if any. */
  placementId: string | null;
}

export const initialOfferState: OfferState = Object.freeze({
  status: null,
  ref: null,
  note: undefined,
  sentAt: null,
  acceptance: null,
  decline: null,
  withdrawal: null,
  expiredAt: null,
  placementId: null,
}) as OfferState;

export type OfferEvent =
  | { type: 'OfferSent'; data: IntegrationEventData<'OfferSent'> }
  | { type: 'OfferAccepted'; data: IntegrationEventData<'OfferAccepted'> }
  | { type: 'OfferDeclined'; data: IntegrationEventData<'OfferDeclined'> }
  | { type: 'OfferWithdrawn'; data: IntegrationEventData<'OfferWithdrawn'> }
  | { type: 'OfferExpired'; data: IntegrationEventData<'OfferExpired'> }
  | { type: 'OfferTakenUp'; data: { offerId: string; placementId: string; takenUpAt: string } };

export type OfferCommand =
  | { type: 'SendOffer'; ref: OfferRef; note?: string | undefined }
  | { type: 'AcceptOffer'; weeklyFee: number; earliestStart: string; reservationExpiresAt: string }
  | {
      type: 'DeclineOffer';
      reason: IntegrationEventData<'OfferDeclined'>['reason'];
      note?: string | undefined;
    }
  | {
      type: 'WithdrawOffer';
      note?: string | undefined;
      /** Status of the placement taken up from this offer, if any. */
      placementStatus: string | null;
    }
  | { type: 'ExpireOffer' }
  | { type: 'TakeUpOffer'; placementId: string; currentPlacementStatus: string | null };

export function offerStreamId(offerId: string): string {
  return `offer-${offerId}`;
}

function refOf(data: OfferRef): OfferRef {
  const { offerId, referralId, placingLa, childRef, homeUrn, providerId } = data;
  return { offerId, referralId, placingLa, childRef, homeUrn, providerId };
}

/** A note about the child, or nothing once the child's personal data has been erased. */
function noteOf(note: string | { $erased: true } | undefined): string | undefined {
  return typeof note === 'string' ? note : undefined;
}

export function evolve(state: OfferState, event: { type: string; data: unknown }): OfferState {
  const e = event as OfferEvent;
  switch (e.type) {
    case 'OfferSent':
      return {
        ...state,
        status: 'sent',
        ref: refOf(e.data),
        note: noteOf(e.data.note),
        sentAt: e.data.sentAt,
      };
    case 'OfferAccepted':
      return {
        ...state,
        status: 'accepted',
        acceptance: {
          weeklyFee: e.data.weeklyFee,
          earliestStart: e.data.earliestStart,
          reservationExpiresAt: e.data.reservationExpiresAt,
          acceptedAt: e.data.acceptedAt,
        },
      };
    case 'OfferDeclined':
      return {
        ...state,
        status: 'declined',
        decline: { reason: e.data.reason, note: noteOf(e.data.note), declinedAt: e.data.declinedAt },
      };
    case 'OfferWithdrawn':
      return {
        ...state,
        status: 'withdrawn',
        withdrawal: { note: noteOf(e.data.note), withdrawnAt: e.data.withdrawnAt },
      };
    case 'OfferExpired':
      return { ...state, status: 'expired', expiredAt: e.data.expiredAt };
    case 'OfferTakenUp':
      return { ...state, placementId: e.data.placementId };
    default:
      return state;
  }
}

/** Placement statuses in which the placement still holds on to its offer. */
const LIVE_PLACEMENT = new Set(['awaiting-approval', 'approved', 'active', 'ended']);

export function decide(command: OfferCommand, state: OfferState, ctx: { now: Date }): OfferEvent[] {
  const at = ctx.now.toISOString();
  if (command.type === 'SendOffer') {
    const { note } = command;
    return [{ type: 'OfferSent', data: { ...command.ref, ...(note ? { note } : {}), sentAt: at } }];
  }
  const ref = state.ref;
  if (!ref || !state.status) throw matchingProblems.offerNotFound('');
  switch (command.type) {
    case 'AcceptOffer':
      if (state.status !== 'sent') throw matchingProblems.offerNotOpen(ref.offerId, state.status, 'accepted');
      return [
        {
          type: 'OfferAccepted',
          data: {
            ...ref,
            weeklyFee: command.weeklyFee,
            earliestStart: command.earliestStart,
            reservationExpiresAt: command.reservationExpiresAt,
            acceptedAt: at,
          },
        },
      ];
    case 'DeclineOffer':
      if (state.status !== 'sent') throw matchingProblems.offerNotOpen(ref.offerId, state.status, 'declined');
      return [
        {
          type: 'OfferDeclined',
          data: {
            ...ref,
            reason: command.reason,
            ...(command.note ? { note: command.note } : {}),
            declinedAt: at,
          },
        },
      ];
    case 'WithdrawOffer':
      if (state.status !== 'sent' && state.status !== 'accepted') {
        throw matchingProblems.offerClosed(ref.offerId, state.status);
      }
      // Once the child has moved in (or out again) the offer is history; end the placement instead.
      if (
        state.placementId &&
        (command.placementStatus === 'active' || command.placementStatus === 'ended')
      ) {
        throw matchingProblems.offerTakenUp(ref.offerId, state.placementId);
      }
      return [
        {
          type: 'OfferWithdrawn',
          data: { ...ref, withdrawnAt: at, ...(command.note ? { note: command.note } : {}) },
        },
      ];
    case 'ExpireOffer':
      if (state.status !== 'accepted' || !state.acceptance) return [];
      if (state.acceptance.reservationExpiresAt > at) return [];
      return [{ type: 'OfferExpired', data: { ...ref, expiredAt: at } }];
    case 'TakeUpOffer':
      if (state.status !== 'accepted') throw matchingProblems.offerNotAccepted(ref.offerId, state.status);
      if (
        state.placementId &&
        command.currentPlacementStatus &&
        LIVE_PLACEMENT.has(command.currentPlacementStatus)
      ) {
        throw matchingProblems.offerTakenUp(ref.offerId, state.placementId);
      }
      return [
        {
          type: 'OfferTakenUp',
          data: { offerId: ref.offerId, placementId: command.placementId, takenUpAt: at },
        },
      ];
  }
}

const DAY_MS = 86_400_000;

/**
 * When an acceptance's reservation lapses: the same time of day, `workingDays` working days later
 * on the England and Wales calendar (weekends and bank holidays do not count).
 */
export function reservationExpiry(acceptedAt: Date, workingDays: number): string {
  const today = todayInEngland(acceptedAt);
  const lapseDay = addWorkingDays(today, workingDays);
  return new Date(acceptedAt.getTime() + (toDayNumber(lapseDay) - toDayNumber(today)) * DAY_MS).toISOString();
}
