// The delivery queue (webhook_deliveries): which notices go to which subscriptions. A notice is
// queued for its recipient's active subscriptions when it is raised, and a new subscription gets
// the recipient's notices not yet received. Both run under one advisory lock per recipient, so a
// notice raised while a subscription is being created is queued exactly once either way.
import type { PoolClient } from 'pg';
import { webhookIdFor } from '../ids.ts';

/** Namespace of the per-recipient advisory lock (first key of the two-key form). */
const RECIPIENT_LOCK_CLASS = 0x4e_07;

export async function lockRecipient(client: PoolClient, org: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [RECIPIENT_LOCK_CLASS, org]);
}

async function insertDeliveries(
  client: PoolClient,
  pairs: { notificationId: string; subscriptionId: string }[],
  now: Date,
): Promise<number> {
  if (pairs.length === 0) return 0;
  const result = await client.query(
    `INSERT INTO webhook_deliveries (notification_id, subscription_id, webhook_id, status, next_attempt_at, created_at, updated_at)
     SELECT n, s, w, 'pending', $4, $4, $4 FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS t(n, s, w)
     ON CONFLICT (notification_id, subscription_id) DO NOTHING`,
    [
      pairs.map((pair) => pair.notificationId),
      pairs.map((pair) => pair.subscriptionId),
      pairs.map((pair) => webhookIdFor(pair.notificationId, pair.subscriptionId)),
      now,
    ],
  );
  return result.rowCount ?? 0;
}

/** Queues a just-raised notice for every active subscription of its recipient to its kind. */
export async function queueNotice(
  client: PoolClient,
  notice: { notificationId: string; recipientOrg: string; kind: string },
  now: Date,
): Promise<number> {
  await lockRecipient(client, notice.recipientOrg);
  const { rows } = await client.query<{ subscription_id: string }>(
    `SELECT subscription_id FROM webhook_subscriptions
      WHERE org = $1 AND status = 'active' AND $2 = ANY(event_types)`,
    [notice.recipientOrg, notice.kind],
  );
  return insertDeliveries(
    client,
    rows.map((row) => ({ notificationId: notice.notificationId, subscriptionId: row.subscription_id })),
    now,
  );
}

/** Queues, for a new subscription, its organisation's notices of those kinds not yet received. */
export async function queueOutstandingFor(
  client: PoolClient,
  subscription: { subscriptionId: string; org: string; eventTypes: readonly string[] },
  now: Date,
): Promise<number> {
  await lockRecipient(client, subscription.org);
  // A notice raised a moment ago may not be in the read model yet: no row there means not received.
  const { rows } = await client.query<{ notification_id: string }>(
    `SELECT o.notification_id FROM notification_obligations o
       LEFT JOIN notifications n ON n.notification_id = o.notification_id
      WHERE o.recipient_org = $1 AND o.kind = ANY($2::text[])
        AND n.delivered_at IS NULL AND n.acknowledged_at IS NULL`,
    [subscription.org, subscription.eventTypes],
  );
  return insertDeliveries(
    client,
    rows.map((row) => ({ notificationId: row.notification_id, subscriptionId: subscription.subscriptionId })),
    now,
  );
}

/** Stops every queued delivery to a subscription that was disabled or deleted. */
export async function cancelDeliveriesTo(
  client: PoolClient,
  subscriptionId: string,
  now: Date,
): Promise<void> {
  await client.query(
    `UPDATE webhook_deliveries SET status = 'cancelled', lease_until = NULL, updated_at = $2
      WHERE subscription_id = $1 AND status IN ('pending', 'in-flight')`,
    [subscriptionId, now],
  );
}

export interface ClaimedDelivery {
  notificationId: string;
  subscriptionId: string;
  webhookId: string;
  attempt: number;
  firstAttemptAt: Date;
  url: string;
  secretCiphertext: string;
  body: string;
}

/**
 * Claims due deliveries (and in-flight ones whose lease ran out: their worker died) for one
 * round, leasing each for as long as an attempt may take.
 */
