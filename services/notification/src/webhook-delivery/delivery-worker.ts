// The webhook delivery worker. Each round claims due deliveries (FOR UPDATE SKIP LOCKED, leased),
// signs and POSTs them concurrently outside any transaction, then records each attempt in its own
// transaction: the attempt row, the queue row's next state, and the events — NotificationDelivered
// on the first success for the notice, NotificationDeliveryFailed on each failure, and
// SubscriptionDisabled when the endpoint answers 410 Gone. It runs on the host's schedule and is
// also woken as soon as a notice is committed, so a notice leaves within milliseconds.
import { DuplicateEventError, StreamVersionConflictError, withTransaction } from '@placements/event-store';
import type { Agent } from 'undici';
import { type NotificationHost, SERVICE_ACTOR } from '../host.ts';
import { handleNotificationCommand } from '../notification/commands.ts';
import { placementStartedOn } from '../raise-notices/raise.ts';
import { handleSubscriptionCommand } from '../subscriptions/commands.ts';
import type { SecretBox } from '../subscriptions/secret-box.ts';
import type { UrlPolicy } from '../subscriptions/url-policy.ts';
import { type ClaimedDelivery, claimDueDeliveries, recordAttempt, settleDelivery } from './deliveries.ts';
import { type AttemptResult, createDeliveryAgent, postWebhook } from './delivery-agent.ts';
import { signedHeaders } from './payload.ts';
import { nextAttemptAt, parseRetryAfter, type RetryPolicy } from './retry-schedule.ts';

/** Extra lease beyond the request timeout, for recording the outcome. */
const LEASE_MARGIN_MS = 30_000;

export class DeliveryWorker {
  readonly #host: NotificationHost;
  readonly #box: SecretBox;
  readonly #policy: UrlPolicy;
  readonly #retry: RetryPolicy;
  readonly #agent: Agent;
  #round: Promise<number> | undefined;
  #again = false;
  #stopped = false;
  #unsubscribe: (() => void) | undefined;

