// Consumes `placements.referral.v1`. A submitted referral, or a needs update for a newer version,
// refreshes the referral's snapshot and produces a shortlist in the same transaction as the inbox
// row; withdrawal and placement only change the snapshot's status. When the child's personal data
// arrives erased no shortlist is produced: there is no one to match. An event for a referral not
// submitted here yet fails rather than vanish (it reaches the dead-letter topic and can be replayed).
import { isErased, parseIntegrationEvent, topics } from '@placements/contracts';
import type { EventMetadata } from '@placements/event-store';
import type { IncomingEvent } from '@placements/messaging';
import type pg from 'pg';
import type { MatchingHost } from '../config.ts';
import type { MatchingPolicy } from '../shortlists/policy.ts';
import { produceShortlist, RegistryCache } from '../shortlists/produce.ts';
import {
  loadSnapshot,
  openForMatching,
  type ReferralSnapshot,
  saveSnapshot,
  sealPersonal,
} from './snapshots.ts';

/**
 * A referral event for a referral whose submission has not been applied here. Dropping it would
 * leave the snapshot (and the shortlist) behind for good once the submission does arrive, so it
 * fails: retried, then parked on the dead-letter topic until an operator replays it.
 */
export class ReferralNotYetKnownError extends Error {
  constructor(referralId: string, eventName: string) {
    super(`${eventName} for referral ${referralId}, whose ReferralSubmitted has not been applied here`);
    this.name = 'ReferralNotYetKnownError';
  }
}

export function registerReferralConsumer(host: MatchingHost, policy: MatchingPolicy): void {
  const registry = new RegistryCache();
  host.consume({
    name: 'referrals',
    topics: [topics.referral],
    reads: ['ReferralSubmitted', 'ReferralNeedsUpdated', 'ReferralWithdrawn', 'ReferralPlaced'],
    handle: (message, client) => applyReferralMessage(host, policy, message, client, registry),
    // Each referral's ranking is the work here, not its transaction: its shortlist is readable
    // as soon as it is ranked, never held back for the next referral's.
    runBudgetMs: 0,
  });
}

export async function applyReferralMessage(
  host: MatchingHost,
  policy: MatchingPolicy,
  message: IncomingEvent,
  client: pg.PoolClient,
  registry: RegistryCache = new RegistryCache(),
): Promise<void> {
  const event = parseIntegrationEvent(message.type, message.data);
  const now = host.clock();
  const metadata: EventMetadata = {
    causationId: message.id,
    correlationId: message.id,
    actor: { sub: 'matching.referral-consumer', org: 'matching' },
    ...(message.traceparent ? { traceparent: message.traceparent } : {}),
  };
  const deps = { store: host.store, policy, clock: host.clock, registry };

  switch (event.name) {
    case 'ReferralSubmitted': {
      const { data } = event;
      const existing = await loadSnapshot(client, data.referralId);
      if (existing) return;
      const sealed = await sealPersonal(host.cipher, data.placingLa, data.childRef, {
        child: data.child,
        locations: data.locations,
      });
      const snapshot: ReferralSnapshot = {
        referralId: data.referralId,
        placingLa: data.placingLa,
        childRef: data.childRef,
        referralVersion: 1,
        status: 'submitted',
        needs: data.needs,
        risks: data.risks,
        requirements: data.requirements,
        child: sealed.child,
        locations: sealed.locations,
      };
      await saveSnapshot(client, snapshot, now);
      if (isErased(data.child) || isErased(data.locations)) return;
      const referral = await openForMatching(host.cipher, snapshot);
      if (referral !== 'erased') await produceShortlist(deps, referral, client, metadata);
      return;
    }
    case 'ReferralNeedsUpdated': {
      const { data } = event;
      const existing = await loadSnapshot(client, data.referralId);
      if (!existing) throw new ReferralNotYetKnownError(data.referralId, event.name);
      // An older version is already superseded.
      if (data.referralVersion <= existing.referralVersion) return;
      const sealed = await sealPersonal(host.cipher, data.placingLa, data.childRef, {
        locations: data.locations,
      });
      const snapshot: ReferralSnapshot = {
        ...existing,
        referralVersion: data.referralVersion,
        needs: data.needs,
        risks: data.risks,
        requirements: data.requirements,
        locations: sealed.locations,
      };
      await saveSnapshot(client, snapshot, now);
      if (snapshot.status === 'withdrawn' || isErased(data.locations)) return;
      const referral = await openForMatching(host.cipher, snapshot);
      if (referral !== 'erased') await produceShortlist(deps, referral, client, metadata);
      return;
    }
    case 'ReferralWithdrawn':
    case 'ReferralPlaced': {
      const existing = await loadSnapshot(client, event.data.referralId);
      if (!existing) throw new ReferralNotYetKnownError(event.data.referralId, event.name);
      await saveSnapshot(
        client,
        { ...existing, status: event.name === 'ReferralWithdrawn' ? 'withdrawn' : 'placed' },
        now,
      );
      return;
    }
    default:
      return;
  }
}
