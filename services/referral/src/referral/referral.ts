// The referral aggregate: its events (exactly the integration events of placements.referral.v1),
// its state, evolve (fold an event into state) and decide (a command against state gives new
// events or a problem). Pure: no I/O, the clock comes in through the context.
import type {
  ErasedMarker,
  IntegrationEventData,
  Need,
  ReferralChild,
  ReferralLocations,
  ReferralRequirements,
  Risks,
} from '@placements/contracts';
import { ProblemError, problems } from '@placements/service-kit';

export type ReferralSubmitted = {
  type: 'ReferralSubmitted';
  data: IntegrationEventData<'ReferralSubmitted'>;
};
export type ReferralNeedsUpdated = {
  type: 'ReferralNeedsUpdated';
  data: IntegrationEventData<'ReferralNeedsUpdated'>;
};
export type ReferralWithdrawn = {
  type: 'ReferralWithdrawn';
  data: IntegrationEventData<'ReferralWithdrawn'>;
};
export type ReferralPlaced = { type: 'ReferralPlaced'; data: IntegrationEventData<'ReferralPlaced'> };
export type ReferralEvent = ReferralSubmitted | ReferralNeedsUpdated | ReferralWithdrawn | ReferralPlaced;

export const referralEventTypes: readonly ReferralEvent['type'][] = Object.freeze([
  'ReferralSubmitted',
  'ReferralNeedsUpdated',
  'ReferralWithdrawn',
  'ReferralPlaced',
]);

export type ReferralStatus = 'submitted' | 'placed' | 'withdrawn';

/** A personal field once opened: the value, or the marker left after the child's key was shredded. */
export type Personal<T> = T | ErasedMarker;

export interface Referral {
  status: ReferralStatus;
  /** Number of events folded so far: the stream version. */
  version: number;
  referralId: string;
  placingLa: string;
  childRef: string;
  child: Personal<ReferralChild>;
  needs: Need[];
  risks: Risks;
  requirements: ReferralRequirements;
  locations: Personal<ReferralLocations>;
  childViews: Personal<string>;
  attestation: { fullDisclosure: true; referrerName: string };
  submittedAt: string;
  /** When the needs were last replaced (submittedAt until then). */
  needsUpdatedAt: string;
  withdrawal?: { reason: string; withdrawnAt: string };
  placement?: { placementId: string; homeUrn: string; startDate: string; placedAt: string };
}

export type ReferralState = { status: 'none'; version: number } | Referral;

export const initialReferralState: ReferralState = Object.freeze({ status: 'none', version: 0 });

export function isReferral(state: ReferralState): state is Referral {
  return state.status !== 'none';
}

/** Folds one event; unknown event types leave the state as it is (forward compatibility). */
export function evolve(state: ReferralState, event: { type: string; data: unknown }): ReferralState {
  const typed = event as ReferralEvent;
  switch (typed.type) {
    case 'ReferralSubmitted': {
      const data = typed.data;
      return {
        status: 'submitted',
        version: state.version + 1,
        referralId: data.referralId,
        placingLa: data.placingLa,
        childRef: data.childRef,
        child: data.child,
        needs: data.needs,
        risks: data.risks,
        requirements: data.requirements,
        locations: data.locations,
        childViews: data.childViews,
        attestation: data.attestation,
        submittedAt: data.submittedAt,
        needsUpdatedAt: data.submittedAt,
      };
    }
    case 'ReferralNeedsUpdated': {
      if (!isReferral(state)) return state;
      const data = typed.data;
      return {
        ...state,
        version: state.version + 1,
        needs: data.needs,
        risks: data.risks,
        requirements: data.requirements,
        locations: data.locations,
        needsUpdatedAt: data.updatedAt,
      };
    }
    case 'ReferralWithdrawn': {
      if (!isReferral(state)) return state;
      return {
        ...state,
        status: 'withdrawn',
        version: state.version + 1,
        withdrawal: { reason: typed.data.reason, withdrawnAt: typed.data.withdrawnAt },
      };
    }
    case 'ReferralPlaced': {
      if (!isReferral(state)) return state;
      const data = typed.data;
      return {
        ...state,
        status: 'placed',
        version: state.version + 1,
        placement: {
          placementId: data.placementId,
          homeUrn: data.homeUrn,
          startDate: data.startDate,
          placedAt: data.placedAt,
        },
      };
    }
    default:
      return { ...state, version: state.version + 1 };
  }
}

export type SubmitReferral = {
  type: 'SubmitReferral';
  data: {
    referralId: string;
    placingLa: string;
    childRef: string;
    child: ReferralChild;
    needs: Need[];
    risks: Risks;
    requirements: ReferralRequirements;
    locations: ReferralLocations;
    childViews: string;
    attestation: { fullDisclosure: true; referrerName: string };
  };
};

export type UpdateReferralNeeds = {
  type: 'UpdateReferralNeeds';
  data: { needs: Need[]; risks: Risks; requirements: ReferralRequirements; locations: ReferralLocations };
};