  constructor(host: NotificationHost, box: SecretBox, policy: UrlPolicy) {
    this.#host = host;
    this.#box = box;
    this.#policy = policy;
    const config = host.config;
    this.#retry = {
      scheduleSeconds: config.WEBHOOK_RETRY_SCHEDULE_SECONDS,
      giveUpAfterHours: config.WEBHOOK_GIVE_UP_AFTER_HOURS,
      jitter: config.WEBHOOK_RETRY_JITTER,
      maxRetryAfterSeconds: config.WEBHOOK_MAX_RETRY_AFTER_SECONDS,
    };
    this.#agent = createDeliveryAgent(policy, config.WEBHOOK_TIMEOUT_MS);
  }

  /** Called by the schedule: runs a round now, and from then on also whenever a notice is committed. */
  async tick(): Promise<void> {
    if (this.#stopped) return;
    this.#unsubscribe ??= this.#host.store.onAppended(() => void this.wake());
    await this.wake();
  }

  /** Starts a round, or asks the round in progress to go again once it finishes. */
  wake(): Promise<number> {
    if (this.#stopped) return Promise.resolve(0);
    if (this.#round) {
      this.#again = true;
      return this.#round;
    }
    this.#round = (async () => {
      let total = 0;
      try {
        do {
          this.#again = false;
          total += await this.#drain();
        } while (this.#again && !this.#stopped);
      } catch (error) {
        this.#host.logger.error({ err: error }, 'webhook delivery round failed');
      } finally {
        this.#round = undefined;
      }
      return total;
    })();
    return this.#round;
  }

  /** Finishes the attempts in hand and closes connections. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    await this.#round?.catch(() => undefined);
    await this.#agent.close().catch(() => undefined);
  }

  /** Delivers everything due now; returns how many attempts were made. */
  async #drain(): Promise<number> {
    const {
      WEBHOOK_BATCH_SIZE: batch,
      WEBHOOK_CONCURRENCY: concurrency,
      WEBHOOK_TIMEOUT_MS: timeout,
    } = this.#host.config;
    let attempts = 0;
    for (;;) {
      if (this.#stopped) return attempts;
      const now = this.#host.clock();
      const claimed = await withTransaction(this.#host.pool, (client) =>
        claimDueDeliveries(client, now, new Date(now.getTime() + timeout + LEASE_MARGIN_MS), batch),
      );
      if (claimed.length === 0) return attempts;
      let next = 0;
      const lanes = Array.from({ length: Math.min(concurrency, claimed.length) }, async () => {
        while (next < claimed.length) {
          const delivery = claimed[next++]!;
          await this.#attempt(delivery);
        }
      });
      await Promise.all(lanes);
      attempts += claimed.length;
      if (claimed.length < batch) return attempts;
    }
  }

  async #attempt(delivery: ClaimedDelivery): Promise<void> {
    const attemptedAt = this.#host.clock();
    let result: AttemptResult;
    try {
      const secret = this.#box.open(delivery.secretCiphertext, delivery.subscriptionId);
      result = await postWebhook({
        agent: this.#agent,
        url: delivery.url,
        headers: { ...signedHeaders(secret, delivery.webhookId, attemptedAt, delivery.body) },
        body: delivery.body,
        timeoutMs: this.#host.config.WEBHOOK_TIMEOUT_MS,
        policy: this.#policy,
      });
    } catch (error) {
      // Only a secret that cannot be opened (wrong key) gets here; postWebhook never throws.
      result = {
        statusCode: null,
        retryAfter: undefined,
        error: error instanceof Error ? error.message : String(error),
        durationMs: 0,
        refused: false,
      };
    }
    for (let round = 1; ; round++) {
      try {
        await this.#record(delivery, attemptedAt, result);
        return;
      } catch (error) {
        const raced = error instanceof StreamVersionConflictError || error instanceof DuplicateEventError;
        if (!raced || round >= 5) {
          // The lease runs out and the delivery is tried again: at least once, never lost.
          this.#host.logger.error(
            { err: error, notificationId: delivery.notificationId, subscriptionId: delivery.subscriptionId },
            'could not record a webhook attempt',
          );
          return;
        }
      }
    }
  }

  async #record(delivery: ClaimedDelivery, attemptedAt: Date, result: AttemptResult): Promise<void> {
    const host = this.#host;
    await withTransaction(host.pool, async (client) => {
      const now = host.clock();
      const status = result.statusCode;
      const delivered = status !== null && status >= 200 && status < 300;
      const gone = status === 410;
      const next =
        delivered || gone
          ? null
          : nextAttemptAt({
              attempt: delivery.attempt,
              firstAttemptAt: delivery.firstAttemptAt,
              now,
              retryAfterSeconds: parseRetryAfter(result.retryAfter, now),
              policy: this.#retry,
            });
      const outcome = delivered ? 'delivered' : gone ? 'gone' : result.refused ? 'refused' : 'failed';
      await recordAttempt(client, {
        notificationId: delivery.notificationId,
        subscriptionId: delivery.subscriptionId,
        webhookId: delivery.webhookId,
        attempt: delivery.attempt,
        attemptedAt,
        durationMs: result.durationMs,
        outcome,
        statusCode: status,
        error: result.error,
        nextAttemptAt: next,
      });
      await settleDelivery(
        client,
        delivery,
        {
          status: delivered ? 'delivered' : gone ? 'cancelled' : next ? 'pending' : 'abandoned',
          nextAttemptAt: next,
        },
        result,
        now,
      );
      const metadata = { actor: SERVICE_ACTOR, correlationId: delivery.webhookId };
      if (delivered) {
        await handleNotificationCommand(
          host,
          delivery.notificationId,
          async (state) => ({
            type: 'RecordDelivery',
            subscriptionId: delivery.subscriptionId,
            attempt: delivery.attempt,
            placementStartedOn: state.exists
              ? await placementStartedOn(client, state.notice.placementId)
              : null,
          }),
          { client, metadata },
        );
        return;
      }
      await handleNotificationCommand(
        host,
        delivery.notificationId,
        {
          type: 'RecordDeliveryFailure',
          subscriptionId: delivery.subscriptionId,
          attempt: delivery.attempt,
          error: result.error ?? `HTTP ${status}`,
          responseStatus: status,
          nextAttemptAt: next?.toISOString() ?? null,
        },
        { client, metadata },
      );
      if (gone) {
        await handleSubscriptionCommand(
          host,
          delivery.subscriptionId,
          { type: 'DisableSubscription', detail: 'the endpoint answered 410 Gone' },
          metadata,
          client,
        );
      }
    });
    host.store.notifyCommitted('notification');
  }
}
