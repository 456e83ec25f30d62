// The Placement aggregate (stream `placement-<uuid>`): proposed from an accepted offer with the
// CPPCR reg 11 gating computed (out of area → nominated officer; at a distance → DCS), approved or
// rejected by the right person, started (occupying the reserved place), and ended with an SSDA903
// REC code. An emergency may start before its approval; the missing approval is then recorded on
// the start and the late approval carries `recordedAfterStart`: compliance facts, never dropped.
// A move is a new placement naming the one it replaces: starting it ends the old one the same day
// with REC X1 (DOMAIN.md §3).
import {
  collectionYearOf,
  type IntegrationEventData,
  isValidCode,
  type RequiredApproval,
  supportedCollectionYears,
} from '@placements/contracts';
import { problems } from '@placements/service-kit';
import { approvalSatisfies } from '../geography.ts';
import { matchingProblems } from '../problems.ts';

export type PlacementStatus = 'awaiting-approval' | 'approved' | 'rejected' | 'active' | 'ended';

type Proposed = IntegrationEventData<'PlacementProposed'>;
type ApprovalRecorded = IntegrationEventData<'PlacementApprovalRecorded'>;

/** SSDA903 REC code for "episode ceased, new episode the same day": reserved for moves. */
export const REC_MOVE = 'X1';

export interface PlacementState {
  status: PlacementStatus | null;
  proposal: Proposed | null;
  approvals: ApprovalRecorded[];
  /** The approval reg 11 requires has been given. */
  approved: boolean;
  started: { startDate: string; approvalMissing: boolean; startedAt: string } | null;
  ended: {
    endDate: string;
    reasonEnded: string;
    note: string | undefined;
    nextPlacementId: string | null;
    endedAt: string;
  } | null;
}

export const initialPlacementState: PlacementState = Object.freeze({
  status: null,
  proposal: null,
  approvals: [],
  approved: false,
  started: null,
  ended: null,
}) as PlacementState;

export type PlacementEvent =
  | { type: 'PlacementProposed'; data: Proposed }
  | { type: 'PlacementApprovalRecorded'; data: ApprovalRecorded }
  | { type: 'PlacementStarted'; data: IntegrationEventData<'PlacementStarted'> }
  | { type: 'PlacementEnded'; data: IntegrationEventData<'PlacementEnded'> };

export type PlacementCommand =
  | { type: 'ProposePlacement'; proposal: Omit<Proposed, 'proposedAt'> }
  | {
      type: 'RecordApproval';
      level: 'nominated-officer' | 'dcs';
      approverName: string;
      decision: 'approved' | 'rejected';
      note?: string | undefined;
    }
  | { type: 'StartPlacement'; startDate: string }
  | {
      type: 'EndPlacement';
      endDate: string;
      reasonEnded: string;
      note?: string | undefined;
      /** Set when a move ends this placement (REC X1); the end endpoint never sets it. */
      nextPlacementId: string | null;
    };

export function placementStreamId(placementId: string): string {
  return `placement-${placementId}`;
}

export function placementRef(proposal: Proposed) {
  const { placementId, referralId, placingLa, childRef, homeUrn, providerId, hostLa, outOfArea, atDistance } =
    proposal;
  return { placementId, referralId, placingLa, childRef, homeUrn, providerId, hostLa, outOfArea, atDistance };
}

export function evolve(state: PlacementState, event: { type: string; data: unknown }): PlacementState {
  const e = event as PlacementEvent;
  switch (e.type) {
    case 'PlacementProposed':
      return {
        ...state,
        proposal: e.data,
        status: e.data.requiredApproval === null ? 'approved' : 'awaiting-approval',
        approved: e.data.requiredApproval === null,
      };
    case 'PlacementApprovalRecorded': {
      const granted = e.data.decision === 'approved';
      const status: PlacementStatus =
        state.status === 'active' || state.status === 'ended'
          ? state.status
          : granted
            ? 'approved'
            : 'rejected';
      return {
        ...state,
        approvals: [...state.approvals, e.data],
        approved: state.approved || granted,
        status,
      };
    }
    case 'PlacementStarted':
      return {
        ...state,
        status: 'active',
        started: {
          startDate: e.data.startDate,
          approvalMissing: e.data.approvalMissing,
          startedAt: e.data.startedAt,
        },
      };
    case 'PlacementEnded':
      return {
        ...state,
        status: 'ended',
        ended: {
          endDate: e.data.endDate,
          reasonEnded: e.data.reasonEnded,
          // Free text about the child; gone once the child's personal data is erased.
          note: typeof e.data.note === 'string' ? e.data.note : undefined,
          nextPlacementId: e.data.nextPlacementId,
          endedAt: e.data.endedAt,
        },
      };
    default:
      return state;
  }
}

/** A code from an SSDA903 list, validated for the collection year the date falls in. */
function assertCode(
  list: 'reasonEpisodeCeased' | 'reasonPlaceChange',
  code: string,
  date: string,
  path: string,
): void {
  const year = collectionYearOf(date);
  if (!supportedCollectionYears.includes(year)) {
    throw problems.validation([
      {
        path,
        message: `no SSDA903 code lists for collection year ${year} (supported: ${supportedCollectionYears.join(', ')})`,
      },
    ]);
  }
  if (!isValidCode(year, list, code)) {
    throw problems.validation([{ path, message: `${code} is not an SSDA903 ${list} code for ${year}` }]);
  }
}

