// Offer commands. Sending checks the home against the referral's hard rules (never "send to all");
// accepting reserves a place on the home's stream in the same transaction as OfferAccepted, so
// concurrent accepts can never overbook; withdrawing or lapsing releases the place the same way.
import { randomUUID } from 'node:crypto';
import { todayInEngland } from '@placements/contracts';
import type { EventMetadata, Queryable } from '@placements/event-store';
import type { Principal } from '@placements/service-kit';
import type { MatchingHost } from '../config.ts';
import { appendAll, runCommand } from '../event-log.ts';
import {
  asMatchingHome,
  decide as decideHome,
  evolve as evolveHome,
  homeStreamId,
  initialHomeState,
} from '../homes/home.ts';
import {
  evolve as evolvePlacement,
  initialPlacementState,
  placementStreamId,
} from '../placements/placement.ts';
import { matchingProblems } from '../problems.ts';
import { loadSnapshot, openForMatching } from '../referrals/snapshots.ts';
import { distanceToHome, exclusionRulesFor, matchingContext } from '../shortlists/ranking.ts';
import {
  decide,
  evolve,
  initialOfferState,
  type OfferCommand,
  type OfferState,
  offerStreamId,
  reservationExpiry,
} from './offer.ts';

export interface OfferResult {
  state: OfferState;
  version: number;
}

export async function loadOffer(host: MatchingHost, offerId: string, client?: Queryable) {
  return host.store.aggregateStream(
    offerStreamId(offerId),
    evolve,
    initialOfferState,
    client ? { client } : {},
  );
}

/** Who may see an offer: its placing LA, the provider of its home, and ops. */
export function canSeeOffer(principal: Principal, state: OfferState): boolean {
  if (!state.ref) return false;
  if (principal.roles.includes('ops')) return true;
  return (
    (principal.roles.includes('placing-authority') && principal.org === state.ref.placingLa) ||
    (principal.roles.includes('provider') && principal.org === state.ref.providerId)
  );
}

export async function sendOffer(
  host: MatchingHost,
  principal: Principal,
  referralId: string,
  body: { homeUrn: string; note?: string | undefined },
  metadata: EventMetadata,
): Promise<OfferResult> {
  const snapshot = await loadSnapshot(host.pool, referralId);
  if (!snapshot || snapshot.placingLa !== principal.org) throw matchingProblems.referralNotFound(referralId);
  if (snapshot.status === 'withdrawn') throw matchingProblems.referralWithdrawn(referralId);
  const referral = await openForMatching(host.cipher, snapshot);
  if (referral === 'erased') throw matchingProblems.referralErased(referralId);

  return runCommand(host, async (client) => {
    const home = await host.store.aggregateStream(homeStreamId(body.homeUrn), evolveHome, initialHomeState, {
      client,
    });
    if (!home.state.profile) throw matchingProblems.homeNotFound(body.homeUrn);
    const now = host.clock();
    const candidate = asMatchingHome(home.state);
    const ctx = matchingContext(referral, todayInEngland(now));
    const rules = exclusionRulesFor(candidate, ctx, distanceToHome(ctx, candidate));
    if (rules.length > 0) throw matchingProblems.homeExcluded(body.homeUrn, rules);
    const { rows: open } = await client.query<{ id: string }>(
      `SELECT id FROM offers WHERE referral_id = $1 AND home_urn = $2 AND status IN ('sent', 'accepted') LIMIT 1`,
      [referralId, body.homeUrn],
    );
    if (open[0]) throw matchingProblems.offerAlreadyOpen(body.homeUrn, open[0].id);

    const offerId = randomUUID();
    const events = decide(
      {
        type: 'SendOffer',
        ref: {
          offerId,
          referralId,
          placingLa: snapshot.placingLa,
          childRef: snapshot.childRef,
          homeUrn: body.homeUrn,
          providerId: home.state.profile.providerId,
        },
        note: body.note,
      },
      initialOfferState,
      { now },
    );
    await appendAll(
      host.store,
      client,
      [{ streamId: offerStreamId(offerId), expectedVersion: 0, events }],
      metadata,
      now,
    );
    return { state: events.reduce(evolve, initialOfferState), version: events.length };
  });
}