export type WithdrawReferral = { type: 'WithdrawReferral'; data: { reason: string } };

/** From matching's PlacementStarted: the child moved into a home found for this referral. */
export type RecordPlacement = {
  type: 'RecordPlacement';
  data: {
    referralId: string;
    placingLa: string;
    childRef: string;
    placementId: string;
    homeUrn: string;
    startDate: string;
    startedAt: string;
  };
};

export type ReferralCommand = SubmitReferral | UpdateReferralNeeds | WithdrawReferral | RecordPlacement;

export interface DecideContext {
  now: Date;
}

export const referralProblems = {
  alreadyExists: (referralId: string) =>
    problems.conflict('referral-exists', 'The referral already exists', {
      detail: `referral ${referralId} has already been submitted`,
    }),
  notOpen: (status: ReferralStatus) =>
    problems.conflict('referral-not-open', 'The referral is no longer open', {
      detail: `the referral is ${status}; only a submitted referral can be changed or withdrawn`,
      extensions: { referralStatus: status },
    }),
  notFound: (referralId: string) => problems.notFound(`referral ${referralId}`),
  alreadyOpen: (openReferralId: string) => {
    const existing = `/v1/referrals/${openReferralId}`;
    return problems.conflict('referral-already-open', 'The child already has an open referral', {
      detail:
        'this LA has a submitted referral for this child; update its needs or withdraw it instead of referring again',
      headers: { link: `<${existing}>; rel="related"` },
      extensions: { existing, existingReferralId: openReferralId },
    });
  },
  childErased: () =>
    new ProblemError(422, 'child-erased', 'The child’s personal data has been erased', {
      detail: 'personal data about this child was erased; the platform records nothing new about them',
    }),
  staleVersion: (version: number | undefined, expected: number) =>
    problems.preconditionFailed(
      `the referral is at version ${version ?? 'a later version'}, not ${expected}; read it again and retry`,
    ),
  /** A placement that names this referral but another child or LA: the event cannot be trusted. */
  placementMismatch: () =>
    new ProblemError(422, 'placement-does-not-match-referral', 'The placement names another child', {
      detail: 'the placement’s placing LA or child reference differs from the referral’s',
    }),
};

/**
 * Decides what a command means for a referral. Throws a ProblemError for a command the referral
 * cannot accept; returns no events when the command is already satisfied (a repeated placement).
 */
export function decide(
  command: ReferralCommand,
  state: ReferralState,
  context: DecideContext,
): ReferralEvent[] {
  const now = context.now.toISOString();
  switch (command.type) {
    case 'SubmitReferral': {
      if (isReferral(state)) throw referralProblems.alreadyExists(state.referralId);
      return [{ type: 'ReferralSubmitted', data: { ...command.data, submittedAt: now } }];
    }
    case 'UpdateReferralNeeds': {
      const referral = openReferral(state);
      return [
        {
          type: 'ReferralNeedsUpdated',
          data: {
            referralId: referral.referralId,
            placingLa: referral.placingLa,
            childRef: referral.childRef,
            referralVersion: referral.version + 1,
            ...command.data,
            updatedAt: now,
          },
        },
      ];
    }
    case 'WithdrawReferral': {
      const referral = openReferral(state);
      return [
        {
          type: 'ReferralWithdrawn',
          data: {
            referralId: referral.referralId,
            placingLa: referral.placingLa,
            childRef: referral.childRef,
            reason: command.data.reason,
            withdrawnAt: now,
          },
        },
      ];
    }
    case 'RecordPlacement': {
      // A placement for a referral this service never held (another deployment's, or a test's)
      // changes nothing here; matching remains the record of the placement itself.
      if (!isReferral(state)) return [];
      // Once per referral: a redelivery or a later move from the same referral adds nothing.
      if (state.status === 'placed') return [];
      const data = command.data;
      if (data.placingLa !== state.placingLa || data.childRef !== state.childRef) {
        throw referralProblems.placementMismatch();
      }
      // A withdrawn referral is still marked placed: the child moving in is a fact recorded by
      // matching, and a withdrawal that crossed with the start must not hide where the child lives.
      return [
        {
          type: 'ReferralPlaced',
          data: {
            referralId: state.referralId,
            placingLa: state.placingLa,
            childRef: state.childRef,
            placementId: data.placementId,
            homeUrn: data.homeUrn,
            startDate: data.startDate,
            placedAt: data.startedAt,
          },
        },
      ];
    }
  }
}

function openReferral(state: ReferralState): Referral {
  if (!isReferral(state)) throw problems.notFound('the referral');
  if (state.status !== 'submitted') throw referralProblems.notOpen(state.status);
  return state;
}

/** Folds new events onto a state (the state a command handler answers with). */
export function evolveAll(
  state: ReferralState,
  events: readonly { type: string; data: unknown }[],
): ReferralState {
  return events.reduce(evolve, state);
}