export function decide(
  command: PlacementCommand,
  state: PlacementState,
  ctx: { now: Date },
): PlacementEvent[] {
  const at = ctx.now.toISOString();
  if (command.type === 'ProposePlacement') {
    const p = command.proposal;
    const errors: { path: string; message: string }[] = [];
    if (p.outOfArea && !(typeof p.justification === 'string' && p.justification.trim())) {
      errors.push({
        path: 'body.justification',
        message:
          "required for an out-of-area placement: say why it is in the child's best interests (CPPCR reg 11)",
      });
    }
    if (p.previousPlacementId && !p.placeChangeReason) {
      errors.push({
        path: 'body.placeChangeReason',
        message: 'required for a move (SSDA903 REASON_PLACE_CHANGE)',
      });
    }
    if (!p.previousPlacementId && p.placeChangeReason) {
      errors.push({
        path: 'body.previousPlacementId',
        message: 'a place change reason needs the placement it replaces',
      });
    }
    if (errors.length > 0) throw problems.validation(errors);
    if (p.placeChangeReason)
      assertCode('reasonPlaceChange', p.placeChangeReason, p.plannedStart, 'body.placeChangeReason');
    return [{ type: 'PlacementProposed', data: { ...p, proposedAt: at } }];
  }

  const proposal = state.proposal;
  if (!proposal || !state.status) throw problems.notFound('placement');
  const id = proposal.placementId;
  const ref = placementRef(proposal);
  switch (command.type) {
    case 'RecordApproval': {
      const required: RequiredApproval = proposal.requiredApproval;
      if (required === null) throw matchingProblems.approvalNotRequired(id);
      if (state.status === 'ended') throw matchingProblems.placementEnded(id);
      const decided = state.approvals.at(-1);
      if (decided) throw matchingProblems.approvalAlreadyRecorded(id, decided.decision);
      if (!approvalSatisfies(command.level, required)) throw matchingProblems.approvalLevelInsufficient(id);
      return [
        {
          type: 'PlacementApprovalRecorded',
          data: {
            ...ref,
            level: command.level,
            approverName: command.approverName,
            decision: command.decision,
            ...(command.note ? { note: command.note } : {}),
            recordedAfterStart: state.started !== null,
            recordedAt: at,
          },
        },
      ];
    }
    case 'StartPlacement': {
      if (state.status === 'rejected') throw matchingProblems.placementRejected(id);
      if (state.status === 'active' || state.status === 'ended')
        throw matchingProblems.placementAlreadyStarted(id);
      const missing = proposal.requiredApproval !== null && !state.approved;
      if (missing && !proposal.emergency)
        throw matchingProblems.approvalRequired(id, proposal.requiredApproval!);
      return [
        {
          type: 'PlacementStarted',
          data: {
            ...ref,
            startDate: command.startDate,
            emergency: proposal.emergency,
            requiredApproval: proposal.requiredApproval,
            approvalMissing: missing,
            previousPlacementId: proposal.previousPlacementId,
            placeChangeReason: proposal.placeChangeReason,
            startedAt: at,
          },
        },
      ];
    }
    case 'EndPlacement': {
      if (state.status !== 'active' || !state.started)
        throw matchingProblems.placementNotActive(id, state.status);
      const errors: { path: string; message: string }[] = [];
      if (command.endDate < state.started.startDate) {
        errors.push({
          path: command.nextPlacementId ? 'body.startDate' : 'body.endDate',
          message: `cannot be before the placement started (${state.started.startDate})`,
        });
      }
      if (command.reasonEnded === REC_MOVE && !command.nextPlacementId) {
        errors.push({
          path: 'body.reasonEnded',
          message: 'X1 is recorded by starting the next placement of a move, not by ending this one',
        });
      }
      if (errors.length > 0) throw problems.validation(errors);
      if (!command.nextPlacementId)
        assertCode('reasonEpisodeCeased', command.reasonEnded, command.endDate, 'body.reasonEnded');
      return [
        {
          type: 'PlacementEnded',
          data: {
            ...ref,
            endDate: command.endDate,
            reasonEnded: command.reasonEnded,
            ...(command.note ? { note: command.note } : {}),
            nextPlacementId: command.nextPlacementId,
            endedAt: at,
          },
        },
      ];
    }
  }
}

/** SSDA903 PLACE for a placement in a children's home. */
export const PLACE_CHILDRENS_HOME = 'K2';

/**
 * SSDA903 PLACE_PROVIDER from the home's sector: a council-run home is PR1 for its own council's
 * children and PR2 for any other authority's; other sectors keep their code.
 */
export function placementProviderCode(sector: string, homeProviderId: string, placingLa: string): string {
  if (sector === 'PR1' || sector === 'PR2') return homeProviderId === placingLa ? 'PR1' : 'PR2';
  return sector;
}