type ProviderAnswer =
  | { type: 'AcceptOffer'; weeklyFee: number; earliestStart: string }
  | {
      type: 'DeclineOffer';
      reason: Extract<OfferCommand, { type: 'DeclineOffer' }>['reason'];
      note?: string | undefined;
    };

/** The provider's answer; accepting also reserves the place, atomically. */
export async function answerOffer(
  host: MatchingHost,
  principal: Principal,
  offerId: string,
  answer: ProviderAnswer,
  metadata: EventMetadata,
): Promise<OfferResult> {
  return runCommand(host, async (client) => {
    const offer = await host.store.aggregateStream(offerStreamId(offerId), evolve, initialOfferState, {
      client,
    });
    const ref = offer.state.ref;
    // Providers answer only offers to their own homes; anyone else's offer does not exist for them.
    if (!ref || ref.providerId !== principal.org) throw matchingProblems.offerNotFound(offerId);
    const now = host.clock();
    if (answer.type === 'DeclineOffer') {
      const events = decide(answer, offer.state, { now });
      await appendAll(
        host.store,
        client,
        [{ streamId: offerStreamId(offerId), expectedVersion: offer.version, events }],
        metadata,
        now,
      );
      return { state: events.reduce(evolve, offer.state), version: offer.version + events.length };
    }
    const reservationExpiresAt = reservationExpiry(now, host.config.RESERVATION_LAPSE_WORKING_DAYS);
    const offerEvents = decide({ ...answer, reservationExpiresAt }, offer.state, { now });
    const home = await host.store.aggregateStream(homeStreamId(ref.homeUrn), evolveHome, initialHomeState, {
      client,
    });
    const homeEvents = decideHome(
      { type: 'ReservePlace', offerId, referralId: ref.referralId, expiresAt: reservationExpiresAt },
      home.state,
      { now },
    );
    await appendAll(
      host.store,
      client,
      [
        { streamId: offerStreamId(offerId), expectedVersion: offer.version, events: offerEvents },
        { streamId: homeStreamId(ref.homeUrn), expectedVersion: home.version, events: homeEvents },
      ],
      metadata,
      now,
    );
    return { state: offerEvents.reduce(evolve, offer.state), version: offer.version + offerEvents.length };
  });
}

/** The placing LA withdraws; a place it held is released in the same transaction. */
export async function withdrawOffer(
  host: MatchingHost,
  principal: Principal,
  offerId: string,
  note: string | undefined,
  metadata: EventMetadata,
): Promise<OfferResult> {
  return runCommand(host, async (client) => {
    const offer = await host.store.aggregateStream(offerStreamId(offerId), evolve, initialOfferState, {
      client,
    });
    const ref = offer.state.ref;
    if (!ref || ref.placingLa !== principal.org) throw matchingProblems.offerNotFound(offerId);
    const placementStatus = offer.state.placementId
      ? (
          await host.store.aggregateStream(
            placementStreamId(offer.state.placementId),
            evolvePlacement,
            initialPlacementState,
            { client },
          )
        ).state.status
      : null;
    const now = host.clock();
    const offerEvents = decide({ type: 'WithdrawOffer', note, placementStatus }, offer.state, { now });
    const home = await host.store.aggregateStream(homeStreamId(ref.homeUrn), evolveHome, initialHomeState, {
      client,
    });
    const homeEvents = decideHome({ type: 'ReleasePlace', offerId, reason: 'withdrawn' }, home.state, {
      now,
    });
    await appendAll(
      host.store,
      client,
      [
        { streamId: offerStreamId(offerId), expectedVersion: offer.version, events: offerEvents },
        { streamId: homeStreamId(ref.homeUrn), expectedVersion: home.version, events: homeEvents },
      ],
      metadata,
      now,
    );
    return { state: offerEvents.reduce(evolve, offer.state), version: offer.version + offerEvents.length };
  });
}
