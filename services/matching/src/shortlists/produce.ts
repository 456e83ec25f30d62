// Producing a shortlist: rank every home in the registry for one referral version, append
// ShortlistProduced to the referral's shortlist stream and store the full view for the API, all in
// the caller's transaction (the referral consumer's, with its inbox row).
import { todayInEngland } from '@placements/contracts';
import type { EventMetadata, PostgresEventStore, Queryable } from '@placements/event-store';
import type pg from 'pg';
import { toNewEvent } from '../event-log.ts';
import { homesForMatching } from '../homes/queries.ts';
import type { MatchingPolicy } from './policy.ts';
import { MatchingRegistry, type ReferralForMatching, rankHomes } from './ranking.ts';
import { gzippedShortlistView, shortlistProduced, shortlistStreamId } from './shortlist.ts';

/**
 * The registry indexed for ranking, reused while the homes read model stands still: its
 * projection's checkpoint is the change token (read before the homes, so a change racing the
 * read can only cause one extra reload, never a stale cache).
 */
export class RegistryCache {
  #token: string | undefined;
  #registry = new MatchingRegistry([]);

  async current(db: Queryable): Promise<MatchingRegistry> {
    const { rows } = await db.query<{ token: string }>(
      `SELECT transaction_id::text || ':' || global_position AS token
         FROM subscription_checkpoints WHERE subscription_name = 'projection:homes'`,
    );
    const token = rows[0]?.token ?? 'none';
    if (token !== this.#token) {
      this.#registry = new MatchingRegistry(await homesForMatching(db));
      this.#token = token;
    }
    return this.#registry;
  }
}

export interface ShortlistDeps {
  store: PostgresEventStore;
  policy: MatchingPolicy;
  clock: () => Date;
  registry: RegistryCache;
}

export async function produceShortlist(
  deps: ShortlistDeps,
  referral: ReferralForMatching,
  client: pg.PoolClient,
  metadata: EventMetadata,
): Promise<void> {
  const now = deps.clock();
  const registry = await deps.registry.current(client);
  const { event, view, candidateCount, excludedCount } = rankAndRender(deps, referral, registry, now);
  await deps.store.append(
    shortlistStreamId(referral.referralId),
    [toNewEvent({ type: 'ShortlistProduced', data: event }, metadata)],
    { client, expectedVersion: 'any', now },
  );
  await client.query(
    `INSERT INTO shortlists (referral_id, referral_version, placing_la, generated_at, candidate_count, excluded_count, response_gzip)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (referral_id, referral_version) DO UPDATE SET
       generated_at = excluded.generated_at, candidate_count = excluded.candidate_count,
       excluded_count = excluded.excluded_count, response_gzip = excluded.response_gzip,
       stored_at = clock_timestamp()`,
    [
      referral.referralId,
      referral.referralVersion,
      referral.placingLa,
      now,
      candidateCount,
      excludedCount,
      view,
    ],
  );
}

/**
 * The ranking and what is written of it: the event and the gzipped view. The ranking itself (an
 * object for every home in the registry) is garbage when this returns, before the writes wait on
 * the database, so young-generation collections during those waits have nothing of it to keep.
 */
function rankAndRender(
  deps: ShortlistDeps,
  referral: ReferralForMatching,
  registry: MatchingRegistry,
  now: Date,
): {
  event: ReturnType<typeof shortlistProduced>;
  view: Buffer;
  candidateCount: number;
  excludedCount: number;
} {
  const generatedAt = now.toISOString();
  const ranking = rankHomes(referral, registry, deps.policy, todayInEngland(now));
  return {
    event: shortlistProduced(referral, ranking, deps.policy, generatedAt),
    view: gzippedShortlistView(referral, ranking, generatedAt),
    candidateCount: ranking.candidates.length,
    excludedCount: ranking.exclusions.length,
  };
}
