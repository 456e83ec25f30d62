// Erasure of a child's personal data (UK GDPR art. 17) against an append-only platform. The key
// shred itself happens in the shared key store (the erasure command, src/cli/erase-child.ts); this
// slice records it: SubjectErased in the stream `erasure-<placingLa>-<childRef>` (once per child,
// hash-chained like every event, published by the outbox relay on placements.subject.v1) and a
// `subject.erase` row in the referral audit, in one transaction. Every service, this one included,
// purges the child from its read models when SubjectErased arrives.
import { randomUUID } from 'node:crypto';
import { integrationEvents, type SubjectErasure, subjectIdFor } from '@placements/contracts';
import { PostgresEventStore, withTransaction } from '@placements/event-store';
import type { ServiceHost } from '@placements/service-kit';
import type pg from 'pg';
import { referralReads } from '../read-audit/read-audit.ts';

export const ERASURE_STREAM_TYPE = 'erasure';

export function erasureStreamId(placingLa: string, childRef: string): string {
  return `${ERASURE_STREAM_TYPE}-${placingLa}-${childRef}`;
}

export interface ErasureRequest {
  placingLa: string;
  childRef: string;
  reason: string;
  operator: string;
  now: Date;
}

export interface RecordedErasure {
  erasure: SubjectErasure;
  /** false when the child's erasure had already been recorded (the command was run again). */
  recorded: boolean;
}

/** Records the erasure once per child: a second run returns the first record and adds nothing. */
export async function recordErasure(pool: pg.Pool, request: ErasureRequest): Promise<RecordedErasure> {
  const store = new PostgresEventStore({ pool });
  const streamId = erasureStreamId(request.placingLa, request.childRef);
  return withTransaction(pool, async (client) => {
    // One erasure per child even when two operators run the command at once.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [streamId]);
    const existing = await store.readStream<SubjectErasure>(streamId, { client, decrypt: false });
    const first = existing.find((event) => event.type === 'SubjectErased');
    if (first) return { erasure: first.data, recorded: false };
    const erasure = integrationEvents.SubjectErased.schema.parse({
      erasureId: randomUUID(),
      subjectId: subjectIdFor(request.placingLa, request.childRef),
      placingLa: request.placingLa,
      childRef: request.childRef,
      reason: request.reason,
      operator: request.operator,
      erasedAt: request.now.toISOString(),
    });
    await store.append(
      streamId,
      [
        {
          type: 'SubjectErased',
          eventId: erasure.erasureId,
          data: erasure,
          metadata: {
            correlationId: erasure.erasureId,
            actor: { sub: request.operator, org: 'ops' },
          },
        },
      ],
      { client, expectedVersion: 'no-stream', now: request.now },
    );
    await referralReads.record(client, [
      {
        principal: { sub: request.operator, org: 'ops', roles: ['ops'] },
        action: 'subject.erase',
        placingLa: request.placingLa,
        childRef: request.childRef,
        detail: { erasureId: erasure.erasureId, reason: request.reason },
        at: request.now,
      },
    ]);
    return { erasure, recorded: true };
  });
}

/**
 * The referral list keeps personal fields sealed, so they are unreadable once the key is gone;
 * the purge also replaces them with the erased marker so no ciphertext of the child stays in the
 * read model.
 */
export function registerErasurePurge(host: ServiceHost): void {
  host.onSubjectErased(async (erasure, client) => {
    await client.query(
      `UPDATE referral_list
          SET document = document || '{"child":{"$erased":true},"childViews":{"$erased":true},"locations":{"$erased":true}}'::jsonb
        WHERE placing_la = $1 AND child_ref = $2`,
      [erasure.placingLa, erasure.childRef],
    );
  });
}
