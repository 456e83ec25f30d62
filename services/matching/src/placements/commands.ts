// Placement commands. Proposing takes up an accepted offer and computes the reg 11 gating from the
// home and the child's home location; starting occupies the offer's reserved place (and, for a
// move, ends the previous placement the same day with X1 and frees its place); ending frees the
// place. Each command's streams are appended in one transaction.
import { randomUUID } from 'node:crypto';
import { todayInEngland } from '@placements/contracts';
import type { EventMetadata } from '@placements/event-store';
import { type Principal, problems } from '@placements/service-kit';
import type { MatchingHost } from '../config.ts';
import { runCommand, UnitOfWork } from '../event-log.ts';
import {
  isOver20Miles,
  localityOf,
  milesBetween,
  neighbourhoodOf,
  requiredApprovalFor,
  toTenths,
} from '../geography.ts';
import {
  currentJudgement,
  decide as decideHome,
  evolve as evolveHome,
  type HomeState,
  homeStreamId,
  initialHomeState,
} from '../homes/home.ts';
import {
  decide as decideOffer,
  evolve as evolveOffer,
  initialOfferState,
  type OfferState,
  offerStreamId,
} from '../offers/offer.ts';
import { matchingProblems } from '../problems.ts';
import { loadSnapshot, openForMatching } from '../referrals/snapshots.ts';
import {
  decide,
  evolve,
  initialPlacementState,
  PLACE_CHILDRENS_HOME,
  type PlacementCommand,
  type PlacementState,
  placementProviderCode,
  placementStreamId,
  REC_MOVE,
} from './placement.ts';

export interface PlacementResult {
  state: PlacementState;
  version: number;
}

export interface ProposeBody {
  offerId: string;
  plannedStart: string;
  emergency: boolean;
  justification?: string | undefined;
  previousPlacementId: string | null;
  placeChangeReason: string | null;
}

/** Who may see a placement: its placing LA, the provider of its home, and ops. */
export function canSeePlacement(principal: Principal, state: PlacementState): boolean {
  const proposal = state.proposal;
  if (!proposal) return false;
  if (principal.roles.includes('ops')) return true;
  return (
    (principal.roles.includes('placing-authority') && principal.org === proposal.placingLa) ||
    (principal.roles.includes('provider') && principal.org === proposal.providerId)
  );
}

export async function proposePlacement(
  host: MatchingHost,
  principal: Principal,
  body: ProposeBody,
  metadata: EventMetadata,
): Promise<PlacementResult> {
  return runCommand(host, async (client) => {
    const work = new UnitOfWork(host.store, client);
    const offer = await work.load<OfferState>(offerStreamId(body.offerId), evolveOffer, initialOfferState);
    const ref = offer.ref;
    if (!ref || ref.placingLa !== principal.org) throw matchingProblems.offerNotFound(body.offerId);
    if (offer.status !== 'accepted' || !offer.acceptance) {
      throw matchingProblems.offerNotAccepted(body.offerId, offer.status ?? 'unknown');
    }
    const currentPlacementStatus = offer.placementId
      ? (await work.load<PlacementState>(placementStreamId(offer.placementId), evolve, initialPlacementState))
          .status
      : null;
    const home = await work.load<HomeState>(homeStreamId(ref.homeUrn), evolveHome, initialHomeState);
    if (!home.profile) throw matchingProblems.homeNotFound(ref.homeUrn);
    const snapshot = await loadSnapshot(client, ref.referralId);
    const referral = snapshot ? await openForMatching(host.cipher, snapshot) : 'erased';
    if (referral === 'erased') throw matchingProblems.referralErased(ref.referralId);

    if (body.previousPlacementId) {
      const previous = await work.load<PlacementState>(
        placementStreamId(body.previousPlacementId),
        evolve,
        initialPlacementState,
      );
      const p = previous.proposal;
      if (!p || p.placingLa !== ref.placingLa || p.childRef !== ref.childRef) {
        throw problems.validation([
          { path: 'body.previousPlacementId', message: 'is not a placement of this child by your authority' },
        ]);
      }
      if (previous.status !== 'active') {
        throw matchingProblems.previousPlacementNotActive(
          body.previousPlacementId,
          previous.status ?? 'unknown',
        );
      }
    }

    const now = host.clock();
    const locality = localityOf(
      ref.placingLa,
      home.profile.la,
      neighbourhoodOf(ref.placingLa, todayInEngland(now)),
    );
    const distanceMiles = toTenths(milesBetween(referral.child.homeLocation, home.profile.location));
    const placementId = randomUUID();
    const justification = body.justification?.trim();
    const events = decide(
      {
        type: 'ProposePlacement',
        proposal: {
          placementId,
          referralId: ref.referralId,
          placingLa: ref.placingLa,
          childRef: ref.childRef,
          homeUrn: ref.homeUrn,
          providerId: ref.providerId,
          hostLa: home.profile.la,
          outOfArea: locality.outOfArea,
          atDistance: locality.atDistance,
          offerId: ref.offerId,
          distanceMiles,
          over20Miles: isOver20Miles(distanceMiles),
          requiredApproval: requiredApprovalFor(locality, currentJudgement(home)?.judgement ?? null),
          plannedStart: body.plannedStart,
          emergency: body.emergency,
          ...(justification ? { justification } : {}),
          previousPlacementId: body.previousPlacementId,
          placeChangeReason: body.placeChangeReason,
          placementType: PLACE_CHILDRENS_HOME,
          placementProvider: placementProviderCode(
            home.profile.sector,
            home.profile.providerId,
            ref.placingLa,
          ),
          homePostcode: home.profile.postcode,
          weeklyFee: offer.acceptance.weeklyFee,
        },
      },
      initialPlacementState,
      { now },
    );
    const streamId = placementStreamId(placementId);
    await work.load<PlacementState>(streamId, evolve, initialPlacementState);
    const state = work.record<PlacementState>(streamId, events);
    work.record(
      offerStreamId(ref.offerId),
      decideOffer({ type: 'TakeUpOffer', placementId, currentPlacementStatus }, offer, { now }),
    );
    await work.commit(metadata, now);
    return { state, version: work.versionOf(streamId) };
  });
}

