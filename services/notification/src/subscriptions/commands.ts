// Command handling for subscriptions: each append to a `subscription-<uuid>` stream and the
// matching change to webhook_subscriptions (and to the delivery queue) commit in one
// transaction, so the worker never sees a subscription the log does not record, or the reverse.
import { type EventMetadata, withTransaction } from '@placements/event-store';
import type { PoolClient } from 'pg';
import type { NotificationHost } from '../host.ts';
import { cancelDeliveriesTo, queueOutstandingFor } from '../webhook-delivery/deliveries.ts';
import {
  decideSubscription,
  evolveSubscription,
  initialSubscriptionState,
  type SubscriptionCommand,
  type SubscriptionCreated,
  type SubscriptionState,
  subscriptionStreamId,
} from './subscription.ts';

export async function loadSubscription(
  host: NotificationHost,
  subscriptionId: string,
  client?: PoolClient,
): Promise<{ state: SubscriptionState; version: number }> {
  return host.store.aggregateStream(
    subscriptionStreamId(subscriptionId),
    evolveSubscription,
    initialSubscriptionState,
    {
      ...(client ? { client } : {}),
    },
  );
}

/** Runs a subscription command in the caller's transaction; returns the state after it. */
export async function handleSubscriptionCommand(
  host: NotificationHost,
  subscriptionId: string,
  command: SubscriptionCommand,
  metadata: EventMetadata,
  client: PoolClient,
): Promise<{ state: SubscriptionState; version: number; changed: boolean }> {
  const { state, version } = await loadSubscription(host, subscriptionId, client);
  const now = host.clock();
  const events = decideSubscription(command, state, { now });
  if (events.length === 0) return { state, version, changed: false };
  const result = await host.store.append(
    subscriptionStreamId(subscriptionId),
    events.map((event) => ({ type: event.type, data: event.data, metadata })),
    { expectedVersion: version === 0 ? 'no-stream' : version, client, now },
  );
  const next = events.reduce(evolveSubscription, state);
  if (!next.exists) return { state: next, version: result.nextExpectedVersion, changed: true };
  const created = next.subscription;
  if (command.type === 'CreateSubscription') {
    await insertSubscriptionRow(client, created, result.nextExpectedVersion);
    await queueOutstandingFor(client, created, now);
  } else {
    await client.query(
      `UPDATE webhook_subscriptions SET status = $2, disabled_at = $3, disabled_reason = $4, version = $5
        WHERE subscription_id = $1`,
      [
        subscriptionId,
        next.status,
        next.disabledAt ?? (next.status === 'deleted' ? now : null),
        next.disabledReason,
        result.nextExpectedVersion,
      ],
    );
    await cancelDeliveriesTo(client, subscriptionId, now);
  }
  return { state: next, version: result.nextExpectedVersion, changed: true };
}

async function insertSubscriptionRow(
  client: PoolClient,
  created: SubscriptionCreated,
  version: number,
): Promise<void> {
  await client.query(
    `INSERT INTO webhook_subscriptions (subscription_id, org, url, event_types, secret_ciphertext, status, created_at, version)
     VALUES ($1, $2, $3, $4, $5, 'active', $6, $7)`,
    [
      created.subscriptionId,
      created.org,
      created.url,
      created.eventTypes,
      created.secretCiphertext,
      created.createdAt,
      version,
    ],
  );
}

export function inTransaction<T>(
  host: NotificationHost,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  return withTransaction(host.pool, work);
}