export async function claimDueDeliveries(
  client: PoolClient,
  now: Date,
  leaseUntil: Date,
  limit: number,
): Promise<ClaimedDelivery[]> {
  const { rows } = await client.query<{
    notification_id: string;
    subscription_id: string;
    webhook_id: string;
    attempt: number;
    first_attempt_at: Date;
    url: string;
    secret_ciphertext: string;
    webhook_body: string;
  }>(
    `WITH due AS (
       SELECT d.notification_id, d.subscription_id
         FROM webhook_deliveries d
         JOIN webhook_subscriptions s ON s.subscription_id = d.subscription_id AND s.status = 'active'
        WHERE (d.status = 'pending' AND d.next_attempt_at <= $1)
           OR (d.status = 'in-flight' AND d.lease_until <= $1)
        ORDER BY d.next_attempt_at
        LIMIT $3
        FOR UPDATE OF d SKIP LOCKED)
     UPDATE webhook_deliveries d
        SET status = 'in-flight', attempt = d.attempt + 1, lease_until = $2,
            first_attempt_at = coalesce(d.first_attempt_at, $1), updated_at = $1
       FROM due, webhook_subscriptions s, notification_obligations o
      WHERE d.notification_id = due.notification_id AND d.subscription_id = due.subscription_id
        AND s.subscription_id = d.subscription_id AND o.notification_id = d.notification_id
     RETURNING d.notification_id, d.subscription_id, d.webhook_id, d.attempt, d.first_attempt_at,
               s.url, s.secret_ciphertext, o.webhook_body`,
    [now, leaseUntil, limit],
  );
  return rows.map((row) => ({
    notificationId: row.notification_id,
    subscriptionId: row.subscription_id,
    webhookId: row.webhook_id,
    attempt: row.attempt,
    firstAttemptAt: row.first_attempt_at,
    url: row.url,
    secretCiphertext: row.secret_ciphertext,
    body: row.webhook_body,
  }));
}

export type AttemptOutcome = 'delivered' | 'failed' | 'gone' | 'refused';

export async function recordAttempt(
  client: PoolClient,
  attempt: {
    notificationId: string;
    subscriptionId: string;
    webhookId: string;
    attempt: number;
    attemptedAt: Date;
    durationMs: number;
    outcome: AttemptOutcome;
    statusCode: number | null;
    error: string | null;
    nextAttemptAt: Date | null;
  },
): Promise<void> {
  await client.query(
    `INSERT INTO webhook_attempts (notification_id, subscription_id, webhook_id, attempt, attempted_at, duration_ms,
                                   outcome, status_code, error, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      attempt.notificationId,
      attempt.subscriptionId,
      attempt.webhookId,
      attempt.attempt,
      attempt.attemptedAt,
      attempt.durationMs,
      attempt.outcome,
      attempt.statusCode,
      attempt.error,
      attempt.nextAttemptAt,
    ],
  );
}

/** Moves a leased delivery on after its attempt; a delivery cancelled meanwhile stays cancelled. */
export async function settleDelivery(
  client: PoolClient,
  delivery: { notificationId: string; subscriptionId: string; attempt: number },
  next: { status: 'pending' | 'delivered' | 'abandoned' | 'cancelled'; nextAttemptAt: Date | null },
  result: { statusCode: number | null; error: string | null },
  now: Date,
): Promise<void> {
  await client.query(
    `UPDATE webhook_deliveries
        SET status = $4, next_attempt_at = coalesce($5, next_attempt_at), lease_until = NULL,
            last_status_code = $6, last_error = $7, updated_at = $8
      WHERE notification_id = $1 AND subscription_id = $2 AND attempt = $3 AND status = 'in-flight'`,
    [
      delivery.notificationId,
      delivery.subscriptionId,
      delivery.attempt,
      next.status,
      next.nextAttemptAt,
      result.statusCode,
      result.error,
      now,
    ],
  );
}

export interface DeliveryLogEntry {
  subscriptionId: string;
  webhookId: string;
  attempt: number;
  attemptedAt: string;
  durationMs: number;
  outcome: AttemptOutcome;
  statusCode: number | null;
  error: string | null;
  nextAttemptAt: string | null;
}

export async function deliveryLog(
  client: Pick<PoolClient, 'query'>,
  notificationId: string,
): Promise<DeliveryLogEntry[]> {
  const { rows } = await client.query<{
    subscription_id: string;
    webhook_id: string;
    attempt: number;
    attempted_at: Date;
    duration_ms: number;
    outcome: AttemptOutcome;
    status_code: number | null;
    error: string | null;
    next_attempt_at: Date | null;
  }>(
    `SELECT subscription_id, webhook_id, attempt, attempted_at, duration_ms, outcome, status_code, error, next_attempt_at
       FROM webhook_attempts WHERE notification_id = $1 ORDER BY id`,
    [notificationId],
  );
  return rows.map((row) => ({
    subscriptionId: row.subscription_id,
    webhookId: row.webhook_id,
    attempt: row.attempt,
    attemptedAt: row.attempted_at.toISOString(),
    durationMs: row.duration_ms,
    outcome: row.outcome,
    statusCode: row.status_code,
    error: row.error,
    nextAttemptAt: row.next_attempt_at ? row.next_attempt_at.toISOString() : null,
  }));
}
