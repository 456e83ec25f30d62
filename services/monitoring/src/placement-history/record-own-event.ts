// Recording one of this service's own events (a Reg 44 visit, a serious event) together with its
// entries in the histories of the children it concerns, in one transaction: either the event and
// every history entry are written, or nothing is. A history stream appended to concurrently (by the
// intake) makes the transaction retry; the event keeps its id across attempts.
import { randomUUID } from 'node:crypto';
import type { IntegrationEventName } from '@placements/contracts';
import {
  type EventMetadata,
  type PersonalFields,
  StreamVersionConflictError,
  withTransaction,
} from '@placements/event-store';
import type pg from 'pg';
import type { Service } from '../app.ts';
import type { ChildKey } from './history-entry.ts';
import { recordOwnEventInHistories } from './record-entries.ts';

const ATTEMPTS = 4;

export interface OwnEventToRecord {
  streamId: string;
  type: IntegrationEventName;
  data: object;
  metadata: EventMetadata;
  personal?: PersonalFields;
  /** The children whose histories get an entry, read inside the transaction. */
  children: (client: pg.PoolClient) => Promise<readonly ChildKey[]>;
}

export async function recordOwnEvent(host: Service, event: OwnEventToRecord): Promise<{ eventId: string }> {
  const eventId = randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      await withTransaction(host.pool, async (client) => {
        const now = host.clock();
        await host.store.append(
          event.streamId,
          [
            {
              type: event.type,
              data: event.data,
              eventId,
              metadata: event.metadata,
              ...(event.personal ? { personal: event.personal } : {}),
            },
          ],
          { client, expectedVersion: 'no-stream', now },
        );
        const [stored] = await host.store.readStream(event.streamId, { client, decrypt: false });
        const children = await event.children(client);
        await recordOwnEventInHistories(
          host.store,
          client,
          {
            eventId,
            type: event.type,
            data: stored!.data,
            recordedAt: stored!.recordedAt,
            traceparent: event.metadata.traceparent,
          },
          children,
          now,
        );
      });
      host.store.notifyCommitted(event.type);
      return { eventId };
    } catch (error) {
      if (!(error instanceof StreamVersionConflictError) || attempt >= ATTEMPTS) throw error;
    }
  }
}