type LaterCommand = Exclude<PlacementCommand, { type: 'ProposePlacement' }>;

/** Approvals, starts and ends: the placing LA's own placements only. */
export async function changePlacement(
  host: MatchingHost,
  principal: Principal,
  placementId: string,
  command: LaterCommand,
  metadata: EventMetadata,
): Promise<PlacementResult> {
  return runCommand(host, async (client) => {
    const work = new UnitOfWork(host.store, client);
    const streamId = placementStreamId(placementId);
    const placement = await work.load<PlacementState>(streamId, evolve, initialPlacementState);
    const proposal = placement.proposal;
    if (!proposal || proposal.placingLa !== principal.org)
      throw matchingProblems.placementNotFound(placementId);
    const now = host.clock();
    const state = work.record<PlacementState>(streamId, decide(command, placement, { now }));

    if (command.type === 'StartPlacement') {
      const homeId = homeStreamId(proposal.homeUrn);
      const home = await work.load<HomeState>(homeId, evolveHome, initialHomeState);
      work.record(
        homeId,
        decideHome({ type: 'OccupyPlace', offerId: proposal.offerId, placementId }, home, { now }),
      );
      if (proposal.previousPlacementId) {
        await endPrevious(work, proposal.previousPlacementId, placementId, command.startDate, now);
      }
    }
    if (command.type === 'EndPlacement') {
      const homeId = homeStreamId(proposal.homeUrn);
      const home = await work.load<HomeState>(homeId, evolveHome, initialHomeState);
      work.record(homeId, decideHome({ type: 'FreePlace', placementId }, home, { now }));
    }
    await work.commit(metadata, now);
    return { state, version: work.versionOf(streamId) };
  });
}

/** A move: the previous placement ends the day the new one starts, REC X1, and its place is freed. */
async function endPrevious(
  work: UnitOfWork,
  previousId: string,
  nextPlacementId: string,
  startDate: string,
  now: Date,
): Promise<void> {
  const streamId = placementStreamId(previousId);
  const previous = await work.load<PlacementState>(streamId, evolve, initialPlacementState);
  if (previous.status !== 'active' || !previous.proposal) {
    throw matchingProblems.previousPlacementNotActive(previousId, previous.status ?? 'unknown');
  }
  work.record(
    streamId,
    decide({ type: 'EndPlacement', endDate: startDate, reasonEnded: REC_MOVE, nextPlacementId }, previous, {
      now,
    }),
  );
  const homeId = homeStreamId(previous.proposal.homeUrn);
  const home = await work.load<HomeState>(homeId, evolveHome, initialHomeState);
  work.record(homeId, decideHome({ type: 'FreePlace', placementId: previousId }, home, { now }));
}

export async function loadPlacement(host: MatchingHost, placementId: string) {
  return host.store.aggregateStream(placementStreamId(placementId), evolve, initialPlacementState);
}
